import { copyWebhook, HookworkError, shownValue, webhookFromJson, webhookToJson, type PageRequest, type PositionedPage, type Webhook, type WebhookListQuery, type WebhookRepository } from '@hookwork/core';
import { bigintPosition } from './postgres-delivery-log';
import type { PostgresConnection } from './postgres-connection';
import { ListenedCache } from './listened-cache';
import { WEBHOOKS_CHANGED, type PostgresListener } from './postgres-listener';

/**
 * How often modify() and deleteIf() read again after another writer changed the webhook first,
 * before they give up. An app calls them for one webhook one at a time (core's WebhookChanges),
 * so only other processes' changes count against it.
 */
const MODIFY_ATTEMPTS = 20;

/**
 * Webhooks in PostgreSQL. Each webhook is one row holding its JSON (new fields need no
 * migration) and its event aliases as a `text[]` under a GIN index, so getByAlias is an index
 * lookup (`events @> ARRAY[alias]`) and every write is one statement.
 *
 * getByAlias runs on every publish, and getShared on every attempt, so their answers are kept in memory
 * ({@link ListenedCache}) — but only while the store's LISTEN connection is up: every write sends
 * a notification in its own statement (so on commit), and every process drops its cached answers
 * when one arrives, when the connection is lost or comes back, and after
 * 5 s at most (`LISTENED_CACHE_TTL_MS`). A change made in this process is seen by its next
 * publish; one made in another process as soon as its notification arrives (milliseconds).
 * Measured: one round trip fewer per publish, of two.
 */
export class PostgresWebhookRepository implements WebhookRepository {
  /** alias → its webhooks, decoded; handed out only by getSharedByAlias (getByAlias hands out copies). */
  private readonly byAlias: ListenedCache<Webhook[]>;
  /** key → the webhook, decoded (a missing one is not kept); never handed out. */
  private readonly byKey: ListenedCache<Webhook | undefined>;

  constructor(
    private readonly c: PostgresConnection,
    listener?: PostgresListener,
  ) {
    this.byAlias = new ListenedCache(listener, WEBHOOKS_CHANGED);
    this.byKey = new ListenedCache(listener, WEBHOOKS_CHANGED);
  }

  /** Stops listening for other processes' changes (the store calls it on close). */
  close(): void {
    this.byAlias.close();
    this.byKey.close();
  }

  private invalidate(): void {
    this.byAlias.clear();
    this.byKey.clear();
  }

  async create(webhook: Webhook): Promise<void> {
    const { c } = this;
    const result = await c.query(
      `creating webhook ${webhook.key}`,
      `WITH written AS (INSERT INTO ${c.s}.webhooks (key, created_at, events, data) VALUES ($1, $2, $3, $4) ON CONFLICT (key) DO NOTHING RETURNING 1)
       SELECT pg_notify($5, $6) FROM written`,
      [webhook.key, webhook.createdAt.getTime(), [...new Set(webhook.events)], webhookToJson(webhook), c.channel, WEBHOOKS_CHANGED],
    );
    this.invalidate();
    if (result.rowCount !== 1) throw new HookworkError('HOOKWORK_ERR_WEBHOOK_EXISTS', `a webhook with the key ${shownValue(webhook.key)} already exists; choose another key or update it`);
  }

  async update(webhook: Webhook): Promise<void> {
    const { c } = this;
    const result = await c.query(
      `updating webhook ${webhook.key}`,
      `WITH written AS (UPDATE ${c.s}.webhooks SET created_at = $2, events = $3, data = $4 WHERE key = $1 RETURNING 1)
       SELECT pg_notify($5, $6) FROM written`,
      [webhook.key, webhook.createdAt.getTime(), [...new Set(webhook.events)], webhookToJson(webhook), c.channel, WEBHOOKS_CHANGED],
    );
    this.invalidate();
    if (result.rowCount !== 1) throw new HookworkError('HOOKWORK_ERR_WEBHOOK_NOT_FOUND', `no webhook has the key ${shownValue(webhook.key)}`);
  }

