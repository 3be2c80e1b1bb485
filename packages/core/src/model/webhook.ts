/**
 * A signing secret of a webhook. `secret` is `whsec_` + base64 of the key bytes (Standard
 * Webhooks). Several may sign at once during a rotation; one with `expiresAt` in the past no
 * longer signs.
 */
export interface WebhookSecret {
  id: string;
  secret: string;
  createdAt: Date;
  expiresAt?: Date;
}

/**
 * A webhook as stored: where to send which events. Storage backends keep every field;
 * the management API never returns `secrets` or sensitive header values in clear
 * (see {@link WebhookView}).
 */
export interface Webhook {
  key: string;
  name?: string;
  description?: string;
  /** Absolute http(s) URL. */
  url: string;
  /** Event aliases (or name-spaced aliases such as `collections.save.after.posts`). */
  events: string[];
  /** Content-type keys; when non-empty, per-entity events fire only for entities of these types. */
  contentTypeKeys: string[];
  /** Custom headers sent with every request. */
  headers: Record<string, string>;
  /** Names (lower case) of headers whose values are secret: redacted in logs and views. */
  sensitiveHeaders: string[];
  enabled: boolean;
  secrets: WebhookSecret[];
  createdAt: Date;
  updatedAt: Date;
}

/** A secret as shown by the API: never the secret itself. */
export interface WebhookSecretView {
  id: string;
  /** The last four characters, to tell secrets apart. */
  hint: string;
  createdAt: Date;
  expiresAt?: Date;
}

/** A webhook as the management API returns it. */
export interface WebhookView extends Omit<Webhook, 'secrets'> {
  secrets: WebhookSecretView[];
  /** Aliases this webhook subscribes to that no composed event handles (e.g. after a plugin was removed). */
  unknownEvents: string[];
}

/** The value shown instead of a sensitive header value. */
export const REDACTED = '[redacted]';
