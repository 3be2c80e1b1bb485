import 'reflect-metadata';
import { join } from 'node:path';
import { createHookwork, memoryStorage, type Hookwork, type HookworkOptions, type HookworkSettingsInput, type LifecycleEvents } from '@hookwork/core';
import { startTestReceiver, thingComposer, ThingHappened, type TestReceiver } from '@hookwork/core/testing';
import { bullmqQueue } from '@hookwork/bullmq';
import { postgresStorage } from '@hookwork/postgres';
import { sqliteStorage } from '@hookwork/sqlite';
import { scratchBackends } from './scratch-backends';

/**
 * Settings as every store and engine runs them: a key given as undefined is not given (it
 * neither disables delivery nor removes a retry limit, a timeout or a header name), and
 * `enabled: false` sends nothing — also a retry that falls due on a BullMQ Worker that is pausing.
 */
const { pgUrl: PG_URL, redisUrl: REDIS_URL, schema, prefix, dir } = scratchBackends('settings');

/** Resolves with the next `event`. */
function next<E extends keyof LifecycleEvents>(app: Hookwork, event: E): Promise<Parameters<LifecycleEvents[E]>[0]> {
  return new Promise((resolve) => {
    const listener = ((info: Parameters<LifecycleEvents[E]>[0]) => {
      app.lifecycle.off(event, listener as never);
      resolve(info);
    }) as LifecycleEvents[E];
    app.lifecycle.on(event, listener as never);
  });
}

const SETTINGS: HookworkSettingsInput = { ssrf: { allow: ['127.0.0.1'] }, retryJitter: 0, period: 200, timeout: 5000, stopTimeout: 2000 };

let round = 0;
const backends: [string, () => Pick<HookworkOptions, 'storage' | 'queue'>][] = [
  ['memory', () => ({ storage: memoryStorage() })],
  ['SQLite', () => ({ storage: sqliteStorage({ file: join(dir(), `hookwork-${++round}.db`) }) })],
  ['PostgreSQL', () => ({ storage: postgresStorage({ connectionString: PG_URL, schema: `${schema}_polling_${++round}` }) })],
  ['PostgreSQL with BullMQ', () => ({ storage: postgresStorage({ connectionString: PG_URL, schema: `${schema}_bullmq_${++round}` }), queue: bullmqQueue({ connection: REDIS_URL, queueName: `settings${++round}`, prefix, checkDurability: false }) })],
];

describe.each(backends)('settings on %s', (_name, backend) => {
  let receiver: TestReceiver;
  let app: Hookwork | undefined;

  beforeEach(async () => {
    receiver = await startTestReceiver((_request, res) => void res.writeHead(500).end());
  });
  afterEach(async () => {
    await app?.stop();
    app = undefined;
    await receiver.close();
  });

  it('takes keys given as undefined as not given: the request goes with its headers and is dead-lettered after the retries', async () => {
    const unset = { enabled: undefined, maximumRetries: undefined, timeout: undefined, headers: { event: undefined } };
    app = createHookwork({ composers: [thingComposer, { compose: (b) => void b.settings.update(unset) }], ...backend(), settings: { ...SETTINGS, retrySchedule: [100], ...unset } });
    app.updateSettings({ maximumRetries: 1 });
    app.updateSettings(unset);
    await app.start();
    await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    const dead = next(app, 'deadLettered');
    await app.publish(new ThingHappened('a'));
    await dead;
    expect(receiver.requests.map((r) => [r.headers['hookwork-event'], r.headers['hookwork-retry-count']])).toEqual([
      ['thing.happened', '0'],
      ['thing.happened', '1'],
    ]);
  });

  it('sends nothing while disabled, also a retry falling due then; it goes once enabled again, its retry count unchanged', async () => {
    app = createHookwork({ composers: [thingComposer], ...backend(), settings: { ...SETTINGS, retrySchedule: [1000], maximumRetries: 3 } });
    await app.start();
    await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    const failed = next(app, 'attemptFailed');
    await app.publish(new ThingHappened('a'));
    await failed;
    const failedAt = Date.now();
    app.updateSettings({ enabled: false });
    // The retry was due 1 s after the failure; BullMQ's pausing Worker sent it ~1.1 s later.
    await new Promise((resolve) => setTimeout(resolve, 2500 - (Date.now() - failedAt)));
    expect(receiver.requests).toHaveLength(1);
    app.updateSettings({ enabled: true });
    const [, retry] = await receiver.waitFor(2, 10_000);
    expect(retry!.headers['hookwork-retry-count']).toBe('1');
  });
});
