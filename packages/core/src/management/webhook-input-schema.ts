import type { WebhookFormat } from '../model/webhook';
import { webhookFormatSchema } from './webhook-format';
import { HEADER_NAME_PATTERN, HEADER_VALUE_PATTERN } from '../model/wire-rules';
import { BREAKER_COUNT_PROPERTIES, MAX_DATE_OFFSET_MS, MIN_RATE_PER_SECOND } from '../settings/resolve-settings';
import type { DurationInput } from '../settings/settings';

export { FRAMEWORK_HEADERS } from '../model/framework-headers';

import type { FifoDeadLetterPolicy, WebhookBreakerOptions } from '../model/webhook';

/** A custom header value: plain, or marked sensitive (redacted in logs and views). */
export type WebhookHeaderInput = string | { value: string; sensitive?: boolean };

/**
 * What a webhook's `secret` takes, as the refusal of a value of another kind says it: the same
 * words from `app.webhooks.create()`, the admin API and `cockpitWebhooks()`.
 */
export const WEBHOOK_SECRET_INPUT = 'must be true (hookwork generates a signing secret and returns it once) or a whsec_… secret (false or left out: none)';

/**
 * What a webhook's `headers` takes, as the refusal of a value of another kind says it (an array
 * of `{ k, v }` rows, as Cockpit keeps them, or a string).
 */
export const WEBHOOK_HEADERS_INPUT = 'must be an object of header names and values, e.g. { "X-Tenant": "acme", "Authorization": { "value": "Bearer …", "sensitive": true } }';

/**
 * A webhook's own circuit-breaker options as the API takes them: those of
 * {@link WebhookBreakerOptions}, with `window` and `coolDown` in ms or as .NET TimeSpan strings
 * (`"00:00:30"`, `"1.00:00:00"`), the forms every hookwork duration takes.
 */
export type WebhookBreakerInput = Omit<WebhookBreakerOptions, 'window' | 'coolDown'> & { window?: DurationInput; coolDown?: DurationInput };

/** What the management API takes to create a webhook. */
export interface WebhookInput {
  /** Default: a random UUID. */
  key?: string;
  /** A name for people (at most 200 characters). */
  name?: string;
  /** A description for people (at most 2,000 characters). */
  description?: string;
  /**
   * Absolute http(s) URL, no credentials or fragment, at most 2,048 characters; stored in its
   * canonical form.
   */
  url: string;
  /** Aliases of composed events (or name-spaced variants), at least one. */
  events: string[];
  /** Content-type keys: when non-empty, per-entity events fire only for entities of these types. */
  contentTypeKeys?: string[];
  /**
   * Custom headers (at most 50): a value, or `{ value, sensitive: true }` for one shown redacted.
   * Names are RFC 9110 tokens, values visible ASCII; none may replace a header hookwork sets.
   */
  headers?: Record<string, WebhookHeaderInput>;
  /** Default true. */
  enabled?: boolean;
  /** The wire format: `{ type: 'json' }` (default) or CloudEvents 1.0 (see docs/webhooks.md#formats). */
  format?: WebhookFormat;
  /**
   * `true`: hookwork generates a signing secret and returns it once, in the create result.
   * A `whsec_…` string: use that secret (e.g. migrated from another system).
   */
  secret?: boolean | string;
  /**
   * At most `perSecond` requests a second (fractions allowed), `burst` at once (default:
   * `perSecond` rounded up). `null` in an update: back to the app's `rateLimit` setting.
   */
  rateLimit?: { perSecond: number; burst?: number } | null;
  /**
   * This webhook's own circuit-breaker settings over the app's: `window` and `coolDown` in ms or
   * as TimeSpan strings (`"00:05:00"`), as the `breaker` setting takes them; stored and shown in
   * ms. `null` in an update: the app's alone.
   */
  breaker?: WebhookBreakerInput | null;
  /**
   * Deliver in publish order, one request at a time (`true`: a dead-lettered head is skipped;
   * `{ onDeadLetter: 'block' }`: it holds the ones behind it). `false` turns it off for requests
   * published from then on. Needs a queue that declares `fifo` (memory, SQLite, PostgreSQL).
   */
  fifo?: boolean | { onDeadLetter?: FifoDeadLetterPolicy };
}

