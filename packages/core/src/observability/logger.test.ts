import { inspect } from 'node:util';
import type { Hookwork } from '../composition/hookwork-app';
import { HookworkError } from '../errors/hookwork-error';
import { consoleLogger } from './logger';
import { startTestReceiver, type TestReceiver } from '../testing/test-receiver';
import { startTestApp, ThingHappened } from '../test-support/test-app';

describe('a host logger that throws', () => {
  let receiver: TestReceiver;
  let app: Hookwork | undefined;
  let emitWarning: jest.SpyInstance;

  beforeEach(async () => {
    receiver = await startTestReceiver();
    // Observed at the call (jest's sandboxed process object does not see 'warning' events), and kept out of the test output.
    emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
  });
  afterEach(async () => {
    emitWarning.mockRestore();
    await app?.stop();
    app = undefined;
    await receiver.close();
  });

  it('costs its messages, never a delivery: the attempt is logged and settled, and the failure is one process warning', async () => {
    // It threw from the breaker's warning inside the health write, then from the handler of that
    // failure: the attempt, already sent, was neither logged nor settled (sent again at its
    // lease's end), and the last throw became an unhandled rejection, which ends a process.
    const broken = () => {
      throw new Error('log transport closed');
    };
    app = await startTestApp({ logger: { debug: broken, info: broken, warn: broken, error: broken }, settings: { breaker: { failureThreshold: 1 }, maximumRetries: 0 } });
    receiver.handler = (_request, res) => void res.writeHead(500).end();
    const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    await app.publish(new ThingHappened('logged'));
    await app.drain();
    expect((await app.logs(webhook.key)).items).toMatchObject([{ outcome: 'dead', statusCode: 500 }]);
    expect(await app.management.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 1 });
    expect((await app.health(webhook.key)).breaker).toBe('open');
    expect(emitWarning.mock.calls.filter(([, options]) => (options as { code?: string } | undefined)?.code === 'HOOKWORK_LOGGER_FAILED')).toEqual([[expect.stringContaining('log transport closed'), { code: 'HOOKWORK_LOGGER_FAILED' }]]);
    expect(receiver.requests).toHaveLength(1);
  });
});

describe('the console logger', () => {
  let printed: { to: string; args: unknown[] }[];
  let spies: jest.SpyInstance[];
  beforeEach(() => {
    printed = [];
    spies = (['log', 'error'] as const).map((to) => jest.spyOn(console, to).mockImplementation((...args: unknown[]) => void printed.push({ to, args })));
  });
  afterEach(() => spies.forEach((spy) => spy.mockRestore()));

  it('writes every message on one line at every level, its meta compact on the same line, whatever the meta holds', () => {
    // console.error(line, meta) printed an admin refusal's { audit: … } as a dump of ten lines and
    // more, and an error's stack over as many: a log collector took each line for an entry.
    const logger = consoleLogger({ verbose: true });
    const error = new HookworkError('HOOKWORK_ERR_INVALID_WEBHOOK', 'url must be an http(s) URL');
    const audit = { action: 'webhook.create', principal: 'token:deadbeef', outcome: 'refused', status: 400, code: 'HOOKWORK_ERR_INVALID_WEBHOOK', details: { fields: ['url', 'events', 'headers', 'name'], nested: { deeper: { deepest: [1, 2, 3] } } }, at: new Date(0) };
    expect(inspect({ audit }).split('\n').length).toBeGreaterThan(5);
    logger.debug('debug line', { audit });
    logger.info('info line', { audit, note: 'two\nlines' });
    logger.warn('admin: webhook.create by token:deadbeef: refused (400 HOOKWORK_ERR_INVALID_WEBHOOK)', { audit });
    logger.error('a handler threw', { error, cause: new Error('first\nsecond') });
    logger.warn('100%s sure %o', {});
    expect(printed.map((p) => p.to)).toEqual(['log', 'log', 'error', 'error', 'error']);
    for (const { args } of printed) {
      // One argument: a message with %s is not taken for a format, and nothing is printed apart.
      expect(args).toHaveLength(1);
      expect(args[0]).not.toMatch(/[\r\n\u2028\u2029]/);
    }
    const lines = printed.map((p) => p.args[0] as string);
    expect(lines[0]).toMatch(/^\[hookwork\] debug debug line \{ audit: \{ action: 'webhook\.create', .*deepest: \[ 1, 2, 3 \]/);
    expect(lines[1]).toContain("note: 'two\\nlines'");
    expect(lines[2]).toMatch(/^\[hookwork\] warn admin: webhook\.create by token:deadbeef: refused \(400 HOOKWORK_ERR_INVALID_WEBHOOK\) \{ audit: \{ action: 'webhook\.create', principal: 'token:deadbeef', outcome: 'refused', status: 400, .*at: 1970-01-01T00:00:00\.000Z \} \}$/);
    // The error with its stack, its frames on the line.
    expect(lines[3]).toMatch(/^\[hookwork\] error a handler threw \{ error: \{ HookworkError: HOOKWORK_ERR_INVALID_WEBHOOK: url must be an http\(s\) URL at .*logger\.test\.ts.* code: 'HOOKWORK_ERR_INVALID_WEBHOOK'/);
    expect(lines[3]).toContain('Error: first second at ');
    expect(lines[4]).toBe('[hookwork] warn 100%s sure %o');
  });

  it('prints a meta whose keys are all symbols, or that is no plain object, like any other meta; only {} adds nothing', () => {
    // Object.keys() found no key in these, and the line was the message alone.
    const logger = consoleLogger();
    logger.warn('m', { [Symbol('x')]: 1 });
    logger.warn('e', new Error('boom') as unknown as Record<string, unknown>);
    logger.warn('n', 5 as unknown as Record<string, unknown>);
    logger.warn('empty', {});
    logger.warn('hidden', Object.defineProperty({}, Symbol('h'), { value: 1, enumerable: false }));
    const lines = printed.map((p) => p.args[0] as string);
    expect(lines[0]).toBe('[hookwork] warn m { [Symbol(x)]: 1 }');
    expect(lines[1]).toMatch(/^\[hookwork\] warn e Error: boom at /);
    expect(lines[1]).not.toMatch(/[\r\n]/);
    expect(lines.slice(2)).toEqual(['[hookwork] warn n 5', '[hookwork] warn empty', '[hookwork] warn hidden']);
  });

  it('writes info and debug only when verbose', () => {
    const logger = consoleLogger();
    logger.debug('d', { a: 1 });
    logger.info('i', { a: 1 });
    logger.warn('w', { a: 1 });
    expect(printed).toEqual([{ to: 'error', args: ['[hookwork] warn w { a: 1 }'] }]);
  });
});
