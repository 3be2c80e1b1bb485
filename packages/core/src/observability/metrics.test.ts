import type { Hookwork } from '../composition/hookwork-app';
import type { RequestQueue } from '../ports/request-queue';
import type { StorageBackend } from '../ports/storage-backend';
import { memoryStorage } from '../storage/memory/memory-storage';
import { startTestReceiver, type TestReceiver } from '../testing/test-receiver';
import { startTestApp, ThingHappened } from '../test-support/test-app';
import type { HoldReason } from '../delivery/health/health-policy';
import { DEFERRAL_REASON_LABELS, DEFERRAL_REASONS, DROP_REASON_LABELS, DROP_REASONS } from './metrics';
import { DROP_REASON } from './drop-reasons';
import { expectFailureCounters, FAILURE_COUNTERS_SETTINGS } from '../testing/failure-counters-check';
import { thingComposer as testingThingComposer } from '../testing/thing-event';
import { OPERATOR_EVENT_TYPES } from './operator-events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHookwork } from '../composition/create-hookwork';

/** The samples of a Prometheus text exposition: `name{label="v",…} value` lines, keyed by name and sorted labels. */
function parseExposition(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels = (match[2] ?? '')
      .split(/,(?=[a-zA-Z_]+=")/)
      .filter(Boolean)
      .sort()
      .join(',');
    samples.set(labels ? `${match[1]}{${labels}}` : match[1]!, Number(match[3]));
  }
  return samples;
}

/** The `| \`name\` | type … |` rows of a markdown metrics table, as name → type (the type column's first word). */
function documentedMetrics(markdown: string): Map<string, string> {
  return new Map([...markdown.matchAll(/^\| `(hookwork_[a-z_]+)` \| (\w+)/gm)].map((m) => [m[1]!, m[2]!]));
}

describe('Prometheus metrics', () => {
  let receiver: TestReceiver;
  let app: Hookwork | undefined;

  beforeEach(async () => {
    receiver = await startTestReceiver();
  });
  afterEach(async () => {
    await app?.stop();
    app = undefined;
    await receiver.close();
  });

  it('docs/health.md and the TSDoc of HookworkMetrics list every metric the registry holds, with its type, and no other', async () => {
    const held = new Map((await createHookwork().metrics.registry.getMetricsAsJSON()).map((m) => [m.name, String(m.type)]));
    const health = readFileSync(join(__dirname, '../../../../docs/health.md'), 'utf8');
    const section = health.slice(health.indexOf('## Metrics'), health.indexOf('\n## ', health.indexOf('## Metrics') + 1));
    expect(documentedMetrics(section)).toEqual(held);
    expect(documentedMetrics(readFileSync(join(__dirname, 'metrics.ts'), 'utf8').replace(/^ \* /gm, ''))).toEqual(held);
  });

  it('counts a webhook event that failed on a publish — its webhooks got nothing, so no other metric moves — from 0', async () => {
    app = await startTestApp();
    expect(parseExposition((await app.metrics.scrape()).text).get('hookwork_handler_failures_total')).toBe(0);
    await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    // A Map in the payload: JSON would send it as {}, so the event fails (HOOKWORK_ERR_PAYLOAD_NOT_SERIALIZABLE).
    const result = await app.publish(new ThingHappened('t1', { tags: new Map([['a', 1]]) }));
    expect(result.failures).toHaveLength(1);
    await app.publish(new ThingHappened('t2'));
    await app.drain();
    const samples = parseExposition((await app.metrics.scrape()).text);
    expect(samples.get('hookwork_handler_failures_total')).toBe(1);
    expect(samples.get('hookwork_requests_enqueued_total')).toBe(1);
  });

  it('counts a known run: attempts by outcome and status class, durations, latency, queue depth, breaker states, operator events', async () => {
    app = await startTestApp({ settings: { retrySchedule: [20], retryClientErrors: false, breaker: { failureThreshold: 3 } } });
    let bFailed = false;
    receiver.handler = (request, res) => {
      if (request.path === '/c') res.statusCode = 400;
      else if (request.path === '/b' && !bFailed) {
        bFailed = true;
        res.statusCode = 503;
      }
      res.end();
    };
    await app.webhooks.create({ key: 'a', url: `${receiver.origin}/a`, events: ['thing.happened'] });
    await app.webhooks.create({ key: 'b', url: `${receiver.origin}/b`, events: ['thing.happened'] });
    await app.webhooks.create({ key: 'c', url: `${receiver.origin}/c`, events: ['thing.happened'] });
    for (let i = 0; i < 3; i++) await app.publish(new ThingHappened(`m${i}`));
    await app.drain();

    const scrape = await app.metrics.scrape();
    expect(scrape.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    const samples = parseExposition(scrape.text);
    const sample = (key: string) => samples.get(key);
    expect(sample('hookwork_attempts_total{outcome="delivered",status_class="2xx"}')).toBe(6);
    expect(sample('hookwork_attempts_total{outcome="retrying",status_class="5xx"}')).toBe(1);
    expect(sample('hookwork_attempts_total{outcome="dead",status_class="4xx"}')).toBe(3);
    expect(sample('hookwork_attempt_duration_seconds_count{outcome="delivered"}')).toBe(6);
    expect(sample('hookwork_attempt_duration_seconds_count{outcome="dead"}')).toBe(3);
    expect(sample('hookwork_attempt_duration_seconds_bucket{le="+Inf",outcome="retrying"}')).toBe(1);
    expect(sample('hookwork_delivery_latency_seconds_count')).toBe(6);
    expect(sample('hookwork_delivery_latency_seconds_sum')).toBeGreaterThan(0);
    expect(sample('hookwork_requests_enqueued_total')).toBe(9);
    expect(sample('hookwork_queue_requests{state="pending"}')).toBe(0);
    expect(sample('hookwork_queue_requests{state="inflight"}')).toBe(0);
    expect(sample('hookwork_queue_requests{state="dead"}')).toBe(3);
    expect(sample('hookwork_queue_oldest_pending_age_seconds')).toBe(0);
    // c failed three times in a row (open); b failed once and recovered (closed: no longer failing,
    // no series); a never failed (no record).
    expect(sample('hookwork_breaker_state{webhook="c"}')).toBe(1);
    expect(samples.has('hookwork_breaker_state{webhook="b"}')).toBe(false);
    expect(samples.has('hookwork_breaker_state{webhook="a"}')).toBe(false);
    expect(sample('hookwork_operator_events_total{type="request.exhausted"}')).toBe(3);
    expect(sample('hookwork_operator_events_total{type="breaker.opened"}')).toBe(1);
  });

  it('serves every operator event type and deferral reason from 0, so that increase() sees the first of each', async () => {
    // Prometheus's increase() and rate() need a sample before the first increment: a series born
    // at 1 (the first webhook.disabled of a process, often its only one) read as no increase.
    const everyHoldReason: Record<HoldReason, true> = { 'breaker open': true, 'probe in flight': true, 'rate limit': true, 'receiver asked to wait (Retry-After)': true, 'webhook disabled': true };
    expect(Object.keys(DEFERRAL_REASON_LABELS).sort()).toEqual(Object.keys(everyHoldReason).sort());
    expect([...DEFERRAL_REASONS].sort()).toEqual([...Object.values(DEFERRAL_REASON_LABELS), 'other'].sort());
    app = await startTestApp();
    receiver.handler = (_request, res) => void res.writeHead(410).end();
    const before = parseExposition((await app.metrics.scrape()).text);
    for (const type of OPERATOR_EVENT_TYPES) expect([type, before.get(`hookwork_operator_events_total{type="${type}"}`)]).toEqual([type, 0]);
    for (const reason of DEFERRAL_REASONS) expect([reason, before.get(`hookwork_requests_deferred_total{reason="${reason}"}`)]).toEqual([reason, 0]);

    const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    const disabled = new Promise((resolve) => app!.lifecycle.once('webhookDisabled', resolve));
    await app.publish(new ThingHappened('gone'));
    await disabled;
    const after = parseExposition((await app.metrics.scrape()).text);
    expect(after.get('hookwork_operator_events_total{type="webhook.disabled"}')).toBe(1);
    expect(after.get('hookwork_operator_events_total{type="breaker.opened"}')).toBe(0);
    expect((await app.webhooks.get(webhook.key))?.enabled).toBe(false);
  });

  it('labels deferrals with a bounded set of snake_case reasons: a reason told in words is mapped, one it does not know is other', async () => {
    // The reasons were the lifecycle's words ("receiver asked to wait (Retry-After)"), spaces and
    // brackets in a label value, and any reason an engine told made a series of its own.
    for (const reason of DEFERRAL_REASONS) expect(reason).toMatch(/^[a-z]+(_[a-z]+)*$/);
    app = await startTestApp();
    const emitter = app.lifecycle;
    const request = { requestId: 'r', webhookKey: 'w', eventAlias: 'thing.happened', dueAt: new Date() };
    emitter.emit('requestDeferred', { ...request, reason: 'breaker open' });
    emitter.emit('requestDeferred', { ...request, reason: 'an engine\'s own words, told once per request 123' });
    const samples = parseExposition((await app.metrics.scrape()).text);
    expect(samples.get('hookwork_requests_deferred_total{reason="breaker_open"}')).toBe(1);
    expect(samples.get('hookwork_requests_deferred_total{reason="other"}')).toBe(1);
    expect([...samples.keys()].filter((name) => name.startsWith('hookwork_requests_deferred_total{')).sort()).toEqual(DEFERRAL_REASONS.map((reason) => `hookwork_requests_deferred_total{reason="${reason}"}`).sort());
  });

  it('counts requests dropped on the memory store: by the deletion (webhook_deleted), and by delivery meeting one whose webhook was deleted and created again meanwhile (webhook_recreated)', async () => {
    app = await startTestApp({ settings: { retrySchedule: [60_000] } });
    const dropped = (reason: string) => parseExposition(readText).get(`hookwork_requests_dropped_total{reason="${reason}"}`);
    let readText = (await app.metrics.scrape()).text;
    for (const reason of DROP_REASONS) expect([reason, dropped(reason)]).toEqual([reason, 0]);
    // In flight while its webhook is deleted and created again under the key: its 503 decides
    // nothing (another webhook now), and delivery drops it rather than send it to the new one.
    let answer!: () => void;
    receiver.handler = (_request, res) => void (answer = () => res.writeHead(503).end());
    await app.webhooks.create({ key: 'k', url: receiver.url, events: ['thing.happened'] });
    await app.publish(new ThingHappened('in flight across the deletion'));
    await receiver.waitFor(1);
    expect(await app.webhooks.delete('k')).toBe(true);
    await app.webhooks.create({ key: 'k', url: receiver.url, events: ['thing.happened'] });
    const told = new Promise((resolve) => app!.lifecycle.once('requestDropped', resolve));
    answer();
    expect(await told).toMatchObject({ webhookKey: 'k', reason: DROP_REASON.recreated });
    // Pending (failed once, its retry a minute away) when its webhook is deleted: the deletion drops it.
    receiver.handler = (_request, res) => void res.writeHead(503).end();
    const pending = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    await app.publish(new ThingHappened('pending at the deletion'));
    // Two: the new webhook k's and this one's.
    await receiver.waitFor(3);
    while ((await app.management.queueCounts()).inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    await app.webhooks.delete(pending.key);
    readText = (await app.metrics.scrape()).text;
    expect(DROP_REASONS.map((reason) => [reason, dropped(reason)])).toEqual([['webhook_deleted', 1], ['webhook_recreated', 1], ['other', 0]]);
  });

  it('labels drops with a bounded set of snake_case reasons: every reason core tells is mapped, one it does not know is other', async () => {
    expect(Object.keys(DROP_REASON_LABELS).sort()).toEqual(Object.values(DROP_REASON).sort());
    expect([...DROP_REASONS].sort()).toEqual([...Object.values(DROP_REASON_LABELS), 'other'].sort());
    for (const reason of DROP_REASONS) expect(reason).toMatch(/^[a-z]+(_[a-z]+)*$/);
    app = await startTestApp();
    app.lifecycle.emit('requestDropped', { requestId: 'r', webhookKey: 'w', eventAlias: 'thing.happened', reason: 'an engine\'s own words about request 123' });
    expect(parseExposition((await app.metrics.scrape()).text).get('hookwork_requests_dropped_total{reason="other"}')).toBe(1);
  });

  it('keeps the failure counters of two apps in one process apart', async () => {
    // The three run against the memory store with its writes refused by a wrapper (the memory store
    // cannot fail on its own); SQLite, PostgreSQL and BullMQ run the same check with real refusals.
    const made: Hookwork[] = [];
    const bystander = await startTestApp();
    made.push(bystander);
    try {
      await expectFailureCounters(async () => {
        let refuseLog = false;
        let refuseHealth = false;
        const memory = memoryStorage();
        const refusing: StorageBackend = {
          ...memory,
          async open(context) {
            const storage = await memory.open(context);
            const refused = (what: string) => Promise.reject(new Error(`the test refuses ${what}`));
            const deliveryLog = new Proxy(storage.deliveryLog, { get: (target, key) => (key === 'append' && refuseLog ? () => refused('delivery log writes') : Reflect.get(target, key)) });
            const health = storage.health && new Proxy(storage.health, { get: (target, key) => (typeof key === 'string' && /^(compareAndSet|update)$/.test(key) && refuseHealth ? () => refused('health writes') : Reflect.get(target, key)) });
            // Without the queue's writes of log entries with completions and discards, which go to
            // the memory log past the wrapper: every entry goes through the log's append.
            const combined = new Set<PropertyKey>(['completeAndLog', 'discardAndLog', 'logsWithCompletion']);
            const queue = new Proxy(storage.queue, { get: (target, key) => (combined.has(key) ? undefined : Reflect.get(target, key)) }) as RequestQueue;
            return { ...storage, queue, deliveryLog, ...(health ? { health } : {}), close: () => storage.close() };
          },
        };
        // The check publishes @hookwork/core/testing's ThingHappened.
        const started = await startTestApp({ composers: [testingThingComposer], storage: refusing, settings: FAILURE_COUNTERS_SETTINGS });
        made.push(started);
        return { app: started, faults: { refuseLogWrites: async () => void (refuseLog = true), refuseHealthWrites: async () => void (refuseHealth = true) } };
      });
      const untouched = parseExposition((await bystander.metrics.scrape()).text);
      expect(['hookwork_requests_dropped_total{reason="webhook_deleted"}', 'hookwork_background_errors_total', 'hookwork_delivery_log_write_failures_total'].map((name) => untouched.get(name))).toEqual([0, 0, 0]);
    } finally {
      for (const one of made) await one.stop();
    }
  });

  it('shows the age of the oldest pending request and what was held back, and keeps each app\'s metrics apart', async () => {
    app = await startTestApp({ settings: { retrySchedule: [60_000] } });
    const other = await startTestApp();
    try {
      receiver.handler = (request, res) => {
        if (request.path === '/retry') res.writeHead(503).end();
        else res.writeHead(429, { 'retry-after': '60' }).end();
      };
      await app.webhooks.create({ url: `${receiver.origin}/retry`, events: ['thing.happened'] });
      const throttled = await app.webhooks.create({ url: `${receiver.origin}/throttled`, events: ['thing.happened'] });
      expect(parseExposition((await app.metrics.scrape()).text).get('hookwork_queue_oldest_pending_age_seconds')).toBe(0);
      await app.publish(new ThingHappened('first'));
      await receiver.waitFor(2);
      while (!(await app.health(throttled.key)).pausedUntil) await new Promise((resolve) => setTimeout(resolve, 10));
      // The throttled webhook asked for 60 s: its next request is held, not attempted.
      const held = new Promise((resolve) => app!.lifecycle.once('requestDeferred', resolve));
      await app.publish(new ThingHappened('second'));
      await held;
      await new Promise((resolve) => setTimeout(resolve, 600));
      const samples = parseExposition((await app.metrics.scrape()).text);
      expect(samples.get('hookwork_queue_oldest_pending_age_seconds')).toBeGreaterThanOrEqual(0.5);
      expect(samples.get('hookwork_queue_requests{state="pending"}')).toBe(4);
      expect(samples.get('hookwork_requests_deferred_total{reason="retry_after"}')).toBe(1);
      // The failing webhook has a series (closed: one failure); the throttled one, paused by a 429
      // but never failed, has none.
      expect([...samples.keys()].filter((key) => key.startsWith('hookwork_breaker_state{'))).toEqual([expect.not.stringContaining(throttled.key)]);
      expect(parseExposition((await other.metrics.scrape()).text).get('hookwork_requests_enqueued_total')).toBe(0);
    } finally {
      await other.stop();
    }
  });

  it('gives no oldest-pending age, rather than 0, when the queue cannot tell it or the app is stopped', async () => {
    // A queue without the optional oldestPendingCreatedAt() (a third-party store's; BullMQ's
    // engine has none either) read as 0, "nothing waits", however long requests waited.
    const memory = memoryStorage();
    const withoutOldest: StorageBackend = {
      ...memory,
      async open(context) {
        const storage = await memory.open(context);
        const queue = new Proxy(storage.queue, { get: (target, key) => (key === 'oldestPendingCreatedAt' ? undefined : Reflect.get(target, key)) }) as RequestQueue;
        return { ...storage, queue, close: () => storage.close() };
      },
    };
    app = await startTestApp({ storage: withoutOldest, settings: { retrySchedule: [60_000] } });
    receiver.handler = (_request, res) => void res.writeHead(503).end();
    await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    await app.publish(new ThingHappened('waits'));
    await receiver.waitFor(1);
    while ((await app.management.queueCounts()).inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const samples = parseExposition((await app.metrics.scrape()).text);
    expect(samples.get('hookwork_queue_requests{state="pending"}')).toBe(1);
    expect(samples.has('hookwork_queue_oldest_pending_age_seconds')).toBe(false);
    await app.stop();
    expect(parseExposition((await app.metrics.scrape()).text).has('hookwork_queue_oldest_pending_age_seconds')).toBe(false);
    app = undefined;
  });
});
