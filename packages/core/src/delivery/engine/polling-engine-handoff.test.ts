import { resolveSettings } from '../../settings/resolve-settings';
import { systemClock } from '../../runtime/clock';
import { silentLogger } from '../../observability/logger';
import { MemoryRequestQueue } from '../../storage/memory/memory-request-queue';
import type { EnqueueClaim, EnqueueClaimedResult } from '../../ports/request-queue';
import type { NewWebhookRequest, WebhookRequest } from '../../model/webhook-request';
import type { Settlement } from '../../ports/queue-engine';
import { PollingQueueEngine } from './polling-engine';

/**
 * A store that makes an enqueue visible before it is durable (PostgreSQL's `synchronousCommit:
 * 'publish'`) calls `onVisible`: the engine starts the handed-off requests then, not when the
 * enqueue (and so publish()) resolves.
 */
describe('the polling engine and a store that confirms durability in a second step', () => {
  it('starts handed-off requests at onVisible, while the enqueue still waits', async () => {
    const queue = new MemoryRequestQueue();
    let durable: () => void = () => {};
    const flushed = new Promise<void>((resolve) => (durable = resolve));
    const enqueueClaimed = queue.enqueueClaimed.bind(queue);
    queue.enqueueClaimed = async (requests: readonly NewWebhookRequest[], claim: EnqueueClaim): Promise<EnqueueClaimedResult> => {
      const result = await enqueueClaimed(requests, claim);
      claim.onVisible?.(result.claimed);
      await flushed;
      return result;
    };
    const engine = new PollingQueueEngine(queue, { settings: { current: resolveSettings({ period: 60_000 }) }, clock: systemClock, logger: silentLogger, onError: () => {} }, { name: 'memory', transactionalEnqueue: false, shared: false, fifo: false });
    const started: string[] = [];
    let attempted: () => void = () => {};
    const attempt = new Promise<void>((resolve) => (attempted = resolve));
    engine.start({
      handle: (request: WebhookRequest): Promise<Settlement> => {
        started.push(request.id);
        attempted();
        return Promise.resolve({ verdict: { kind: 'delivered' }, settled: () => {} });
      },
    });
    try {
      // Until its first claim finds no backlog the dispatcher takes no handoff.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const now = new Date();
      let enqueued = false;
      const enqueue = engine.enqueue([{ id: 'visible-first', webhookKey: 'w', eventAlias: 'thing.happened', body: '{}', createdAt: now, dueAt: now }]).then(() => (enqueued = true));
      await attempt;
      expect(started).toEqual(['visible-first']);
      expect(enqueued).toBe(false);
      durable();
      await enqueue;
      // Handed off once: the end of the enqueue starts nothing more.
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(started).toEqual(['visible-first']);
    } finally {
      durable();
      await engine.stop(1000);
    }
  });
});
