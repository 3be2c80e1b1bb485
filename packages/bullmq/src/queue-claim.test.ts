import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createHookwork, isHookworkError, memoryStorage, silentLogger, type Hookwork, type Storage, type StorageBackend } from '@hookwork/core';
import { startTestReceiver, ThingHappened, thingComposer, type TestReceiver } from '@hookwork/core/testing';
import { sqliteStorage } from '@hookwork/sqlite';
import { Redis } from 'ioredis';
import { bullmqQueue } from './bullmq-queue';
import { CLAIM_RENEW_MS, CLAIM_TTL_MS, ephemeralClaim } from './queue-claim';
import { startPrivateRedis, type PrivateRedis } from './testing/private-redis';
import { deleteKeys, TEST_REDIS_URL, uniquePrefix } from './testing/redis-test';

// Apps whose webhooks are in memory stores of their own (the default when only `queue` is given)
// on one BullMQ queue: each app's Worker took the other's jobs and dropped them as requests of
// webhooks its store lacks. Now the second is refused at start, while an app restarting on its
// own queue — after a stop, or after its process was SIGKILLed — starts.
const prefix = uniquePrefix('claim');
const FIXTURE = join(__dirname, '..', 'dist', 'test-fixtures', 'memory-store-app.js');
const apps: Hookwork[] = [];
const children: ChildProcess[] = [];
let receiver: TestReceiver;

function memoryApp(queueName: string, options: { connection?: string; storage?: StorageBackend } = {}): Hookwork {
  const app = createHookwork({
    composers: [thingComposer],
    logger: silentLogger,
    settings: { ssrf: { allow: ['127.0.0.1'] } },
    ...(options.storage ? { storage: options.storage } : {}),
    queue: bullmqQueue({ connection: options.connection ?? TEST_REDIS_URL, prefix, queueName, checkDurability: false }),
  });
  apps.push(app);
  return app;
}

/** A memory store backend that opens one store for every app given it, and leaves it open at each app's stop. */
function oneOpenedStore(): StorageBackend {
  const inner = memoryStorage();
  let shared: Storage | undefined;
  return { ...inner, open: async (context) => (shared ??= { ...(await inner.open(context)), close: async () => {} }) };
}

async function claimOf(queueName: string, url = TEST_REDIS_URL): Promise<{ value: string | null; ttl: number }> {
  const admin = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await admin.connect();
  try {
    const key = `${prefix}:${queueName}:hookwork:store`;
    return { value: await admin.get(key), ttl: await admin.pttl(key) };
  } finally {
    admin.disconnect();
  }
}

/** How many connections the test Redis lists whose name starts with `name`. */
async function connectionsNamed(name: string): Promise<number> {
  const admin = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await admin.connect();
  try {
    return String(await admin.client('LIST')).split('\n').filter((line) => line.includes(` name=${name}`)).length;
  } finally {
    admin.disconnect();
  }
}

/** Resolves once the test Redis lists at most `count` connections whose name starts with `name` (at most 5 s). */
async function connectionsNamedAtMost(name: string, count: number): Promise<void> {
  for (const deadline = Date.now() + 5000; (await connectionsNamed(name)) > count; await new Promise((resolve) => setTimeout(resolve, 20))) {
    if (Date.now() > deadline) throw new Error(`more than ${count} connections named ${name}… still listed after 5 s`);
  }
}

/** The run id of the Redis at `url` (INFO server). */
async function runIdOf(url: string): Promise<string | undefined> {
  const admin = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await admin.connect();
  try {
    return /^run_id:([0-9a-f]+)/m.exec(await admin.info('server'))?.[1];
  } finally {
    admin.disconnect();
  }
}

/** Starts the memory-store app of test-fixtures in a process of its own on `queueName`, and resolves once it started. */
async function appInChild(url: string, queueName: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [FIXTURE, url, prefix, queueName], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const [line] = await (async () => {
    for await (const read of createInterface({ input: child.stdout! })) return [read];
    return [''];
  })();
  expect(JSON.parse(line!)).toEqual({ started: true });
  return child;
}

