import { describeDeliveryLogContract } from '@hookwork/core/testing';
import { MemoryDeliveryLog } from './memory-delivery-log';

describeDeliveryLogContract('memory', () => ({ subject: new MemoryDeliveryLog() }));
