import { resolveSettings } from '../../settings/resolve-settings';
import { systemClock } from '../../runtime/clock';
import { MemoryRequestQueue } from '../../storage/memory/memory-request-queue';
import type { ClaimOptions } from '../../ports/request-queue';
import type { WebhookRequest } from '../../model/webhook-request';
import { Dispatcher } from './dispatcher';

/**
 * A wake-up that arrives while a claim runs (another process committed; its notification came in
 * while this process's claim was already reading) must make the dispatcher claim again, not sleep
 * until `period`: the claim's "nothing more" describes the store before the commit.
 */
describe('the dispatcher and a wake-up during a claim', () => {
  it('claims again after a short batch when woken while the claim ran', async () => {
    const queue = new MemoryRequestQueue();
    // The dispatcher starts, finds nothing and sleeps (its sweep is a minute away). Woken, its
    // second claim reads the store, then waits for the test: meanwhile another process enqueues
    // and the notification wakes the dispatcher again.
    let release: (() => void) | undefined;
    /** Set when the test wakes the idle dispatcher: the next claim is the one held. */
    let armed = false;
    const claimRead = new Promise<void>((resolve) => {
      const claim = queue.claim.bind(queue);
      let gated = false;
      queue.claim = async (options: ClaimOptions) => {
        const found = await claim(options);
        if (armed && !gated) {
          gated = true;
          resolve();
          await new Promise<void>((go) => (release = go));
        }
        return found;
      };
    });
    const settings = resolveSettings({ period: 60_000 });
    const processed: string[] = [];
    let delivered: () => void = () => {};
    const done = new Promise<void>((resolve) => (delivered = resolve));
    const dispatcher = new Dispatcher({
      queue,
      settings: { current: settings },
      clock: systemClock,
      owner: 'this-process',
      process: async (request: WebhookRequest) => {
        processed.push(request.id);
        await queue.complete(request.id, 'this-process');
        delivered();
      },
      onError: (task, error) => {
        throw new Error(`${task}: ${String(error)}`);
      },
    });
    dispatcher.start();
    try {
      // Idle by now on any machine but a stalled one (then the held claim is simply a later one).
      await new Promise((resolve) => setTimeout(resolve, 50));
      armed = true;
      dispatcher.wake();
      await claimRead;
      const now = new Date();
      await queue.enqueue([{ id: 'from-another-process', webhookKey: 'w', eventAlias: 'thing.happened', body: '{}', createdAt: now, dueAt: now }]);
      dispatcher.wake();
      release!();
      // Without a second claim the request would wait for the 60 s sweep; the test's own
      // timeout (far shorter) would then fail it.
      await done;
      expect(processed).toEqual(['from-another-process']);
    } finally {
      await dispatcher.stop(1000);
    }
  });
});
