import Database from 'better-sqlite3';
import { createHookwork, isHookworkError, WebhookEvent, WebhookEventBase, WebhookEventTypes, type Composer, type Hookwork, type HookworkSettingsInput } from '@hookwork/core';
import { expectKeyedPublishOfTwoBatchesKeepsBoth, expectPublishAgainAfterDropNotSent, expectPublishAgainBeforeLogEntryNotSentAgain, expectPublishResultCounts, expectRepeatedPublishEnqueuedOnce, ThingHappened, thingComposer, startTestReceiver as startReceiver, type ReceivedRequest, type TestReceiver as Receiver } from '@hookwork/core/testing';
import { sqliteStorage } from './sqlite-storage';
import { makeTempDir } from './testing/temp-dir';

class SlowThing {
  constructor(readonly id: string) {}
}

/** An event whose payload is made only once `release()` is called: a host's slow converter. */
const slowGate = { entered: () => {}, release: () => {} };

@WebhookEvent('Slow Thing', WebhookEventTypes.Other, { alias: 'slow.thing', notification: SlowThing })
class SlowThingEvent extends WebhookEventBase<SlowThing> {
  override async convertNotificationToRequestPayload(notification: SlowThing) {
    slowGate.entered();
    await new Promise<void>((resolve) => (slowGate.release = resolve));
    return { id: notification.id };
  }
}

const webhookIdOf = (request: ReceivedRequest) => String(request.headers['webhook-id']);

const settings: HookworkSettingsInput = { ssrf: { allowInternal: false, allow: ['127.0.0.1'] }, retrySchedule: [300], retryJitter: 0, period: 100, timeout: 5000, stopTimeout: 2000 };