/** SIGKILLs `child` and resolves once it exited. */
async function sigkill(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

/**
 * Connections to `server` holding each of the connection ids `ids` (Redis counts them from 1 at
 * each start): what a restarted Redis gives other clients once as many have connected.
 */
async function holdIds(server: PrivateRedis, ids: readonly string[]): Promise<Redis[]> {
  const held: Redis[] = [];
  const wanted = new Set(ids);
  while (wanted.size > 0) {
    const client = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await client.connect();
    const id = String(await client.client('ID'));
    if (wanted.delete(id)) held.push(client);
    else client.disconnect();
    if (Number(id) > Math.max(...ids.map(Number))) throw new Error(`the restarted Redis gave id ${id} before ${[...wanted].join(',')}: the test could not hold them`);
  }
  return held;
}

const refusedAsRunning = (queueName: string) =>
  new RegExp(`^HOOKWORK_ERR_INVALID_BULLMQ_OPTIONS: the BullMQ queue "${queueName}" \\(prefix "${prefix}"\\) at redis://127\\.0\\.0\\.1:\\d+ is used by another running app whose webhooks are in a store of its own without an id .*Give this app a queue of its own \\(bullmqQueue\\(\\{ queueName \\}\\)\\), or give both apps one store they share`);

beforeEach(async () => {
  receiver = await startTestReceiver();
});
afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const app of apps.splice(0)) await app.stop().catch(() => {});
  await receiver.close();
});
afterAll(async () => {
  await deleteKeys(prefix);
});

