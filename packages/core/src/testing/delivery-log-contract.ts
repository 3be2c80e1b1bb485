/// <reference types="jest" />
import type { DeliveryLog } from '../ports/delivery-log';
import type { DeliveryLogEntry } from '../model/delivery-log-entry';
import { withSubject, type ContractFactory, requireJestGlobals } from './contract-subject';

const T0 = Date.UTC(2030, 0, 2, 3, 4, 5, 678);
const at = (ms: number) => new Date(T0 + ms);

/** A delivery log entry for contract tests; `overrides` change any field. */
export function contractLogEntry(key: string, overrides: Partial<DeliveryLogEntry> = {}): DeliveryLogEntry {
  return {
    key,
    webhookKey: 'wh-1',
    requestId: `msg_${key}`,
    url: 'https://receiver.example/hook',
    eventAlias: 'contentPublished',
    retryCount: 0,
    date: at(0),
    statusCode: 200,
    requestHeaders: { 'content-type': 'application/json', 'webhook-id': `msg_${key}` },
    requestBody: '{"id":1}',
    responseHeaders: { 'content-length': '2' },
    responseBody: 'ok',
    durationMs: 12,
    outcome: 'delivered',
    ...overrides,
  };
}

const keys = (entries: readonly DeliveryLogEntry[]) => entries.map((e) => e.key);

/** What a {@link DeliveryLog} under the contract leaves out. */
export interface DeliveryLogContractOptions {
  /**
   * False for a log that does not page by position (no `pagesByPosition`: core pages it by
   * offset); otherwise the suite checks that it declares it and that a walk by position lists
   * each entry once while entries are appended and cleaned up between pages.
   */
  pagesByPosition?: boolean;
}

/**
 * The behaviour every {@link DeliveryLog} backend must show: entries kept intact whatever their
 * size (a log write must never fail on a value's length), listed per webhook newest first with
 * a stable order among equal dates, paged with a total, and cleaned up in bounded batches.
 */