describe('createHookwork({ storage: sqliteStorage({ file }) })', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let receiver: Receiver;
  const apps: Hookwork[] = [];
  const app = (composers: readonly Composer[] = [thingComposer]) => {
    const made = createHookwork({ composers: [...composers], settings, storage: sqliteStorage({ file: temp.file() }) });
    apps.push(made);
    return made;
  };
  /** Another app on the test's file, started (another process, or this one restarted). */
  const started = async (composers?: readonly Composer[]) => {
    const made = app(composers);
    await made.start();
    return made;
  };

  beforeEach(async () => {
    temp = makeTempDir();
    receiver = await startReceiver();
  });
  afterEach(async () => {
    for (const a of apps.splice(0)) await a.stop();
    await receiver.close();
    temp.remove();
  });

  it('drops, as the deleted webhook\'s, a request whose publish read its webhook before it was deleted and created again under its key', async () => {
    const a = createHookwork({ composers: [{ compose: (builder) => builder.webhookEvents().add(SlowThingEvent) }], settings, storage: sqliteStorage({ file: temp.file() }) });
    apps.push(a);
    await a.start();
    const old = await startReceiver();
    try {
      await a.webhooks.create({ key: 'orders', url: old.url, events: ['slow.thing'] });
      const converting = new Promise<void>((resolve) => (slowGate.entered = resolve));
      const published = a.publish(new SlowThing('made-for-the-old-one'));
      await converting;
      await a.webhooks.delete('orders');
      await a.webhooks.create({ key: 'orders', url: receiver.url, events: ['slow.thing'], secret: true });
      const dropped = new Promise<void>((resolve) => a.lifecycle.once('requestDropped', () => resolve()));
      slowGate.release();
      expect((await published).failures).toEqual([]);
      await dropped;
      await a.drain({ timeoutMs: 10_000 });
      expect(receiver.requests).toEqual([]);
      expect(old.requests).toEqual([]);
      expect((await a.logs('orders')).items.map((e) => [e.outcome, e.errorMessage])).toEqual([['dropped', expect.stringContaining('the webhook it was published for was deleted')]]);
    } finally {
      await old.close();
    }
  });

  it('counts a publish made again with its idempotencyKey as enqueued once (lifecycle event, metric), and drain() does not wait for what it skipped', async () => {
    // Each app opens the one file, as another process (or this one restarted) does.
    await expectRepeatedPublishEnqueuedOnce(() => started(), receiver);
  });

  it('enqueues in the file with an idempotencyKey what it does without one when an event enqueues twice in one publish; the repeat stores none', async () => {
    await expectKeyedPublishOfTwoBatchesKeepsBoth(started, receiver);
  });

  it('answers publish() with what it enqueued in the file: 0 when the notification matched nothing, N for one notification to N webhooks', async () => {
    await expectPublishResultCounts(() => started(), receiver);
  });

  it('skips a publish made again right after its request was delivered, before the delivery log entry is written, instead of sending it again', async () => {
    await expectPublishAgainBeforeLogEntryNotSentAgain(sqliteStorage({ file: temp.file() }));
  });

  it.each(['fails', 'absent'] as const)('skips a publish made again right after delivery when the queue’s completeAndLog %s (the entry is written before the removal)', async (completeAndLog) => {
    await expectPublishAgainBeforeLogEntryNotSentAgain(sqliteStorage({ file: temp.file() }), undefined, { completeAndLog });
  });

  it('skips a publish made again right after delivery dropped its request (its webhook replaced), instead of sending it to the new webhook', async () => {
    await expectPublishAgainAfterDropNotSent(sqliteStorage({ file: temp.file() }));
  });

  it('skips a publish made again right after the webhook’s deletion removed its request (the webhook created again under its key)', async () => {
    await expectPublishAgainAfterDropNotSent(sqliteStorage({ file: temp.file() }), 'deletion');
  });

  it('delivers while a host publishes 10,000 notifications in a loop, not only after the loop', async () => {
    const a = app();
    await a.start();
    await a.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    for (let i = 0; i < 10_000; i++) await a.publish(new ThingHappened(`n${i}`));
    // better-sqlite3 enqueues without I/O: without a turn of the event loop now and then, this was 0.
    expect(receiver.requests.length).toBeGreaterThan(0);
  });

  it('delivers, and keeps webhooks, logs and queued retries across a restart on the same file', async () => {
    const first = app();
    await first.start();
    const webhook = await first.webhooks.create({ url: receiver.url, events: ['thing.happened'], secret: true });
    await first.publish(new ThingHappened('one'));
    await first.drain({ timeoutMs: 10_000 });
    expect(receiver.requests.map((a) => JSON.parse(a.text))).toEqual([{ id: 'one' }]);
    expect(await first.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });

    // The receiver fails the next one: it is rescheduled (due in 300 ms) when the app stops.
    receiver.handler = (_a, res) => void res.writeHead(500).end('down');
    await first.publish(new ThingHappened('two'));
    await receiver.waitFor(2, 20_000);
    await first.stop();

    receiver.handler = (_a, res) => void res.writeHead(200).end('ok');
    const second = app();
    await second.start();
    expect((await second.webhooks.get(webhook.key))!.url).toBe(receiver.url);
    expect((await second.webhooks.get(webhook.key))!.secrets).toHaveLength(1);
    await second.drain({ all: true, timeoutMs: 10_000 });
    expect(receiver.requests.map((a) => JSON.parse(a.text).id)).toEqual(['one', 'two', 'two']);
    // The retry kept its webhook-id across the restart.
    expect(webhookIdOf(receiver.requests[2]!)).toBe(webhookIdOf(receiver.requests[1]!));
    expect(receiver.requests[2]!.headers['hookwork-retry-count']).toBe('1');
    const log = await second.logs(webhook.key);
    expect(log.items.map((e) => [JSON.parse(e.requestBody).id, e.outcome])).toEqual([
      ['two', 'delivered'],
      ['two', 'retrying'],
      ['one', 'delivered'],
    ]);
    expect(await second.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
  });

  it('a drain under way when stop() closes the file ends with HOOKWORK_ERR_APP_STOPPED, not a store failure', async () => {
    const a = app();
    await a.start();
    a.updateSettings({ retrySchedule: [3_600_000] });
    receiver.handler = (_a, res) => void res.writeHead(500).end('down');
    await a.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    await a.publish(new ThingHappened('retried in an hour'));
    await receiver.waitFor(1);
    const drained = a.drain({ timeoutMs: 3_000 }).then(() => 'resolved', (error: Error) => error.message);
    await a.stop();
    expect(await drained).toMatch(/^HOOKWORK_ERR_APP_STOPPED: the app was stopped while drain\(\) waited \(last look: 1 of this app's requests is not settled\)/);
  });

  it('a store failure while publish looks the webhooks up rejects with HOOKWORK_ERR_ENQUEUE_FAILED, as a failed enqueue does', async () => {
    const file = temp.file();
    const a = createHookwork({ composers: [thingComposer], settings, storage: sqliteStorage({ file }) });
    apps.push(a);
    await a.start();
    await a.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    // Another program breaks the file under the app: the alias index it looks webhooks up in is gone.
    const other = new Database(file);
    other.exec('DROP TABLE hookwork_webhook_events');
    other.close();
    const error = await a.publish(new ThingHappened('broken')).then(() => undefined, (e: unknown) => e);
    expect(isHookworkError(error, 'HOOKWORK_ERR_ENQUEUE_FAILED')).toBe(true);
    expect((error as Error).message).toMatch(/nothing was enqueued for thing\.happened: the store failed .*looking up webhooks of thing\.happened/);
    expect(isHookworkError((error as Error).cause, 'HOOKWORK_ERR_STORAGE')).toBe(true);
    expect(await a.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
  });

  it('start() fails with the coded open error of the store', async () => {
    const broken = createHookwork({ composers: [thingComposer], settings, storage: sqliteStorage({ file: temp.file('missing/dir/hookwork.db') }) });
    await expect(broken.start()).rejects.toMatchObject({ code: 'HOOKWORK_ERR_STORAGE_OPEN_FAILED' });
  });
});

describe('createHookwork({ storage: sqliteStorage({ file }) }) at start', () => {
  it('says nothing of a store in memory: what it keeps lasts', async () => {
    const temp = makeTempDir();
    const lines: string[] = [];
    const write = (message: string) => void lines.push(message);
    const app = createHookwork({ composers: [thingComposer], storage: sqliteStorage({ file: temp.file('hookwork.db') }), logger: { debug() {}, info: write, warn: write, error: write } });
    try {
      await app.start();
      await app.stop();
      expect(lines.filter((line) => /in memory|no storage/.test(line))).toEqual([]);
      expect(lines).toEqual([expect.stringMatching(/^opened the SQLite store/)]);
    } finally {
      temp.remove();
    }
  });

  it("says that SQLite's :memory: keeps what it stores only while the process runs, as the memory store does", async () => {
    const lines: string[] = [];
    const write = (message: string) => void lines.push(message);
    const app = createHookwork({ composers: [thingComposer], storage: sqliteStorage({ file: ':memory:' }), logger: { debug() {}, info: write, warn: write, error: write } });
    await app.start();
    await app.stop();
    expect(lines.filter((line) => /in memory, lost when the process exits/.test(line))).toEqual([expect.stringMatching(/^the sqlite store keeps webhooks, the queue and the delivery log in memory/)]);
  });
});
