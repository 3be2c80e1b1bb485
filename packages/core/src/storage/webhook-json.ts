import type { Webhook } from '../model/webhook';

/**
 * A webhook as JSON text for a store that keeps it in one column (the SQLite and PostgreSQL
 * stores): every field, dates as epoch milliseconds so they round-trip exactly. Read it back with
 * {@link webhookFromJson}. For store authors.
 */
export function webhookToJson(webhook: Webhook): string {
  return JSON.stringify({
    ...webhook,
    createdAt: webhook.createdAt.getTime(),
    updatedAt: webhook.updatedAt.getTime(),
    secrets: webhook.secrets.map((s) => ({ ...s, createdAt: s.createdAt.getTime(), expiresAt: s.expiresAt?.getTime() })),
  });
}

/**
 * A webhook from the JSON text {@link webhookToJson} made. The lists and the header record
 * default to empty when the text lacks them (a row written through the port by hand, or before a
 * field existed), so every webhook handed out has the shape core and `copyWebhook` rely on.
 * Throws a SyntaxError for text that is not JSON. For store authors.
 */
export function webhookFromJson(data: string): Webhook {
  const raw = JSON.parse(data) as Omit<Webhook, 'createdAt' | 'updatedAt' | 'secrets'> & {
    createdAt: number;
    updatedAt: number;
    secrets?: { id: string; secret: string; createdAt: number; expiresAt?: number }[];
  };
  return {
    ...raw,
    events: raw.events ?? [],
    contentTypeKeys: raw.contentTypeKeys ?? [],
    headers: raw.headers ?? {},
    sensitiveHeaders: raw.sensitiveHeaders ?? [],
    createdAt: new Date(raw.createdAt),
    updatedAt: new Date(raw.updatedAt),
    secrets: (raw.secrets ?? []).map(({ expiresAt, ...s }) => ({ ...s, createdAt: new Date(s.createdAt), ...(expiresAt === undefined ? {} : { expiresAt: new Date(expiresAt) }) })),
  };
}
