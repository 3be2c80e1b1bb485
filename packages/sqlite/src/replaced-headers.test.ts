import { createHookwork, type Hookwork, type HookworkSettingsInput, type Logger } from '@hookwork/core';
import { thingComposer, startTestReceiver, type TestReceiver } from '@hookwork/core/testing';
import { sqliteStorage } from './sqlite-storage';
import { makeTempDir } from './testing/temp-dir';

// A webhook stored with a custom header X-Event-Name, and an app started on the same file with
// headers.event set to that name: hookwork's event header replaced the webhook's value on every
// request and nothing said so. The start names the webhook (updateSettings() does too:
// packages/core/src/management/replaced-headers.test.ts).

jest.setTimeout(30_000);

const temp = makeTempDir();
let receiver: TestReceiver;
const apps: Hookwork[] = [];
beforeAll(async () => {
  receiver = await startTestReceiver();
});
afterEach(async () => {
  for (const app of apps.splice(0)) await app.stop();
});
afterAll(async () => {
  await receiver.close();
  temp.remove();
});

async function start(settings: HookworkSettingsInput, warnings: string[] = []): Promise<Hookwork> {
  const logger: Logger = { debug: () => undefined, info: () => undefined, error: () => undefined, warn: (message) => void warnings.push(message) };
  const app = createHookwork({ composers: [thingComposer], storage: sqliteStorage({ file: temp.file('replaced.db') }), logger, settings: { ssrf: { allowInternal: false, allow: ['127.0.0.1'] }, ...settings } });
  apps.push(app);
  await app.start();
  return app;
}

it('names, at start, a stored webhook whose custom header the headers.event setting takes over', async () => {
  const before = await start({});
  await before.webhooks.create({ key: 'tenant', url: receiver.url, events: ['thing.happened'], headers: { 'X-Event-Name': 'tenant-42' } });
  await before.webhooks.create({ key: 'other', url: receiver.url, events: ['thing.happened'], headers: { 'X-Other': 'x' } });
  await apps.pop()!.stop();
  const warnings: string[] = [];
  await start({ headers: { event: 'x-event-name' } }, warnings);
  expect(warnings.filter((line) => /custom header/.test(line))).toEqual([
    "webhook tenant has the custom header X-Event-Name, the name the headers.event setting gives a header hookwork sets: hookwork's value replaces the webhook's on every request; give the setting another name, or the webhook's header (app.webhooks.update())",
  ]);
});
