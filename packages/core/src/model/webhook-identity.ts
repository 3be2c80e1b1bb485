import type { Webhook } from './webhook';
import type { NewWebhookRequest } from './webhook-request';
import type { Clock } from '../runtime/clock';

/**
 * A key names a webhook only until it is deleted: infrastructure as code replaces one by deleting
 * it and creating another under the same key, perhaps with another URL, other events and another
 * owner. Two webhooks of one key are told apart by `createdAt` (set by `webhooks.create()`, never
 * changed by an update).
 */

/** True when `a` and `b` are the same webhook, not two that held one key in turn. */
export function sameWebhook(a: Pick<Webhook, 'key' | 'createdAt'>, b: Pick<Webhook, 'key' | 'createdAt'>): boolean {
  return a.key === b.key && a.createdAt.getTime() === b.createdAt.getTime();
}

/**
 * True when `a` and `b` are the same webhook at the same URL: what a webhook's health is about (a
 * moved or re-created webhook starts afresh).
 */
export function sameReceiver(a: Pick<Webhook, 'key' | 'createdAt' | 'url'>, b: Pick<Webhook, 'key' | 'createdAt' | 'url'>): boolean {
  return a.url === b.url && sameWebhook(a, b);
}

/**
 * True when `request` was published before `webhook` existed, so it was made for a webhook deleted
 * since under the same key and must not go to this one (another receiver, perhaps another owner,
 * signed with its secrets). A request published in the millisecond its webhook was created is the
 * webhook's own. A webhook whose `createdAt` lies ahead of `now` (copied in from a machine whose
 * clock ran ahead) is not judged by it: its requests would all be dropped until then. The clock is
 * read only for a request older than its webhook (rare): not a `Date` made at every attempt.
 */
export function predatesWebhook(request: Pick<NewWebhookRequest, 'createdAt'>, webhook: Pick<Webhook, 'createdAt'>, clock: Clock): boolean {
  const created = webhook.createdAt.getTime();
  return request.createdAt.getTime() < created && created <= clock.now().getTime();
}
