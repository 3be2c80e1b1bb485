import { nearestName } from '../index';

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

  it('suggests nothing when nothing is near', () => {
    expect(nearestName('wal', ['file', 'busyTimeoutMs', 'synchronous', 'checkpoint'])).toBeUndefined();
    expect(nearestName('', ['file'])).toBeUndefined();
  });
});
