import { CREDENTIAL_HEADERS } from './framework-headers';
import { REDACTED, type Webhook, type WebhookFifo, type WebhookFormat } from './webhook';

/**
 * A webhook as code outside hookwork's delivery sees it: webhook event classes
 * (`PayloadContext.webhook`, `WebhookSubscription.webhook`), their examples for test sends, and
 * the before-send hook. It holds no secret — no signing secrets at all (not even hints), and the
 * value of each sensitive header reads `"[redacted]"`, as do those of `authorization`,
 * `proxy-authorization` and `cookie` always (the delivery log's rule) — so an event class that copies it into a
 * payload or a log line gives nothing away. The URL is the webhook's full URL: its path or query
 * may itself be a token (Slack's, Discord's), so log it with care, as hookwork's logger does
 * (scheme and host only).
 *
 * Frozen, arrays and records included. hookwork makes one per stored webhook object and shares
 * it between every event class and publish that sees that webhook ({@link webhookInfo}).
 */
export interface WebhookInfo {
  /** Its unique key. */
  readonly key: string;
  /** A name for people, when it has one. */
  readonly name?: string;
  /** A description for people, when it has one. */
  readonly description?: string;
  /** Absolute http(s) URL requests go to. */
  readonly url: string;
  /** Event aliases it subscribes to (name-spaced ones such as `collections.save.after.posts` included). */
  readonly events: readonly string[];
  /** Content-type keys; when non-empty, per-entity events fire only for entities of these types. */
  readonly contentTypeKeys: readonly string[];
  /** Its custom headers; the value of each one named in {@link WebhookInfo.sensitiveHeaders}, and of `authorization`, `proxy-authorization` and `cookie`, reads `"[redacted]"`. */
  readonly headers: Readonly<Record<string, string>>;
  /** Names (lower case) of its headers whose values are secret, and so read `"[redacted]"` here. */
  readonly sensitiveHeaders: readonly string[];
  /** False: no requests are created for it (event classes only ever see enabled ones when publishing). */
  readonly enabled: boolean;
  /** The wire format (`{ type: 'json' }` when none was chosen). */
  readonly format: Readonly<WebhookFormat>;
  /** Present: its requests are delivered in publish order, one at a time. */
  readonly fifo?: Readonly<WebhookFifo>;
}

/** The fields of a stored webhook a {@link WebhookInfo} is made from (never its secrets). */
export type WebhookInfoSource = Pick<Webhook, 'key' | 'name' | 'description' | 'url' | 'events' | 'contentTypeKeys' | 'headers' | 'sensitiveHeaders' | 'enabled' | 'format' | 'fifo'>;

const JSON_FORMAT: Readonly<WebhookFormat> = Object.freeze({ type: 'json' });

// One per webhook object, for as long as that object lives: stores hand out a new object when a
// webhook changes, so an entry never goes stale, and a WeakMap never keeps a webhook alive. A memo
// of a pure function: two apps asking for the same object get equal answers.
const infos = new WeakMap<WebhookInfoSource, WebhookInfo>();

/**
 * The secret-free, frozen {@link WebhookInfo} of `webhook`, made once per webhook object (about
 * 0.3 µs) and the same object on every later call: publishing asks for it per subscribed webhook
 * on every publish. A webhook changed in place after its first call is not seen again — change
 * webhooks by making a new object, as the stores do. Exported for plugin authors' tests, which
 * call a payload converter with `{ webhook: webhookInfo(webhook), alias }`.
 */
export function webhookInfo(webhook: WebhookInfoSource): WebhookInfo {
  let info = infos.get(webhook);
  if (info === undefined) {
    info = newWebhookInfo(webhook);
    infos.set(webhook, info);
  }
  return info;
}

/**
 * A new {@link WebhookInfo} of `webhook`, not remembered: for a webhook object that is used once
 * (a copy a store made for this call). About 0.3 µs; remembering it in {@link webhookInfo}'s
 * WeakMap would cost 2 µs more, paid by the garbage collector for each short-lived key.
 * @internal
 */
export function newWebhookInfo(webhook: WebhookInfoSource): WebhookInfo {
  const sensitive = webhook.sensitiveHeaders.slice();
  const headers: Record<string, string> = {};
  for (const name of Object.keys(webhook.headers)) {
    const lower = name.toLowerCase();
    const credential = CREDENTIAL_HEADERS.has(lower);
    // A credential header stored unmarked (before they were stored sensitive) is listed as views list it.
    if (credential && !sensitive.includes(lower)) sensitive.push(lower);
    headers[name] = credential || sensitive.includes(lower) ? REDACTED : webhook.headers[name]!;
  }
  // Only the fields of WebhookInfo, named one by one: a field added to Webhook (a secret, say)
  // reaches event classes only when it is added here on purpose.
  const info = { key: webhook.key, url: webhook.url } as { -readonly [K in keyof WebhookInfo]: WebhookInfo[K] };
  if (webhook.name !== undefined) info.name = webhook.name;
  if (webhook.description !== undefined) info.description = webhook.description;
  info.events = Object.freeze(webhook.events.slice());
  info.contentTypeKeys = Object.freeze(webhook.contentTypeKeys.slice());
  info.headers = Object.freeze(headers);
  info.sensitiveHeaders = Object.freeze(sensitive);
  info.enabled = webhook.enabled;
  info.format = webhook.format ? Object.freeze({ ...webhook.format }) : JSON_FORMAT;
  if (webhook.fifo !== undefined) info.fifo = Object.freeze({ onDeadLetter: webhook.fifo.onDeadLetter });
  return Object.freeze(info);
}