  /**
   * Compare and set, with no transaction held open: reads the stored text (never the cache),
   * writes the change only where the row still holds that text, and reads again and retries when
   * another writer got there first: another process (the app hands this store the changes of
   * one webhook one at a time), or a caller of this store beside the app.
   */
  async modify(key: string, change: (current: Webhook) => Webhook | undefined): Promise<Webhook> {
    const { c } = this;
    for (let attempt = 1; ; attempt++) {
      const data = (await c.query<{ data: string }>(`reading webhook ${key} to change it`, `SELECT data FROM ${c.s}.webhooks WHERE key = $1`, [key])).rows[0]?.data;
      if (data === undefined) throw new HookworkError('HOOKWORK_ERR_WEBHOOK_NOT_FOUND', `no webhook has the key ${shownValue(key)}`);
      const next = change(webhookFromJson(data));
      if (next === undefined) return webhookFromJson(data);
      const replacement = next.key === key ? next : { ...next, key };
      const result = await c.query(
        `changing webhook ${key}`,
        `WITH written AS (UPDATE ${c.s}.webhooks SET created_at = $2, events = $3, data = $4 WHERE key = $1 AND data = $5 RETURNING 1)
         SELECT pg_notify($6, $7) FROM written`,
        [key, replacement.createdAt.getTime(), [...new Set(replacement.events)], webhookToJson(replacement), data, c.channel, WEBHOOKS_CHANGED],
      );
      if (result.rowCount === 1) {
        this.invalidate();
        return copyWebhook(replacement);
      }
      if (attempt >= MODIFY_ATTEMPTS) {
        throw new HookworkError(
          'HOOKWORK_ERR_STORAGE',
          `webhook ${key} was changed ${MODIFY_ATTEMPTS} times by other writers — other processes on this database — while this change was being made (${c.where}); nothing was changed by this call: make it again (if it keeps happening, fewer processes should change this webhook at once)`,
        );
      }
    }
  }

  async delete(key: string): Promise<boolean> {
    const { c } = this;
    const result = await c.query(`deleting webhook ${key}`, `WITH written AS (DELETE FROM ${c.s}.webhooks WHERE key = $1 RETURNING 1) SELECT pg_notify($2, $3) FROM written`, [key, c.channel, WEBHOOKS_CHANGED]);
    this.invalidate();
    return result.rowCount === 1;
  }

  /**
   * Compare and delete, as {@link modify}: reads the stored text (never the cache), deletes the
   * row only where it still holds that text — one statement — and reads again and decides anew
   * when another writer got there first.
   */
  async deleteIf(key: string, condition: (current: Webhook) => boolean): Promise<boolean> {
    const { c } = this;
    for (let attempt = 1; ; attempt++) {
      const data = (await c.query<{ data: string }>(`reading webhook ${key} to delete it`, `SELECT data FROM ${c.s}.webhooks WHERE key = $1`, [key])).rows[0]?.data;
      if (data === undefined || !condition(webhookFromJson(data))) return false;
      const result = await c.query(
        `deleting webhook ${key}`,
        `WITH written AS (DELETE FROM ${c.s}.webhooks WHERE key = $1 AND data = $2 RETURNING 1) SELECT pg_notify($3, $4) FROM written`,
        [key, data, c.channel, WEBHOOKS_CHANGED],
      );
      if (result.rowCount === 1) {
        this.invalidate();
        return true;
      }
      if (attempt >= MODIFY_ATTEMPTS) {
        throw new HookworkError(
          'HOOKWORK_ERR_STORAGE',
          `webhook ${key} was changed ${MODIFY_ATTEMPTS} times by other writers — other processes on this database — while this delete was being decided (${c.where}); nothing was deleted by this call: make it again (if it keeps happening, fewer processes should change this webhook at once)`,
        );
      }
    }
  }

  /**
   * Delivery reads a webhook per attempt (core keeps it for a second): answered from memory while
   * the LISTEN connection is up, as getByAlias is, so core's refresh costs no round trip on the
   * send's path. A missing webhook is never answered from memory: delivery drops the request of a
   * missing webhook, so one created again under its key by another process must be found even
   * before that process's notification arrives (a request published to it may be claimed first).
   */
  /**
   * The webhook as stored now, read from its row — never from the cache, which holds another
   * process's change only once its notification arrived (milliseconds after the commit; up to
   * `LISTENED_CACHE_TTL_MS` should the LISTEN connection die unnoticed). Management reads through
   * it (`app.webhooks.get`, the admin API's `GET webhook/{id}` and its ETag): an operator's save
   * through one instance behind a load balancer was read back through another as it was before, and
   * a conditional read answered 304 Not Modified for a webhook changed meanwhile. Delivery reads
   * through {@link getShared}, cached.
   */
  async get(key: string): Promise<Webhook | undefined> {
    return this.load(key);
  }