/** What update() takes: any field of {@link WebhookInput} but the key and the secret (see rotateSecret). */
export type WebhookPatch = Partial<Omit<WebhookInput, 'key' | 'secret'>>;

/** What a webhook key may hold: letters, digits and `._:-` (so it is safe in a URL path and a log line). */
export const WEBHOOK_KEY_PATTERN = '^[A-Za-z0-9._:-]+$';

/**
 * What a webhook's free text (name, description, event aliases, content-type keys) may hold:
 * anything but U+0000 and a lone UTF-16 surrogate, which no store keeps as sent — PostgreSQL
 * text refuses U+0000 (a storage failure), and UTF-8 (SQLite, PostgreSQL, Redis) turns a lone
 * surrogate into U+FFFD. A JSON Schema pattern, for a validator with Unicode patterns (ajv's
 * default), where a pair of surrogates is one character and matches.
 */
export const STORABLE_TEXT_PATTERN = '^[^\\u0000\\uD800-\\uDFFF]*$';

/** Header values: visible ASCII, space and tab, as sent unchanged (see model/wire-rules.ts). */
const headerValue = { type: 'string', maxLength: 8192, pattern: HEADER_VALUE_PATTERN };

/** JSON Schema of {@link WebhookInput}. */
export const webhookInputSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['url', 'events'],
  properties: {
    key: { type: 'string', minLength: 1, maxLength: 200, pattern: WEBHOOK_KEY_PATTERN },
    name: { type: 'string', maxLength: 200, pattern: STORABLE_TEXT_PATTERN },
    description: { type: 'string', maxLength: 2000, pattern: STORABLE_TEXT_PATTERN },
    url: { type: 'string', minLength: 1, maxLength: 2048 },
    events: { type: 'array', minItems: 1, maxItems: 500, items: { type: 'string', minLength: 1, maxLength: 200, pattern: STORABLE_TEXT_PATTERN } },
    contentTypeKeys: { type: 'array', maxItems: 1000, items: { type: 'string', minLength: 1, maxLength: 200, pattern: STORABLE_TEXT_PATTERN } },
    headers: {
      type: 'object',
      maxProperties: 50,
      propertyNames: { pattern: HEADER_NAME_PATTERN, maxLength: 100 },
      additionalProperties: {
        anyOf: [
          headerValue,
          {
            type: 'object',
            additionalProperties: false,
            required: ['value'],
            properties: { value: headerValue, sensitive: { type: 'boolean' } },
          },
        ],
      },
    },
    enabled: { type: 'boolean' },
    format: webhookFormatSchema,
    secret: { anyOf: [{ type: 'boolean' }, { type: 'string' }] },
    rateLimit: {
      type: ['object', 'null'],
      additionalProperties: false,
      required: ['perSecond'],
      // A rate or duration past these puts a wait or a probe beyond any date (see the constants).
      properties: { perSecond: { type: 'number', minimum: MIN_RATE_PER_SECOND, maximum: 1_000_000 }, burst: { type: 'integer', minimum: 1, maximum: 1_000_000 } },
    },
    breaker: {
      type: ['object', 'null'],
      additionalProperties: false,
      properties: {
        ...BREAKER_COUNT_PROPERTIES,
        // Durations as the settings take them: whole ms, or a TimeSpan string ("00:05:00") that
        // the service reads with parseDuration (the bounds then apply to what it reads).
        window: { type: ['integer', 'string'], minimum: 1, maximum: MAX_DATE_OFFSET_MS, maxLength: 40 },
        coolDown: { type: ['integer', 'string'], minimum: 1, maximum: MAX_DATE_OFFSET_MS, maxLength: 40 },
      },
    },
    fifo: {
      type: ['boolean', 'object'],
      additionalProperties: false,
      properties: { onDeadLetter: { enum: ['skip', 'block'] } },
    },
  },
} as const;
