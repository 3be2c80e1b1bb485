import { Client, type ClientConfig } from 'pg';
import type { Logger } from '@hookwork/core';
import { dropSocket, endWithin, quoteIdentifier } from './postgres-connection';

/** The payload of the notification a webhook change sends (queue notifications carry an instance id, or nothing). */
export const WEBHOOKS_CHANGED = 'webhooks';

/** The payload of the notification a webhook health write sends. */
export const HEALTH_CHANGED = 'health';

/** The payload of the notification a migration sends as it commits: running stores read the schema's version again. */
export const SCHEMA_CHANGED = 'schema';

/** How long the LISTEN connection waits before reconnecting, ms: doubling from the first to the last. */
const BACKOFF_MS = [100, 200, 400, 800, 1600, 3200, 5000] as const;

/**
 * The one LISTEN connection of a store: a dedicated client (LISTEN needs a session of its own,
 * so it never comes from the pool, nor from a transaction-mode pooler), opened when the first
 * subscriber arrives and closed with the last. When the connection is lost (the server
 * restarted, `pg_terminate_backend`, a network cut) it reconnects by itself with backoff, and
 * tells the subscribers once it is back (`payload` undefined), since notifications sent
 * meanwhile were lost.
 */
export class PostgresListener {
  private readonly subscribers = new Set<(payload: string | undefined) => void>();
  private client: Client | undefined;
  private connecting: Promise<void> | undefined;
  /** The client {@link connecting} is connecting. */
  private pending: Client | undefined;
  private retry: NodeJS.Timeout | undefined;
  private failures = 0;
  private closed = false;
  private epochs = 0;
  /** The end of the last connection, under way or done. */
  private ending: Promise<void> | undefined;

  constructor(
    private readonly config: ClientConfig,
    private readonly channel: string,
    private readonly logger: Logger,
    private readonly where: string,
    /** How long a LISTEN may go unanswered, and closing waits for the server to close the connection, before dropping it, ms. */
    private readonly endTimeoutMs: number,
    /**
     * The app's report of a background failure (StorageContext.backgroundError): told the first
     * failure of a run — the connection lost, or the first one not made —, so the app's
     * `backgroundError` event and counter see it; the failed reconnects after it are warnings.
     * Without it (a store opened outside an app) the first is a warning too.
     */
    private readonly backgroundError?: (task: string, error: unknown, instead?: string) => void,
  ) {}

  /** Calls `subscriber` with each notification's payload on the channel; returns how to stop. */
  subscribe(subscriber: (payload: string | undefined) => void): () => void {
    this.subscribers.add(subscriber);
    if (!this.client && !this.connecting && !this.retry) this.connect();
    return () => {
      this.subscribers.delete(subscriber);
      if (this.subscribers.size === 0) void this.disconnect();
    };
  }

  /** True while the LISTEN is in place. */
  get listening(): boolean {
    return this.client !== undefined;
  }

  /**
   * Moves on every connect and every loss: a value read before some work and again after it
   * says whether notifications could have been missed meanwhile.
   */
  get epoch(): number {
    return this.epochs;
  }

  /**
   * Called, besides the subscribers, when the schema's version may have changed: at a migration's
   * notification, and when the connection is back after a loss (one may have been missed).
   */
  onSchemaChange: (() => void) | undefined;

  /** Resolves once a connection attempt under way is over (for tests). */
  async settled(): Promise<void> {
    await this.connecting;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.subscribers.clear();
    await this.disconnect();
  }

