/** How the end of a host transaction is read: `txid_status()` of each id (PostgreSQL 10+; no privilege needed). */
export type TransactionStatusReader = (xids: readonly string[]) => Promise<ReadonlyMap<string, string | null>>;

/**
 * What a {@link TransactionStatusReader} asks the server (`$1`: the ids, as text): `txid_status()`
 * of each, NULL for an id the server has not assigned yet. `txid_status()` throws for such an id
 * ("transaction ID … is in the future") — one the host's connection got from another server, as
 * after a failover to a standby that had not received its transaction — and the one statement
 * failing at every look left every other transaction open for good, rollbacks included.
 */
export const TRANSACTION_STATUS_SQL = `SELECT x AS xid, CASE WHEN x::bigint < pg_catalog.txid_snapshot_xmax(pg_catalog.txid_current_snapshot()) THEN pg_catalog.txid_status(x::bigint) END AS status
  FROM pg_catalog.unnest($1::text[]) AS x`;

/** The start of the notification an insert in a host transaction sends (then the store's id, `:`, and the transaction's id). */
export const HOST_COMMIT_NOTICE = 'commit:';

/** How often the transactions still open are looked at, ms (a commit whose notification this process hears needs no look). */
export const HOST_COMMIT_CHECK_MS = 1000;

interface Watched {
  promise: Promise<boolean>;
  resolve(committed: boolean): void;
}

/**
 * Tells when the host transactions that enqueues ran in end, and how: what core waits for before
 * it counts their requests as enqueued (the `enqueued` lifecycle event,
 * `hookwork_requests_enqueued_total`). Counted at the insert, a publish whose transaction the
 * host then rolled back was counted as durably enqueued though nothing was stored — as ActiveMQ
 * counted a rolled-back transacted send among its pending sends until that was fixed.
 *
 * A commit is heard at once when this process listens to the schema's channel: the insert's
 * notification, sent only when its transaction commits, names this store and the transaction
 * ({@link committed}). Every transaction still open is also looked at every
 * {@link HOST_COMMIT_CHECK_MS} with `txid_status()`, which is how a rollback (which sends
 * nothing) is told, and a commit whose notification was lost (a process that does not listen, a
 * LISTEN connection being re-made). A look that fails is made again at the next tick.
 *
 * It goes by the top-level transaction: requests published inside a savepoint that the host rolls
 * back to (`ROLLBACK TO SAVEPOINT`) before it commits are counted with the commit, though they
 * were not stored.
 */
export class HostCommits {
  private readonly open = new Map<string, Watched>();
  private timer: NodeJS.Timeout | undefined;
  private looking: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly read: TransactionStatusReader,
    private readonly checkMs = HOST_COMMIT_CHECK_MS,
  ) {}

  /** Settles true once the transaction `xid` commits, false once it is rolled back (or the store closes first, or the server no longer knows it). */
  ended(xid: string): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    let watched = this.open.get(xid);
    if (!watched) {
      let resolve!: (committed: boolean) => void;
      const promise = new Promise<boolean>((r) => (resolve = r));
      this.open.set(xid, (watched = { promise, resolve }));
      this.timer ??= setInterval(() => void this.look(), this.checkMs).unref();
    }
    return watched.promise;
  }

  /** The transaction `xid` committed (its notification was heard). */
  committed(xid: string): void {
    this.settle(xid, true);
  }

  /** Looks at every transaction still open now (the LISTEN connection is back: notifications may have been lost). */
  lookNow(): void {
    if (this.open.size > 0) void this.look();
  }

  /** Looks one last time, then settles what is still open as not committed: this process will not see its end. */
  async close(): Promise<void> {
    if (this.open.size > 0) await this.look();
    this.closed = true;
    for (const xid of [...this.open.keys()]) this.settle(xid, false);
  }

  private look(): Promise<void> {
    this.looking ??= (async () => {
      try {
        const statuses = await this.read([...this.open.keys()]);
        for (const [xid, status] of statuses) {
          // null: too old for the server to tell (its commit log was truncated), which a transaction looked at every second never is,
          // or not assigned by this server at all (TRANSACTION_STATUS_SQL).
          if (status === 'committed') this.settle(xid, true);
          else if (status === 'aborted' || status === null) this.settle(xid, false);
        }
      } catch {
        // Looked at again at the next tick; the requests are stored or not whatever this process knows.
      } finally {
        this.looking = undefined;
      }
    })();
    return this.looking;
  }

  private settle(xid: string, committed: boolean): void {
    const watched = this.open.get(xid);
    if (!watched) return;
    this.open.delete(xid);
    watched.resolve(committed);
    if (this.open.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}
