import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { contractWebhook, startTestReceiver, startWorker, ThingHappened, thingComposer, type ReceivedRequest, type TestReceiver, type WorkerProcess } from '@hookwork/core/testing';
import { createHookwork } from '@hookwork/core';
import { openPostgresStorage, postgresStorage, SCHEMA_VERSION } from './index';
import { withTestDatabase } from './testing/test-schema';

// Several real processes on one schema. Child processes run the built worker (npm test builds
// first; in a dev loop: npx tsc -b packages/postgres).
const WORKER = join(__dirname, '..', 'dist', 'test-fixtures', 'pg-worker.js');

const db = withTestDatabase('procs');
const webhookIdOf = (request: ReceivedRequest) => String(request.headers['webhook-id']);
const bodyIdOf = (request: ReceivedRequest) => (JSON.parse(request.text) as { id: string }).id;

let receiver: TestReceiver;
const held: ServerResponse[] = [];
const workers: WorkerProcess[] = [];

function start(args: string[], env: NodeJS.ProcessEnv = process.env): WorkerProcess {
  const worker = startWorker(WORKER, args, env);
  workers.push(worker);
  return worker;
}

beforeEach(async () => {
  receiver = await startTestReceiver();
});
afterEach(async () => {
  for (const w of workers.splice(0)) {
    if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await w.exited;
  }
  for (const res of held.splice(0)) res.destroy();
  await receiver.close();
});

/** A schema holding one webhook at the receiver and `count` pending requests msg_0 … msg_<count-1>. */
async function backlog(count: number): Promise<{ schema: string; ids: string[] }> {
  const schema = db.schema();
  const store = await openPostgresStorage({ connectionString: db.url, schema });
  try {
    await store.webhooks.create(contractWebhook('shared', { url: receiver.url, events: ['thing.happened'] }));
    const now = new Date();
    const ids = Array.from({ length: count }, (_, i) => `msg_${i}`);
    await store.queue.enqueue(ids.map((id, i) => ({ id, webhookKey: 'shared', eventAlias: 'thing.happened', body: JSON.stringify({ id: `n${i}` }), createdAt: now, dueAt: now })));
    return { schema, ids };
  } finally {
    await store.close();
  }
}

const errorsOf = (w: WorkerProcess) => w.events.filter((e) => e.type === 'error' || e.type === 'logged-error');

