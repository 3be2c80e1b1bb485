import 'reflect-metadata';
import { join } from 'node:path';
import { createHookwork, memoryStorage, type Hookwork, type HookworkOptions, type HookworkSettingsInput, type LifecycleEvents } from '@hookwork/core';
import { startTestReceiver, thingComposer, ThingHappened, type ReceivedRequest, type TestReceiver } from '@hookwork/core/testing';
import { bullmqQueue } from '@hookwork/bullmq';
import { postgresStorage } from '@hookwork/postgres';
import { sqliteStorage } from '@hookwork/sqlite';
import { scratchBackends } from './scratch-backends';

/**
 * A webhook deleted and created again under the same key (how infrastructure as code replaces
 * one), perhaps with another URL, other events and another owner: what was queued for the deleted
 * one — waiting to retry, in flight, dead-lettered, in a FIFO line — never goes to the new one,
 * on every store and engine. Each backend's schema, file or key prefix is this file's own.
 */
const { pgUrl: PG_URL, redisUrl: REDIS_URL, schema, prefix, dir } = scratchBackends('recreated');
const idOf = (r: ReceivedRequest) => (JSON.parse(r.text) as { id: string }).id;

/** Resolves with the next `event` that `filter` accepts. */
function next<E extends keyof LifecycleEvents>(app: Hookwork, event: E, filter: (info: Parameters<LifecycleEvents[E]>[0]) => boolean = () => true): Promise<Parameters<LifecycleEvents[E]>[0]> {
  return new Promise((resolve) => {
    const listener = ((info: Parameters<LifecycleEvents[E]>[0]) => {
      if (!filter(info)) return;
      app.lifecycle.off(event, listener as never);
      resolve(info);
    }) as LifecycleEvents[E];
    app.lifecycle.on(event, listener as never);
  });
}

/** Quick retries and looks; the receivers on 127.0.0.1 let through. */
const SETTINGS: HookworkSettingsInput = { ssrf: { allow: ['127.0.0.1'] }, retrySchedule: [300], retryJitter: 0, period: 200, timeout: 5000, stopTimeout: 2000 };

let round = 0;
const backends: [string, () => Pick<HookworkOptions, 'storage' | 'queue'>, { fifo: boolean }][] = [
  ['memory', () => ({ storage: memoryStorage() }), { fifo: true }],
  // A file, schema or queue per test: what one test leaves queued is not in the next.
  ['SQLite', () => ({ storage: sqliteStorage({ file: join(dir(), `hookwork-${++round}.db`) }) }), { fifo: true }],
  ['PostgreSQL', () => ({ storage: postgresStorage({ connectionString: PG_URL, schema: `${schema}_polling_${++round}` }) }), { fifo: true }],
  ['PostgreSQL with BullMQ', () => ({ storage: postgresStorage({ connectionString: PG_URL, schema: `${schema}_bullmq_${++round}` }), queue: bullmqQueue({ connection: REDIS_URL, queueName: `recreated${++round}`, prefix, checkDurability: false }) }), { fifo: false }],
];

