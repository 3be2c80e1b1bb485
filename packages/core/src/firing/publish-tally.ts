import type { NewWebhookRequest } from '../model/webhook-request';

/**
 * Where the options of one publish() carry its {@link PublishTally}: a symbol no host can spell, so
 * publish() refuses no option for it. It goes where the transaction and the trace context go: an
 * event class overriding handle() that passes its `options` on to super.handle() (or spreads them)
 * keeps it, and WebhookEventBase.handle() names it in the options it gives fireMany.
 */
export const PUBLISH_TALLY: unique symbol = Symbol('hookwork.publishTally');

/** Fire options that may carry a publish's tally (an event's own call of fireMany carries none). */
export interface TalliedOptions {
  readonly [PUBLISH_TALLY]?: PublishTally;
}

/**
 * What one publish() enqueued, counted by WebhookFiringService as each of its events' batches is
 * stored — the engine's own answer (EnqueueResult), so every engine counts alike. Per publish, not
 * per app: an operator event published while a host's publish runs counts in its own.
 */
export class PublishTally {
  /** Requests stored by this publish. */
  enqueued = 0;
  /** Requests this publish made whose id the engine held already (an idempotencyKey repeat): not stored again. */
  alreadyEnqueued = 0;

  /**
   * The next position of each (webhook, alias) among this publish's keyed requests, by the JSON
   * text of `[webhookKey, alias]`; made at the first keyed batch. Per publish, not per batch: an
   * event whose handle() enqueues twice (two super.handle() calls) numbered each batch from 0, so
   * its second batch had the first's ids and was skipped as already enqueued — with a key, not
   * without one. A publish made again starts from 0 again, so it makes the same ids.
   */
  keyedPositions: Map<string, number> | undefined;

  /** Counts one batch: `made` requests, of which `stored` were stored. */
  count(made: readonly NewWebhookRequest[], stored: readonly NewWebhookRequest[]): void {
    this.enqueued += stored.length;
    this.alreadyEnqueued += made.length - stored.length;
  }
}
