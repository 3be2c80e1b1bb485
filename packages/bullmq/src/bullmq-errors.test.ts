import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isHookworkError } from '@hookwork/core';
import { describeErrorCatalogue } from '@hookwork/core/testing';
import { BULLMQ_ERRORS } from './bullmq-errors';
import { Redis } from 'ioredis';
import { bullmqQueue, type BullmqQueueOptions } from './bullmq-queue';

describeErrorCatalogue(BULLMQ_ERRORS, join(__dirname, '../../../docs/errors.md'));

describe('bullmqQueue() options', () => {
  const refused = (options: unknown) => {
    try {
      bullmqQueue(options as BullmqQueueOptions);
    } catch (error) {
      expect(isHookworkError(error, 'HOOKWORK_ERR_INVALID_BULLMQ_OPTIONS')).toBe(true);
      return (error as Error).message;
    }
    throw new Error('bullmqQueue() accepted bad options');
  };

  it('refuses bad options at once, naming each', () => {
    expect(refused({})).toMatch(/connection is required/);
    expect(refused({ connection: 'http://127.0.0.1:6379' })).toMatch(/redis:\/\/ or rediss:\/\//);
    expect(refused({ connection: 'redis://127.0.0.1', queueName: 'a:b', prefix: '', commandTimeoutMs: 0, conection: 1 })).toMatch(/conection is not an option.*queueName.*prefix.*commandTimeoutMs/);
    expect(refused({ connection: { host: '127.0.0.1', keyPrefix: 'x:' } })).toMatch(/keyPrefix/);
    expect(refused({ connection: 'redis://127.0.0.1', keyPrefix: 'x' })).toMatch(/keyPrefix is not an option \(did you mean prefix\?\)/);
  });

  // Was a bug: ioredis ignores a key it does not know, so a typo connected to its default, 127.0.0.1:6379
  // database 0 — another Redis, or another app's queue — without a word.
  it('refuses an ioredis option name ioredis does not know, naming the nearest one, instead of connecting to 127.0.0.1:6379', () => {
    expect(refused({ connection: { host: '127.0.0.1', prot: 6380 } })).toMatch(/connection\.prot is not an ioredis option \(did you mean port\?\)/);
    expect(refused({ connection: { hots: 'redis.internal', port: 6379 } })).toMatch(/connection\.hots is not an ioredis option \(did you mean host\?\)/);
    expect(refused({ connection: { host: '127.0.0.1', timeout: 1000 } })).toMatch(/connection\.timeout is not an ioredis option/);
    // ioredis's own names, the Sentinel ones among them, are taken.
    for (const connection of [
      { host: '127.0.0.1', port: 6379, db: 1, username: 'u', password: 'p', connectTimeout: 1000, keepAlive: 1000, noDelay: true, enableReadyCheck: true, maxRetriesPerRequest: 3, retryStrategy: () => 50 },
      { sentinels: [{ host: '127.0.0.1', port: 26379 }], name: 'mymaster', role: 'master', sentinelPassword: 'p', natMap: {} },
      { path: join(tmpdir(), 'redis.sock'), tls: {}, showFriendlyErrorStack: true },
    ]) {
      expect(bullmqQueue({ connection: connection as never }).name).toBe('bullmq');
    }
  });

  // Read as given, several times (connection by each check, and again by the copy): a getter that threw escaped bare.
  it('reads the options once, ioredis options within: a getter or Proxy trap that throws is refused naming it, and what is checked is what connects', () => {
    const sealed = () => {
      throw new Error('vault sealed');
    };
    expect(refused({ get connection(): string { return sealed(); } })).toMatch(/^HOOKWORK_ERR_INVALID_BULLMQ_OPTIONS: bullmqQueue\(\) was given bad options: connection could not be read: its getter threw \(vault sealed\)/);
    expect(refused({ connection: { host: '127.0.0.1', get port(): number { return sealed(); } } })).toMatch(/bad options: connection\.port could not be read: its getter threw \(vault sealed\)/);
    expect(refused({ connection: new Proxy({ host: '127.0.0.1' }, { ownKeys: sealed }) })).toMatch(/bad options: connection could not be read: listing its keys threw \(vault sealed\)/);
    let reads = 0;
    // Checked without a keyPrefix, then read again (by the copy) with one BullMQ cannot use.
    bullmqQueue({ connection: { host: '127.0.0.1', get keyPrefix() { return reads++ === 0 ? undefined : 'x:'; } } as never });
    expect(reads).toBe(1);
  });

  it('names the first problems of many and counts the rest: the message does not grow with the options', () => {
    const many = Object.fromEntries(Array.from({ length: 1_000 }, (_, i) => [`option${i}`, 1]));
    const message = refused({ connection: 'redis://127.0.0.1', ...many });
    expect(message).toMatch(/option9 is not an option [^;]*; and 990 more$/);
    expect(message.length).toBeLessThan(5_000);
    const query = Array.from({ length: 1_000 }, (_, i) => `q${i}=1`).join('&');
    expect(refused({ connection: `redis://127.0.0.1:6379/0?${query}` })).toMatch(/"q9", which hookwork does not take [^;]*; and 990 more$/);
  });

  it('refuses a queueName or prefix with control characters or surrounding spaces, which logs, dashboards and redis-cli show wrongly', () => {
    // They were taken: a name with a newline split every log line that names the queue in two.
    for (const queueName of ['orders\nERROR forged', 'tab\there', ' orders', 'orders ', '\u0000']) {
      expect(refused({ connection: 'redis://127.0.0.1', queueName })).toMatch(/queueName must be .*control characters.*; got /);
    }
    for (const prefix of ['bull\r', ' bull', '\u007f']) {
      expect(refused({ connection: 'redis://127.0.0.1', prefix })).toMatch(/prefix must be .*control characters.*; got /);
    }
    // A lone surrogate is U+FFFD in the Redis key (UTF-8): another queue than the one named.
    expect(refused({ connection: 'redis://127.0.0.1', queueName: 'orders\uD800' })).toMatch(/queueName must be .*lone surrogates/);
    expect(refused({ connection: 'redis://127.0.0.1', prefix: 'bull\uDC00' })).toMatch(/prefix must be .*lone surrogates/);
    expect(refused(new Map([['connection', 'redis://127.0.0.1']]))).toMatch(/takes a plain options object .*; got a Map/);
    // Spaces inside, and any other text, stay allowed: BullMQ takes them.
    expect(() => bullmqQueue({ connection: 'redis://127.0.0.1', queueName: 'site orders', prefix: 'tenant-1:bull' })).not.toThrow();
  });

  it('says a connection of the wrong kind is wrong, not missing, and never echoes its password', () => {
    expect(refused({ connection: 6379 })).toMatch(/connection must be a redis:\/\/ .*; got 6379/);
    const message = refused({ connection: 'http://user:s3cret@127.0.0.1:6379' });
    expect(message).toContain('got "http://***@127.0.0.1:6379"');
    expect(message).not.toContain('s3cret');
    // Without a scheme, core's masking finds no URL: the password was shown.
    expect(refused({ connection: 'user:s3cret@127.0.0.1:6379' })).toMatch(/; got "\*\*\*@127\.0\.0\.1:6379"$/);
    expect(refused({ commandTimeoutMs: NaN, connection: 'redis://127.0.0.1' })).toMatch(/commandTimeoutMs .*got NaN/);
    // The string "5000" is not the number it looks like; the message shows which it got.
    expect(refused({ commandTimeoutMs: '5000', connection: 'redis://127.0.0.1' })).toMatch(/commandTimeoutMs .*; got "5000"$/);
    expect(refused({ connection: true })).toMatch(/; got true$/);
  });

  it('refuses a URL ioredis cannot read — an unencoded password, a database that is not a number — masking the password', () => {
    // It used to pass here and fail start() with a bare "TypeError: Invalid URL", or select database NaN.
    for (const url of ['redis://:pa#ssWORD@127.0.0.1:6379', 'redis://user:pa ssWORD@127.0.0.1:6379', 'redis://[::1']) {
      const message = refused({ connection: url });
      expect(message).toMatch(/connection is not a (valid URL|URL ioredis reads as written): "[^"]*"( \(.*\))?; percent-encode/);
      expect(message).not.toContain('ssWORD');
    }
    expect(refused({ connection: 'redis://127.0.0.1:6379/abc' })).toMatch(/connection names the database after the port, as a whole number from 0 .*got "redis:\/\/127.0.0.1:6379\/abc"/);
    expect(bullmqQueue({ connection: 'rediss://:p%23ss@127.0.0.1:6379/2' }).name).toBe('bullmq');
  });

  it('refuses a database that is not a whole number from 0, saying whether the option or the URL gave it', () => {
    // ioredis read each as database NaN: start() failed, then its unhandled SELECT NaN ended the process.
    for (const db of ['', 'one', '1x', -1, 1.5, NaN, true]) {
      expect(refused({ connection: { host: '127.0.0.1', db } })).toMatch(/connection\.db must be a whole number from 0 \(the database index\); got /);
    }
    for (const url of ['redis://127.0.0.1:6379/?db=x', 'redis://127.0.0.1:6379?db=', 'redis://127.0.0.1:6379/?db=-1']) {
      expect(refused({ connection: url })).toMatch(/connection's URL gives \?db=".*": the database must be a whole number from 0/);
    }
    expect(refused({ connection: 'redis://127.0.0.1:6379/1?db=2' })).toMatch(/names the database twice/);
    expect(refused({ connection: new Redis({ host: '127.0.0.1', db: 'one' as never, lazyConnect: true }) })).toMatch(/connection\.options\.db must be a whole number from 0 .*got NaN/);
    // As environment variables give them, and as ioredis reads them.
    expect(bullmqQueue({ connection: { host: '127.0.0.1', port: '6379', db: '2' } as never }).name).toBe('bullmq');
    expect(bullmqQueue({ connection: 'redis://127.0.0.1:6379/?db=2&family=4' }).name).toBe('bullmq');
  });

  it('refuses a URL that parses, but not as written — a "#", "?" or "/" before an "@" of the password — with the encoding hint, never showing the password', () => {
    // 'redis://:p@ss#w@…' used to fail start() with "could not connect to redis://ss:6379": part of the password as the host.
    for (const url of ['redis://:p@qq#QQ@127.0.0.1:6379', 'redis://:p@qq?QQ@127.0.0.1:6379', 'redis://u:1/qqQQ@127.0.0.1:6379', 'redis://127.0.0.1:6379/0#qqQQ']) {
      const message = refused({ connection: url });
      expect(message).toMatch(/connection is not a URL ioredis reads as written: "redis:\/\/(\*\*\*@)?127\.0\.0\.1:6379[^"]*" \(.*\); percent-encode .*encodeURIComponent/);
      expect(message).not.toMatch(/qq|QQ/);
    }
    expect(bullmqQueue({ connection: `redis://:${encodeURIComponent('p@ss#w?/')}@127.0.0.1:6379` }).name).toBe('bullmq');
    // An unencoded "@" alone is read as meant (the last "@" ends the user part): it worked, and still does.
    expect(bullmqQueue({ connection: 'redis://:p@ss@127.0.0.1:6379' }).name).toBe('bullmq');
  });

  it('refuses URL query parameters ioredis would take over hookwork\'s own options, naming the key but no value', () => {
    const message = refused({ connection: 'redis://127.0.0.1:6379/?keyPrefix=x&password=hunter2' });
    expect(message).toMatch(/query parameter "keyPrefix", which hookwork does not take \(only db and family\).*query parameter "password"/);
    expect(message).not.toContain('hunter2');
    expect(refused({ connection: 'redis://127.0.0.1:6379/?family=5' })).toMatch(/\?family="5": the IP family must be 4, 6 or 0/);
  });

  it('refuses a connection that is an array, a Date or another object ioredis reads as no options, and fields of the wrong type, never showing a password', () => {
    // [] and a Date connected to 127.0.0.1:6379 without a word.
    expect(refused({ connection: [] })).toMatch(/connection must be a redis:\/\/ .*; got an array$/);
    expect(refused({ connection: new Date() })).toMatch(/connection must be a redis:\/\/ .*; got a Date$/);
    expect(refused({ connection: new Map([['host', '127.0.0.1']]) })).toMatch(/; got a Map$/);
    const message = refused({ connection: { host: 5, port: '6379x', username: 1, password: 424242, path: '', family: 5, connectTimeout: '1000', tls: 'yes' } });
    for (const expected of [/connection\.host must be a host name or IP address; got 5/, /connection\.port must be a whole number from 1 to 65535; got "6379x"/, /connection\.username must be a string; got 1/, /connection\.password must be a string; got a number/, /connection\.path must be the path of a Unix socket/, /connection\.family must be 4, 6 or 0/, /connection\.connectTimeout must be a whole number of ms/, /connection\.tls must be TLS options/]) {
      expect(message).toMatch(expected);
    }
    expect(message).not.toContain('424242');
    expect(refused({ connection: { host: '127.0.0.1', port: {} } })).toMatch(/connection\.port must be a whole number from 1 to 65535; got an object$/);
    expect(refused({ connection: { host: '127.0.0.1', port: 70000 } })).toMatch(/connection\.port must be a whole number from 1 to 65535; got 70000/);
    // The same port given in a URL, as the same mistake: it was taken, and start() failed with ECONNREFUSED.
    expect(refused({ connection: { host: '127.0.0.1', port: 0 } })).toMatch(/connection\.port must be a whole number from 1 to 65535; got 0/);
    expect(refused({ connection: 'redis://127.0.0.1:0' })).toMatch(/connection's URL gives port 0, where no server listens: give a port from 1 to 65535/);
    expect(bullmqQueue({ connection: { host: '127.0.0.1', port: 6379, password: 'p', username: 'u', tls: {}, family: 4, connectTimeout: 500, db: 0 } }).name).toBe('bullmq');
    expect(bullmqQueue({ connection: { host: '127.0.0.1', password: null, tls: undefined } as never }).name).toBe('bullmq');
  });

  it('accepts a URL, ioredis options, and defaults', () => {
    expect(bullmqQueue({ connection: 'redis://127.0.0.1:6379' }).name).toBe('bullmq');
    expect(bullmqQueue({ connection: { host: '127.0.0.1', port: 6379 }, queueName: 'hooks', prefix: 'app' }).name).toBe('bullmq');
  });
});
