/** A custom header as Cockpit stores it; `sensitive` is hookwork's addition (redacted in logs and views). */
export interface CockpitHeader {
  /** The header name. */
  k: string;
  /** The header value. */
  v: string;
  /** True: the value is a credential, redacted in logs and views. Default false. */
  sensitive?: boolean;
}

/**
 * A webhook in Cockpit v1's shape, as its settings page and `cockpit/webhooks` storage hold it.
 * `_id`, `_created` and `_modified` may come along from a Cockpit export: `_id` becomes the key,
 * the times are ignored. `secret` is hookwork's addition: `true` to sign requests (Standard Webhooks).
 */
export interface CockpitWebhookInput {
  /** A Cockpit export's id: becomes the hookwork webhook key (letters, digits and . _ : -). */
  _id?: string;
  /** The webhook's name, sent as the envelope's `hook` (1 to 200 characters). */
  name: string;
  /** The absolute http(s) URL requests go to, as typed (see app.webhooks.create). */
  url: string;
  /** HTTP basic auth; Cockpit uses it only when both are non-empty. */
  auth?: { user?: string; pass?: string };
  /** Rows with an empty key or value are skipped, as Cockpit skips them. */
  headers?: CockpitHeader[];
  /** Exact event names, name-spaced ones included (`collections.save.after.posts`). */
  events: string[];
  /** Default true. */
  active?: boolean;
  /** From a Cockpit export, Unix seconds; ignored (hookwork keeps its own times). */
  _created?: number;
  /** From a Cockpit export, Unix seconds; ignored. */
  _modified?: number;
  /** `true`: hookwork generates a signing secret and returns it once; or a `whsec_…` secret. */
  secret?: boolean | string;
}

const text = (maxLength: number) => ({ type: 'string', maxLength });

/** JSON Schema of {@link CockpitWebhookInput} (ajv). */
export const cockpitWebhookInputSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'url', 'events'],
  properties: {
    _id: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9._:-]+$' },
    name: { type: 'string', minLength: 1, maxLength: 200 },
    url: { type: 'string', minLength: 1, maxLength: 2048 },
    auth: {
      type: 'object',
      additionalProperties: false,
      properties: { user: text(500), pass: text(1000) },
    },
    headers: {
      type: 'array',
      maxItems: 50,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['k', 'v'],
        // What a header name and value may hold is judged by core (app.webhooks.check), which names the character.
        properties: { k: text(100), v: text(8192), sensitive: { type: 'boolean' } },
      },
    },
    events: { type: 'array', maxItems: 500, items: { type: 'string', minLength: 1, maxLength: 200 } },
    active: { type: 'boolean' },
    _created: { type: 'number' },
    _modified: { type: 'number' },
    secret: { anyOf: [{ type: 'boolean' }, { type: 'string' }] },
  },
} as const;
