import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTraceState, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createHookwork, type Hookwork } from '@hookwork/core';
import { ThingHappened, thingComposer, startTestReceiver, type TestReceiver } from '@hookwork/core/testing';
import { sqliteStorage } from '@hookwork/sqlite';
import { bullmqQueue } from './bullmq-queue';
import { deleteKeys, TEST_REDIS_URL, uniquePrefix } from './testing/redis-test';

const prefix = uniquePrefix('trace');

describe('tracing on BullMQ', () => {
  let dir: string;
  let receiver: TestReceiver;
  let app: Hookwork | undefined;
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hookwork-bullmq-trace-'));
    receiver = await startTestReceiver();
  });
  afterEach(async () => {
    await app?.stop();
    app = undefined;
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });
  afterAll(async () => {
    await deleteKeys(prefix);
  });

  it("keeps the publish's traceparent and tracestate in the job: each attempt, a retry's too, links to the enqueue span with its vendors' state", async () => {
    app = createHookwork({
      composers: [thingComposer],
      tracerProvider: provider,
      settings: { ssrf: { allow: ['127.0.0.1'] }, retrySchedule: [50], retryJitter: 0, period: 500, timeout: 5000, stopTimeout: 1000 },
      storage: sqliteStorage({ file: join(dir, 'trace.db') }),
      queue: bullmqQueue({ connection: TEST_REDIS_URL, prefix, queueName: 'traced', checkDurability: false }),
    });
    await app.start();
    receiver.handler = (_r, res, index) => {
      res.statusCode = index === 0 ? 503 : 200;
      res.end();
    };
    await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    const tracestate = 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE';
    const remote = trace.wrapSpanContext({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED, isRemote: true, traceState: createTraceState(tracestate) });
    await app.publish(new ThingHappened('stated'), { traceContext: trace.setSpan(ROOT_CONTEXT, remote) });
    await app.drain();
    const enqueue = exporter.getFinishedSpans().find((s) => s.name === 'hookwork.enqueue')!;
    const attempts = exporter.getFinishedSpans().filter((s) => s.name === 'POST');
    expect(attempts).toHaveLength(2);
    for (const attempt of attempts) {
      expect(attempt.links.map((l) => ({ spanId: l.context.spanId, tracestate: l.context.traceState?.serialize() }))).toEqual([{ spanId: enqueue.spanContext().spanId, tracestate }]);
    }
  });
});
