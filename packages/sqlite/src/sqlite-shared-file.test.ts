import { createHookwork, type Hookwork } from '@hookwork/core';
import { thingComposer, startTestReceiver as startReceiver, type ReceivedRequest, type TestReceiver as Receiver } from '@hookwork/core/testing';
import { openSqliteStorage, sqliteStorage } from './sqlite-storage';
import { makeTempDir } from './testing/temp-dir';

const webhookIdOf = (request: ReceivedRequest) => String(request.headers['webhook-id']);

describe('an app sharing its SQLite file with another process', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let receiver: Receiver;
  let app: Hookwork | undefined;

  beforeEach(async () => {
    temp = makeTempDir();
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await app?.stop();
    await receiver.close();
    temp.remove();
  });

  it('is woken by the store when the other process enqueues, not at the next period', async () => {
    const file = temp.file();
    // The safety sweep is an hour away: only the store's watch() can wake this app in time.
    app = createHookwork({
      composers: [thingComposer],
      storage: sqliteStorage({ file, watchIntervalMs: 20 }),
      settings: { period: '01:00:00', ssrf: { allow: ['127.0.0.1'] } },
    });
    await app.start();
    const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });

    // The other process: a bare handle on the same file, with no dispatcher of its own.
    const other = openSqliteStorage({ file });
    const now = new Date();
    await other.queue.enqueue([{ id: 'msg_from_elsewhere', webhookKey: webhook.key, eventAlias: 'thing.happened', body: '{"id":"elsewhere"}', createdAt: now, dueAt: now }]);
    await other.close();

    await receiver.waitFor(1, 20_000);
    expect(receiver.requests.map((a) => [webhookIdOf(a), JSON.parse(a.text)])).toEqual([['msg_from_elsewhere', { id: 'elsewhere' }]]);
  });
});
