import { createHookwork, memoryStorage, pollingQueue, type Logger } from '../index';
import { thingComposer } from '../testing';

/** Starts and stops an app; returns every line its logger was told at info and warn. */
async function startLines(options: Omit<Parameters<typeof createHookwork>[0], 'logger'>): Promise<{ level: string; message: string }[]> {
  const lines: { level: string; message: string }[] = [];
  const record = (level: string) => (message: string) => void lines.push({ level, message });
  const logger: Logger = { debug() {}, info: record('info'), warn: record('warn'), error: record('error') };
  const app = createHookwork({ ...options, logger });
  await app.start();
  await app.stop();
  return lines;
}

const fix = 'give a durable store: createHookwork({ storage: sqliteStorage({ file }) }) from @hookwork/sqlite, or postgresStorage({ connectionString }) from @hookwork/postgres';

describe('an app whose store keeps nothing past the process', () => {
  it('says so at start, at info, when no storage was given: webhooks, queue and log are lost on exit', async () => {
    // The app started without a word, and a new user found the webhooks gone at the first restart.
    expect(await startLines({ composers: [thingComposer] })).toEqual([{ level: 'info', message: `no storage was given: webhooks, the queue and the delivery log are kept in memory and lost when the process exits; to keep them, ${fix}` }]);
    expect(await startLines({ composers: [thingComposer], queue: pollingQueue() })).toEqual([expect.objectContaining({ level: 'info', message: expect.stringMatching(/^no storage was given/) })]);
  });

  it('names the store chosen in memory, at info', async () => {
    expect(await startLines({ composers: [thingComposer], storage: memoryStorage({ maxLogEntries: 100 }) })).toEqual([{ level: 'info', message: `the memory store keeps webhooks, the queue and the delivery log in memory, lost when the process exits; to keep them, ${fix}` }]);
  });
});
