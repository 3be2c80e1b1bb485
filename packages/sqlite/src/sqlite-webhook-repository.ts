import { copyWebhook, HookworkError, positionSequence, shownValue, webhookFromJson, webhookToJson, type PageRequest, type PositionedPage, type Webhook, type WebhookListQuery, type WebhookRepository } from '@hookwork/core';
import type { SqliteConnection } from './sqlite-connection';

/** How many aliases getByAlias keeps answers for before it starts afresh (aliases are event types: few). */
const ALIASES_KEPT = 1000;

/** How many webhooks getShared keeps answers for before it starts afresh. */
const KEYS_KEPT = 10_000;

/**
 * Webhooks in SQLite. Each webhook is one JSON row (new fields need no migration); its event
 * aliases are rows of their own, keyed by alias, so getByAlias is an index lookup.
 */
export class SqliteWebhookRepository implements WebhookRepository {
  /**
   * getByAlias's answers by alias, decoded, valid while the file is unchanged: by this repository
   * (its writes clear it) and by every other connection (`PRAGMA data_version` moves on their
   * commits, other processes' included). getByAlias runs once per publish, and on a busy file its
   * join cost about 12 µs where the version check costs 2. getByAlias hands out copies; getSharedByAlias
   * these objects, never changed in place (a change clears the map).
   */
  private readonly byAlias = new Map<string, Webhook[]>();
  /** getShared's answers by key, valid as byAlias's are (a miss is not kept). */
  private readonly byKey = new Map<string, Webhook>();
  private byAliasVersion: unknown;
  /**
   * The decoded webhook of each stored JSON text read since the file last changed, and of those
   * read the time before. Another process's commit moves the version whether or not it touched a
   * webhook (each of its enqueues does), so after it the same rows are read again: an unchanged
   * text gives back the same object, not a new one — no decode (1.7 µs), and the publishing path's
   * once-per-object work (the WebhookInfo event classes see) is not redone. A changed row is a
   * new text, so a new object.
   */
  private decoded = new Map<string, Webhook>();
  private decodedBefore = new Map<string, Webhook>();

  constructor(private readonly connection: SqliteConnection) {}

  async create(webhook: Webhook): Promise<void> {
    const c = this.connection;
    this.forgetAnswers();
    await c.write(`creating webhook ${webhook.key}`, () => {
      if (c.statement('SELECT 1 FROM hookwork_webhooks WHERE key = ?').get(webhook.key)) {
        throw new HookworkError('HOOKWORK_ERR_WEBHOOK_EXISTS', `a webhook with the key ${shownValue(webhook.key)} already exists; choose another key or update it`);
      }
      const { lastInsertRowid } = c.statement('INSERT INTO hookwork_webhooks (key, created_at, data) VALUES (?, ?, ?)').run(webhook.key, webhook.createdAt.getTime(), webhookToJson(webhook));
      this.index(lastInsertRowid, webhook.events);
    });
  }

  async update(webhook: Webhook): Promise<void> {
    const c = this.connection;
    this.forgetAnswers();
    await c.write(`updating webhook ${webhook.key}`, () => {
      const row = c.statement('SELECT seq FROM hookwork_webhooks WHERE key = ?').get(webhook.key) as { seq: number } | undefined;
      if (!row) throw new HookworkError('HOOKWORK_ERR_WEBHOOK_NOT_FOUND', `no webhook has the key ${shownValue(webhook.key)}`);
      c.statement('UPDATE hookwork_webhooks SET created_at = ?, data = ? WHERE seq = ?').run(webhook.createdAt.getTime(), webhookToJson(webhook), row.seq);
      c.statement('DELETE FROM hookwork_webhook_events WHERE webhook_seq = ?').run(row.seq);
      this.index(row.seq, webhook.events);
    });
  }

