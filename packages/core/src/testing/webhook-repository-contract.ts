/// <reference types="jest" />
import { isHookworkError } from '../errors/hookwork-error';
import type { WebhookRepository } from '../ports/webhook-repository';
import type { Webhook } from '../model/webhook';
import { withSubject, type ContractFactory, requireJestGlobals } from './contract-subject';

const T0 = Date.UTC(2030, 0, 2, 3, 4, 5, 678);

/** A complete webhook for contract tests; `overrides` change any field. */
export function contractWebhook(key: string, overrides: Partial<Webhook> = {}): Webhook {
  return {
    key,
    name: `Webhook ${key}`,
    description: 'made by a contract test',
    url: `https://receiver.example/${encodeURIComponent(key)}`,
    events: ['contentPublished'],
    contentTypeKeys: [],
    headers: {},
    sensitiveHeaders: [],
    enabled: true,
    secrets: [],
    createdAt: new Date(T0),
    updatedAt: new Date(T0),
    ...overrides,
  };
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isHookworkError(error)).toBe(true);
  expect((error as { code: string }).code).toBe(code);
  return error as Error;
}

/**
 * The behaviour every {@link WebhookRepository} backend must show. Call it from a test file
 * of the backend: `describeWebhookRepositoryContract('sqlite', () => ({ subject, cleanup }))`.
 * `modify()`, `deleteIf()`, `getSharedByAlias()` and `getShared()` are optional in the port; a
 * backend without one passes `{ modify: false }`, `{ deleteIf: false }` or `{ sharedByAlias: false }`
 * (which also leaves out getShared's test), and that method's tests are left out (without modify,
 * its webhooks can lose one of two changes made at once by two processes; without deleteIf, be
 * deleted over a change made meanwhile; without getSharedByAlias, its publishes copy every
 * subscribed webhook; without getShared, delivery sees another process's change within a second).
 * A backend without `listPage()` passes `{ listPage: false }`: core then pages its webhooks by
 * offset, and a walk by `webhooks.list()`'s `after` lists one twice or misses one when a webhook
 * is created or deleted between pages.
 */
