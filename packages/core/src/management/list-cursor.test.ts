import { startTestReceiver, type TestReceiver } from '../testing';
import { refusal, startTestApp, ThingHappened } from '../test-support/test-app';
import { MemoryDeliveryLog, MemoryRequestQueue, MemoryWebhookRepository } from '../storage/memory/memory-storage';
import { positionSequence, type CursorListing, type DeliveryLog, type Hookwork, type Page, type RequestQueue, type StorageBackend } from '../index';

/** Every page of a newest-first listing, by `next`, with `between` run after each page. */
async function walk<T>(read: (after?: string) => Promise<Page<T>>, between: (page: number) => Promise<void> = async () => {}): Promise<T[]> {
  const items: T[] = [];
  let after: string | undefined;
  for (let page = 1; page < 100; page++) {
    const answer = await read(after);
    items.push(...answer.items);
    if (answer.next === undefined) return items;
    after = answer.next;
    await between(page);
  }
  throw new Error('the walk did not end');
}

const cursorOf = (body: object) => Buffer.from(JSON.stringify(body)).toString('base64url');

describe('newest-first listings by cursor (logs(), deadLetters())', () => {
  let receiver: TestReceiver;
  const apps: Hookwork[] = [];
  beforeEach(async () => {
    receiver = await startTestReceiver((_request, res) => void res.writeHead(503).end('down'));
  });
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.stop();
    await receiver.close();
  });

  /** An app whose webhook's receiver answers 503 and that gives up at once: each publish is one log entry and one dead letter. */
  async function failingApp(storage?: StorageBackend) {
    const app = await startTestApp({ ...(storage ? { storage } : {}), settings: { maximumRetries: 0, breaker: { enabled: false }, autoDisable: { enabled: false, after: 1000 } } });
    apps.push(app);
    const hook = await app.webhooks.create({ url: `${receiver.origin}/down`, events: ['thing.happened'] });
    const fail = async (count: number) => {
      for (let i = 0; i < count; i++) await app.publish(new ThingHappened(`n${i}`));
      await app.drain();
    };
    return { app, hook, fail };
  }

  it('walks the log and the dead letters each entry once while attempts are logged and dead letters redelivered between pages', async () => {
    const { app, hook, fail } = await failingApp();
    await fail(7);
    const logged = (await app.logs({ limit: 1000 })).items.map((e) => e.key);
    const dead = (await app.deadLetters({ limit: 1000 })).items.map((r) => r.id);
    expect(logged).toHaveLength(7);

    // Two more attempts logged after each page: an offset would list the last two of each page again.
    const walkedLog = await walk((after) => app.logs({ limit: 3, ...(after ? { after } : {}) }), () => fail(2));
    expect(walkedLog.map((e) => e.key)).toEqual(logged);
    const oneWebhook = await walk((after) => app.logs(hook.key, { limit: 2, ...(after ? { after } : {}) }), () => fail(1));
    expect(new Set(oneWebhook.map((e) => e.key)).size).toBe(oneWebhook.length);

    // A dead letter of page 1 redelivered (and dead again, newer) after it: an offset would skip one.
    const before = (await app.deadLetters({ limit: 1000 })).items.map((r) => r.id);
    const walkedDead = await walk(
      (after) => app.deadLetters({ limit: 2, ...(after ? { after } : {}) }),
      async (page) => {
        if (page === 1) {
          // Held back: it stays queued, gone from the dead letters.
          app.updateSettings({ enabled: false });
          expect(await app.redeliver({ ids: [before[0]!] })).toEqual({ redelivered: 1, skipped: 0 });
        }
      },
    );
    expect(walkedDead.map((r) => r.id)).toEqual(before);
    expect(before).toEqual(expect.arrayContaining(dead));
    app.updateSettings({ enabled: true });
  });

  it('refuses an after that is no cursor of that listing, or one given with offset, with a coded error naming after', async () => {
    const { app, fail } = await failingApp();
    await fail(3);
    const logNext = (await app.logs({ limit: 1 })).next!;
    const deadNext = (await app.deadLetters({ limit: 1 })).next!;
    expect(logNext).toMatch(/^[A-Za-z0-9_-]+$/);
    const cases: [string, () => Promise<unknown>, string, RegExp][] = [
      ['garbage', () => app.logs({ after: 'not a cursor!' }), 'HOOKWORK_ERR_INVALID_CURSOR', /logs\(\) was given after that is "not a cursor!", which is no cursor/],
      ['not JSON', () => app.deadLetters({ after: 'AAAA' }), 'HOOKWORK_ERR_INVALID_CURSOR', /does not decode to a cursor/],
      ['the other listing\'s', () => app.deadLetters({ after: logNext }), 'HOOKWORK_ERR_INVALID_CURSOR', /is a cursor of the delivery log, not of the dead letters/],
      ['the other listing\'s, the other way', () => app.logs({ after: deadNext }), 'HOOKWORK_ERR_INVALID_CURSOR', /is a cursor of the dead letters, not of the delivery log/],
      ['a changed tie-breaker', () => app.logs({ after: cursorOf({ v: 1, l: 'log', at: 1, t: '1 OR 1=1' }) }), 'HOOKWORK_ERR_INVALID_CURSOR', /no sequence number of this log/],
      ['a changed time', () => app.deadLetters({ after: cursorOf({ v: 1, l: 'dead', at: 'soon', t: '1' }) }), 'HOOKWORK_ERR_INVALID_CURSOR', /not a whole number of ms/],
      ['another version', () => app.logs({ after: cursorOf({ v: 2, l: 'log', at: 1, t: '1' }) }), 'HOOKWORK_ERR_INVALID_CURSOR', /cursor version 2/],
      ['not a string', () => app.logs({ after: 5 as unknown as string }), 'HOOKWORK_ERR_INVALID_CURSOR', /is number, not a string/],
      ['with offset', () => app.logs({ after: logNext, offset: 1 }), 'HOOKWORK_ERR_INVALID_PAGE', /both after and offset/],
      ['with offset, one webhook', () => app.deadLetters({ after: deadNext, offset: 0 }), 'HOOKWORK_ERR_INVALID_PAGE', /both after and offset/],
    ];
    for (const [name, call, code, message] of cases) {
      const error = await refusal(call);
      expect([name, error.code, error.status]).toEqual([name, code, 400]);
      expect(error.message).toMatch(message);
      expect(error.details).toEqual([expect.objectContaining({ field: 'after' })]);
    }
    // Another API's name for the cursor is refused, naming after.
    const named = await refusal(() => app.logs({ cursor: logNext } as never));
    expect([named.code, named.message]).toEqual(['HOOKWORK_ERR_INVALID_QUERY', expect.stringMatching(/did you mean after for "cursor"/)]);
    // The last page says no more follow; a page by offset answers next too.
    expect((await app.logs({ limit: 3 })).next).toBeUndefined();
    expect((await app.deadLetters({ limit: 1, offset: 1 })).next).toBeDefined();
  });

  it('pages a store written before positions (no pagesByPosition) by offset behind its cursors, and refuses a position cursor it cannot follow', async () => {
    // A third party's store as it was written before: only the methods it had, no flags.
    const log = new MemoryDeliveryLog();
    const queue = new MemoryRequestQueue(log);
    const oldLog: DeliveryLog = { append: (e) => log.append(e), list: (q) => log.list({ ...q, afterPosition: undefined }), get: (k) => log.get(k), deleteOlderThan: (b, l) => log.deleteOlderThan(b, l) };
    const oldQueue = new Proxy(queue, { get: (target, name) => (name === 'pagesDeadByPosition' ? undefined : Reflect.get(target, name, target)) }) as RequestQueue;
    const storage: StorageBackend = {
      name: 'old-store',
      capabilities: { transactionalEnqueue: false, leaseRenewal: true, shared: false, crossProcessWake: false },
      open: async () => ({ webhooks: new MemoryWebhookRepository(), queue: oldQueue, deliveryLog: oldLog, async close() {} }),
    };
    const { app, fail } = await failingApp(storage);
    await fail(5);
    const logged = (await app.logs({ limit: 1000 })).items.map((e) => e.key);
    expect((await walk((after) => app.logs({ limit: 2, ...(after ? { after } : {}) }))).map((e) => e.key)).toEqual(logged);
    const dead = (await app.deadLetters({ limit: 1000 })).items.map((r) => r.id);
    expect((await walk((after) => app.deadLetters({ limit: 2, ...(after ? { after } : {}) }))).map((r) => r.id)).toEqual(dead);
    const error = await refusal(() => app.logs({ after: cursorOf({ v: 1, l: 'log', at: 1, t: '1' }) }));
    expect(error.code).toBe('HOOKWORK_ERR_INVALID_CURSOR');
    expect(error.message).toMatch(/a store that pages by position, which this app's store does not/);
  });
});

