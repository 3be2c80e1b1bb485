/**
 * One app instance of the "two processes sharing the database" run of postgres-bench.ts: it
 * starts a hookwork app on the given schema (delivery on, concurrency 64 like the other
 * end-to-end runs), says `started` over IPC, delivers whatever any process enqueues, and stops
 * when told. Runs as built JS (bench/dist/postgres-child.js).
 *
 *   node postgres-child.js <connectionString> <schema>
 */
import 'reflect-metadata';
import { createHookwork, WebhookEvent, WebhookEventBase, WebhookEventTypes, type Composer } from '@hookwork/core';
import { postgresStorage } from '@hookwork/postgres';

class BenchHappened {}

/** The bench's event alias; this process only delivers what another enqueued, so the payload is never built here. */
@WebhookEvent('Bench Happened', WebhookEventTypes.Other, { alias: 'bench.happened', notification: BenchHappened })
class BenchHappenedEvent extends WebhookEventBase<BenchHappened> {}

const composer: Composer = {
  compose(builder) {
    builder.webhookEvents().add(BenchHappenedEvent);
  },
};

async function main(): Promise<void> {
  const [connectionString, schema] = process.argv.slice(2);
  const app = createHookwork({
    composers: [composer],
    storage: postgresStorage({ connectionString: connectionString!, schema: schema! }),
    settings: { concurrency: { global: 64, perWebhook: 64 }, ssrf: { allowInternal: false, allow: ['127.0.0.1'] } },
  });
  await app.start();
  process.on('message', (message: { cmd: string }) => {
    if (message.cmd !== 'stop') return;
    void app.stop().then(() => {
      const cpu = process.cpuUsage();
      process.send!({ cmd: 'stopped', cpuUs: cpu.user + cpu.system }, () => process.exit(0));
    });
  });
  process.send!({ cmd: 'started' });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
