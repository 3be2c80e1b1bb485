import type { Hookwork } from '../../composition/hookwork-app';
import type { Storage, StorageBackend } from '../../ports/storage-backend';
import { WebhookHealthStoreToken } from '../../ports/webhook-health-store';
import { resolveToken } from '../../runtime/tokens';
import type { HookworkSettingsInput } from '../../settings/settings';
import { memoryStorage } from '../../storage/memory/memory-storage';
import { startTestReceiver, type TestReceiver } from '../../testing/test-receiver';
import { nextLifecycle, startTestApp, ThingHappened } from '../../test-support/test-app';

/**
 * A webhook moved to another URL starts with no health (docs/health.md), but the forgetting is a
 * write of its own after the webhook's: when it fails (or the process is killed in between), the
 * health of the old receiver stayed and was read as the new one's — an hour's pause, or an open
 * breaker, held the new receiver's requests. Now each state names the receiver it judges, and one
 * of another receiver is read as none. (The kill is tested on SQLite: packages/sqlite/src/moved-receiver.test.ts.)
 */
let oldReceiver: TestReceiver;
let newReceiver: TestReceiver;
let app: Hookwork | undefined;
let failForget: boolean;

/** Memory storage whose health store's `delete` (the forgetting) fails while `failForget` is set. */
function storageWithFailingForget(): StorageBackend {
  const backend = memoryStorage();
  return {
    ...backend,
    async open(context): Promise<Storage> {
      const storage = await backend.open(context);
      const health = storage.health!;
      const remove = health.delete.bind(health);
      health.delete = async (key) => {
        if (failForget) throw new Error('the store is unreachable');
        return remove(key);
      };
      return storage;
    },
  };
}

beforeEach(async () => {
  failForget = false;
  newReceiver = await startTestReceiver();
});
afterEach(async () => {
  await app?.stop();
  app = undefined;
  await oldReceiver.close();
  await newReceiver.close();
});

async function movedWhileForgetFails(answer: { status: number; headers?: Record<string, string> }, settings: HookworkSettingsInput): Promise<void> {
  oldReceiver = await startTestReceiver((_request, res) => void res.writeHead(answer.status, answer.headers ?? {}).end());
  app = await startTestApp({ storage: storageWithFailingForget(), settings: { maximumRetries: 5, retrySchedule: [3_600_000], ...settings } });
  const { key } = await app.webhooks.create({ url: oldReceiver.url, events: ['thing.happened'] });
  const failed = nextLifecycle(app, 'attemptFailed');
  await app.publish(new ThingHappened('to the old receiver'));
  await failed;
  expect(await app.health(key)).not.toEqual({ webhookKey: key, breaker: 'closed', consecutiveFailures: 0 });

  failForget = true;
  // The change is stored, so the update resolves (it rejected, though the webhook had moved); the failure is a background error.
  const told = nextLifecycle(app, 'backgroundError');
  await expect(app.webhooks.update(key, { url: newReceiver.url })).resolves.toMatchObject({ url: newReceiver.url });
  expect(await told).toMatchObject({ task: `forgetting the health of webhook ${key}, moved to another URL` });
  expect((await app.webhooks.get(key))?.url).toBe(newReceiver.url);

  expect(await app.health(key)).toEqual({ webhookKey: key, breaker: 'closed', consecutiveFailures: 0 });
  await app.publish(new ThingHappened('to the new receiver'));
  const [received] = await newReceiver.waitFor(1, 5_000);
  expect(JSON.parse(received!.text)).toMatchObject({ id: 'to the new receiver' });
  expect(oldReceiver.requests).toHaveLength(1);
}

it("a webhook moved away from a receiver that asked for an hour's pause, its health not forgotten (the store failed), sends to the new URL at once", async () => {
  await movedWhileForgetFails({ status: 429, headers: { 'retry-after': '3600' } }, {});
});

it('a webhook moved away from a receiver whose failures opened its breaker for an hour, its health not forgotten (the store failed), sends to the new URL at once', async () => {
  await movedWhileForgetFails({ status: 503 }, { breaker: { failureThreshold: 1, coolDown: 3_600_000 } });
});

it("a webhook moved away from a receiver failing for longer than autoDisable.after, its health not forgotten (the store failed), is not disabled by its first failure at the new URL", async () => {
  oldReceiver = await startTestReceiver((_request, res) => void res.writeHead(503).end());
  app = await startTestApp({ storage: storageWithFailingForget(), settings: { breaker: { enabled: false }, maximumRetries: 5, retrySchedule: [3_600_000] } });
  const disabled: string[] = [];
  app.lifecycle.on('webhookDisabled', (event) => disabled.push(event.webhookKey));
  const { key } = await app.webhooks.create({ url: oldReceiver.url, events: ['thing.happened'] });
  const failed = nextLifecycle(app, 'attemptFailed');
  await app.publish(new ThingHappened('to the old receiver'));
  await failed;
  // The old receiver has been failing for six days (autoDisable.after: five), as hookwork stored it.
  const store = resolveToken(app.container, WebhookHealthStoreToken);
  const stored = (await store.get(key))!;
  expect(await store.compareAndSet(key, stored.version, { ...stored.state, failingSince: Date.now() - 6 * 24 * 3_600_000 })).toBeDefined();

  failForget = true;
  // The change is stored, so the update resolves (it rejected, though the webhook had moved); the failure is a background error.
  const told = nextLifecycle(app, 'backgroundError');
  await expect(app.webhooks.update(key, { url: newReceiver.url })).resolves.toMatchObject({ url: newReceiver.url });
  expect(await told).toMatchObject({ task: `forgetting the health of webhook ${key}, moved to another URL` });
  // The new receiver fails once, then answers.
  newReceiver.handler = (_request, res, index) => void res.writeHead(index === 0 ? 503 : 200).end();
  const failedThere = nextLifecycle(app, 'attemptFailed');
  await app.publish(new ThingHappened('fails at the new receiver'));
  await failedThere;
  await app.publish(new ThingHappened('delivered at the new receiver'));
  await newReceiver.waitFor(2, 5_000);
  expect(disabled).toEqual([]);
  expect((await app.webhooks.get(key))?.enabled).toBe(true);
});
