/// <reference types="jest" />
import type { ServerResponse } from 'node:http';
import { createHookwork } from '../composition/create-hookwork';
import type { Hookwork } from '../composition/hookwork-app';
import type { Logger } from '../observability/logger';
import type { OperatorEvent } from '../observability/operator-events';
import type { HookworkSettingsInput } from '../settings/settings';
import type { StorageBackend } from '../ports/storage-backend';
import type { RequestQueue } from '../ports/request-queue';
import { withSubject, type ContractFactory, requireJestGlobals } from './contract-subject';
import { countingHealthWrites, withStorageMember } from './health-store-wrappers';
import type { KeyRulesBackend } from './key-rules-contract';
import { startTestReceiver, type TestReceiver } from './test-receiver';
import { ThingHappened, thingComposer } from './thing-event';

/** What {@link describeConcurrentCallersContract} runs an app on: the same as the key rules' suite takes. */
export type ConcurrentCallersBackends = KeyRulesBackend;

/** How many attempts, changes or waiting requests of one webhook the suite makes at once. */
const AT_ONCE = 64;

/** Holds the storage queue's next deadLetter(), once armed, until released. */
interface DeadLetterGate {
  /** Arms the gate: `reached` resolves when the next deadLetter() comes, which waits until `release()`. */
  arm(): { reached: Promise<void>; release: () => void };
}

