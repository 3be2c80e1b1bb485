import { join } from 'node:path';
import { isHookworkError } from '@hookwork/core';
import { describeErrorCatalogue } from '@hookwork/core/testing';
import { BULLMQ_ERRORS } from './bullmq-errors';
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

  it('refuses a queueName or prefix with control characters or surrounding spaces, which logs, dashboards and redis-cli show wrongly', () => {
    // They were taken: a name with a newline split every log line that names the queue in two.
    for (const queueName of ['orders\nERROR forged', 'tab\there', ' orders', 'orders ', '\u0000']) {
      expect(refused({ connection: 'redis://127.0.0.1', queueName })).toMatch(/queueName must be .*control characters.*; got /);
    }
    for (const prefix of ['bull\r', ' bull', '\u007f']) {
      expect(refused({ connection: 'redis://127.0.0.1', prefix })).toMatch(/prefix must be .*control characters.*; got /);
    }
    // Spaces inside, and any other text, stay allowed: BullMQ takes them.
    expect(() => bullmqQueue({ connection: 'redis://127.0.0.1', queueName: 'site orders', prefix: 'tenant-1:bull' })).not.toThrow();
  });

  it('says a connection of the wrong kind is wrong, not missing, and never echoes its password', () => {
    expect(refused({ connection: 6379 })).toMatch(/connection must be a redis:\/\/ .*; got 6379/);
    const message = refused({ connection: 'http://user:s3cret@127.0.0.1:6379' });
    expect(message).toContain('got "http://***@127.0.0.1:6379"');
    expect(message).not.toContain('s3cret');
    expect(refused({ commandTimeoutMs: NaN, connection: 'redis://127.0.0.1' })).toMatch(/commandTimeoutMs .*got NaN/);
    // The string "5000" is not the number it looks like; the message shows which it got.
    expect(refused({ commandTimeoutMs: '5000', connection: 'redis://127.0.0.1' })).toMatch(/commandTimeoutMs .*; got "5000"$/);
    expect(refused({ connection: true })).toMatch(/; got true$/);
  });

  it('refuses a URL ioredis cannot read — an unencoded password, a database that is not a number — masking the password', () => {
    // It used to pass here and fail start() with a bare "TypeError: Invalid URL", or select database NaN.
    for (const url of ['redis://:pa#ssWORD@127.0.0.1:6379', 'redis://user:pa ssWORD@127.0.0.1:6379', 'redis://[::1']) {
      const message = refused({ connection: url });
      expect(message).toMatch(/connection is not a valid URL: ".*"; percent-encode/);
      expect(message).not.toContain('ssWORD');
    }
    expect(refused({ connection: 'redis://127.0.0.1:6379/abc' })).toMatch(/connection names the database after the port, as a number from 0 .*got "redis:\/\/127.0.0.1:6379\/abc"/);
    expect(bullmqQueue({ connection: 'rediss://:p%23ss@127.0.0.1:6379/2' }).name).toBe('bullmq');
  });

  it('accepts a URL, ioredis options, and defaults', () => {
    expect(bullmqQueue({ connection: 'redis://127.0.0.1:6379' }).name).toBe('bullmq');
    expect(bullmqQueue({ connection: { host: '127.0.0.1', port: 6379 }, queueName: 'hooks', prefix: 'app' }).name).toBe('bullmq');
  });
});
