import { nearestName } from '../index';
import { OTHER_NAMES, otherNameIn, otherNameOf } from './nearest-name';

describe('nearestName', () => {
  it.each([
    ['busytimeoutMs', ['file', 'busyTimeoutMs'], 'busyTimeoutMs'],
    ['notificaton', ['alias', 'notification', 'synonyms', 'patterns'], 'notification'],
    ['keyPrefix', ['connection', 'queueName', 'prefix', 'commandTimeoutMs'], 'prefix'],
    ['filename', ['file', 'busyTimeoutMs', 'synchronous'], 'file'],
    ['schemaName', ['connectionString', 'pool', 'schema', 'poolSize'], 'schema'],
    ['header', ['url', 'events', 'headers'], 'headers'],
    ['urls', ['name', 'url', 'events'], 'url'],
    ['threshold', ['enabled', 'failureThreshold', 'failureRate'], 'failureThreshold'],
    ['deadLetter', ['enqueued', 'deadLettered', 'audit'], 'deadLettered'],
  ])('suggests for %s the name meant', (name, known, meant) => {
    expect(nearestName(name, known)).toBe(meant);
  });

  it("suggests the option meant for another library's name of it, which no edit distance finds (publish(n, { tx: client }))", () => {
    const publishOptions = ['transaction', 'traceContext', 'idempotencyKey'];
    expect(nearestName('tx', publishOptions)).toBe('transaction');
    expect(nearestName('trx', publishOptions)).toBe('transaction');
    expect(nearestName('client', publishOptions)).toBe('transaction');
    expect(nearestName('ctx', publishOptions)).toBe('traceContext');
    expect(nearestName('dedupeKey', publishOptions)).toBe('idempotencyKey');
    // Only among the names the caller knows: no transaction to suggest where there is none.
    expect(nearestName('tx', ['file', 'busyTimeoutMs'])).toBeUndefined();
  });

  it("suggests a page's part for another API's name of it, in any case (Umbraco's take and skip, a cursor)", () => {
    const page = ['limit', 'offset', 'after'];
    expect(nearestName('take', page)).toBe('limit');
    expect(nearestName('pageSize', page)).toBe('limit');
    expect(nearestName('Skip', page)).toBe('offset');
    expect(nearestName('page', page)).toBe('offset');
    expect(nearestName('cursor', page)).toBe('after');
    expect(nearestName('next', page)).toBe('after');
    expect(otherNameOf('TAKE', page)).toBe('limit');
    // Only another library's name, never a near spelling: that is nearestName's.
    expect(otherNameOf('limt', page)).toBeUndefined();
  });

  it("reads the table the other way round for an API that keeps another library's names (otherNameIn)", () => {
    const umbraco = ['skip', 'take', 'after'];
    // Core's name or a third library's, to the admin API's Umbraco name in the same row.
    expect(['limit', 'size', 'pageSize', 'Limit'].map((name) => otherNameIn(name, umbraco))).toEqual(['take', 'take', 'take', 'take']);
    expect(['offset', 'page'].map((name) => otherNameIn(name, umbraco))).toEqual(['skip', 'skip']);
    expect(['cursor', 'next'].map((name) => otherNameIn(name, umbraco))).toEqual(['after', 'after']);
    expect(otherNameIn('cursor', ['skip', 'take'])).toBeUndefined();
    expect(otherNameIn('limt', umbraco)).toBeUndefined();
    expect(otherNameIn('take', umbraco)).toBeUndefined();
  });

  it('keeps one table of other names, lower case, each name of one option only', () => {
    const all = Object.values(OTHER_NAMES).flat();
    expect(all.filter((name) => name !== name.toLowerCase())).toEqual([]);
    expect(all.filter((name, i) => all.indexOf(name) !== i)).toEqual([]);
  });

  it('suggests nothing when nothing is near', () => {
    expect(nearestName('wal', ['file', 'busyTimeoutMs', 'synchronous', 'checkpoint'])).toBeUndefined();
    expect(nearestName('', ['file'])).toBeUndefined();
  });
});