export function describeWebhookRepositoryContract(name: string, factory: ContractFactory<WebhookRepository>, options: { modify?: boolean; deleteIf?: boolean; sharedByAlias?: boolean; listPage?: boolean } = {}): void {
  requireJestGlobals('describeWebhookRepositoryContract');
  const test = (title: string, body: (repo: WebhookRepository) => Promise<void>) =>
    it(title, () => withSubject(factory, ({ subject }) => body(subject)));

  describe(`WebhookRepository contract: ${name}`, () => {
    test('stores every field and gives it back, dates as Date objects to the millisecond', async (repo) => {
      const webhook = contractWebhook('full', {
        events: ['contentPublished', 'collections.save.after.posts'],
        contentTypeKeys: ['ct-1', 'ct-2'],
        headers: { 'x-api-key': 'k', 'x-tenant': 'ünïcödé ✓' },
        sensitiveHeaders: ['x-api-key'],
        enabled: false,
        format: { type: 'cloudevents', mode: 'binary', source: 'https://cms.example.com/sites/main', subjectFrom: '/id' },
        rateLimit: { perSecond: 2.5, burst: 3 },
        breaker: { enabled: true, failureThreshold: 4, failureRate: 0.5, minimumAttempts: 8, window: 30_000, coolDown: 5_000 },
        fifo: { onDeadLetter: 'block' },
        secrets: [
          { id: 's1', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', createdAt: new Date(T0 + 1), expiresAt: new Date(T0 + 86_400_001) },
          { id: 's2', secret: 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD', createdAt: new Date(T0 + 2) },
        ],
        createdAt: new Date(T0 + 3),
        updatedAt: new Date(T0 + 4),
      });
      await repo.create(webhook);
      const stored = await repo.get('full');
      expect(stored).toEqual(webhook);
      expect(stored!.createdAt).toBeInstanceOf(Date);
      expect(stored!.updatedAt.getTime()).toBe(T0 + 4);
      expect(stored!.secrets[0]!.expiresAt).toBeInstanceOf(Date);
      expect(stored!.secrets[0]!.expiresAt!.getTime()).toBe(T0 + 86_400_001);
      expect(stored!.secrets[1]!.expiresAt).toBeUndefined();
    });

    test('keeps custom headers of any size: a webhook stored before the cap on them (50 values of 8,192, about 410 KB) reads back whole, and is updated', async (repo) => {
      // webhooks.create() now refuses more than MAX_CUSTOM_HEADER_BYTES in all; one stored before
      // must still load (it is named at start, sent as it is, and edited down).
      const headers = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`X-Header-${i}`, String.fromCharCode(0x41 + (i % 26)).repeat(8192)]));
      const webhook = contractWebhook('over-cap', { headers, sensitiveHeaders: ['x-header-7'] });
      await repo.create(webhook);
      expect(await repo.get('over-cap')).toEqual(webhook);
      expect((await repo.list()).find((w) => w.key === 'over-cap')).toEqual(webhook);
      const disabled = { ...webhook, enabled: false, updatedAt: new Date(T0 + 9) };
      await repo.update(disabled);
      expect(await repo.get('over-cap')).toEqual(disabled);
    });

    test('keeps optional fields absent when they were not given', async (repo) => {
      const webhook = contractWebhook('bare');
      delete webhook.name;
      delete webhook.description;
      await repo.create(webhook);
      const stored = await repo.get('bare');
      expect(stored).toEqual(webhook);
      expect('name' in stored! && stored!.name !== undefined).toBe(false);
    });

    test('get of an unknown key is undefined', async (repo) => {
      expect(await repo.get('nope')).toBeUndefined();
    });

    test('hands out copies: changing a returned webhook changes nothing stored', async (repo) => {
      await repo.create(contractWebhook('a', { events: ['x'] }));
      const got = await repo.get('a');
      got!.events.push('y');
      got!.headers['x-added'] = '1';
      const [byAlias] = await repo.getByAlias('x');
      byAlias!.url = 'https://changed.example/';
      byAlias!.events.push('z');
      byAlias!.headers['x-added'] = '1';
      byAlias!.createdAt.setTime(0);
      expect(await repo.get('a')).toEqual(contractWebhook('a', { events: ['x'] }));
      // The next caller gets what is stored, however a store keeps its answers in memory.
      expect(await repo.getByAlias('x')).toEqual([contractWebhook('a', { events: ['x'] })]);
      expect(await repo.getByAlias('y')).toEqual([]);
    });

    test('create refuses a key that is taken with HOOKWORK_ERR_WEBHOOK_EXISTS and keeps the original', async (repo) => {
      const original = contractWebhook('dup', { url: 'https://one.example/' });
      await repo.create(original);
      await expectCode(repo.create(contractWebhook('dup', { url: 'https://two.example/', events: ['other'] })), 'HOOKWORK_ERR_WEBHOOK_EXISTS');
      expect(await repo.get('dup')).toEqual(original);
      expect(await repo.getByAlias('other')).toEqual([]);
      expect(await repo.count()).toBe(1);
    });

    test('update replaces the stored webhook', async (repo) => {
      await repo.create(contractWebhook('u'));
      const changed = contractWebhook('u', { url: 'https://new.example/', enabled: false, headers: { a: 'b' }, updatedAt: new Date(T0 + 999) });
      await repo.update(changed);
      expect(await repo.get('u')).toEqual(changed);
    });

    test('update of a missing key is HOOKWORK_ERR_WEBHOOK_NOT_FOUND and creates nothing', async (repo) => {
      await expectCode(repo.update(contractWebhook('ghost')), 'HOOKWORK_ERR_WEBHOOK_NOT_FOUND');
      expect(await repo.get('ghost')).toBeUndefined();
      // The key as the message quotes it: a character a reader cannot see is escaped, not printed.
      const invisible = await expectCode(repo.update(contractWebhook('ghost\u200b')), 'HOOKWORK_ERR_WEBHOOK_NOT_FOUND');
      expect(invisible.message).toContain('"ghost\\u200b"');
      expect(await repo.getByAlias('contentPublished')).toEqual([]);
      expect(await repo.count()).toBe(0);
    });

    test('delete removes the webhook and its alias index entries; deleting again is false', async (repo) => {
      await repo.create(contractWebhook('d', { events: ['a1', 'a2'] }));
      expect(await repo.delete('d')).toBe(true);
      expect(await repo.get('d')).toBeUndefined();
      expect(await repo.getByAlias('a1')).toEqual([]);
      expect(await repo.getByAlias('a2')).toEqual([]);
      expect(await repo.delete('d')).toBe(false);
      expect(await repo.count()).toBe(0);
      // The key is free again.
      await repo.create(contractWebhook('d', { events: ['a3'] }));
      expect((await repo.getByAlias('a3')).map((w) => w.key)).toEqual(['d']);
    });

    test('list orders by creation time, equal times in creation order, and pages with limit and offset', async (repo) => {
      // Created out of time order on purpose: the order is by createdAt first.
      await repo.create(contractWebhook('c', { createdAt: new Date(T0 + 20) }));
      await repo.create(contractWebhook('b', { createdAt: new Date(T0 + 10) }));
      await repo.create(contractWebhook('z', { createdAt: new Date(T0) }));
      await repo.create(contractWebhook('a', { createdAt: new Date(T0 + 10) }));
      // Updating keeps a webhook's place.
      await repo.update(contractWebhook('b', { createdAt: new Date(T0 + 10), url: 'https://updated.example/' }));
      expect((await repo.list()).map((w) => w.key)).toEqual(['z', 'b', 'a', 'c']);
      expect((await repo.list({ limit: 2 })).map((w) => w.key)).toEqual(['z', 'b']);
      expect((await repo.list({ limit: 2, offset: 2 })).map((w) => w.key)).toEqual(['a', 'c']);
      expect((await repo.list({ offset: 3 })).map((w) => w.key)).toEqual(['c']);
      expect(await repo.list({ offset: 10 })).toEqual([]);
      expect(await repo.count()).toBe(4);
    });

    test('listPage walks by position: a webhook deleted or created between pages lists none twice and misses none stored throughout', async (repo) => {
      if (options.listPage === false) {
        expect(repo.listPage).toBeUndefined();
        return;
      }
      expect(typeof repo.listPage).toBe('function');
      const listPage = repo.listPage!.bind(repo);
      const keys = (page: { items: Webhook[] }) => page.items.map((w) => w.key);
      // b and c at one time: the tie is broken by creation order, across the page's end.
      for (const [key, ms] of [['a', 0], ['b', 10], ['c', 10], ['d', 20], ['e', 30], ['f', 40]] as const) await repo.create(contractWebhook(key, { createdAt: new Date(T0 + ms) }));
      const walked: string[] = [];
      const page1 = await listPage({ limit: 2 });
      expect([keys(page1), page1.total]).toEqual([['a', 'b'], 6]);
      walked.push(...keys(page1));
      // Between pages: a webhook of the first page deleted, one created. By offset (2) the next
      // page would start at d: c, which exists throughout, would never be listed.
      expect(await repo.delete('a')).toBe(true);
      await repo.create(contractWebhook('new', { createdAt: new Date(T0 + 50) }));
      const page2 = await listPage({ limit: 2, afterPosition: page1.nextPosition! });
      expect([keys(page2), page2.total]).toEqual([['c', 'd'], 6]);
      walked.push(...keys(page2));
      // The page's last webhook deleted, and one created before the place and one after it: the
      // position is a place in the order, not a row, so it holds with its webhook gone.
      expect(await repo.delete('d')).toBe(true);
      await repo.create(contractWebhook('early', { createdAt: new Date(T0 + 5) }));
      await repo.create(contractWebhook('late', { createdAt: new Date(T0 + 60) }));
      const page3 = await listPage({ limit: 2, afterPosition: page2.nextPosition! });
      walked.push(...keys(page3));
      const page4 = await listPage({ limit: 2, afterPosition: page3.nextPosition! });
      walked.push(...keys(page4));
      expect(page4.nextPosition).toBeUndefined();
      expect(walked).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'new', 'late']);
      expect(new Set(walked).size).toBe(walked.length);
      // By offset, the same order; the last page answers no position; an empty listing pages too.
      expect(keys(await listPage({ limit: 3, offset: 1 }))).toEqual(['b', 'c', 'e']);
      expect(await listPage({ limit: 10, offset: 100 })).toEqual({ items: [], total: 7 });
      const whole = await listPage();
      expect([keys(whole), whole.nextPosition]).toEqual([['early', 'b', 'c', 'e', 'f', 'new', 'late'], undefined]);
      expect(whole.items[0]).toEqual(contractWebhook('early', { createdAt: new Date(T0 + 5) }));
      // A tie-breaker the store cannot have made is refused as a cursor, before it is read.
      const refused = await expectCode(listPage({ limit: 2, afterPosition: { at: T0, tie: "1' OR '1'='1" } }), 'HOOKWORK_ERR_INVALID_CURSOR');
      expect(refused.message).toMatch(/webhooks\.list\(\) was given after/);
    });

    test('getByAlias matches the alias exactly: not a prefix, not another case, disabled webhooks included', async (repo) => {
      await repo.create(contractWebhook('exact', { events: ['contentPublished'], createdAt: new Date(T0 + 2) }));
      await repo.create(contractWebhook('disabled', { events: ['contentPublished'], enabled: false, createdAt: new Date(T0 + 1) }));
      await repo.create(contractWebhook('longer', { events: ['contentPublishedExtra'] }));
      await repo.create(contractWebhook('upper', { events: ['ContentPublished'] }));
      await repo.create(contractWebhook('spaced', { events: ['collections.save.after.posts'] }));
      expect((await repo.getByAlias('contentPublished')).map((w) => w.key)).toEqual(['disabled', 'exact']);
      expect(await repo.getByAlias('contentPublish')).toEqual([]);
      expect((await repo.getByAlias('ContentPublished')).map((w) => w.key)).toEqual(['upper']);
      expect((await repo.getByAlias('collections.save.after.posts')).map((w) => w.key)).toEqual(['spaced']);
      expect(await repo.getByAlias('collections.save.after.%')).toEqual([]);
      expect(await repo.getByAlias('collections.save.after._osts')).toEqual([]);
      expect(await repo.getByAlias('')).toEqual([]);
    });

    test('getByAlias returns full webhooks, once each even when an alias is listed twice', async (repo) => {
      const webhook = contractWebhook('twice', { events: ['a', 'a', 'b'], headers: { h: 'v' } });
      await repo.create(webhook);
      expect(await repo.getByAlias('a')).toEqual([webhook]);
    });

    test('update re-indexes the events: the old alias no longer finds the webhook, the new one does', async (repo) => {
      await repo.create(contractWebhook('w', { events: ['old', 'kept'] }));
      await repo.create(contractWebhook('v', { events: ['kept'] }));
      await repo.update(contractWebhook('w', { events: ['kept', 'new'] }));
      expect(await repo.getByAlias('old')).toEqual([]);
      // Same creation time: creation order, which an update does not change.
      expect((await repo.getByAlias('kept')).map((w) => w.key)).toEqual(['w', 'v']);
      expect((await repo.getByAlias('new')).map((w) => w.key)).toEqual(['w']);
    });

    test('getByAlias picks the few subscribers among many webhooks', async (repo) => {
      for (let i = 0; i < 500; i++) {
        await repo.create(contractWebhook(`w${String(i).padStart(3, '0')}`, { events: [i % 50 === 0 ? 'rare' : 'common', `own${i}`], createdAt: new Date(T0 + i) }));
      }
      const rare = await repo.getByAlias('rare');
      expect(rare.map((w) => w.key)).toEqual(['w000', 'w050', 'w100', 'w150', 'w200', 'w250', 'w300', 'w350', 'w400', 'w450']);
      expect((await repo.getByAlias('own123')).map((w) => w.key)).toEqual(['w123']);
      expect(await repo.count()).toBe(500);
    });

    if (options.deleteIf !== false) describeDeleteIf(test);

    if (options.sharedByAlias !== false) {
      test('has getSharedByAlias() (optional in the port: pass { sharedByAlias: false } to this suite for a backend without it)', async (repo) => {
        expect(typeof repo.getSharedByAlias).toBe('function');
      });

      test('getSharedByAlias answers as getByAlias does, and a change gives new objects, never changing those handed out', async (repo) => {
        await repo.create(contractWebhook('a', { events: ['x', 'y'], headers: { h: 'v' }, secrets: [{ id: 's1', secret: 'whsec_c2VjcmV0LWJ5dGVzLWZvci1jb250cmFjdA==', createdAt: new Date(T0) }] }));
        await repo.create(contractWebhook('b', { events: ['x'], createdAt: new Date(T0 + 1) }));
        const before = await repo.getSharedByAlias!('x');
        expect(before).toEqual(await repo.getByAlias('x'));
        const snapshot = structuredClone(before);
        await repo.update(contractWebhook('a', { events: ['x', 'y'], headers: { h: 'changed' }, enabled: false }));
        await repo.delete('b');
        expect(before).toEqual(snapshot);
        expect(await repo.getSharedByAlias!('x')).toEqual([contractWebhook('a', { events: ['x', 'y'], headers: { h: 'changed' }, enabled: false })]);
        expect(await repo.getSharedByAlias!('nothing')).toEqual([]);
      });

      test('getShared answers as get does, sees every change at its next read, and never changes an object it handed out', async (repo) => {
        expect(typeof repo.getShared).toBe('function');
        await repo.create(contractWebhook('a', { headers: { h: 'v' } }));
        const before = await repo.getShared!('a');
        expect(before).toEqual(await repo.get('a'));
        expect(await repo.getShared!('a')).toEqual(before);
        const snapshot = structuredClone(before);
        await repo.update(contractWebhook('a', { headers: { h: 'changed' }, enabled: false }));
        expect(before).toEqual(snapshot);
        expect(await repo.getShared!('a')).toEqual(contractWebhook('a', { headers: { h: 'changed' }, enabled: false }));
        await repo.delete('a');
        expect(await repo.getShared!('a')).toBeUndefined();
        expect(await repo.getShared!('never')).toBeUndefined();
        await repo.create(contractWebhook('a', { url: 'https://again.example/' }));
        expect((await repo.getShared!('a'))?.url).toBe('https://again.example/');
      });
    }

    if (options.modify === false) return;

    test('has modify() (optional in the port: pass { modify: false } to this suite for a backend without it)', async (repo) => {
      expect(typeof repo.modify).toBe('function');
    });

    test('modify() replaces the webhook with what the change returns, and resolves with it', async (repo) => {
      await repo.create(contractWebhook('m', { events: ['old'] }));
      const stored = await repo.modify!('m', (current) => ({ ...current, name: `${current.name} (renamed)`, events: ['new'], updatedAt: new Date(T0 + 9) }));
      expect(stored).toEqual(contractWebhook('m', { name: 'Webhook m (renamed)', events: ['new'], updatedAt: new Date(T0 + 9) }));
      expect(await repo.get('m')).toEqual(stored);
      expect(await repo.getByAlias('old')).toEqual([]);
      expect((await repo.getByAlias('new')).map((w) => w.key)).toEqual(['m']);
    });

    test('modify() leaves the webhook as it is when the change returns undefined, and stores nothing when it throws', async (repo) => {
      const webhook = contractWebhook('m');
      await repo.create(webhook);
      expect(await repo.modify!('m', () => undefined)).toEqual(webhook);
      const refusal = new Error('refused by the change');
      await expect(repo.modify!('m', (current) => {
        current.name = 'changed before the refusal';
        throw refusal;
      })).rejects.toBe(refusal);
      expect(await repo.get('m')).toEqual(webhook);
    });

    test('modify() of a webhook that does not exist is HOOKWORK_ERR_WEBHOOK_NOT_FOUND, and calls no change', async (repo) => {
      let called = false;
      await expectCode(
        repo.modify!('missing', (current) => {
          called = true;
          return current;
        }),
        'HOOKWORK_ERR_WEBHOOK_NOT_FOUND',
      );
      expect(called).toBe(false);
    });

    test('modify() calls made at once each see the others\' changes: none is lost', async (repo) => {
      await repo.create(contractWebhook('m', { contentTypeKeys: [] }));
      const added = Array.from({ length: 12 }, (_, i) => `ct-${i}`);
      await Promise.all(added.map((ct) => repo.modify!('m', (current) => ({ ...current, contentTypeKeys: [...current.contentTypeKeys, ct] }))));
      expect([...(await repo.get('m'))!.contentTypeKeys].sort()).toEqual([...added].sort());
    });
  });
}

