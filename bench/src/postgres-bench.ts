/**
 * The PostgreSQL part of the benchmark (`npm run bench`; `node bench/dist/run.js --only-postgres`
 * runs it alone). Ratios are measured in one run, against the same receiver child as the rest:
 *
 * 1. End to end, one process, one webhook: @hookwork/postgres next to the tuned axios baseline
 *    (rounds alternate, best of each kept, as run.ts does for SQLite), and next to the floor of
 *    one awaiting publisher with no hookwork at all (await an INSERT's commit, then POST); once
 *    more with `synchronousCommit: 'none'`, to show what waiting for the WAL flush costs.
 * 2. Two processes sharing the database vs one: app instances in child processes deliver a
 *    backlog committed in one transaction (its NOTIFY wakes them at once).
 * 3. Claim cost with 1,000,000 pending requests vs 1,000: the queue filled by one
 *    `INSERT … SELECT generate_series` into the package's own requests table, then
 *    claim + completeMany batches timed through the RequestQueue port.
 * 4. publish → arrival p99 at 300 events/s next to a direct axios POST's p99; once more with
 *    `synchronousCommit: 'publish'` (the send does not wait for the WAL flush; publish() does).
 * 5. µs per publish inside a host transaction vs outside one (delivery parked).
 *
 * Everything lives in schemas named `hookwork_bench_<pid>_…`, dropped at the end (only those).
 * The server: HOOKWORK_BENCH_PG_URL, else HOOKWORK_TEST_PG_URL, else the machine's
 * postgres://postgres@127.0.0.1:5432/test.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createHookwork, maskUrlCredentials, RequestQueueToken, resolveToken, type Composer, type Hookwork, type NewWebhookRequest, type QueueEngineProvider, type RequestQueue, type StorageBackend } from '@hookwork/core';
import { postgresStorage, type PostgresTransaction } from '@hookwork/postgres';
import pg from 'pg';
import { now, percentile } from './clock';

/** The receiver child of run.ts, as this bench uses it. */
export interface PostgresBenchReceiver {
  readonly url: string;
  reset(latency?: boolean): Promise<unknown>;
  stats(): Promise<{ count: number; latencies: number[] }>;
}

/** run.ts's helpers, so the figures here are measured exactly as the others are. */
export interface PostgresBenchHelpers {
  receiver: PostgresBenchReceiver;
  composer: Composer;
  /** A bench notification (body of the usual size, `sentAt` for latency). */
  notify(i: number): object;
  /** The tuned axios keep-alive baseline, requests/s. */
  baseline(requests: number): Promise<number>;
  /** The baseline's own POST (the tuned axios instance), and how to close its agent. */
  tunedPost(): { post(url: string, body: Buffer): Promise<void>; close(): void };
  /** The body the baseline sends for event `i`. */
  benchBody(i: number, sentAt: number): Buffer;
  /**
   * run.ts's measurement of a sender, as for its peers: a warm-up of 1,000 `send`s, then `events`
   * from one loop awaiting each, until `drained()` and the receiver counted them all; deliveries/s
   * and this process's CPU µs per delivery.
   */
  measureSender(events: number, send: (i: number) => Promise<unknown>, drained: () => Promise<void>): Promise<{ rps: number; cpuUs: number }>;
  /** End to end, 1 webhook, concurrency 64, `publishers` concurrent publish loops (default 1): deliveries/s. */
  endToEnd(storage: () => StorageBackend, events: number, publishers?: number): Promise<number>;
  /** publish → arrival at a steady rate on `storage`, and a direct axios POST at the same rate: medians of 3 alternating rounds, and each round's p99. */
  latency(storage: () => StorageBackend, rate: number, seconds: number): Promise<{ hookwork: { p50: number; p99: number; p99s: number[] }; direct: { p50: number; p99: number; p99s: number[] } }>;
  /** The built-in queue engine with delivery never started. */
  parkedQueue(): QueueEngineProvider;
}

export interface PostgresBenchOptions {
  quick: boolean;
  /** Run only these parts (all when absent): e2e, processes, claim, latency, publish. */
  only?: readonly string[];
  rounds: number;
  baselineRequests: number;
  events: number;
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The server the bench uses. */
export const BENCH_PG_URL = process.env.HOOKWORK_BENCH_PG_URL ?? process.env.HOOKWORK_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const BODY = JSON.stringify({ event: 'bench.happened', i: 0, sentAt: 0, title: 'A benchmark event with a body of a realistic size: '.padEnd(120, '.') });

/** The schemas this run made (and drops): `hookwork_bench_<pid>_<n>`. */
class BenchSchemas {
  private readonly made: string[] = [];
  readonly admin = new pg.Pool({ connectionString: BENCH_PG_URL, max: 3 });

