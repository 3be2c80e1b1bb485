/// <reference types="jest" />
import { createHookwork } from '../composition/create-hookwork';
import type { Hookwork } from '../composition/hookwork-app';
import { isHookworkError } from '../errors/hookwork-error';
import { silentLogger } from '../observability/logger';
import type { QueueEngineProvider } from '../ports/queue-engine';
import type { StorageBackend } from '../ports/storage-backend';
import { withSubject, type ContractFactory, requireJestGlobals } from './contract-subject';
import { startTestReceiver } from './test-receiver';
import { ThingHappened, thingComposer } from './thing-event';
import { WebhookEventBase } from '../events/webhook-event-base';
import { WebhookEvent } from '../events/webhook-event.decorator';
import { WebhookEventTypes } from '../events/webhook-event-types';

/** A notification whose event fires only once `until` resolves: a publish held as long as a test likes. */
class HeldThing {
  constructor(
    readonly id: string,
    readonly until: Promise<void>,
  ) {}
}

/** Fires {@link HeldThing} once it is let go; alias `thing.held`. */
@WebhookEvent('Held Thing', WebhookEventTypes.Other, { alias: 'thing.held', notification: HeldThing })
class HeldThingEvent extends WebhookEventBase<HeldThing> {
  override async shouldFireWebhookForNotification(notification: HeldThing): Promise<boolean> {
    await notification.until;
    return true;
  }

  override convertNotificationToRequestPayload(notification: HeldThing) {
    return { id: notification.id };
  }
}

/** What {@link describeKeyRulesContract} builds an app on: a storage backend, and a queue engine when not the built-in one. */
export interface KeyRulesBackend {
  /** The storage backend, on a fresh, empty store. */
  storage: StorageBackend<unknown>;
  /** The queue engine (default: the built-in polling engine on `storage`). */
  queue?: QueueEngineProvider<unknown>;
}

/** Keys no backend can hold alike: each must be refused the same way everywhere. */
const BAD_KEYS: readonly [string, string][] = [
  ['empty', ''],
  ['U+0000', 'a\u0000b'],
  ['a lone high surrogate', 'a\uD800b'],
  ['a lone low surrogate', '\uDC00'],
];

type Call = (app: Hookwork<unknown>, bad: string) => Promise<unknown>;

/** Each public entry point that looks a key up, the argument the refusal must name, and a call with a bad key there. */
const ENTRY_POINTS: readonly [string, string, Call][] = [
  ['webhooks.get()', 'key', (app, bad) => app.webhooks.get(bad)],
  ['webhooks.update()', 'key', (app, bad) => app.webhooks.update(bad, { enabled: false })],
  ['webhooks.delete()', 'key', (app, bad) => app.webhooks.delete(bad)],
  ['webhooks.rotateSecret()', 'key', (app, bad) => app.webhooks.rotateSecret(bad)],
  ['webhooks.revokeSecret()', 'key', (app, bad) => app.webhooks.revokeSecret(bad, 'secret')],
  ['webhooks.revokeSecret()', 'secretId', (app, bad) => app.webhooks.revokeSecret('hook', bad)],
  ['logs()', 'webhookKey', (app, bad) => app.logs(bad)],
  ['logs()', 'query.webhookKey', (app, bad) => app.logs({ webhookKey: bad })],
  ['logs()', 'query.eventAlias', (app, bad) => app.logs({ eventAlias: bad })],
  ['logs()', 'query.requestId', (app, bad) => app.logs({ requestId: bad })],
  ['delivery()', 'key', (app, bad) => app.delivery(bad)],
  ['deadLetters()', 'query.webhookKey', (app, bad) => app.deadLetters({ webhookKey: bad })],
  ['redeliver()', 'selector.ids[1]', (app, bad) => app.redeliver({ ids: ['msg_0', bad] })],
  ['redeliver()', 'selector.webhookKey', (app, bad) => app.redeliver({ webhookKey: bad })],
  ['queueCounts()', 'query.webhookKey', (app, bad) => app.queueCounts({ webhookKey: bad })],
  ['sendTestEvent()', 'webhookKey', (app, bad) => app.sendTestEvent(bad)],
  ['sendTestEvent()', 'options.alias', (app, bad) => app.sendTestEvent('hook', { alias: bad })],
  ['health()', 'webhookKey', (app, bad) => app.health(bad)],
  ['drain()', 'options.requestIds[0]', (app, bad) => app.drain({ requestIds: [bad], timeoutMs: 0 })],
  ['drain()', 'options.webhookKey', (app, bad) => app.drain({ webhookKey: bad, timeoutMs: 0 })],
];