/** The tests of the optional `deleteIf()`. */
function describeDeleteIf(test: (title: string, body: (repo: WebhookRepository) => Promise<void>) => void): void {
  test('has deleteIf() (optional in the port: pass { deleteIf: false } to this suite for a backend without it)', async (repo) => {
    expect(typeof repo.deleteIf).toBe('function');
  });

  test('deleteIf() deletes the webhook when the condition holds for it as stored, and keeps it when not', async (repo) => {
    await repo.create(contractWebhook('d', { name: 'Orders', events: ['gone'] }));
    await repo.create(contractWebhook('kept', { name: 'Invoices' }));
    const seen: string[] = [];
    expect(await repo.deleteIf!('kept', (current) => (seen.push(current.name ?? ''), current.name === 'Orders'))).toBe(false);
    expect(await repo.get('kept')).toEqual(contractWebhook('kept', { name: 'Invoices' }));
    expect(await repo.deleteIf!('d', (current) => (seen.push(current.name ?? ''), current.name === 'Orders'))).toBe(true);
    expect(seen).toEqual(['Invoices', 'Orders']);
    expect(await repo.get('d')).toBeUndefined();
    expect(await repo.getByAlias('gone')).toEqual([]);
    expect(await repo.count()).toBe(1);
  });

  test('deleteIf() of a webhook that does not exist resolves false and calls no condition; what the condition throws is thrown, nothing deleted', async (repo) => {
    let called = false;
    expect(await repo.deleteIf!('missing', () => (called = true))).toBe(false);
    expect(called).toBe(false);
    const webhook = contractWebhook('d');
    await repo.create(webhook);
    const refusal = new Error('refused by the condition');
    await expect(repo.deleteIf!('d', () => {
      throw refusal;
    })).rejects.toBe(refusal);
    expect(await repo.get('d')).toEqual(webhook);
  });

  test('deleteIf() and modify() at once: the condition sees the change if it came first, and a change never lands on a deleted webhook', async (repo) => {
    if (!repo.modify) return;
    // Whichever goes first, a rename and a delete of "the webhook named Orders" never both succeed.
    for (let round = 0; round < 5; round++) {
      const key = `race-${round}`;
      await repo.create(contractWebhook(key, { name: 'Orders' }));
      const [renamed, deleted] = await Promise.allSettled([repo.modify(key, (current) => ({ ...current, name: 'Renamed' })), repo.deleteIf!(key, (current) => current.name === 'Orders')]);
      const stored = await repo.get(key);
      if (deleted.status === 'fulfilled' && deleted.value) {
        expect(stored).toBeUndefined();
        expect(renamed.status).toBe('rejected');
      } else {
        expect(deleted).toEqual({ status: 'fulfilled', value: false });
        expect(renamed.status).toBe('fulfilled');
        expect(stored?.name).toBe('Renamed');
      }
    }
  });
}
