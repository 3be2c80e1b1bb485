/**
 * A signing secret of a webhook. `secret` is `whsec_` + base64 of the key bytes (Standard
 * Webhooks). Several may sign at once during a rotation; one with `expiresAt` in the past no
 * longer signs.
 */
export interface WebhookSecret {
  /** The secret's id, stable across updates (for `revokeSecret`). */
  id: string;
  /** `whsec_` + base64 of the key bytes. */
  secret: string;
  /** When it was generated. */
  createdAt: Date;
  /** When it stops signing (the end of a rotation's grace period); absent: until revoked. */
  expiresAt?: Date;
}

/** The default wire format: the payload JSON is the body (`content-type: application/json`). */
export interface JsonWebhookFormat {
  /** The plain JSON body. */
  type: 'json';
}

/**
 * CloudEvents 1.0 over HTTP (the CloudEvents HTTP protocol binding), still signed with Standard
 * Webhooks over the exact bytes sent. `id` is the `webhook-id`, `type` the event alias that fired,
 * `time` when the event was published, `specversion` 1.0, `datacontenttype` application/json.
 */
export interface CloudEventsWebhookFormat {
  /** CloudEvents 1.0. */
  type: 'cloudevents';
  /**
   * `structured`: the body is the event in CloudEvents' JSON format
   * (`content-type: application/cloudevents+json`), the payload in its `data`. `binary`: the body
   * is the payload as in the default format, the attributes are `ce-*` headers.
   */
  mode: 'structured' | 'binary';
  /** CloudEvents `source`: a URI-reference naming your app or site (`https://cms.example.com`, `/sites/main`). */
  source: string;
  /** CloudEvents `subject`, the same on every request (e.g. a site name). */
  subject?: string;
  /**
   * CloudEvents `subject` read from each payload: an RFC 6901 JSON Pointer (`/id`). A string (of
   * at most 2048 characters, as a fixed `subject`) or number there is the subject; anything else
   * leaves the subject out. Not with `subject`.
   */
  subjectFrom?: string;
}

/** How requests to a webhook are laid out on the wire (see docs/webhooks.md#formats). */
export type WebhookFormat = JsonWebhookFormat | CloudEventsWebhookFormat;

/**
 * What a dead-lettered request at the head of a FIFO webhook's line does to the requests behind
 * it: `skip` lets the next one go (the dead one waits among the dead letters, and goes first
 * again if redelivered); `block` holds every request behind it until it is redelivered and
 * delivered, or deleted by retention.
 */
export type FifoDeadLetterPolicy = 'skip' | 'block';

/** Opt-in delivery in publish order for one webhook (see docs/health.md). */
export interface WebhookFifo {
  /** What a dead letter at the head of the line does to the requests behind it. */
  onDeadLetter: FifoDeadLetterPolicy;
}

/** A rate limit of one webhook: at most `perSecond` requests a second on average, `burst` at once. */
export interface WebhookRateLimit {
  /** Requests per second (may be fractional: 0.5 is one every 2 s). */
  perSecond: number;
  /** Requests that may go at once after a quiet spell (at least 1). */
  burst: number;
}

/**
 * A webhook's own circuit-breaker settings: each key given replaces the app's `breaker` setting
 * of the same name for this webhook (durations in ms).
 */
export interface WebhookBreakerOptions {
  /** Whether the breaker may open for this webhook. */
  enabled?: boolean;
  /** Consecutive failed attempts that open the breaker. */
  failureThreshold?: number;
  /** A share of failed attempts (0–1) within `window` that opens the breaker. */
  failureRate?: number;
  /** Attempts within `window` before `failureRate` is judged. */
  minimumAttempts?: number;
  /** The sliding window of `failureRate`, ms. */
  window?: number;
  /** How long an open breaker waits before one probe, ms. */
  coolDown?: number;
}

/**
 * A webhook as stored: where to send which events. Storage backends keep every field;
 * the management API never returns `secrets` or sensitive header values in clear
 * (see {@link WebhookView}), and webhook event classes and the before-send hook see a
 * `WebhookInfo` without them.
 */
export interface Webhook {
  /** Its unique key (letters, digits and `._:-`); generated (a UUID) when not given. */
  key: string;
  /** A name for people (the admin page shows it). */
  name?: string;
  /** A description for people. */
  description?: string;
  /** Absolute http(s) URL. */
  url: string;
  /** Event aliases (or name-spaced aliases such as `collections.save.after.posts`). */
  events: string[];
  /** Content-type keys; when non-empty, per-entity events fire only for entities of these types. */
  contentTypeKeys: string[];
  /** Custom headers sent with every request. */
  headers: Record<string, string>;
  /**
   * Names (lower case) of headers whose values are secret: redacted in logs and views, and not
   * kept when an update moves the webhook to another origin. `authorization`,
   * `proxy-authorization` and `cookie` are stored here whatever the input's mark; a webhook stored
   * before that may lack them, and views (whose `sensitiveHeaders` list them) treat them so anyway.
   */
  sensitiveHeaders: string[];
  /** False: no requests are created for it, and queued ones wait (unsent) until it is enabled again. */
  enabled: boolean;
  /** The wire format; absent means `{ type: 'json' }` (webhooks stored before formats existed). */
  format?: WebhookFormat;
  /** Its signing secrets, in clear (never returned by the API); empty: requests are not signed. */
  secrets: WebhookSecret[];
  /** Its own rate limit; absent: the app's `rateLimit` setting (none by default). */
  rateLimit?: WebhookRateLimit;
  /** Its own circuit-breaker settings over the app's `breaker` setting. */
  breaker?: WebhookBreakerOptions;
  /** Present: requests published from then on are delivered in publish order, one at a time. */
  fifo?: WebhookFifo;
  /** When it was created. */
  createdAt: Date;
  /** When it was last changed. */
  updatedAt: Date;
}

/** A secret as shown by the API: never the secret itself. */
export interface WebhookSecretView {
  /** The secret's id (for `revokeSecret`). */
  id: string;
  /** The last four characters, to tell secrets apart. */
  hint: string;
  /** When it was generated. */
  createdAt: Date;
  /** When it stops signing; absent: until revoked. */
  expiresAt?: Date;
}

/** A webhook as the management API returns it. */
export interface WebhookView extends Omit<Webhook, 'secrets' | 'format'> {
  /** The wire format (`{ type: 'json' }` when none was chosen). */
  format: WebhookFormat;
  /** Its secrets as hints, never the secrets themselves. */
  secrets: WebhookSecretView[];
  /** Aliases this webhook subscribes to that no composed event handles (e.g. after a plugin was removed). */
  unknownEvents: string[];
  /**
   * Present when delivery will refuse the URL under the app's current `ssrf` settings — its host
   * an internal address known without a DNS lookup (`127.0.0.1`, `10.0.0.5`, `169.254.169.254`,
   * `localhost`) — saying why and which setting allows it: no request is sent to it, each attempt
   * fails with error kind `ssrf`. Like `unknownEvents`, this app's reading, not stored state.
   */
  urlBlocked?: string;
}

/** The value shown instead of a sensitive header value. */
export const REDACTED = '[redacted]';