  /** The decoded webhook cached for `key` itself, until a change's notification drops it (then a newly decoded one). */
  async getShared(key: string): Promise<Webhook | undefined> {
    return this.byKey.read(key, () => this.load(key), (found) => found !== undefined);
  }

  private async load(key: string): Promise<Webhook | undefined> {
    const { c } = this;
    const data = (await c.query<{ data: string }>(`reading webhook ${key}`, `SELECT data FROM ${c.s}.webhooks WHERE key = $1`, [key])).rows[0]?.data;
    return data === undefined ? undefined : webhookFromJson(data);
  }

  async list(page: PageRequest = {}): Promise<Webhook[]> {
    const { c } = this;
    const result = await c.query<{ data: string }>('listing webhooks', `SELECT data FROM ${c.s}.webhooks ORDER BY created_at, seq LIMIT $1 OFFSET $2`, [page.limit ?? null, page.offset ?? 0]);
    return result.rows.map((row) => webhookFromJson(row.data));
  }

  /**
   * By (created_at, seq), the order of {@link list}, on its index: a position is strictly after
   * the row it names, whether that row is still there or not (a seq is never given twice).
   */
  async listPage(query: WebhookListQuery = {}): Promise<PositionedPage<Webhook>> {
    const { c } = this;
    const params: unknown[] = [];
    let where = '';
    if (query.afterPosition) {
      params.push(query.afterPosition.at, bigintPosition('webhooks.list', query.afterPosition.tie));
      where = 'WHERE (created_at, seq) > ($1::bigint, $2::bigint)';
    }
    const limit = query.limit;
    // One row past the page says whether more follow.
    params.push(limit === undefined ? null : limit + 1, query.offset ?? 0);
    // One statement, so the page and the total are of one snapshot; the total survives an empty page.
    const result = await c.query<{ total: string; seq: string | null; created_at: string; data: string }>(
      'listing webhooks',
      `WITH total AS (SELECT count(*) AS total FROM ${c.s}.webhooks)
       SELECT total.total, page.seq, page.created_at, page.data FROM total LEFT JOIN LATERAL (
         SELECT seq, created_at, data FROM ${c.s}.webhooks ${where} ORDER BY created_at, seq LIMIT $${params.length - 1} OFFSET $${params.length}
       ) AS page ON true`,
      params,
    );
    const rows = result.rows.filter((row) => row.seq !== null);
    const total = Number(result.rows[0]?.total ?? 0);
    const more = limit !== undefined && rows.length > limit;
    if (more) rows.length = limit;
    const items = rows.map((row) => webhookFromJson(row.data));
    const last = rows[rows.length - 1];
    return more && last ? { items, total, nextPosition: { at: Number(last.created_at), tie: String(last.seq) } } : { items, total };
  }

  async getByAlias(alias: string): Promise<Webhook[]> {
    return (await this.getSharedByAlias(alias)).map(copyWebhook);
  }

  /** The decoded webhooks cached for `alias` themselves, until a change drops them (then newly decoded ones). */
  async getSharedByAlias(alias: string): Promise<readonly Webhook[]> {
    const { c } = this;
    return this.byAlias.read(alias, async () =>
      (await c.query<{ data: string }>(`looking up webhooks of ${alias}`, `SELECT data FROM ${c.s}.webhooks WHERE events @> ARRAY[$1::text] ORDER BY created_at, seq`, [alias], c.lookups)).rows.map((row) => webhookFromJson(row.data)),
    );
  }

  async count(): Promise<number> {
    const { c } = this;
    const result = await c.query<{ n: string }>('counting webhooks', `SELECT count(*) AS n FROM ${c.s}.webhooks`);
    return Number(result.rows[0]!.n);
  }
}
