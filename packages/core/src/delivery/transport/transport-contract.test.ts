import { describeTransportContract } from '../../testing/transport-contract';

// One suite, both built-in transports: whichever a host picks, the delivery guarantees are the same.
describeTransportContract('axios', () => 'axios');
describeTransportContract('undici', () => 'undici');