  private connect(): void {
    if (this.closed || this.subscribers.size === 0) return;
    // Keep-alive, so a connection cut without a word (a dropped NAT entry) is noticed, not trusted.
    // A connect deadline even where the pool's is none (node-postgres's default of 0, on a pool of the
    // host's): a server gone silent would hold the attempt, and close() behind it, for ever.
    const client = new Client({ ...this.config, connectionTimeoutMillis: this.config.connectionTimeoutMillis || this.endTimeoutMs, keepAlive: true, keepAliveInitialDelayMillis: 10_000 });
    let ended = false;
    const lost = (error?: Error) => {
      if (ended) return;
      ended = true;
      client.removeAllListeners('notification');
      if (this.client === client) {
        this.client = undefined;
        this.epochs++;
      }
      void client.end().catch(() => {});
      if (this.closed || this.subscribers.size === 0) return;
      if (this.failures === 0 && this.backgroundError) {
        this.backgroundError(
          `the LISTEN connection to ${this.where}`,
          error ?? new Error('the server closed the connection'),
          `it reconnects by itself (backoff up to ${BACKOFF_MS.at(-1)! / 1000} s) and wakes this process once back; meanwhile requests other processes enqueue wait for the periodic sweep (the period setting), and webhooks and their health are read from the database each time`,
        );
      } else {
        this.logger.warn(`the LISTEN connection to ${this.where} was lost${error ? ` (${error.message})` : ''}; reconnecting`);
      }
      this.scheduleReconnect();
    };
    // Without an 'error' listener a lost connection would crash the process.
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', (message) => {
      if (message.channel !== this.channel) return;
      this.tell(message.payload ?? '');
    });
    this.pending = client;
    this.connecting = (async () => {
      try {
        await client.connect();
        // A LISTEN without an answer (a server gone silent after the login) is a lost connection:
        // its socket is dropped and a reconnect follows. Unbounded, it was never listening again.
        // The connection is idle by design: a server or role idle_session_timeout (PostgreSQL 14+,
        // set to reap forgotten sessions) ended it at every lapse — a warning, a reconnect and a
        // window of lost notifications each time. Turned off for this session only, in the same
        // round trip (on 13, which has no such setting, nothing is set).
        const listened = client.query(
          `LISTEN ${quoteIdentifier(this.channel)}; SELECT set_config('idle_session_timeout', '0', false) WHERE current_setting('server_version_num')::int >= 140000`,
        );
        let timer: NodeJS.Timeout | undefined;
        const answered = await Promise.race([listened.then(() => true), new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), this.endTimeoutMs)))]).finally(() => clearTimeout(timer));
        if (!answered) {
          listened.catch(() => {});
          dropSocket(client);
          throw new Error(`no answer to LISTEN within ${this.endTimeoutMs} ms`);
        }
        if (ended) return;
        if (this.closed || this.subscribers.size === 0) {
          ended = true;
          await client.end().catch(() => {});
          return;
        }
        this.client = client;
        this.epochs++;
        const wasDown = this.failures > 0;
        this.failures = 0;
        if (wasDown) {
          this.logger.info(`the LISTEN connection to ${this.where} is back`);
          // Notifications sent while it was down are lost: wake everyone once to look.
          this.tell(undefined);
        }
      } catch (error) {
        lost(error as Error);
      } finally {
        this.connecting = undefined;
        this.pending = undefined;
      }
    })();
  }

  private scheduleReconnect(): void {
    if (this.retry) return;
    const delay = BACKOFF_MS[Math.min(this.failures, BACKOFF_MS.length - 1)]!;
    this.failures++;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.connect();
    }, delay);
    this.retry.unref();
  }

  private tell(payload: string | undefined): void {
    if (payload === undefined || payload === SCHEMA_CHANGED) this.onSchemaChange?.();
    for (const subscriber of [...this.subscribers]) {
      try {
        subscriber(payload);
      } catch {
        // One subscriber's failure must not stop the others.
      }
    }
  }

  private async disconnect(): Promise<void> {
    clearTimeout(this.retry);
    this.retry = undefined;
    // An attempt under way ends by itself (connected, or failed); one a silent server holds is dropped.
    const pending = this.pending;
    if (this.connecting) await endWithin(this.connecting, this.endTimeoutMs, () => pending && dropSocket(pending));
    const client = this.client;
    this.client = undefined;
    // close() after the last unsubscribe (which disconnects without waiting) waits for that end too.
    if (!client) return this.ending;
    this.ending = this.endClient(client);
    await this.ending;
  }

  private async endClient(client: Client): Promise<void> {
    this.epochs++;
    client.removeAllListeners('end');
    client.removeAllListeners('notification');
    // A server gone silent never closes its side: the polite end alone waited for ever.
    await endWithin(client.end(), this.endTimeoutMs, () => dropSocket(client));
  }
}