  next(): string {
    const name = `hookwork_bench_${process.pid}_${this.made.length}`;
    this.made.push(name);
    return name;
  }

  storage(schema = this.next(), synchronousCommit?: 'none' | 'publish'): StorageBackend {
    return postgresStorage({ connectionString: BENCH_PG_URL, schema, ...(synchronousCommit ? { synchronousCommit } : {}) }) as StorageBackend;
  }

  async dropAll(): Promise<void> {
    for (const schema of this.made.splice(0)) await this.admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await this.admin.end();
  }
}

/** An app on `schema` whose delivery never starts: for enqueueing and for the RequestQueue port. */
async function parkedApp(helpers: PostgresBenchHelpers, schemas: BenchSchemas, schema: string): Promise<{ app: Hookwork<PostgresTransaction>; queue: RequestQueue<PostgresTransaction> }> {
  const app = createHookwork<PostgresTransaction>({
    composers: [helpers.composer],
    storage: schemas.storage(schema) as StorageBackend<PostgresTransaction>,
    queue: helpers.parkedQueue() as QueueEngineProvider<PostgresTransaction>,
    settings: { ssrf: { allowInternal: false, allow: ['127.0.0.1'] } },
  });
  await app.start();
  return { app, queue: resolveToken(app.container, RequestQueueToken) as RequestQueue<PostgresTransaction> };
}

interface Child {
  process: ChildProcess;
  stop(): Promise<number>;
}

async function startChild(schema: string): Promise<Child> {
  const child = fork(path.join(__dirname, 'postgres-child.js'), [BENCH_PG_URL, schema], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`postgres-child exited (${code}) before it started`)));
  });
  return {
    process: child,
    stop: () =>
      new Promise<number>((resolve) => {
        child.once('message', (m: { cpuUs: number }) => resolve(m.cpuUs));
        child.send({ cmd: 'stop' });
      }),
  };
}

/**
 * `processes` app instances (child processes) on one schema deliver `count` requests committed
 * in one transaction; deliveries/s from the commit to the last arrival.
 */
