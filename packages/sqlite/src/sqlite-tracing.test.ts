import { createTraceState, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createHookwork, type Hookwork } from '@hookwork/core';
import { ThingHappened, thingComposer, startTestReceiver, type TestReceiver } from '@hookwork/core/testing';
import { sqliteStorage } from './sqlite-storage';
import { makeTempDir } from './testing/temp-dir';

describe('tracing on SQLite', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let receiver: TestReceiver;
  let app: Hookwork | undefined;
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

  beforeEach(async () => {
    temp = makeTempDir();
    receiver = await startTestReceiver();
  });
  afterEach(async () => {
    await app?.stop();
    app = undefined;
    await receiver.close();
    temp.remove();
  });

  it("keeps the publish's tracestate in the stored request: a retry's attempt, claimed from the file, links to the enqueue span with it", async () => {
    app = createHookwork({
      composers: [thingComposer],
      tracerProvider: provider,
      settings: { ssrf: { allowInternal: false, allow: ['127.0.0.1'] }, retrySchedule: [20], retryJitter: 0, period: 100, timeout: 5000, stopTimeout: 2000 },
      storage: sqliteStorage({ file: temp.file() }),
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