describe.each(backends)('a webhook deleted and created again under its key, on %s', (_name, backend, can) => {
  let old: TestReceiver;
  let fresh: TestReceiver;
  let app: Hookwork | undefined;

  beforeEach(async () => {
    old = await startTestReceiver((_request, res) => void res.writeHead(503).end());
    fresh = await startTestReceiver();
  });
  afterEach(async () => {
    await app?.stop();
    app = undefined;
    await old.close();
    await fresh.close();
  });

  const start = async (settings: HookworkSettingsInput = {}) => {
    app = createHookwork({ composers: [thingComposer], ...backend(), settings: { ...SETTINGS, ...settings } });
    await app.start();
    return app;
  };

  it('does not send the deleted webhook\'s request waiting to retry to the new one, whatever it subscribes to', async () => {
    const app = await start();
    const { key } = await app.webhooks.create({ key: `orders-${++round}`, url: old.url, events: ['thing.happened'] });
    const failed = next(app, 'attemptFailed');
    await app.publish(new ThingHappened('a'));
    await failed;
    const dropped = next(app, 'requestDropped');
    await app.webhooks.delete(key);
    // The same key and the same event: only what is published from now on is the new one's.
    await app.webhooks.create({ key, url: fresh.url, events: ['thing.happened'] });
    await app.publish(new ThingHappened('b'));
    expect((await dropped).reason).toMatch(/deleted/);
    expect((await fresh.waitFor(1, 8000)).map(idOf)).toEqual(['b']);
    await app.drain({ all: true, timeoutMs: 8000 });
    expect(fresh.requests.map(idOf)).toEqual(['b']);
    const outcomes = (await app.logs(key)).items.map((e) => [JSON.parse(e.requestBody).id, e.outcome]);
    expect(outcomes).not.toContainEqual(['a', 'delivered']);
    expect(outcomes).toContainEqual(['b', 'delivered']);
  });

  it('does not send an attempt still out when the webhook was replaced again at once to the new one (nor count its 410 against it)', async () => {
    let answerOld: (() => void) | undefined;
    old.handler = (_request, res) => {
      answerOld = () => void res.writeHead(410).end();
    };
    const app = await start({ retrySchedule: [60_000] });
    const { key } = await app.webhooks.create({ key: `orders-${++round}`, url: old.url, events: ['thing.happened'] });
    await app.publish(new ThingHappened('a'));
    await old.waitFor(1);
    await app.webhooks.delete(key);
    await app.webhooks.create({ key, url: fresh.url, events: ['thing.happened'] });
    // Not at once as a moved webhook's would be, not after the minute's backoff: dropped.
    const dropped = next(app, 'requestDropped');
    answerOld!();
    await dropped;
    await app.publish(new ThingHappened('b'));
    expect((await fresh.waitFor(1, 8000)).map(idOf)).toEqual(['b']);
    expect((await app.webhooks.get(key))!.enabled).toBe(true);
    expect(await app.deadLetters({ webhookKey: key })).toMatchObject({ total: 0 });
    expect(old.requests).toHaveLength(1);
  });

  it.each([
    [410, 'disable it'],
    [503, 'open its breaker'],
  ])('does not let an attempt still out when the webhook was replaced at the same URL (answered %i) %s', async (status) => {
    // One receiver for both: the old webhook's attempt waits for its answer; later ones get 200.
    let answerOld: (() => void) | undefined;
    fresh.handler = (_request, res) => {
      if (answerOld === undefined) answerOld = () => void res.writeHead(status).end();
      else res.writeHead(200).end();
    };
    const app = await start({ retrySchedule: [60_000], breaker: { enabled: true, failureThreshold: 1, coolDown: 60_000 } });
    const { key } = await app.webhooks.create({ key: `orders-${++round}`, url: fresh.url, events: ['thing.happened'] });
    await app.publish(new ThingHappened('a'));
    await fresh.waitFor(1);
    await app.webhooks.delete(key);
    await app.webhooks.create({ key, url: fresh.url, events: ['thing.happened'] });
    const dropped = next(app, 'requestDropped');
    answerOld!();
    await dropped;
    await app.publish(new ThingHappened('b'));
    // Not deferred for the breaker's minute, nor kept by a disabled webhook.
    expect((await fresh.waitFor(2, 8000)).map(idOf)).toEqual(['a', 'b']);
    expect((await app.webhooks.get(key))!.enabled).toBe(true);
  });

  it('does not send the deleted webhook\'s dead letters to the new one when dead letters are redelivered', async () => {
    const app = await start({ maximumRetries: 0 });
    const { key } = await app.webhooks.create({ key: `orders-${++round}`, url: old.url, events: ['thing.happened'] });
    const dead = next(app, 'deadLettered');
    await app.publish(new ThingHappened('a'));
    await dead;
    await app.webhooks.delete(key);
    await app.webhooks.create({ key, url: fresh.url, events: ['thing.happened'] });
    // Removed with the webhook: not listed as the new one's.
    expect(await app.deadLetters({ webhookKey: key })).toMatchObject({ total: 0 });
    await app.redeliver({ all: true });
    await app.publish(new ThingHappened('b'));
    expect((await fresh.waitFor(1, 8000)).map(idOf)).toEqual(['b']);
    await app.drain({ all: true, timeoutMs: 8000 });
    expect(fresh.requests.map(idOf)).toEqual(['b']);
  });

  // FIFO webhooks exist on the polling engine only (BullMQ has none): defined where they exist.
  if (can.fifo) it('a FIFO webhook created again under the key is not blocked by the deleted one\'s dead letter', async () => {
    const app = await start({ maximumRetries: 0 });
    const { key } = await app.webhooks.create({ key: `orders-${++round}`, url: old.url, events: ['thing.happened'], fifo: { onDeadLetter: 'block' } });
    const dead = next(app, 'deadLettered');
    await app.publish(new ThingHappened('a'));
    await dead;
    // Held behind the dead head of the line.
    await app.publish(new ThingHappened('a2'));
    await app.webhooks.delete(key);
    await app.webhooks.create({ key, url: fresh.url, events: ['thing.happened'], fifo: { onDeadLetter: 'block' } });
    await app.publish(new ThingHappened('b'));
    await app.publish(new ThingHappened('c'));
    expect((await fresh.waitFor(2, 8000)).map(idOf)).toEqual(['b', 'c']);
    await app.drain({ all: true, timeoutMs: 8000 });
    expect(fresh.requests.map(idOf)).toEqual(['b', 'c']);
    expect(old.requests.map(idOf)).toEqual(['a']);
  });

  if (can.fifo) it('a FIFO webhook created again under the key takes its own requests, not the deleted one\'s line', async () => {
    const app = await start();
    const { key } = await app.webhooks.create({ key: `orders-${++round}`, url: old.url, events: ['thing.happened'], fifo: { onDeadLetter: 'block' } });
    const failed = next(app, 'attemptFailed');
    await app.publish(new ThingHappened('a'));
    await failed;
    await app.publish(new ThingHappened('a2'));
    await app.webhooks.delete(key);
    await app.webhooks.create({ key, url: fresh.url, events: ['thing.happened'], fifo: { onDeadLetter: 'block' } });
    await app.publish(new ThingHappened('b'));
    await app.publish(new ThingHappened('c'));
    expect((await fresh.waitFor(2, 8000)).map(idOf)).toEqual(['b', 'c']);
    await app.drain({ all: true, timeoutMs: 8000 });
    expect(fresh.requests.map(idOf)).toEqual(['b', 'c']);
  });
});