async function sharedBacklog(helpers: PostgresBenchHelpers, schemas: BenchSchemas, processes: number, count: number): Promise<number> {
  const schema = schemas.next();
  const { app, queue } = await parkedApp(helpers, schemas, schema);
  const children: Child[] = [];
  try {
    const webhook = await app.webhooks.create({ url: helpers.receiver.url, events: ['bench.happened'], secret: true });
    for (let i = 0; i < processes; i++) children.push(await startChild(schema));
    await helpers.receiver.reset();
    const client = await schemas.admin.connect();
    let t0: number;
    try {
      await client.query('BEGIN');
      const at = new Date();
      for (let from = 0; from < count; from += 1000) {
        const batch: NewWebhookRequest[] = [];
        for (let i = from; i < Math.min(count, from + 1000); i++) batch.push({ id: `bench_${i}`, webhookKey: webhook.key, eventAlias: 'bench.happened', body: BODY, createdAt: at, dueAt: at });
        await queue.enqueue(batch, { transaction: client });
      }
      t0 = now();
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    const deadline = Date.now() + 300_000;
    for (;;) {
      const { count: arrived } = await helpers.receiver.stats();
      if (arrived >= count) break;
      if (Date.now() > deadline) throw new Error(`shared backlog: ${arrived} of ${count} arrived within 300 s`);
      await sleep(10);
    }
    return count / ((now() - t0) / 1000);
  } finally {
    for (const child of children) await child.stop();
    await app.stop();
  }
}

/**
 * A schema filled with `pending` due requests by one INSERT … SELECT generate_series into the
 * package's requests table. Ids are laid out as core's newMessageId() makes them (`msg_`, the
 * creation time in ms as 12 hex digits, then pseudo-random digits): in time order, one a
 * millisecond. (Until core made ids time-ordered they were random, and this fill's `req_<n>` ids
 * were as scattered in the unique index; see docs/performance-log.md.)
 */
async function filledQueue(helpers: PostgresBenchHelpers, schemas: BenchSchemas, pending: number) {
  const schema = schemas.next();
  const { app, queue } = await parkedApp(helpers, schemas, schema);
  const t0 = now();
  const at = Date.now() - 60_000;
  await schemas.admin.query(
    `INSERT INTO "${schema}".requests (id, webhook_key, event_alias, body, created_at, due_at, state)
     SELECT 'msg_' || lpad(to_hex($2::bigint + g), 12, '0') || '7' || substr(md5(g::text), 1, 19), 'wh_' || (g % 10), 'bench.happened', $1, $2::bigint, $2::bigint + g / 1000, 'pending' FROM generate_series(1, $3::int) AS g`,
    [BODY, at, pending],
  );
  // As autovacuum would after a fill this size: fresh statistics and a visibility map.
  await schemas.admin.query(`VACUUM ANALYZE "${schema}".requests`);
  const fillSeconds = (now() - t0) / 1000;
  return { schema, app, queue, fillSeconds, pending };
}

/**
 * µs per claim(50) and per completeMany(50) through the RequestQueue port, with 1,000 and with
 * 1,000,000 requests pending. Batches alternate between the two queues, so a burst of other
 * work on the machine lands on both alike; medians of 15 batches after 3 warm-up batches. (No
 * CHECKPOINT after the fill: it is server-wide, and the ratio came out the same with it.)
 */
async function claimCost(helpers: PostgresBenchHelpers, schemas: BenchSchemas): Promise<{ small: { claimUs: number; completeUs: number }; large: { claimUs: number; completeUs: number }; fillSeconds: number }> {
  const queues = [await filledQueue(helpers, schemas, 1_000), await filledQueue(helpers, schemas, 1_000_000)];
  try {
    const batch = async (q: (typeof queues)[number]) => {
      const t0 = now();
      const claimed = await q.queue.claim({ owner: 'bench', limit: 50, leaseMs: 60_000, now: new Date() });
      const t1 = now();
      if (claimed.length !== 50) throw new Error(`claim cost: claimed ${claimed.length} of 50 with ${q.pending} pending`);
      const completed = await q.queue.completeMany!(claimed.map((r) => r.id), 'bench');
      if (completed.length !== 50) throw new Error(`claim cost: completed ${completed.length} of 50`);
      return { claimUs: (t1 - t0) * 1000, completeUs: (now() - t1) * 1000 };
    };
    const times = queues.map(() => ({ claim: [] as number[], complete: [] as number[] }));
    for (let i = 0; i < 18; i++) {
      for (const [n, q] of queues.entries()) {
        const t = await batch(q);
        if (i < 3) continue;
        times[n]!.claim.push(t.claimUs);
        times[n]!.complete.push(t.completeUs);
      }
    }
    const [small, large] = times.map((t) => ({ claimUs: median(t.claim), completeUs: median(t.complete) }));
    return { small: small!, large: large!, fillSeconds: queues[1]!.fillSeconds };
  } finally {
    for (const q of queues) {
      await q.app.stop();
      await schemas.admin.query(`DROP SCHEMA IF EXISTS "${q.schema}" CASCADE`);
    }
  }
}

/**
 * The floor of one awaiting publisher on PostgreSQL, with no hookwork at all: a loop that awaits
 * a one-row INSERT's commit (synchronous_commit on), then starts the baseline's own POST of that
 * event (at most 64 in flight, as the baseline). No claim, no completion, no log, no signing: a
 * sender that stores an event durably before sending it cannot go faster one event at a time.
 * Deliveries/s and this process's CPU per delivery, µs.
 */
async function serialFloor(helpers: PostgresBenchHelpers, schemas: BenchSchemas, events: number): Promise<{ rps: number; cpuUs: number }> {
  const schema = schemas.next();
  const client = new pg.Client({ connectionString: BENCH_PG_URL });
  await client.connect();
  const { post, close } = helpers.tunedPost();
  try {
    await client.query(`CREATE SCHEMA "${schema}"; CREATE TABLE "${schema}".requests (seq bigserial PRIMARY KEY, id text NOT NULL UNIQUE, body text NOT NULL, due_at bigint NOT NULL)`);
    let sequence = 0;
    const inFlight = new Set<Promise<void>>();
    return await helpers.measureSender(
      events,
      async (i) => {
        const body = helpers.benchBody(i, now());
        await client.query({ name: 'serial-floor', text: `INSERT INTO "${schema}".requests (id, body, due_at) VALUES ($1, $2, $3)`, values: [`floor_${sequence++}`, body.toString(), Date.now()] });
        const sent: Promise<void> = post(helpers.receiver.url, body).finally(() => inFlight.delete(sent));
        inFlight.add(sent);
        if (inFlight.size >= 64) await Promise.race(inFlight);
      },
      () => Promise.all(inFlight).then(() => undefined),
    );
  } finally {
    close();
    await client.end();
  }
}

/**
 * The server's own floor for a durable publish: one-row INSERT commits (synchronous_commit on, so
 * each waits for its WAL flush) on one connection at a steady `rate`, p50/p99 in ms. A publish
 * that `publish()` promises is durable cannot arrive sooner than this commit returns.
 */
async function commitLatency(schemas: BenchSchemas, rate: number, seconds: number): Promise<{ p50: number; p99: number }> {
  const schema = schemas.next();
  const client = new pg.Client({ connectionString: BENCH_PG_URL });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA "${schema}"; CREATE TABLE "${schema}".t (seq bigserial PRIMARY KEY, body text NOT NULL)`);
    const insert = { name: 'commit-latency', text: `INSERT INTO "${schema}".t (body) VALUES ($1)`, values: [BODY] };
    const took: number[] = [];
    const total = Math.round(rate * seconds);
    const interval = 1000 / rate;
    const t0 = now();
    for (let i = 0; i < total; i++) {
      const wait = t0 + i * interval - now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      const started = now();
      await client.query(insert);
      took.push(now() - started);
    }
    return { p50: round(percentile(took, 50)), p99: round(percentile(took, 99)) };
  } finally {
    await client.end();
  }
}

/** µs per publish (1 webhook subscribed), outside a transaction and inside the host's own. */
async function publishInTransaction(helpers: PostgresBenchHelpers, schemas: BenchSchemas, publishes: number): Promise<{ outsideUs: number; insideUs: number; insideWithCommitUs: number }> {
  const schema = schemas.next();
  const { app } = await parkedApp(helpers, schemas, schema);
  const client = await schemas.admin.connect();
  try {
    await app.webhooks.create({ url: helpers.receiver.url, events: ['bench.happened'] });
    const empty = () => schemas.admin.query(`TRUNCATE "${schema}".requests`);
    const outside = async () => {
      const t0 = now();
      for (let i = 0; i < publishes; i++) await app.publish(helpers.notify(i));
      const us = ((now() - t0) * 1000) / publishes;
      await empty();
      return us;
    };
    const inside = async () => {
      let publishUs = 0;
      const t0 = now();
      for (let i = 0; i < publishes; i++) {
        await client.query('BEGIN');
        const p0 = now();
        await app.publish(helpers.notify(i), { transaction: client });
        publishUs += now() - p0;
        await client.query('COMMIT');
      }
      const whole = ((now() - t0) * 1000) / publishes;
      await empty();
      return { publish: (publishUs * 1000) / publishes, whole };
    };
    await outside();
    await inside();
    // Alternating, best of three each: the store's cost, not another helper's burst of work.
    let outsideUs = Infinity;
    let insideUs = Infinity;
    let insideWithCommitUs = Infinity;
    for (let r = 0; r < 3; r++) {
      outsideUs = Math.min(outsideUs, await outside());
      const { publish, whole } = await inside();
      insideUs = Math.min(insideUs, publish);
      insideWithCommitUs = Math.min(insideWithCommitUs, whole);
    }
    return { outsideUs, insideUs, insideWithCommitUs };
  } finally {
    client.release();
    await app.stop();
  }
}

/** Runs every PostgreSQL measurement, prints each figure, and returns the keys for the JSON line. */
export async function postgresBench(helpers: PostgresBenchHelpers, options: PostgresBenchOptions): Promise<Record<string, number | string>> {
  const schemas = new BenchSchemas();
  try {
    await schemas.admin.query('SELECT 1');
  } catch (error) {
    await schemas.admin.end();
    const reason = `PostgreSQL at ${maskUrlCredentials(BENCH_PG_URL)} not reachable (${(error as Error).message}); set HOOKWORK_BENCH_PG_URL`;
    console.log(`PostgreSQL section skipped: ${reason}`);
    return { postgresSkipped: reason };
  }
  const want = (part: string) => !options.only || options.only.length === 0 || options.only.includes(part);
  const figures: Record<string, number | string> = {};
  try {
    if (want('e2e')) {
      // 1. End to end, alternating with the baseline; best of each.
      // One publisher awaits each publish before the next, so its rate is one over a publish's
      // round trip and WAL flush; 16 publishers are a host serving concurrent saves, whose
      // publishes share statements and commits.
      let baselineRps = 0;
      let pgRps = 0;
      let pg16Rps = 0;
      let floor = { rps: 0, cpuUs: NaN };
      for (let r = 0; r < options.rounds; r++) {
        baselineRps = Math.max(baselineRps, await helpers.baseline(options.baselineRequests));
        const f = await serialFloor(helpers, schemas, options.events);
        if (f.rps > floor.rps) floor = f;
        pgRps = Math.max(pgRps, await helpers.endToEnd(() => schemas.storage(), options.events));
        pg16Rps = Math.max(pg16Rps, await helpers.endToEnd(() => schemas.storage(), options.events, 16));
      }
      // Once more with no commit waiting for the WAL flush: how much of the cost is the disk's.
      const noSyncRps = await helpers.endToEnd(() => schemas.storage(undefined, 'none'), options.events);
      console.log(`baseline axios keep-alive POST, c=64 (again):  ${baselineRps.toFixed(0)} req/s`);
      console.log(`end to end, PostgreSQL, 1 webhook:            ${pgRps.toFixed(0)} deliveries/s  (${(pgRps / baselineRps).toFixed(2)} × baseline; target ≥ 0.50)`);
      console.log(
        `  floor of one awaiting publisher (INSERT, then POST; no hookwork): ${floor.rps.toFixed(0)} deliveries/s at ${floor.cpuUs.toFixed(0)} µs CPU  (${(floor.rps / baselineRps).toFixed(2)} × baseline; hookwork ${(pgRps / floor.rps).toFixed(2)} × this floor)`,
      );
      console.log(`  same, synchronousCommit 'none' (one run):   ${noSyncRps.toFixed(0)} deliveries/s  (${(noSyncRps / baselineRps).toFixed(2)} × baseline)`);
      console.log(`  same, 16 concurrent publishers:             ${pg16Rps.toFixed(0)} deliveries/s  (${(pg16Rps / baselineRps).toFixed(2)} × baseline)`);
      Object.assign(figures, {
        pgBaselineRps: round(baselineRps, 0),
        e2ePostgres1Rps: round(pgRps, 0),
        e2ePostgres1Ratio: round(pgRps / baselineRps),
        pgSerialFloorRps: round(floor.rps, 0),
        pgSerialFloorRatio: round(floor.rps / baselineRps),
        e2ePostgres1VsFloorRatio: round(pgRps / floor.rps),
        e2ePostgres1NoSyncRps: round(noSyncRps, 0),
        e2ePostgres1NoSyncRatio: round(noSyncRps / baselineRps),
        e2ePostgres16PublishersRps: round(pg16Rps, 0),
        e2ePostgres16PublishersRatio: round(pg16Rps / baselineRps),
      });
    }

    if (want('processes')) {
      // 2. Two app instances on one database vs one.
      const backlog = options.quick ? 3_000 : 10_000;
      let one = 0;
      let two = 0;
      for (let r = 0; r < options.rounds; r++) {
        one = Math.max(one, await sharedBacklog(helpers, schemas, 1, backlog));
        two = Math.max(two, await sharedBacklog(helpers, schemas, 2, backlog));
      }
      console.log(`backlog of ${backlog}, 1 app process:           ${one.toFixed(0)} deliveries/s`);
      console.log(`backlog of ${backlog}, 2 app processes:         ${two.toFixed(0)} deliveries/s  (${(two / one).toFixed(2)} × one process)`);
      Object.assign(figures, { pgBacklog: backlog, pgOneProcessRps: round(one, 0), pgTwoProcessesRps: round(two, 0), pgTwoProcessRatio: round(two / one) });
    }

    if (want('claim')) {
      // 3. Claim cost, 1,000 vs 1,000,000 pending.
      const claims = await claimCost(helpers, schemas);
      const { small, large } = claims;
      const claimRatio = large.claimUs / small.claimUs;
      console.log(`claim(50), 1,000 pending:                     ${(small.claimUs / 1000).toFixed(2)} ms (completeMany(50) ${(small.completeUs / 1000).toFixed(2)} ms)`);
      console.log(
        `claim(50), 1,000,000 pending:                 ${(large.claimUs / 1000).toFixed(2)} ms (completeMany(50) ${(large.completeUs / 1000).toFixed(2)} ms)  (claim ${claimRatio.toFixed(2)} ×; target ≤ 2; fill + VACUUM ANALYZE ${claims.fillSeconds.toFixed(1)} s)`,
      );
      Object.assign(figures, {
        pgClaimUs1k: round(small.claimUs, 0),
        pgClaimUs1m: round(large.claimUs, 0),
        pgClaimCostRatio: round(claimRatio),
        pgCompleteUs1k: round(small.completeUs, 0),
        pgCompleteUs1m: round(large.completeUs, 0),
      });
    }

    if (want('latency')) {
      // 4. Latency at 300/s.
      const rate = 300;
      const lat = await helpers.latency(() => schemas.storage(), rate, options.quick ? 2 : 6);
      const p99Ratio = lat.hookwork.p99 / lat.direct.p99;
      console.log(`latency at ${rate}/s, PostgreSQL, publish → arrival: p50 ${lat.hookwork.p50} ms, p99 ${lat.hookwork.p99} ms  (median of 3 alternating rounds: ${lat.hookwork.p99s.join(', ')})`);
      console.log(`latency at ${rate}/s, direct axios POST:          p50 ${lat.direct.p50} ms, p99 ${lat.direct.p99} ms  (${lat.direct.p99s.join(', ')}; p99 ratio ${p99Ratio.toFixed(2)}; target ≤ 3)`);
      // The floor under a durable publish: the server's own commit at the same rate.
      const commit = await commitLatency(schemas, rate, options.quick ? 2 : 6);
      console.log(`  a lone INSERT's commit at ${rate}/s (WAL flush): p50 ${commit.p50} ms, p99 ${commit.p99} ms  (publish → arrival p99 ${(lat.hookwork.p99 / (commit.p99 + lat.direct.p99)).toFixed(2)} × commit p99 + direct p99)`);
      // Once more with the send not waiting for the WAL flush (publish() still does).
      const early = await helpers.latency(() => schemas.storage(undefined, 'publish'), rate, options.quick ? 2 : 6);
      const earlyRatio = early.hookwork.p99 / early.direct.p99;
      console.log(`  same, synchronousCommit 'publish':          p50 ${early.hookwork.p50} ms, p99 ${early.hookwork.p99} ms; direct p99 ${early.direct.p99} ms  (p99 ratio ${earlyRatio.toFixed(2)})`);
      Object.assign(figures, {
        pgLatencyRate: rate,
        pgLatencyP50Ms: lat.hookwork.p50,
        pgLatencyP99Ms: lat.hookwork.p99,
        pgDirectP50Ms: lat.direct.p50,
        pgDirectP99Ms: lat.direct.p99,
        pgLatencyP99Ratio: round(p99Ratio),
        pgCommitP50Ms: commit.p50,
        pgCommitP99Ms: commit.p99,
        pgLatencyPublishCommitP50Ms: early.hookwork.p50,
        pgLatencyPublishCommitP99Ms: early.hookwork.p99,
        pgLatencyPublishCommitDirectP99Ms: early.direct.p99,
        pgLatencyPublishCommitP99Ratio: round(earlyRatio),
      });
    }

    if (want('publish')) {
      // 5. Publishing inside a host transaction.
      const tx = await publishInTransaction(helpers, schemas, options.quick ? 500 : 2_000);
      console.log(`publish, PostgreSQL, outside a transaction:   ${tx.outsideUs.toFixed(0)} µs/publish (1 webhook)`);
      console.log(
        `publish, PostgreSQL, in a host transaction:   ${tx.insideUs.toFixed(0)} µs/publish  (${(tx.insideUs / tx.outsideUs).toFixed(2)} × outside; with the host's BEGIN and COMMIT ${tx.insideWithCommitUs.toFixed(0)} µs)`,
      );
      Object.assign(figures, {
        pgPublishUsOutside: round(tx.outsideUs, 0),
        pgPublishUsInTransaction: round(tx.insideUs, 0),
        pgPublishUsInTransactionWithCommit: round(tx.insideWithCommitUs, 0),
        pgPublishInTransactionRatio: round(tx.insideUs / tx.outsideUs),
      });
    }
    return figures;
  } finally {
    await schemas.dropAll();
  }
}
