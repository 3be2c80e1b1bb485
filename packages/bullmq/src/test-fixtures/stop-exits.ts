/**
 * A separate process running an app on a redis-server of its own that it takes away, for
 * stop-exits.test.ts: what the test watches is whether `await app.stop()` leaves anything that
 * keeps the process up (a socket, a timer), as a host's SIGTERM handler would do it, and whether
 * the process then ends by itself. Runs as built JS (dist/test-fixtures/stop-exits.js); prints
 * JSON lines, the last `{ type: 'stopped', left }`: what still kept the process up once stop()
 * had resolved (process.getActiveResourcesInfo(), its own stdio left out).
 *
 *   node stop-exits.js down             Redis killed while the app idles; stopped while it is away
 *   node stop-exits.js down-in-flight   Redis killed with an attempt running; its completion waits for Redis as the app stops
 *   node stop-exits.js back-empty       Redis killed with an attempt running and restarted without its data; stopped after
 *   node stop-exits.js full             Redis full (maxmemory, noeviction): the Worker's stalled-job check refused; stopped then
 */
import 'reflect-metadata';
import { createHookwork, type Logger } from '@hookwork/core';
import { Redis } from 'ioredis';
import { reportLine as emit, startTestReceiver, ThingHappened, thingComposer } from '@hookwork/core/testing';
import { bullmqQueue } from '../bullmq-queue';
import { fillRedis, startPrivateRedis, type PrivateRedis } from '../testing/private-redis';
import { reconnected } from '../testing/redis-test';

const scenario = process.argv[2];
/** What a process's own standard streams show as (they do not keep it up). */
const STDIO = new Set(['PipeWrap', 'TTYWrap']);

async function until(what: string, condition: () => boolean): Promise<void> {
  for (const deadline = Date.now() + 20_000; !condition(); ) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function main(server: PrivateRedis): Promise<void> {
  const receiver = await startTestReceiver();
  const held: Array<() => void> = [];
  receiver.handler = (_request, res) => void held.push(() => res.writeHead(204).end());
  const errors: string[] = [];
  const quiet = () => {};
  const logger: Logger = { debug: quiet, info: quiet, warn: quiet, error: (message) => void errors.push(message) };
  const app = createHookwork({
    composers: [thingComposer],
    logger,
    settings: { ssrf: { allow: ['127.0.0.1'] }, stopTimeout: 1000, ...(scenario === 'full' ? { leaseDuration: 2000 } : {}) },
    queue: bullmqQueue({ connection: server.url, prefix: 'stop-exits', queueName: 'stop-exits', checkDurability: false }),
  });
  await app.start();
  await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
  if (scenario === 'full') {
    const admin = new Redis(server.url, { disconnectTimeout: 0 });
    await fillRedis(admin);
    admin.disconnect();
    await app.publish(new ThingHappened('refused')).catch(() => undefined);
    // The stalled-job check (every second with this lease) refused: BullMQ pauses its loop 5 s.
    await until("the Worker's refused call to be logged", () => errors.some((line) => /bullmq worker failed.*Redis is full/.test(line)));
  } else {
    if (scenario !== 'down') {
      await app.publish(new ThingHappened('in-flight'));
      await receiver.waitFor(1);
    }
    await server.kill('SIGKILL');
    if (scenario === 'back-empty') {
      await server.restart();
      for (const answer of held.splice(0)) answer();
      await reconnected(app, 20_000);
    } else {
      // The attempt's completion, if any, waits in the worker connection's queue for Redis.
      for (const answer of held.splice(0)) answer();
      await until('the outage to be logged', () => errors.some((line) => /HOOKWORK_ERR_REDIS_UNAVAILABLE/.test(line)));
    }
  }
  await app.stop();
  await receiver.close();
  // Sockets closed by a QUIT Redis answered end a moment after it: looked at once they have
  // (and from an immediate, once this wait's own timer is done).
  await new Promise((resolve) => setTimeout(resolve, 200));
  await new Promise((resolve) => setImmediate(resolve));
  emit({ type: 'stopped', left: process.getActiveResourcesInfo().filter((type) => !STDIO.has(type)) });
}

void startPrivateRedis(scenario === 'full' ? { 'maxmemory-policy': 'noeviction' } : {}).then(async (server) => {
  try {
    await main(server);
  } catch (error) {
    emit({ type: 'error', message: (error as Error).message });
    process.exitCode = 1;
  } finally {
    await server.remove();
  }
});