describe('webhooks.list() by cursor, in creation order', () => {
  const apps: Hookwork[] = [];
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.stop();
  });
  async function appWith(count: number, storage?: StorageBackend) {
    const app = await startTestApp(storage ? { storage } : {});
    apps.push(app);
    const create = async () => (await app.webhooks.create({ url: 'https://receiver.example/hook', events: ['thing.happened'] })).key;
    const keys: string[] = [];
    for (let i = 0; i < count; i++) keys.push(await create());
    return { app, keys, create };
  }

  it('walks every webhook that exists throughout once while webhooks are deleted and created between pages', async () => {
    const { app, keys, create } = await appWith(8);
    expect((await app.webhooks.list({ limit: 1000 })).items.map((w) => w.key)).toEqual(keys);
    const created: string[] = [];
    const pages: string[][] = [];
    const walked = await walk(
      async (after) => {
        const page = await app.webhooks.list({ limit: 3, ...(after ? { after } : {}) });
        pages.push(page.items.map((w) => w.key));
        return page;
      },
      async () => {
        // A webhook of the page just read deleted, one created: by offset, the next page would
        // start one webhook later, and that one (there throughout) would never be listed.
        expect(await app.webhooks.delete(pages.at(-1)![0]!)).toBe(true);
        created.push(await create());
      },
    );
    const keysWalked = walked.map((w) => w.key);
    expect(new Set(keysWalked).size).toBe(keysWalked.length);
    expect(keysWalked).toEqual([...keys, ...created]);
    // The page answers the total and no next on the last page; a page by offset answers next too.
    const last = await app.webhooks.list({ limit: 1000 });
    expect([last.next, last.total]).toEqual([undefined, last.items.length]);
    expect((await app.webhooks.list({ limit: 1, offset: 1 })).next).toEqual(expect.stringMatching(/^[A-Za-z0-9_-]+$/));
  });

  it('refuses an after that is no cursor of the webhooks, or one given with offset, with a coded error naming after', async () => {
    const { app } = await appWith(3);
    const hookNext = (await app.webhooks.list({ limit: 1 })).next!;
    const logNext = cursorOf({ v: 1, l: 'log', at: 1, t: '1' });
    const cases: [string, () => Promise<unknown>, string, RegExp][] = [
      ['garbage', () => app.webhooks.list({ after: 'not a cursor!' }), 'HOOKWORK_ERR_INVALID_CURSOR', /webhooks\.list\(\) was given after that is "not a cursor!", which is no cursor/],
      ['the delivery log\'s', () => app.webhooks.list({ after: logNext }), 'HOOKWORK_ERR_INVALID_CURSOR', /is a cursor of the delivery log, not of the webhooks/],
      ['the webhooks\' given to the log', () => app.logs({ after: hookNext }), 'HOOKWORK_ERR_INVALID_CURSOR', /is a cursor of the webhooks, not of the delivery log/],
      ['the webhooks\' given to the dead letters', () => app.deadLetters({ after: hookNext }), 'HOOKWORK_ERR_INVALID_CURSOR', /is a cursor of the webhooks, not of the dead letters/],
      ['a changed tie-breaker', () => app.webhooks.list({ after: cursorOf({ v: 1, l: 'hook', at: 1, t: '1 OR 1=1' }) }), 'HOOKWORK_ERR_INVALID_CURSOR', /no sequence number of these webhooks.*start from the first \(oldest\) webhook/],
      ['not a string', () => app.webhooks.list({ after: 7 as unknown as string }), 'HOOKWORK_ERR_INVALID_CURSOR', /is number, not a string/],
      ['with offset', () => app.webhooks.list({ after: hookNext, offset: 0 }), 'HOOKWORK_ERR_INVALID_PAGE', /both after and offset/],
    ];
    for (const [name, call, code, message] of cases) {
      const error = await refusal(call);
      expect([name, error.code, error.status]).toEqual([name, code, 400]);
      expect(error.message).toMatch(message);
      expect(error.details).toEqual([expect.objectContaining({ field: 'after' })]);
    }
    // Another API's name for the cursor is refused, naming after.
    const named = await refusal(() => app.webhooks.list({ cursor: hookNext } as never));
    expect([named.code, named.message]).toEqual(['HOOKWORK_ERR_INVALID_PAGE', expect.stringMatching(/cursor is after \(the next of the page before\) here\); a page is \{ limit, offset, after \}/)]);
  });

  it('pages a store written before listPage() by offset behind its cursors, and refuses a position cursor it cannot follow', async () => {
    const memory = new MemoryWebhookRepository();
    // A third party's repository as it was written before: every method but listPage().
    const oldRepository = new Proxy(memory, { get: (target, name) => (name === 'listPage' ? undefined : Reflect.get(target, name, target)) });
    const storage: StorageBackend = {
      name: 'old-store',
      capabilities: { transactionalEnqueue: false, leaseRenewal: true, shared: false, crossProcessWake: false },
      open: async () => {
        const log = new MemoryDeliveryLog();
        return { webhooks: oldRepository, queue: new MemoryRequestQueue(log), deliveryLog: log, async close() {} };
      },
    };
    const { app, keys } = await appWith(5, storage);
    expect((await walk((after) => app.webhooks.list({ limit: 2, ...(after ? { after } : {}) }))).map((w) => w.key)).toEqual(keys);
    const error = await refusal(() => app.webhooks.list({ after: cursorOf({ v: 1, l: 'hook', at: 1, t: '1' }) }));
    expect(error.code).toBe('HOOKWORK_ERR_INVALID_CURSOR');
    expect(error.message).toMatch(/a store that pages by position, which this app's store does not; leave after out to start from the first \(oldest\) webhook/);
  });
});