/**
 * The key rules every backend must show alike: a key that cannot name anything stored (empty,
 * holding U+0000, or a lone UTF-16 surrogate) is refused at each public entry point with
 * HOOKWORK_ERR_INVALID_ARGUMENT naming the call and the argument, before any store or queue
 * engine is asked — not "not found" on one backend, a store error on another and "every
 * webhook" on a third — and nothing stored changes. Call it from a jest test file with a factory
 * of fresh backends.
 */
export function describeKeyRulesContract(name: string, factory: ContractFactory<KeyRulesBackend>): void {
  requireJestGlobals('describeKeyRulesContract');
  describe(`key rules: ${name}`, () => {
    it.each(ENTRY_POINTS.map(([call, argument, fn]) => [`${call} ${argument}`, call, argument, fn] as const))('%s: a key no store can hold is HOOKWORK_ERR_INVALID_ARGUMENT naming it, and nothing changes', (_title, call, argument, fn) =>
      withSubject(factory, async ({ subject }) => {
        const app = createHookwork({ composers: [thingComposer], logger: silentLogger, storage: subject.storage, ...(subject.queue ? { queue: subject.queue } : {}) });
        await app.start();
        try {
          await app.webhooks.create({ key: 'hook', url: 'https://example.com/hook', events: ['thing.happened'] });
          const before = [await app.webhooks.get('hook'), await app.queueCounts()];
          for (const [what, bad] of BAD_KEYS) {
            const error = await fn(app, bad).then(() => undefined, (e: unknown) => e);
            expect([what, isHookworkError(error, 'HOOKWORK_ERR_INVALID_ARGUMENT')]).toEqual([what, true]);
            const message = (error as Error).message;
            expect(message).toContain(`${call} was given ${argument} `);
            expect(message).toMatch(/; pass an? [a-z ]+/);
            // The field, for programs and the admin API's problem details: the path inside the parameter object.
            const field = argument.replace(/^(?:query|selector|options)\./, '').replace(/\[(\d+)\]/g, '.$1');
            expect((error as { details?: unknown }).details).toEqual([{ field, problem: expect.stringMatching(/; pass an? [a-z ]+/) }]);
            // Shown escaped: a log line or problem details never carries the raw character.
            expect(message.includes('\u0000') || /[\uD800-\uDFFF]/.test(message)).toBe(false);
          }
          expect([await app.webhooks.get('hook'), await app.queueCounts()]).toEqual(before);
        } finally {
          await app.stop();
        }
      }),
    );

    it('a key of the right form that names nothing is "not found", not refused', () =>
      withSubject(factory, async ({ subject }) => {
        const app = createHookwork({ composers: [thingComposer], logger: silentLogger, storage: subject.storage, ...(subject.queue ? { queue: subject.queue } : {}) });
        await app.start();
        try {
          expect(await app.webhooks.get('nope')).toBeUndefined();
          const codeOf = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (isHookworkError(e) ? e.code : String(e)));
          expect(await codeOf(app.health('nope'))).toBe('HOOKWORK_ERR_WEBHOOK_NOT_FOUND');
          expect(await codeOf(app.delivery('nope'))).toBe('HOOKWORK_ERR_DELIVERY_NOT_FOUND');
          expect(await codeOf(app.redeliver({ ids: ['msg_nope'] }))).toBe('HOOKWORK_ERR_REQUEST_NOT_FOUND');
          // Names a backend may use for its own keys are request ids like any other here: found
          // nowhere, so the list is refused as one unknown id is, naming them.
          const internal = await app.redeliver({ ids: ['wait', 'meta', 'msg_nope:lock'] }).then(() => undefined, (e: unknown) => e);
          expect(internal).toMatchObject({ code: 'HOOKWORK_ERR_REQUEST_NOT_FOUND', details: [{ field: 'ids', ids: ['wait', 'meta', 'msg_nope:lock'] }] });
          expect(await codeOf(app.deadLetters({ webhookKey: 'nope' }))).toBe('HOOKWORK_ERR_WEBHOOK_NOT_FOUND');
          expect((await app.logs({ requestId: 'nope', eventAlias: 'thing.happened' })).total).toBe(0);
        } finally {
          await app.stop();
        }
      }),
    );

    it('a dead letter of a deleted webhook is removed with it (logged as dropped), or, by a queue that cannot, left as it is: skipped by a redelivery, refused when it is the one asked for', () =>
      withSubject(factory, async ({ subject }) => {
        const receiver = await startTestReceiver((_request, res) => void res.writeHead(500).end());
        const settings = { ssrf: { allow: ['127.0.0.1'] }, maximumRetries: 0, period: 200 };
        const app = createHookwork({ composers: [thingComposer], logger: silentLogger, settings, storage: subject.storage, ...(subject.queue ? { queue: subject.queue } : {}) });
        await app.start();
        try {
          await app.webhooks.create({ key: 'gone', url: receiver.url, events: ['thing.happened'] });
          await app.webhooks.create({ key: 'kept', url: receiver.url, events: ['thing.happened'] });
          for (const id of ['1', '2']) await app.publish(new ThingHappened(id));
          await app.drain({ timeoutMs: 20_000 });
          const deadOf = async (key: string) => (await app.deadLetters({ webhookKey: key })).items.map((r) => r.id);
          const [gone1, gone2] = await deadOf('gone');
          const [kept1] = await deadOf('kept');
          expect(gone2).toBeDefined();
          await app.webhooks.delete('gone');
          receiver.handler = (_request, res) => void res.writeHead(204).end();
          if (!(await app.deadLetters()).items.some((r) => r.webhookKey === 'gone')) {
            // A queue that can removed them with their webhook, each logged as dropped (body kept):
            // a webhook created again under the key never takes them.
            expect(await app.redeliver({ all: true })).toEqual({ redelivered: 2, skipped: 0 });
            await app.drain({ timeoutMs: 20_000 });
            expect((await app.logs({ webhookKey: 'gone', outcomes: ['dropped'] })).items.map((e) => e.requestId).sort()).toEqual([gone1, gone2].sort());
            expect(await app.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
            expect((await app.logs({ webhookKey: 'kept', outcomes: ['delivered'] })).total).toBe(2);
            return;
          }

          const error = await app.redeliver({ ids: [gone1!] }).then(() => undefined, (e: unknown) => e);
          expect(isHookworkError(error, 'HOOKWORK_ERR_DEAD_LETTER_WEBHOOK_DELETED')).toBe(true);
          expect((error as Error).message).toContain('"gone"');
          // Not "create the webhook again to redeliver it": one created under the key is another webhook, which never receives it.
          expect((error as Error).message).toMatch(/a webhook created under the key again is another webhook, which never receives it/);
          expect(await app.redeliver({ webhookKey: 'gone' })).toEqual({ redelivered: 0, skipped: 2 });
          expect(await app.redeliver({ ids: [gone1!, kept1!] })).toEqual({ redelivered: 1, skipped: 1 });
          expect(await app.redeliver({ deadSince: new Date(0) })).toEqual({ redelivered: 1, skipped: 2 });
          expect(await app.redeliver({ all: true })).toEqual({ redelivered: 0, skipped: 2 });
          await app.drain({ timeoutMs: 20_000 });

          // The deleted webhook's dead letters are as they were; the kept webhook's arrived.
          expect((await deadOf('gone')).sort()).toEqual([gone1, gone2].sort());
          expect(await app.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 2 });
          expect((await app.logs({ outcomes: ['dropped'] })).total).toBe(0);
          expect((await app.logs({ webhookKey: 'kept', outcomes: ['delivered'] })).total).toBe(2);
        } finally {
          await app.stop();
          await receiver.close();
        }
      }),
    );

    it('a publish that outlasts stopTimeout fails with HOOKWORK_ERR_APP_STOPPED saying nothing of it was stored, and nothing is', () =>
      withSubject(factory, async ({ subject }) => {
        const open = (stopTimeout: number) =>
          createHookwork({ composers: [thingComposer, { compose: (builder) => void builder.webhookEvents().add(HeldThingEvent) }], logger: silentLogger, settings: { stopTimeout }, storage: subject.storage, ...(subject.queue ? { queue: subject.queue } : {}) });
        const app = open(100);
        await app.start();
        let letGo = () => {};
        const publishing = app.publish(new HeldThing('cut', new Promise<void>((resolve) => (letGo = resolve)))).then(
          () => undefined,
          (e: unknown) => e,
        );
        try {
          await app.webhooks.create({ key: 'held', url: 'https://example.com/held', events: ['thing.held'] });
        } finally {
          await app.stop();
        }
        letGo();
        const error = await publishing;
        expect(error).toMatchObject({ code: 'HOOKWORK_ERR_APP_STOPPED' });
        expect((error as Error).message).toMatch(/cut off by stop\(\).*nothing of .* was stored/);

        const again = open(1000);
        await again.start();
        try {
          expect(await again.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
        } finally {
          await again.stop();
        }
      }),
    );
  });
}