  /**
   * Reads, changes and writes the webhook in one `BEGIN IMMEDIATE` transaction: the write lock is
   * taken before the read, so a change from another process runs wholly before or after this one.
   */
  async modify(key: string, change: (current: Webhook) => Webhook | undefined): Promise<Webhook> {
    const c = this.connection;
    // What the change throws is the caller's (a refusal), not a storage failure: thrown as it is,
    // once the transaction it ended is rolled back.
    let refusal: { error: unknown } | undefined;
    const refused = new Error('the change refused');
    let result: { webhook: Webhook; changed: boolean };
    try {
      result = await c.write(`changing webhook ${key}`, () => {
        const row = c.statement('SELECT seq, data FROM hookwork_webhooks WHERE key = ?').get(key) as { seq: number; data: string } | undefined;
        if (!row) throw new HookworkError('HOOKWORK_ERR_WEBHOOK_NOT_FOUND', `no webhook has the key ${shownValue(key)}`);
        const current = webhookFromJson(row.data);
        let next: Webhook | undefined;
        try {
          next = change(webhookFromJson(row.data));
        } catch (error) {
          refusal = { error };
          throw refused;
        }
        if (next === undefined) return { webhook: current, changed: false };
        const replacement = next.key === key ? next : { ...next, key };
        c.statement('UPDATE hookwork_webhooks SET created_at = ?, data = ? WHERE seq = ?').run(replacement.createdAt.getTime(), webhookToJson(replacement), row.seq);
        c.statement('DELETE FROM hookwork_webhook_events WHERE webhook_seq = ?').run(row.seq);
        this.index(row.seq, replacement.events);
        return { webhook: replacement, changed: true };
      });
    } catch (error) {
      if (refusal) throw refusal.error;
      throw error;
    }
    if (result.changed) this.forgetAnswers();
    return copyWebhook(result.webhook);
  }

  async delete(key: string): Promise<boolean> {
    const c = this.connection;
    this.forgetAnswers();
    return c.write(`deleting webhook ${key}`, () => {
      const row = c.statement('SELECT seq FROM hookwork_webhooks WHERE key = ?').get(key) as { seq: number } | undefined;
      if (!row) return false;
      c.statement('DELETE FROM hookwork_webhook_events WHERE webhook_seq = ?').run(row.seq);
      c.statement('DELETE FROM hookwork_webhooks WHERE seq = ?').run(row.seq);
      return true;
    });
  }

  /**
   * Reads, decides and deletes in one `BEGIN IMMEDIATE` transaction, as {@link modify}: a change
   * from another process runs wholly before (and `condition` sees it) or after.
   */
  async deleteIf(key: string, condition: (current: Webhook) => boolean): Promise<boolean> {
    const c = this.connection;
    // What the condition throws is the caller's (a refusal), not a storage failure: thrown as it
    // is, once the transaction it ended is rolled back.
    let refusal: { error: unknown } | undefined;
    const refused = new Error('the condition refused');
    let deleted: boolean;
    try {
      deleted = await c.write(`deleting webhook ${key}`, () => {
        const row = c.statement('SELECT seq, data FROM hookwork_webhooks WHERE key = ?').get(key) as { seq: number; data: string } | undefined;
        if (!row) return false;
        let holds: boolean;
        try {
          holds = condition(webhookFromJson(row.data));
        } catch (error) {
          refusal = { error };
          throw refused;
        }
        if (!holds) return false;
        c.statement('DELETE FROM hookwork_webhook_events WHERE webhook_seq = ?').run(row.seq);
        c.statement('DELETE FROM hookwork_webhooks WHERE seq = ?').run(row.seq);
        return true;
      });
    } catch (error) {
      if (refusal) throw refusal.error;
      throw error;
    }
    if (deleted) this.forgetAnswers();
    return deleted;
  }

  async get(key: string): Promise<Webhook | undefined> {
    const data = this.connection.run(`reading webhook ${key}`, () => this.connection.statement('SELECT data FROM hookwork_webhooks WHERE key = ?', 'pluck').get(key)) as string | undefined;
    return data === undefined ? undefined : webhookFromJson(data);
  }

  async list(page: PageRequest = {}): Promise<Webhook[]> {
    const rows = this.connection.run('listing webhooks', () =>
      this.connection.statement('SELECT data FROM hookwork_webhooks ORDER BY created_at, seq LIMIT ? OFFSET ?').all(page.limit ?? -1, page.offset ?? 0),
    ) as { data: string }[];
    return rows.map((r) => webhookFromJson(r.data));
  }