export function describeDeliveryLogContract(name: string, factory: ContractFactory<DeliveryLog>, options: DeliveryLogContractOptions = {}): void {
  requireJestGlobals('describeDeliveryLogContract');
  const test = (title: string, body: (log: DeliveryLog) => Promise<void>) => it(title, () => withSubject(factory, ({ subject }) => body(subject)));

  describe(`DeliveryLog contract: ${name}`, () => {
    test('keeps every field of an entry, dates as Date objects to the millisecond', async (log) => {
      const success = contractLogEntry('ok', { date: at(123), retryCount: 2, durationMs: 1234 });
      const failure = contractLogEntry('fail', {
        date: at(124),
        statusCode: undefined,
        responseHeaders: {},
        responseBody: '',
        errorKind: 'timeout',
        errorMessage: 'no answer within 15000 ms',
        outcome: 'retrying',
      });
      delete failure.statusCode;
      await log.append([success, failure]);
      const page = await log.list({ webhookKey: 'wh-1' });
      expect(page.total).toBe(2);
      expect(page.items).toEqual([failure, success]);
      expect(page.items[0]!.date).toBeInstanceOf(Date);
      expect(page.items[1]!.date.getTime()).toBe(T0 + 123);
      expect(page.items[0]!.statusCode).toBeUndefined();
    });

    test('lists one webhook\'s entries only, newest first', async (log) => {
      await log.append([
        contractLogEntry('a1', { webhookKey: 'a', date: at(1) }),
        contractLogEntry('b1', { webhookKey: 'b', date: at(2) }),
        contractLogEntry('a3', { webhookKey: 'a', date: at(3) }),
      ]);
      await log.append([contractLogEntry('a2', { webhookKey: 'a', date: at(2) })]);
      expect(keys((await log.list({ webhookKey: 'a' })).items)).toEqual(['a3', 'a2', 'a1']);
      expect(keys((await log.list({ webhookKey: 'b' })).items)).toEqual(['b1']);
      expect(await log.list({ webhookKey: 'none' })).toEqual({ items: [], total: 0 });
    });

    test('orders entries of the same date by append order, later first', async (log) => {
      await log.append([contractLogEntry('first', { date: at(5) }), contractLogEntry('second', { date: at(5) })]);
      await log.append([contractLogEntry('third', { date: at(5) })]);
      await log.append([contractLogEntry('older', { date: at(4) })]);
      expect(keys((await log.list({ webhookKey: 'wh-1' })).items)).toEqual(['third', 'second', 'first', 'older']);
    });

    test('pages with limit and offset; total counts every entry of the webhook', async (log) => {
      await log.append(Array.from({ length: 7 }, (_, i) => contractLogEntry(`e${i}`, { date: at(i) })));
      await log.append([contractLogEntry('other', { webhookKey: 'other' })]);
      const first = await log.list({ webhookKey: 'wh-1', limit: 3 });
      expect(keys(first.items)).toEqual(['e6', 'e5', 'e4']);
      expect(first.total).toBe(7);
      expect(keys((await log.list({ webhookKey: 'wh-1', limit: 3, offset: 3 })).items)).toEqual(['e3', 'e2', 'e1']);
      expect(await log.list({ webhookKey: 'wh-1', limit: 3, offset: 6 })).toEqual({ items: [contractLogEntry('e0', { date: at(0) })], total: 7 });
      expect((await log.list({ webhookKey: 'wh-1', offset: 100 })).items).toEqual([]);
    });

    test('lists 50 entries when no limit is given', async (log) => {
      await log.append(Array.from({ length: 60 }, (_, i) => contractLogEntry(`e${i}`, { date: at(i) })));
      const page = await log.list({ webhookKey: 'wh-1' });
      expect(page.items).toHaveLength(50);
      expect(page.items[0]!.key).toBe('e59');
      expect(page.total).toBe(60);
    });

    test('stores 1 MiB header and body values intact (a log write never fails on size)', async (log) => {
      const mib = 1024 * 1024;
      const huge = contractLogEntry('huge', {
        requestHeaders: { 'x-big': 'h'.repeat(mib), 'x-unicode': 'ü✓🚀' },
        requestBody: `{"b":"${'q'.repeat(mib)}"}`,
        responseHeaders: { location: 'l'.repeat(mib) },
        responseBody: 'r'.repeat(mib) + '\u0000end',
        url: `https://receiver.example/${'p'.repeat(8192)}`,
        errorMessage: 'm'.repeat(mib),
      });
      await log.append([huge]);
      const [stored] = (await log.list({ webhookKey: 'wh-1' })).items;
      expect(stored!.requestHeaders['x-big']!.length).toBe(mib);
      expect(stored!.responseBody.length).toBe(mib + 4);
      expect(stored).toEqual(huge);
    });

    test('hands out copies: changing a listed entry changes nothing stored', async (log) => {
      await log.append([contractLogEntry('c')]);
      const [listed] = (await log.list({ webhookKey: 'wh-1' })).items;
      listed!.requestHeaders['x-added'] = '1';
      listed!.responseBody = 'changed';
      expect((await log.list({ webhookKey: 'wh-1' })).items).toEqual([contractLogEntry('c')]);
    });

    test('lists every webhook\'s entries when no webhook is given, newest first', async (log) => {
      await log.append([contractLogEntry('a1', { webhookKey: 'a', date: at(1) }), contractLogEntry('b2', { webhookKey: 'b', date: at(2) })]);
      expect(await log.list()).toEqual({ items: [contractLogEntry('b2', { webhookKey: 'b', date: at(2) }), contractLogEntry('a1', { webhookKey: 'a', date: at(1) })], total: 2 });
    });

    test('narrows by outcome, event alias and request, with totals of what matched', async (log) => {
      await log.append([
        contractLogEntry('r0', { requestId: 'msg_r', outcome: 'retrying', statusCode: 500, date: at(1) }),
        contractLogEntry('r1', { requestId: 'msg_r', outcome: 'delivered', date: at(2) }),
        contractLogEntry('x', { requestId: 'msg_x', outcome: 'dead', eventAlias: 'mediaSaved', date: at(3) }),
        contractLogEntry('t', { requestId: 'msg_t', outcome: 'test', webhookKey: 'other', date: at(4) }),
      ]);
      expect(keys((await log.list({ outcomes: ['retrying', 'dead'] })).items)).toEqual(['x', 'r0']);
      expect(keys((await log.list({ eventAlias: 'mediaSaved' })).items)).toEqual(['x']);
      expect(keys((await log.list({ requestId: 'msg_r' })).items)).toEqual(['r1', 'r0']);
      const page = await log.list({ webhookKey: 'wh-1', outcomes: ['delivered', 'retrying', 'dead'], limit: 1 });
      expect(keys(page.items)).toEqual(['x']);
      expect(page.total).toBe(3);
      expect(await log.list({ outcomes: [] })).toEqual({ items: [], total: 0 });
    });

    test('narrows by HTTP status class, `none` being the attempts that got no response', async (log) => {
      const noResponse = contractLogEntry('timeout', { date: at(7), errorKind: 'timeout', errorMessage: 'no answer within 15000 ms', outcome: 'retrying', responseHeaders: {}, responseBody: '' });
      delete noResponse.statusCode;
      await log.append([
        contractLogEntry('s101', { statusCode: 101, date: at(1) }),
        contractLogEntry('s200', { statusCode: 200, date: at(2) }),
        contractLogEntry('s299', { statusCode: 299, date: at(3), webhookKey: 'other' }),
        contractLogEntry('s301', { statusCode: 301, date: at(4), outcome: 'dead' }),
        contractLogEntry('s400', { statusCode: 400, date: at(5), outcome: 'dead' }),
        contractLogEntry('s599', { statusCode: 599, date: at(6), outcome: 'retrying', eventAlias: 'mediaSaved' }),
        noResponse,
        // Past the ends of the classes: in none of them, and not "no response" either.
        contractLogEntry('s600', { statusCode: 600, date: at(8), outcome: 'dead' }),
        contractLogEntry('s99', { statusCode: 99, date: at(9), outcome: 'dead' }),
      ]);
      expect(keys((await log.list({ statusClasses: ['2xx'] })).items)).toEqual(['s299', 's200']);
      expect(keys((await log.list({ statusClasses: ['4xx', '5xx'] })).items)).toEqual(['s599', 's400']);
      expect(keys((await log.list({ statusClasses: ['none'] })).items)).toEqual(['timeout']);
      expect(await log.list({ statusClasses: ['none'] })).toEqual({ items: [noResponse], total: 1 });
      expect(keys((await log.list({ statusClasses: ['1xx', '3xx', 'none'] })).items)).toEqual(['timeout', 's301', 's101']);
      expect(keys((await log.list({ statusClasses: ['1xx', '2xx', '3xx', '4xx', '5xx', 'none'] })).items)).toEqual(['timeout', 's599', 's400', 's301', 's299', 's200', 's101']);
      expect(await log.list({ statusClasses: [] })).toEqual({ items: [], total: 0 });
      // With the other filters: all must hold; the total counts what matched, not the page.
      const page = await log.list({ webhookKey: 'wh-1', statusClasses: ['2xx', '3xx', '4xx', '5xx'], outcomes: ['dead', 'retrying'], limit: 1 });
      expect(keys(page.items)).toEqual(['s599']);
      expect(page.total).toBe(3);
      expect(keys((await log.list({ statusClasses: ['5xx', 'none'], eventAlias: 'contentPublished' })).items)).toEqual(['timeout']);
      expect(keys((await log.list({ statusClasses: ['2xx'], requestId: 'msg_s200' })).items)).toEqual(['s200']);
      expect(keys((await log.list({ statusClasses: ['2xx', '4xx'], limit: 2, offset: 1 })).items)).toEqual(['s299', 's200']);
    });

    test('gets one entry by its key, as a copy', async (log) => {
      const entry = contractLogEntry('one', { date: at(7) });
      await log.append([entry, contractLogEntry('two')]);
      const got = await log.get('one');
      expect(got).toEqual(entry);
      got!.responseBody = 'changed';
      expect(await log.get('one')).toEqual(entry);
      expect(await log.get('none')).toBeUndefined();
    });

    test('an empty append is a no-op', async (log) => {
      await log.append([]);
      expect(await log.list({ webhookKey: 'wh-1' })).toEqual({ items: [], total: 0 });
    });

    test('a log that pages by position walks entries each once, whatever is appended or cleaned up between pages', async (log) => {
      if (options.pagesByPosition === false) {
        // Paged by offset behind core's cursors (unstable by design): it must not claim otherwise.
        expect(log.pagesByPosition).not.toBe(true);
        return;
      }
      expect(log.pagesByPosition).toBe(true);
      const keys = (page: { items: DeliveryLogEntry[] }) => page.items.map((e) => e.key);
      // Ties at 2, broken by append order, later first.
      await log.append([contractLogEntry('e1', { date: at(1) }), contractLogEntry('e2', { date: at(2) }), contractLogEntry('e3', { date: at(2) })]);
      await log.append([contractLogEntry('e4', { date: at(2) }), contractLogEntry('e5', { date: at(3) }), contractLogEntry('e6', { date: at(4) })]);
      const walked: string[] = [];
      const page1 = await log.list({ limit: 2 });
      walked.push(...keys(page1));
      expect(walked).toEqual(['e6', 'e5']);
      // Between pages: one at e5's date (appended later, so before it: not in the rest of the walk),
      // one newer, one at 2 (after the place: listed once). An offset of 2 would list e5 again.
      await log.append([contractLogEntry('n1', { date: at(3) }), contractLogEntry('n2', { date: at(100) }), contractLogEntry('n3', { date: at(2) })]);
      const page2 = await log.list({ limit: 2, afterPosition: page1.nextPosition! });
      walked.push(...keys(page2));
      expect(page2.total).toBe(9);
      // Between pages: the oldest is cleaned up.
      expect(await log.deleteOlderThan(at(2), 10)).toBe(1);
      const page3 = await log.list({ limit: 2, afterPosition: page2.nextPosition! });
      walked.push(...keys(page3));
      expect(walked).toEqual(['e6', 'e5', 'n3', 'e4', 'e3', 'e2']);
      expect(page3.nextPosition).toBeUndefined();
      // Filtered, the same walk.
      const one = await log.list({ webhookKey: 'wh-1', outcomes: ['delivered'], limit: 4 });
      expect(keys(one)).toEqual(['n2', 'e6', 'n1', 'e5']);
      const rest = await log.list({ webhookKey: 'wh-1', outcomes: ['delivered'], limit: 4, afterPosition: one.nextPosition! });
      expect(rest).toMatchObject({ total: 8 });
      expect(keys(rest)).toEqual(['n3', 'e4', 'e3', 'e2']);
      expect(rest.nextPosition).toBeUndefined();
    });

    test('deleteOlderThan deletes entries dated before the time, oldest first, at most limit per call', async (log) => {
      await log.append(Array.from({ length: 6 }, (_, i) => contractLogEntry(`old${i}`, { date: at(i), webhookKey: i % 2 ? 'a' : 'b' })));
      await log.append([contractLogEntry('edge', { date: at(100) }), contractLogEntry('new', { date: at(200) })]);
      expect(await log.deleteOlderThan(at(100), 4)).toBe(4);
      // The oldest went first: old4 (b) and old5 (a) are left of the old ones.
      expect(keys((await log.list({ webhookKey: 'a' })).items)).toEqual(['old5']);
      expect(keys((await log.list({ webhookKey: 'b' })).items)).toEqual(['old4']);
      expect(await log.deleteOlderThan(at(100), 4)).toBe(2);
      expect(await log.deleteOlderThan(at(100), 4)).toBe(0);
      expect(keys((await log.list({ webhookKey: 'wh-1' })).items)).toEqual(['new', 'edge']);
    });
  });
}