/** `backend` with its queue's deadLetter() gated (see {@link DeadLetterGate}); every other call goes to the store. */
function gatingDeadLetter<TTransaction>(backend: StorageBackend<TTransaction>): { storage: StorageBackend<TTransaction>; gate: DeadLetterGate } {
  let armed: { reach: () => void; opened: Promise<void> } | undefined;
  const gate: DeadLetterGate = {
    arm() {
      let release!: () => void;
      let reach!: () => void;
      const opened = new Promise<void>((resolve) => (release = resolve));
      const reached = new Promise<void>((resolve) => (reach = resolve));
      armed = { reach, opened };
      return { reached, release };
    },
  };
  const gated = (queue: RequestQueue): RequestQueue =>
    new Proxy(queue, {
      get(target, property, receiver) {
        if (property === 'deadLetter') {
          return async (...args: Parameters<RequestQueue['deadLetter']>) => {
            const held = armed;
            armed = undefined;
            if (held) {
              held.reach();
              await held.opened;
            }
            return target.deadLetter(...args);
          };
        }
        const value = Reflect.get(target, property, receiver) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  return { storage: withStorageMember(backend, 'queue', gated), gate };
}

/**
 * What many callers of one app acting on one webhook at once must get, whatever the store and
 * queue engine: one process never loses a compare-and-set to itself, so nothing it does is given
 * up for "other processes wrote first" when there are none.
 *
 * - 64 attempts of one webhook failing at once (a receiver answering 500 to all of them, or an
 *   SSRF guard refusing each): each is counted in the webhook's health, the breaker opens at its
 *   threshold exactly, once, and no health write is given up or lost;
 * - when an open breaker's cool-down ends with 64 requests waiting, one probe goes and the
 *   others wait, without a health write lost;
 * - 64 changes of one webhook made at once through the app all succeed;
 * - 8 redeliveries of one dead letter at once: one puts it back, each other is
 *   HOOKWORK_ERR_REQUEST_NOT_DEAD — never `{ redelivered: 0 }`, which the admin API answered as a
 *   200 saying it was put back; so is one made while its webhook is deleted; one the deletion
 *   already removed is HOOKWORK_ERR_DEAD_LETTER_WEBHOOK_DELETED, not "redelivered already";
 * - a redelivered dead letter whose attempt is out while its webhook is deleted, and fails for
 *   good, is dropped (logged, `requestDropped`), not dead-lettered again under the deleted key;
 *   so is one whose webhook is deleted after its attempt's last look at it, while the storage
 *   queue's dead-letter write is held (the built-in engine's subjects).
 *
 * Each test starts one app on a fresh subject from `factory`, with a real receiver on 127.0.0.1;
 * the store's health is watched (its compare-and-set answers counted), not replaced.
 */
export function describeConcurrentCallersContract(name: string, factory: ContractFactory<ConcurrentCallersBackends>): void {
  requireJestGlobals('describeConcurrentCallersContract');

  interface Run {
    app: Hookwork;
    receiver: TestReceiver;
    /** Health compare-and-sets that found another version stored (lost). */
    lostWrites: () => number;
    /** Warn and error lines the app logged. */
    logged: string[];
    events: OperatorEvent[];
    /** Gates the storage queue's deadLetter(); undefined when the subject brings its own engine (its queue is not used). */
    deadLetterGate: DeadLetterGate | undefined;
  }

  const test = (title: string, settings: HookworkSettingsInput, body: (run: Run) => Promise<void>) =>
    it(
      title,
      () =>
        withSubject(factory, async ({ subject }) => {
          const receiver = await startTestReceiver();
          const logged: string[] = [];
          const quiet = () => {};
          const logger: Logger = { debug: quiet, info: quiet, warn: (line) => void logged.push(line), error: (line) => void logged.push(line) };
          const gating = gatingDeadLetter(subject.storage);
          const watched = countingHealthWrites(gating.storage);
          const app = createHookwork({
            composers: [thingComposer],
            storage: watched.storage,
            ...(subject.queue ? { queue: subject.queue } : {}),
            logger,
            settings: { ssrf: { allowInternal: false, allow: ['127.0.0.1'] }, retryJitter: 0, period: 200, timeout: 10_000, stopTimeout: 2000, concurrency: { global: AT_ONCE, perWebhook: AT_ONCE }, ...settings },
          });
          const events: OperatorEvent[] = [];
          app.lifecycle.on('operatorEvent', (event) => events.push(event));
          try {
            await app.start();
            await body({ app, receiver, lostWrites: () => watched.counts.lostCompareAndSets, logged, events, deadLetterGate: subject.queue ? undefined : gating.gate });
          } finally {
            await app.stop();
            await receiver.close();
          }
        }),
      60_000,
    );

  /** The receiver's next request, held: its response, to answer when the test says. */
  function heldAnswer(receiver: TestReceiver): Promise<ServerResponse> {
    return new Promise((resolve) => {
      receiver.handler = (_request, res) => resolve(res);
    });
  }

  /** The ids of the requests told as dead-lettered and as dropped from now on. */
  function settledIds(app: Hookwork): { deadLettered: string[]; dropped: string[] } {
    const ids = { deadLettered: [] as string[], dropped: [] as string[] };
    app.lifecycle.on('deadLettered', (info) => void ids.deadLettered.push(info.requestId));
    app.lifecycle.on('requestDropped', (info) => void ids.dropped.push(info.requestId));
    return ids;
  }

  /** Publishes `count` notifications and resolves once `count` attempts have failed. */
  async function failAtOnce(app: Hookwork, count: number): Promise<void> {
    let failed = 0;
    // attemptFailed follows the health write of its attempt.
    const allFailed = new Promise<void>((resolve) => app.lifecycle.on('attemptFailed', () => ++failed === count && resolve()));
    for (let i = 0; i < count; i++) await app.publish(new ThingHappened(`n${i}`));
    await allFailed;
  }

  const healthLines = (logged: readonly string[]) => logged.filter((line) => /health of webhook/.test(line));

  describe(`concurrent callers of one app: ${name}`, () => {
    test(
      `${AT_ONCE} attempts of one webhook failing at once (a receiver answering 500) are each counted; the breaker opens at its threshold exactly, once`,
      { maximumRetries: 0, breaker: { failureThreshold: 40, coolDown: 60_000 } },
      async ({ app, receiver, lostWrites, logged, events }) => {
        const held: ServerResponse[] = [];
        receiver.handler = (_request, res) => {
          held.push(res);
          // Every attempt is out before any fails: their health writes all come at once.
          if (held.length === AT_ONCE) for (const r of held) r.writeHead(500).end();
        };
        const { key } = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
        await failAtOnce(app, AT_ONCE);
        expect(receiver.requests).toHaveLength(AT_ONCE);
        expect(await app.health(key)).toMatchObject({ breaker: 'open', consecutiveFailures: AT_ONCE });
        const opened = events.filter((e) => e.type === 'breaker.opened');
        expect(opened).toHaveLength(1);
        expect(opened[0]).toMatchObject({ data: { webhookKey: key, trigger: 'consecutive failures', consecutiveFailures: 40 } });
        expect(healthLines(logged)).toEqual([]);
        expect(lostWrites()).toBe(0);
      },
    );

    test(
      `${AT_ONCE} attempts refused at once by the SSRF guard (the host did not allow the receiver's address) are each counted`,
      { ssrf: { allowInternal: false, allow: [] }, maximumRetries: 0, breaker: { failureThreshold: AT_ONCE, coolDown: 60_000 } },
      async ({ app, receiver, lostWrites, logged, events }) => {
        const { key } = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
        await failAtOnce(app, AT_ONCE);
        expect(receiver.requests).toHaveLength(0);
        expect(await app.health(key)).toMatchObject({ breaker: 'open', consecutiveFailures: AT_ONCE });
        expect(events.filter((e) => e.type === 'breaker.opened')).toEqual([expect.objectContaining({ data: expect.objectContaining({ consecutiveFailures: AT_ONCE }) })]);
        expect(healthLines(logged)).toEqual([]);
        expect(lostWrites()).toBe(0);
      },
    );

    test(
      `when an open breaker's cool-down ends with ${AT_ONCE} requests waiting, one probe goes and the others wait for its answer`,
      { maximumRetries: 10, retrySchedule: [50], breaker: { failureThreshold: 1, coolDown: 500 } },
      async ({ app, receiver, lostWrites, logged, events }) => {
        let probe: ServerResponse | undefined;
        let arrivedAfterProbe = 0;
        receiver.handler = (_request, res, index) => {
          if (index === 0) return void res.writeHead(500).end();
          if (probe) arrivedAfterProbe++;
          else probe = res;
        };
        const { key } = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
        const opened = new Promise<void>((resolve) => app.lifecycle.on('operatorEvent', (e) => e.type === 'breaker.opened' && resolve()));
        await app.publish(new ThingHappened('first'));
        await opened;
        for (let i = 1; i < AT_ONCE; i++) await app.publish(new ThingHappened(`n${i}`));
        await receiver.waitFor(2, 20_000);
        // The probe's claim lasts the attempt's timeout and 5 s; the others look again every second meanwhile.
        await new Promise((resolve) => setTimeout(resolve, 1500));
        expect(arrivedAfterProbe).toBe(0);
        expect(await app.health(key)).toMatchObject({ breaker: 'half-open' });
        receiver.handler = (_request, res) => void res.end('ok');
        probe!.end('ok');
        await app.drain();
        expect(await app.queueCounts({ webhookKey: key })).toEqual({ pending: 0, inFlight: 0, dead: 0 });
        expect(await app.health(key)).toMatchObject({ breaker: 'closed', consecutiveFailures: 0 });
        expect(events.filter((e) => e.type.startsWith('breaker.')).map((e) => e.type)).toEqual(['breaker.opened', 'breaker.closed']);
        expect(healthLines(logged)).toEqual([]);
        expect(lostWrites()).toBe(0);
      },
    );

    test(`${AT_ONCE} changes of one webhook made at once through the app all succeed`, {}, async ({ app }) => {
      const { key } = await app.webhooks.create({ url: 'https://example.com/hooks', events: ['thing.happened'] });
      const names = Array.from({ length: AT_ONCE }, (_, i) => `name ${i}`);
      const outcomes = await Promise.allSettled(names.map((name) => app.webhooks.update(key, { name })));
      expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
      expect(names).toContain((await app.webhooks.get(key))?.name);
    });

    /** A dead letter of a new webhook whose receiver answers 500. */
    async function oneDeadLetter(app: Hookwork, receiver: TestReceiver): Promise<{ key: string; id: string }> {
      receiver.handler = (_request, res) => void res.writeHead(500).end();
      const { key } = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
      await app.publish(new ThingHappened('dead'));
      await app.drain();
      const [letter] = (await app.deadLetters({ webhookKey: key })).items;
      return { key, id: letter!.id };
    }

    test(`${AT_ONCE / 8} redeliveries of one dead letter at once (two operators, two tabs): one puts it back, each other is told it is no dead letter any more`, { maximumRetries: 0 }, async ({ app, receiver }) => {
      const { id } = await oneDeadLetter(app, receiver);
      receiver.handler = (_request, res) => void res.end('ok');
      const outcomes = await Promise.allSettled(Array.from({ length: AT_ONCE / 8 }, () => app.redeliver({ ids: [id] })));
      // Never a { redelivered: 0 } for the one id asked for: the admin API answers 200 only when it put it back.
      expect(outcomes.filter((o) => o.status === 'fulfilled').map((o) => o.value)).toEqual([{ redelivered: 1, skipped: 0 }]);
      for (const o of outcomes.filter((o) => o.status === 'rejected')) expect(o.reason).toMatchObject({ code: 'HOOKWORK_ERR_REQUEST_NOT_DEAD', details: { id } });
      await app.drain();
      expect(receiver.requests).toHaveLength(2);
    });

    test('a redelivered dead letter whose attempt is out while its webhook is deleted, and fails for good, is dropped, not dead-lettered again', { maximumRetries: 0 }, async ({ app, receiver }) => {
      // Two operators: one redelivers a dead letter, the other deletes its webhook while the
      // redelivered attempt is out (the deletion cannot remove it then); the receiver then fails it.
      const { key, id } = await oneDeadLetter(app, receiver);
      const held = heldAnswer(receiver);
      expect(await app.redeliver({ ids: [id] })).toEqual({ redelivered: 1, skipped: 0 });
      const answer = await held;
      expect(await app.webhooks.delete(key)).toBe(true);
      const { deadLettered, dropped } = settledIds(app);
      answer.writeHead(500).end();
      await app.drain();
      // Not a dead letter of a webhook that no longer exists (listed and counted until the next
      // cleanup round, announced, and refused by redeliver()): dropped, as the deletion drops the rest.
      expect(deadLettered).toEqual([]);
      expect(dropped).toEqual([id]);
      expect(await app.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
      expect((await app.deadLetters()).items).toEqual([]);
    });

    test('a webhook deleted between a failed attempt\'s last look at it and its dead-letter write leaves no dead letter under its key', { maximumRetries: 0 }, async ({ app, receiver, deadLetterGate }) => {
      const { key, id } = await oneDeadLetter(app, receiver);
      const { deadLettered, dropped } = settledIds(app);
      // The queue's deadLetter() held (the webhook was read, still there: the verdict "dead" stood)
      // while the deletion commits; an engine of its own has its own write, and the deletion lands
      // when its attempt fails instead.
      const gate = deadLetterGate?.arm();
      const held = heldAnswer(receiver);
      expect(await app.redeliver({ ids: [id] })).toEqual({ redelivered: 1, skipped: 0 });
      const answer = await held;
      if (gate) {
        answer.writeHead(500).end();
        await gate.reached;
        expect(await app.webhooks.delete(key)).toBe(true);
        gate.release();
      } else {
        expect(await app.webhooks.delete(key)).toBe(true);
        answer.writeHead(500).end();
      }
      await app.drain();
      expect(await app.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
      expect(deadLettered).toEqual([]);
      expect(dropped).toEqual([id]);
    });

    test('a redelivery of one dead letter while its webhook is deleted puts it back or says why not, never { redelivered: 0 }', { maximumRetries: 0 }, async ({ app, receiver }) => {
      // One of the two starts a few more steps after the other each round, so some round lands
      // the delete between the redelivery's look at the webhook and its putting back, whatever the store.
      for (let steps = -8; steps <= 8; steps++) {
        const { key, id } = await oneDeadLetter(app, receiver);
        const after = async <T>(wait: number, call: () => Promise<T>) => {
          for (let i = 0; i < wait; i++) await Promise.resolve();
          return call();
        };
        const [redelivered, deleted] = await Promise.allSettled([after(-steps, () => app.redeliver({ ids: [id] })), after(steps, () => app.webhooks.delete(key))]);
        expect(deleted).toMatchObject({ status: 'fulfilled', value: true });
        if (redelivered!.status === 'fulfilled') expect(redelivered!.value).toEqual({ redelivered: 1, skipped: 0 });
        else expect(redelivered!.reason).toMatchObject({ code: expect.stringMatching(/^HOOKWORK_ERR_(REQUEST_NOT_DEAD|DEAD_LETTER_WEBHOOK_DELETED)$/) });
        await app.drain();
        expect(await app.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
      }
    });

    test('a redelivery of one dead letter its webhook\'s deletion already removed says the webhook was deleted, not "redelivered already"', { maximumRetries: 0 }, async ({ app, receiver }) => {
      // The deletion one operator made while another had the dead letter open: it is gone with the
      // webhook, and the second operator's redelivery was told another tab had redelivered it.
      const { key, id } = await oneDeadLetter(app, receiver);
      expect(await app.webhooks.delete(key)).toBe(true);
      expect((await app.deadLetters()).items).toEqual([]);
      const refusal = await app.redeliver({ ids: [id] }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refusal).toMatchObject({ code: 'HOOKWORK_ERR_DEAD_LETTER_WEBHOOK_DELETED', details: { id, webhookKey: key, state: 'gone' } });
      expect((refusal as Error).message).toContain(`its webhook ${JSON.stringify(key)} was deleted`);
      expect(await app.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
    });
  });
}