describe('several processes on one PostgreSQL schema', () => {
  it('three processes deliver one backlog of 600: every webhook-id arrives once, none held by two processes at once', async () => {
    const { schema, ids } = await backlog(600);
    const open = new Set<string>();
    const overlapping: string[] = [];
    receiver.handler = (arrival, res) => {
      const id = webhookIdOf(arrival);
      if (open.has(id)) overlapping.push(id);
      open.add(id);
      // 50 ms per answer: one process at concurrency 8 would need 3.75 s, so all three take part
      // even when one of them starts late on a busy machine.
      setTimeout(() => {
        open.delete(id);
        res.writeHead(200).end();
      }, 50);
    };
    const processes = [0, 1, 2].map(() => start(['deliver', db.url, schema, 'wait']));
    await Promise.all(processes.map((p) => p.waitFor((e) => e.type === 'ready', 60_000)));
    for (const p of processes) p.child.stdin!.write('go\n');
    await Promise.all(processes.map((p) => p.waitFor((e) => e.type === 'done', 120_000)));

    const byProcess = processes.map((p) => p.events.filter((e) => e.type === 'succeeded').map((e) => e.id as string));
    expect(overlapping).toEqual([]);
    expect(processes.flatMap(errorsOf)).toEqual([]);
    // Each request succeeded in exactly one process, and every one did.
    expect(byProcess.flat().sort()).toEqual([...ids].sort());
    expect(byProcess.filter((delivered) => delivered.length > 0).length).toBeGreaterThanOrEqual(2);
    expect(receiver.requests.map(webhookIdOf).sort()).toEqual([...ids].sort());
    expect(Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".requests`)).rows[0]!.n)).toBe(0);
  }, 180_000);

  it('SIGKILL of a process mid-delivery loses nothing: another takes over when the leases expire, duplicates only of what was in flight', async () => {
    const schema = db.schema();
    const count = 60;
    // The receiver holds every request open: the first process is killed while it waits.
    receiver.handler = (_arrival, res) => void held.push(res);
    const first = start(['publish', db.url, schema, receiver.url, String(count)]);
    await first.waitFor((e) => e.type === 'published', 60_000);
    await receiver.waitFor(8, 30_000); // the receiver now holds at least 8 claimed requests
    const enqueuedIds = first.events.filter((e) => e.type === 'enqueued').flatMap((e) => e.ids as string[]);
    expect(enqueuedIds).toHaveLength(count);
    first.child.kill('SIGKILL');
    await first.exited;
    const arrivedBeforeKill = new Set(receiver.requests.map(webhookIdOf));
    // What it held is still claimed under its lease in the database: every request that reached
    // the receiver, and any it had claimed to send next.
    const leased = new Set((await db.query<{ id: string }>(`SELECT id FROM "${schema}".requests WHERE state = 'inflight'`)).rows.map((r) => r.id));
    expect([...arrivedBeforeKill].filter((id) => !leased.has(id))).toEqual([]);

    // From now on the receiver answers at once.
    const answered: string[] = [];
    receiver.handler = (arrival, res) => {
      answered.push(webhookIdOf(arrival));
      res.writeHead(204).end();
    };
    const second = start(['deliver', db.url, schema]);
    const drained = await second.waitFor((e) => e.type === 'drained', 90_000);
    expect(drained.counts).toEqual({ pending: 0, inFlight: 0, dead: 0 });
    await second.waitFor((e) => e.type === 'done', 30_000);
    expect(errorsOf(second)).toEqual([]);

    // Every webhook-id enqueued got a 2xx.
    expect([...new Set(answered)].sort()).toEqual([...enqueuedIds].sort());
    // Duplicates are at most what the killed process held: each request it had sent arrives again
    // (nobody answered it), none more than twice, and nothing it had not claimed arrives twice.
    const arrivals = new Map<string, number>();
    for (const a of receiver.requests) arrivals.set(webhookIdOf(a), (arrivals.get(webhookIdOf(a)) ?? 0) + 1);
    const duplicates = new Set([...arrivals].filter(([, n]) => n > 1).map(([id]) => id));
    expect([...arrivedBeforeKill].filter((id) => !duplicates.has(id))).toEqual([]);
    expect([...duplicates].filter((id) => !leased.has(id))).toEqual([]);
    expect(Math.max(...arrivals.values())).toBeLessThanOrEqual(2);
    expect(receiver.requests.length).toBeLessThanOrEqual(count + leased.size);

    // The store agrees: a delivered log entry for every request.
    const store = await openPostgresStorage({ connectionString: db.url, schema });
    try {
      const [webhook] = await store.webhooks.list();
      const log = await store.deliveryLog.list({ webhookKey: webhook!.key, limit: 1000 });
      expect(new Set(log.items.filter((e) => e.outcome === 'delivered').map((e) => e.requestId))).toEqual(new Set(enqueuedIds));
    } finally {
      await store.close();
    }
  }, 180_000);

  it('ten processes starting at once on an empty schema: one migrates, all ten start and publish', async () => {
    const schema = db.schema();
    const names = Array.from({ length: 10 }, (_, i) => `p${i}`);
    const processes = names.map((name) => start(['start', db.url, schema, receiver.url, name]));
    await Promise.all(processes.map((p) => p.waitFor((e) => e.type === 'ready', 90_000)));
    // All ten are loaded and waiting: now they open the store at the same moment.
    for (const p of processes) p.child.stdin!.write('go\n');
    await Promise.all(processes.map((p) => p.waitFor((e) => e.type === 'done', 120_000)));

    expect(processes.flatMap(errorsOf)).toEqual([]);
    expect(processes.flatMap((p) => p.events.filter((e) => e.type === 'migrated'))).toHaveLength(1);
    const version = await db.query<{ version: number }>(`SELECT version FROM "${schema}".schema_version`);
    expect(version.rows).toEqual([{ version: SCHEMA_VERSION }]);
    // Each process's own webhook got its own notification (and maybe later ones of others).
    for (const name of names) {
      expect(receiver.requests.some((r) => r.path === `/${name}` && bodyIdOf(r) === name)).toBe(true);
    }
  }, 240_000);

  it('a process publishing in a host transaction it rolls back, while another delivers: nothing of it ever arrives', async () => {
    const schema = db.schema();
    const deliverer = start(['serve', db.url, schema]);
    await deliverer.waitFor((e) => e.type === 'ready', 60_000);
    deliverer.child.stdin!.write('go\n');
    await deliverer.waitFor((e) => e.type === 'started', 60_000);

    const publisher = start(['outbox', db.url, schema, receiver.url, '20']);
    await publisher.waitFor((e) => e.type === 'done', 60_000);
    expect(errorsOf(publisher)).toEqual([]);
    // The committed one arrives, delivered by the other process (the publisher's delivery is parked).
    await receiver.waitFor(1, 30_000);
    await deliverer.waitFor((e) => e.type === 'succeeded', 30_000);
    // Give the deliverer several of its 250 ms sweeps to find anything else.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(receiver.requests.map(bodyIdOf)).toEqual(['committed']);
    const stored = await db.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".requests WHERE body LIKE '%rolled-back%'`);
    expect(Number(stored.rows[0]!.n)).toBe(0);
    expect(errorsOf(deliverer)).toEqual([]);
  }, 120_000);

  it('a deletion cut short by SIGKILL, the webhook then created again under its key: nothing of the deleted one is listed, counted or sent as the new one\'s, and each of its requests is dropped and logged once', async () => {
    const schema = db.schema();
    const count = 20_000;
    const store = await openPostgresStorage({ connectionString: db.url, schema });
    try {
      await store.webhooks.create(contractWebhook('gone', { url: `${receiver.url}/old`, events: ['thing.happened'] }));
      const published = new Date(Date.now() - 60_000);
      for (let i = 0; i < count; i += 2000) {
        // A third due now (delivery would meet them), the rest retries waiting an hour.
        await store.queue.enqueue(Array.from({ length: 2000 }, (_, j) => ({ id: `msg_old_${i + j}`, webhookKey: 'gone', eventAlias: 'thing.happened', body: JSON.stringify({ id: 'old' }), createdAt: published, dueAt: new Date(published.getTime() + ((i + j) % 3 === 0 ? 0 : 3_600_000)) })));
      }
      // Half of them dead letters (retries exhausted), as a failing webhook has when it is replaced.
      await db.query(`UPDATE "${schema}".requests SET state = 'dead', dead_at = $1 WHERE seq % 2 = 0`, [Date.now()]);
    } finally {
      await store.close();
    }

    // The deletion removes the webhook, then its requests in batches: killed once the webhook is gone.
    const worker = start(['delete', db.url, schema, 'gone']);
    await worker.waitFor((e) => e.type === 'deleting', 60_000);
    const webhookRows = async () => Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".webhooks`)).rows[0]!.n);
    while ((await webhookRows()) > 0) await new Promise((resolve) => setTimeout(resolve, 1));
    worker.child.kill('SIGKILL');
    await worker.exited;
    const left = Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".requests`)).rows[0]!.n);
    expect(left).toBeGreaterThan(0); // cut short

    // Infrastructure as code creates it again under its key, through an app that delivers.
    const app = createHookwork({ composers: [thingComposer], storage: postgresStorage({ connectionString: db.url, schema }), settings: { ssrf: { allowInternal: false, allow: ['127.0.0.1'] }, period: 250 } });
    await app.start();
    try {
      await app.webhooks.create({ key: 'gone', url: `${receiver.url}/new`, events: ['thing.happened'] });
      expect((await app.deadLetters({ webhookKey: 'gone' })).total).toBe(0);
      expect(await app.queueCounts({ webhookKey: 'gone' })).toEqual({ pending: 0, inFlight: 0, dead: 0 });
      await app.publish(new ThingHappened('new'));
      await app.drain({ timeoutMs: 30_000 });
    } finally {
      await app.stop();
    }
    expect(receiver.requests.map((r) => `${r.path} ${bodyIdOf(r)}`)).toEqual(['/hook/new new']);
    // Each request of the deleted webhook has exactly one `dropped` entry: the killed deletion's or the new one's sweep.
    const dropped = await db.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".delivery_log WHERE request_id LIKE 'msg_old_%' AND outcome = 'dropped' GROUP BY request_id`);
    expect(dropped.rows).toHaveLength(count);
    expect(dropped.rows.every((row) => Number(row.n) === 1)).toBe(true);
  }, 180_000);
});
