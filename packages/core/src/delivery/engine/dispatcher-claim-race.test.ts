import { memoryStorage } from '../../storage/memory/memory-storage';
import { expectAttemptEndingDuringClaimNotSentAgain } from '../../testing/claim-race-check';

/**
 * A claim that read a request while its attempt ran here (its lease had run out) and answers after
 * that attempt delivered it: the request is given back, not started again.
 */
describe('the polling engine on the in-memory store, an attempt that ends while a claim returning its request is under way', () => {
  it('does not send the request again: one attempt, one log entry, gone from the queue', async () => {
    await expectAttemptEndingDuringClaimNotSentAgain(memoryStorage());
  });
});