  /**
   * By (created_at, seq), the order of {@link list}, on its index: a position is strictly after
   * the row it names, whether that row is still there or not. A seq is unique among the stored
   * webhooks (one freed by a deletion is only given again to a webhook created later).
   */
  async listPage(query: WebhookListQuery = {}): Promise<PositionedPage<Webhook>> {
    const c = this.connection;
    const after = query.afterPosition && { afterAt: query.afterPosition.at, afterSeq: Number(positionSequence('webhooks.list', query.afterPosition.tie)) };
    const limit = query.limit ?? -1;
    return c.run('listing webhooks', () =>
      // One read transaction, so the page and the total are of one moment.
      c.db.transaction(() => {
        // One row past the page says whether more follow (the position of the page's last is then `nextPosition`).
        const rows = c.statement(`SELECT seq, created_at, data FROM hookwork_webhooks ${after ? 'WHERE (created_at, seq) > (@afterAt, @afterSeq)' : ''} ORDER BY created_at, seq LIMIT @limit OFFSET @offset`).all({ ...after, limit: limit < 0 ? -1 : limit + 1, offset: query.offset ?? 0 }) as { seq: number; created_at: number; data: string }[];
        const { n } = c.statement('SELECT count(*) AS n FROM hookwork_webhooks').get() as { n: number };
        const more = limit >= 0 && rows.length > limit;
        if (more) rows.length = limit;
        const items = rows.map((r) => webhookFromJson(r.data));
        const last = rows[rows.length - 1];
        return more && last ? { items, total: n, nextPosition: { at: last.created_at, tie: String(last.seq) } } : { items, total: n };
      })(),
    );
  }

  async getByAlias(alias: string): Promise<Webhook[]> {
    // Copies (0.2 µs each, against 1.7 µs to parse again): a caller may change the webhooks it gets.
    return (await this.getSharedByAlias(alias)).map(copyWebhook);
  }

  /** The decoded webhooks kept for `alias` themselves, until the file changes (then newly decoded ones). */
  async getSharedByAlias(alias: string): Promise<readonly Webhook[]> {
    const c = this.connection;
    return c.runKeepingVersion(`looking up webhooks of ${alias}`, () => {
      this.checkFresh();
      let found = this.byAlias.get(alias);
      if (found === undefined) {
        // The JSON text of each, not a row object around it.
        const data = c.statement('SELECT w.data FROM hookwork_webhook_events e JOIN hookwork_webhooks w ON w.seq = e.webhook_seq WHERE e.alias = ? ORDER BY w.created_at, w.seq', 'pluck').all(alias) as string[];
        found = data.map((text) => this.decode(text));
        this.byAlias.set(alias, found);
      }
      return found;
    });
  }

  /**
   * The decoded webhook kept for `key` itself, until the file changes (then a newly decoded one):
   * delivery reads every attempt's webhook through it, and a version check (2 µs) stands in for
   * the row's read and decode.
   */
  async getShared(key: string): Promise<Webhook | undefined> {
    const c = this.connection;
    return c.runKeepingVersion(`reading webhook ${key}`, () => {
      this.checkFresh();
      let found = this.byKey.get(key);
      if (found === undefined) {
        const text = c.statement('SELECT data FROM hookwork_webhooks WHERE key = ?', 'pluck').get(key) as string | undefined;
        if (text === undefined) return undefined;
        found = this.decode(text);
        this.byKey.set(key, found);
      }
      return found;
    });
  }

  /** Drops the kept answers when another connection committed since (or too many are kept). */
  private checkFresh(): void {
    // Read at most once per turn (see SqliteConnection.dataVersion): a publish and its handed-off attempt share one read.
    const version = this.connection.dataVersion();
    if (version !== this.byAliasVersion || this.byAlias.size >= ALIASES_KEPT || this.byKey.size >= KEYS_KEPT) {
      this.forgetAnswers();
      this.byAliasVersion = version;
    }
  }

  /**
   * Drops getByAlias's answers (the file changed). Two generations of decoded texts are kept: those
   * read since, and those read before — a webhook deleted or no longer looked up is forgotten
   * after two changes, so the map never grows past the webhooks read in two rounds.
   */
  private forgetAnswers(): void {
    this.byAlias.clear();
    this.byKey.clear();
    this.decodedBefore = this.decoded;
    this.decoded = new Map();
  }

  /** The webhook stored as `text`: the object decoded from the same text before, when there is one. */
  private decode(text: string): Webhook {
    let webhook = this.decoded.get(text) ?? this.decodedBefore.get(text);
    if (webhook === undefined) webhook = webhookFromJson(text);
    this.decoded.set(text, webhook);
    return webhook;
  }

  async count(): Promise<number> {
    return (this.connection.run('counting webhooks', () => this.connection.statement('SELECT count(*) AS n FROM hookwork_webhooks').get()) as { n: number }).n;
  }

  private index(seq: number | bigint, events: readonly string[]): void {
    const insert = this.connection.statement('INSERT OR IGNORE INTO hookwork_webhook_events (alias, webhook_seq) VALUES (?, ?)');
    for (const alias of events) insert.run(alias, seq);
  }
}