describe('apps on memory stores of their own on one BullMQ queue', () => {
  it('refuses the second at start, and the first app\'s requests reach its webhook; a restart after stop() starts, and stop() deletes the claim', async () => {
    const first = memoryApp('two-memory');
    await first.start();
    await first.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    const second = memoryApp('two-memory');
    const error = await second.start().then(() => undefined, (e: unknown) => e);
    expect(isHookworkError(error, 'HOOKWORK_ERR_INVALID_BULLMQ_OPTIONS' as never)).toBe(true);
    expect((error as Error).message).toMatch(refusedAsRunning('two-memory'));
    // The refused app's Worker does not run: every request reaches the first app's webhook.
    for (let i = 0; i < 5; i++) await first.publish(new ThingHappened(String(i)));
    await first.drain({ timeoutMs: 10_000 });
    expect(receiver.requests.length).toBe(5);

    const claim = await claimOf('two-memory');
    expect(claim.value).toMatch(/^memory:[0-9a-f-]{36} \d+,\d+ \d+ [0-9a-f]{40}$/);
    expect(claim.ttl).toBeGreaterThan(0);
    expect(claim.ttl).toBeLessThanOrEqual(CLAIM_TTL_MS);
    await first.stop();
    expect((await claimOf('two-memory')).value).toBeNull();
    const restarted = memoryApp('two-memory');
    await restarted.start();
    await restarted.stop();
    expect((await claimOf('two-memory')).value).toBeNull();
  });

  it('starts an app again on its queue at once after its process was SIGKILLed (its claim left in Redis, its connections gone)', async () => {
    const child = spawn(process.execPath, [FIXTURE, TEST_REDIS_URL, prefix, 'killed'], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    const [line] = await (async () => {
      for await (const read of createInterface({ input: child.stdout! })) return [read];
      return [''];
    })();
    expect(JSON.parse(line!)).toEqual({ started: true });
    // Running in its process: refused here.
    const refused = await memoryApp('killed').start().then(() => undefined, (e: unknown) => e);
    expect((refused as Error).message).toMatch(refusedAsRunning('killed'));

    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    // The kernel closed its sockets; Redis drops them as it reads the close (a turn of its loop).
    await connectionsNamedAtMost(`${prefix}:killed:hookwork:`, 0);
    const left = await claimOf('killed');
    expect(left.value).toMatch(/^memory:/);
    // Within the claim's TTL, which the start does not wait for: Redis lists none of its connections.
    const again = memoryApp('killed');
    const began = Date.now();
    await again.start();
    expect(Date.now() - began).toBeLessThan(left.ttl);
    const taken = await claimOf('killed');
    expect(taken.value).toMatch(/^memory:/);
    expect(taken.value!.split(' ')[0]).not.toBe(left.value!.split(' ')[0]);
    await again.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    await again.publish(new ThingHappened('after'));
    await again.drain({ timeoutMs: 10_000 });
    expect(receiver.requests.length).toBe(1);
  });

  it('starts apps that share one opened store on one queue (one holder), and keeps the claim until the last of them stops', async () => {
    // Opened once for both apps; the first app's stop() must leave it to the second.
    const storage = oneOpenedStore();
    const a = memoryApp('one-store', { storage });
    const b = memoryApp('one-store', { storage });
    await a.start();
    await b.start();
    await a.stop();
    expect((await claimOf('one-store')).value).toMatch(/^memory:/);
    await b.stop();
    expect((await claimOf('one-store')).value).toBeNull();
  });

  it('deletes a queue\'s claim when the last app of a shared store on that queue stops, though one on another queue runs', async () => {
    const storage = oneOpenedStore();
    const one = memoryApp('shared-first', { storage });
    const two = memoryApp('shared-second', { storage });
    await one.start();
    await two.start();
    await one.stop();
    // Before: kept for the app on the other queue, until its TTL ran out.
    expect((await claimOf('shared-first')).value).toBeNull();
    expect((await claimOf('shared-second')).value).toMatch(/^memory:/);
  });

  it('has the app of a shared store still running record its own connections when another stops, so a start elsewhere is still refused', async () => {
    const storage = oneOpenedStore();
    const a = memoryApp('shared-one', { storage });
    await a.start();
    const named = `${prefix}:shared-one:hookwork:`;
    const ofA = await connectionsNamed(named);
    const idsOf = async () => (await claimOf('shared-one')).value!.split(' ')[1];
    const aIds = await idsOf();
    const b = memoryApp('shared-one', { storage });
    await b.start();
    // b's start recorded its connections (a's renewal, every 3 s, may have put a's back meanwhile).
    for (const deadline = Date.now() + 10_000; (await idsOf()) === aIds; await new Promise((resolve) => setTimeout(resolve, 20))) {
      if (Date.now() > deadline) throw new Error('the claim never named b\'s connections');
    }
    await b.stop();
    await connectionsNamedAtMost(named, ofA);
    // Before: the claim named b's connections, gone, and this start took it over from a, which runs.
    const error = await memoryApp('shared-one').start().then(() => undefined, (e: unknown) => e);
    expect((error as Error)?.message).toMatch(refusedAsRunning('shared-one'));
  });

  it('records its new connections as soon as Redis gives them back (a restart, a cut), so a start meanwhile is still refused', async () => {
    const running = memoryApp('reconnected');
    await running.start();
    const named = `${prefix}:reconnected:hookwork:`;
    const connections = await connectionsNamed(named);
    const admin = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await admin.connect();
    const killed = (await claimOf('reconnected')).value!.split(' ')[1]!.split(',');
    try {
      for (const id of killed) await admin.client('KILL', 'ID', id);
    } finally {
      admin.disconnect();
    }
    // Back, under new ids (ioredis reconnects within 50 ms), and the claim renewed with them: the
    // renewal runs once the connections are ready, a few milliseconds after they are listed.
    const renewed = async () => (await connectionsNamed(named)) >= connections && !(await claimOf('reconnected')).value!.split(' ')[1]!.split(',').some((id) => killed.includes(id));
    for (const deadline = Date.now() + 10_000; !(await renewed()); await new Promise((resolve) => setTimeout(resolve, 10))) {
      if (Date.now() > deadline) throw new Error('the app\'s connections did not come back, or its claim still names the killed ones');
    }
    // Before: the claim named the killed connections until the next renewal (3 s), and this start took it over.
    const error = await memoryApp('reconnected').start().then(() => undefined, (e: unknown) => e);
    expect((error as Error)?.message).toMatch(refusedAsRunning('reconnected'));
  });

  it('refuses an app of a SQLite store on a queue a memory-store app runs on, and a memory-store app on a SQLite store\'s queue', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookwork-bullmq-claim-'));
    try {
      const memory = memoryApp('memory-first');
      await memory.start();
      const sql = memoryApp('memory-first', { storage: sqliteStorage({ file: join(dir, 'a.db') }) });
      const error = await sql.start().then(() => undefined, (e: unknown) => e);
      expect((error as Error).message).toMatch(/is used by another running app whose webhooks are in a store of its own without an id .*; this app's is sqlite:[0-9a-f-]{36}, as its store's line at start says/);

      const sqlFirst = memoryApp('sqlite-first', { storage: sqliteStorage({ file: join(dir, 'b.db') }) });
      await sqlFirst.start();
      await sqlFirst.stop();
      // Its requests stay in the queue while its apps are stopped: the record stays too.
      const late = await memoryApp('sqlite-first').start().then(() => undefined, (e: unknown) => e);
      expect(isHookworkError(late, 'HOOKWORK_ERR_INVALID_BULLMQ_OPTIONS' as never)).toBe(true);
      expect((late as Error).message).toMatch(/holds the requests of apps on another webhook store \(sqlite:[0-9a-f-]{36}; this app's webhooks are in a store of its own that has no id \(the memory store/);
    } finally {
      for (const app of apps.splice(0)) await app.stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes over the claim of an app SIGKILLed before Redis restarted with its data, though the connection ids it names are new connections\' now', async () => {
    const server = await startPrivateRedis({ appendonly: 'yes', appendfsync: 'always' });
    const held: Redis[] = [];
    try {
      // Connections before the app's, so its ids are above those the restarted server gives its first clients.
      for (let i = 0; i < 5; i++) await claimOf('restart-killed', server.url);
      await sigkill(await appInChild(server.url, 'restart-killed'));
      const left = (await claimOf('restart-killed', server.url)).value!;
      const { ids } = ephemeralClaim(left);
      expect(ids.length).toBe(2);
      await server.kill('SIGKILL');
      await server.restart();
      // Redis counts connection ids from 1 again: once as many clients connected, the dead app's
      // ids are theirs (the starting app's own, among others).
      held.push(...(await holdIds(server, ids)));
      const kept = await claimOf('restart-killed', server.url);
      expect(kept.value).toBe(left);
      expect(kept.ttl).toBeGreaterThan(0);
      // Before: CLIENT LIST listed those ids, and the start was refused until the claim lapsed (15 s).
      const again = memoryApp('restart-killed', { connection: server.url });
      const began = Date.now();
      await again.start();
      expect(Date.now() - began).toBeLessThan(kept.ttl);
      const taken = (await claimOf('restart-killed', server.url)).value!;
      expect(taken.split(' ')[0]).not.toBe(left.split(' ')[0]);
    } finally {
      for (const client of held) client.disconnect();
      for (const app of apps.splice(0)) await app.stop().catch(() => {});
      await server.remove();
    }
  });

  it('refuses a second app after Redis restarted with its data while the first runs (it renews its claim once reconnected)', async () => {
    const server = await startPrivateRedis({ appendonly: 'yes', appendfsync: 'always' });
    try {
      await memoryApp('restart-running', { connection: server.url }).start();
      await server.kill('SIGKILL');
      await server.restart();
      const error = await memoryApp('restart-running', { connection: server.url }).start().then(() => undefined, (e: unknown) => e);
      expect((error as Error)?.message).toMatch(refusedAsRunning('restart-running'));
    } finally {
      for (const app of apps.splice(0)) await app.stop().catch(() => {});
      await server.remove();
    }
  });

  it('keeps renewing its claim after Redis was away for longer than a renewal period, so a start after Redis is back is refused', async () => {
    const server = await startPrivateRedis({ appendonly: 'yes', appendfsync: 'always' });
    try {
      await memoryApp('away', { connection: server.url }).start();
      await server.kill('SIGKILL');
      // A renewal falls due while the app's connections are down.
      await new Promise((resolve) => setTimeout(resolve, CLAIM_RENEW_MS + 500));
      await server.restart();
      // Before: the renewal that found the connection down was kept as one under way, and every
      // later one (on reconnect, every 3 s) returned it: the claim was never renewed again, and
      // lapsed under a running app.
      const run = await runIdOf(server.url);
      const renewed = async () => ephemeralClaim((await claimOf('away', server.url)).value ?? '').run === run;
      for (const deadline = Date.now() + 10_000; !(await renewed()); await new Promise((resolve) => setTimeout(resolve, 50))) {
        if (Date.now() > deadline) throw new Error(`the app did not renew its claim after Redis was back: ${(await claimOf('away', server.url)).value}`);
      }
      const error = await memoryApp('away', { connection: server.url }).start().then(() => undefined, (e: unknown) => e);
      expect((error as Error)?.message).toMatch(refusedAsRunning('away'));
    } finally {
      for (const app of apps.splice(0)) await app.stop().catch(() => {});
      await server.remove();
    }
  });

  it('refuses a second app while the claim of the first still names the connections it had before Redis restarted (not ones listed now)', async () => {
    const running = memoryApp('other-run');
    await running.start();
    const admin = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await admin.connect();
    try {
      // As the claim is found after a restart of Redis, before the app reconnected: ids of the
      // former run, which no connection has now (or any other's), and that run's id.
      const [holder, , beat] = (await claimOf('other-run')).value!.split(' ');
      await admin.set(`${prefix}:other-run:hookwork:store`, `${holder} 999999998,999999999 ${beat} ${'0'.repeat(40)}`, 'KEEPTTL');
    } finally {
      admin.disconnect();
    }
    // Before: CLIENT LIST listed none of those ids, and the start took the queue over from an app that runs.
    const error = await memoryApp('other-run').start().then(() => undefined, (e: unknown) => e);
    expect((error as Error)?.message).toMatch(refusedAsRunning('other-run'));
  });

  it('reads a claim recorded by the previous version (no run id) by its connections, as that version did', async () => {
    const admin = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await admin.connect();
    const key = `${prefix}:old-format:hookwork:store`;
    try {
      const id = String(await admin.client('ID'));
      await admin.set(key, `memory:00000000-0000-4000-8000-000000000000 ${id} 7`, 'PX', CLAIM_TTL_MS);
      const error = await memoryApp('old-format').start().then(() => undefined, (e: unknown) => e);
      expect((error as Error)?.message).toMatch(refusedAsRunning('old-format'));
      await admin.set(key, 'memory:00000000-0000-4000-8000-000000000000 999999999 7', 'PX', CLAIM_TTL_MS);
      await memoryApp('old-format').start();
      expect((await claimOf('old-format')).value).toMatch(/^memory:(?!00000000-)/);
    } finally {
      admin.disconnect();
    }
  });

  it('where an ACL denies CLIENT LIST, refuses a second app once it saw the first renew its claim', async () => {
    const server = await startPrivateRedis({ user: 'default on nopass ~* &* +@all -client|list' });
    try {
      const first = memoryApp('no-client-list', { connection: server.url });
      await first.start();
      const error = await memoryApp('no-client-list', { connection: server.url }).start().then(() => undefined, (e: unknown) => e);
      expect((error as Error).message).toMatch(refusedAsRunning('no-client-list'));
    } finally {
      for (const app of apps.splice(0)) await app.stop().catch(() => {});
      await server.remove();
    }
  });
});
