import { createToken } from '../runtime/tokens';

/**
 * @internal Where the firing service tells drain() of the requests it stored (OwnRequests.addRequests
 * in composition/drain.ts, registered under this token by createHookwork()). Here, not beside
 * OwnRequests: firing is below composition, and an import the other way made a circle.
 */
export const OwnRequestsToken = createToken<{ addRequests(requests: readonly { readonly requestId: string }[]): void }>('hookwork.OwnRequests');