describe('positionSequence(), the tie check of a store that numbers its items', () => {
  it('gives back the digits of a sequence number, up to the most the store has', () => {
    expect(positionSequence('logs', '42')).toBe('42');
    expect(positionSequence('logs', '9'.repeat(15))).toBe('9'.repeat(15));
    // A PostgreSQL bigint, kept as text.
    expect(positionSequence('deadLetters', '9'.repeat(18), 18)).toBe('9'.repeat(18));
  });

  it('refuses anything else as a cursor changed by hand, naming the listing, before a store reads it', () => {
    const refusalOf = (listing: CursorListing, tie: string, maxDigits?: number) => {
      try {
        positionSequence(listing, tie, maxDigits);
      } catch (error) {
        return error as { code: string; message: string };
      }
      throw new Error(`${tie} was taken`);
    };
    expect(refusalOf('logs', '1 OR 1=1')).toMatchObject({ code: 'HOOKWORK_ERR_INVALID_CURSOR', message: expect.stringContaining('logs() was given after that holds a tie-breaker that is no sequence number of this log (changed)') });
    expect(refusalOf('deadLetters', '')).toMatchObject({ message: expect.stringContaining('no sequence number of this queue') });
    expect(refusalOf('webhooks.list', '-1')).toMatchObject({ message: expect.stringContaining('no sequence number of these webhooks') });
    // Past 15 digits a JavaScript number is no longer exact; past 18, no bigint seq.
    expect(refusalOf('logs', '1'.repeat(16))).toMatchObject({ code: 'HOOKWORK_ERR_INVALID_CURSOR' });
    expect(refusalOf('logs', '1'.repeat(19), 18)).toMatchObject({ code: 'HOOKWORK_ERR_INVALID_CURSOR' });
    expect(refusalOf('logs', '1.5')).toMatchObject({ code: 'HOOKWORK_ERR_INVALID_CURSOR' });
  });
});
