import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHookwork, defaultSettings, HookworkError, loadSettings, parseDuration, pollingQueue, resolveSettings, type QueueEngineProvider } from '../index';
import { MAX_RETRY_SCHEDULE_ENTRIES } from './resolve-settings';

/** The `details` resolveSettings refuses `input` with (`[]` when it accepts it). */
function problemsOf(input: unknown): { key: string; problem: string }[] {
  try {
    resolveSettings(input as never);
  } catch (e) {
    return (e as HookworkError).details as { key: string; problem: string }[];
  }
  return [];
}

describe('resolveSettings', () => {
  it('fills in the defaults of DESIGN.md', () => {
    const settings = resolveSettings();
    expect(settings).toMatchObject({
      enabled: true,
      maximumRetries: 5,
      period: 10_000,
      enableLoggingCleanup: true,
      keepLogsForDays: 30,
      payloadType: 'Minimal',
      timeout: 15_000,
      headers: { style: 'hookwork', event: 'hookwork-event', retryCount: 'hookwork-retry-count', userAgent: 'hookwork/0.1.0' },
    });
    expect(settings.retrySchedule).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000]);
  });

  it('health defaults change nothing for a healthy receiver: breaker on, auto-disable after 5 days, no rate limit, no traceparent', () => {
    expect(resolveSettings()).toMatchObject({
      breaker: { enabled: true, failureThreshold: 10, failureRate: 0, minimumAttempts: 20, window: 60_000, coolDown: 30_000 },
      autoDisable: { enabled: true, after: 5 * 86_400_000 },
      rateLimit: { perSecond: 0, burst: 0 },
      throttleOnRetryAfter: true,
      tracing: { traceparent: false },
    });
  });

  it('reads health settings, durations inside groups included, and keeps the keys not given', () => {
    const settings = resolveSettings({ breaker: { coolDown: '00:01:00', failureRate: 0.5 }, autoDisable: { after: '2.00:00:00' }, rateLimit: { perSecond: 5 } });
    expect(settings.breaker).toEqual({ enabled: true, failureThreshold: 10, failureRate: 0.5, minimumAttempts: 20, window: 60_000, coolDown: 60_000 });
    expect(settings.autoDisable).toEqual({ enabled: true, after: 2 * 86_400_000 });
    expect(settings.rateLimit).toEqual({ perSecond: 5, burst: 0 });
    expect(resolveSettings({ breaker: { enabled: false } }, settings).breaker).toMatchObject({ enabled: false, coolDown: 60_000, failureRate: 0.5 });
  });

  it('names every bad health setting', () => {
    const error = (() => {
      try {
        resolveSettings({ breaker: { failureRate: 2, coolDown: 'soon', window: 0, extra: 1 } as never, autoDisable: { after: '00:00:00' }, rateLimit: { perSecond: -1 }, tracing: { traceparent: 'yes' } as never });
      } catch (e) {
        return e as HookworkError;
      }
      return undefined;
    })();
    expect(error?.code).toBe('HOOKWORK_ERR_INVALID_SETTINGS');
    expect((error!.details as { key: string }[]).map((d) => d.key).sort()).toEqual(['autoDisable.after', 'breaker.coolDown', 'breaker.extra', 'breaker.failureRate', 'breaker.window', 'rateLimit.perSecond', 'tracing.traceparent']);
  });

  // NaN passes a number type and fails every bound: it was told "must be at most 1 (got NaN)".
  it('refuses NaN as not a number, a negative or non-finite duration as such, naming the value', () => {
    const message = (input: object) => {
      try {
        resolveSettings(input as never);
      } catch (e) {
        return (e as HookworkError).message;
      }
      throw new Error('accepted');
    };
    expect(message({ breaker: { failureRate: NaN } })).toBe('HOOKWORK_ERR_INVALID_SETTINGS: invalid settings: breaker.failureRate must be a number, not NaN (got NaN)');
    expect(message({ rateLimit: { perSecond: NaN } })).toContain('rateLimit.perSecond must be a number, not NaN (got NaN)');
    expect(message({ breaker: { failureThreshold: Infinity } })).toContain('breaker.failureThreshold must be at most 1000000 (got Infinity)');
    expect(message({ maximumRetries: NaN })).toContain('maximumRetries must be a whole number (got NaN)');
    expect(message({ breaker: { coolDown: Infinity } })).toContain('breaker.coolDown must be a duration: a finite number of milliseconds, or a TimeSpan string');
    expect(message({ breaker: { coolDown: Infinity } })).toContain('(got Infinity)');
    expect(message({ maxRetryAfter: NaN })).toContain('maxRetryAfter must be a duration: a finite number of milliseconds');
    // Where 0 is refused too, a negative value is told so ("0 or more" sent people to a 0 refused next).
    expect(message({ autoDisable: { after: -1 } })).toContain('autoDisable.after must be a duration of more than 0 milliseconds (got -1)');
    expect(message({ breaker: { coolDown: -1 } })).toContain('breaker.coolDown must be a duration of more than 0 milliseconds (got -1)');
    expect(message({ timeout: -5 })).toContain('timeout must be a duration of more than 0 milliseconds (got -5)');
    expect(message({ period: -5 })).toContain('period must be a duration of 0 or more milliseconds (got -5)');
  });

  it('refuses a rate limit so low that the next request would be beyond any date, and takes 0 (none) and the lowest rate', () => {
    // 1e-300 a second made the wait an Invalid Date, and delivery polled for it without end.
    expect(() => resolveSettings({ rateLimit: { perSecond: 1e-300 } })).toThrow(/rateLimit\.perSecond must be 0 \(no limit\) or at least 0\.000001 \(one request in 11\.6 days\)/);
    expect(resolveSettings({ rateLimit: { perSecond: 0 } }).rateLimit.perSecond).toBe(0);
    expect(resolveSettings({ rateLimit: { perSecond: 0.000001 } }).rateLimit.perSecond).toBe(0.000001);
  });

  it('reads durations as milliseconds or TimeSpan strings', () => {
    expect(resolveSettings({ period: '00:00:30', timeout: 2500, retrySchedule: ['00:00:01', 2000, '1.00:00:00'] })).toMatchObject({
      period: 30_000,
      timeout: 2_500,
      retrySchedule: [1_000, 2_000, 86_400_000],
    });
    expect(parseDuration('00:01:02.5')).toBe(62_500);
    expect(parseDuration('00:61:00')).toBeUndefined();
    expect(parseDuration(-1)).toBeUndefined();
  });

  it('refuses a duration of bare digits in a string, which .NET reads as days, saying how to write it', () => {
    // .NET's TimeSpan.Parse("10") is ten days; hookwork used to read ten milliseconds.
    expect(parseDuration('10')).toBeUndefined();
    let error: HookworkError | undefined;
    try {
      resolveSettings({ period: '10', timeout: '30', retrySchedule: ['00:00:01', '5'] });
    } catch (e) {
      error = e as HookworkError;
    }
    expect(error?.code).toBe('HOOKWORK_ERR_INVALID_SETTINGS');
    expect((error?.details as { key: string }[]).map((d) => d.key)).toEqual(['period', 'timeout', 'retrySchedule.1']);
    // The value is quoted once, at the end: the advice said "\"10\" is ambiguous" before "(got \"10\")".
    expect(error?.message).toContain('period must be a duration, and bare digits in a string are ambiguous (.NET\'s TimeSpan reads them as days, JavaScript as milliseconds): write a TimeSpan string, "00:00:00.010" for 10 milliseconds or "00:00:10" for 10 seconds (in code or a JSON file, the number 10 is read as milliseconds) (got "10")');
    expect(error?.message.match(/"10"/g)).toHaveLength(1);
    // Numbers stay milliseconds.
    expect(resolveSettings({ timeout: 30, retrySchedule: [5] })).toMatchObject({ timeout: 30, retrySchedule: [5] });
  });

  it('gives period a lower bound of 100 ms, in either spelling', () => {
    expect(resolveSettings({ period: 100 }).period).toBe(100);
    expect(resolveSettings({ period: '00:00:00.1' }).period).toBe(100);
    expect(() => resolveSettings({ period: 10 })).toThrow(/HOOKWORK_ERR_INVALID_SETTINGS: invalid settings: period must be at least 100 ms \("00:00:00.1"\): it is only a safety sweep .* \(got 10\)/);
    expect(() => resolveSettings({ period: '00:00:00.05' })).toThrow(/period must be at least 100 ms/);
    expect(() => resolveSettings({ period: 0 })).toThrow(/period must be at least 100 ms/);
  });

  it('switches all three header names with the Umbraco style, keeping explicit names', () => {
    expect(resolveSettings({ headers: { style: 'umbraco' } }).headers).toMatchObject({ event: 'umb-webhook-event', retryCount: 'umb-webhook-retrycount' });
    expect(resolveSettings({ headers: { style: 'umbraco', event: 'x-event' } }).headers).toMatchObject({ event: 'x-event', retryCount: 'umb-webhook-retrycount' });
  });

  it('names every bad key in one error, with the value it got', () => {
    let error: HookworkError | undefined;
    try {
      resolveSettings({
        maximumRetries: -1,
        period: 'ten seconds',
        payloadType: 'Huge' as never,
        enabled: 'yes' as never,
        concurrency: { global: 0 },
        maximumRetrys: 3,
      } as never);
    } catch (e) {
      error = e as HookworkError;
    }
    expect(error?.code).toBe('HOOKWORK_ERR_INVALID_SETTINGS');
    const keys = (error?.details as { key: string }[]).map((d) => d.key).sort();
    expect(keys).toEqual(['concurrency.global', 'enabled', 'maximumRetries', 'maximumRetrys', 'payloadType', 'period']);
    expect(error?.message).toContain('period must be a duration: a number of milliseconds, or a TimeSpan string such as "00:00:10" (hh:mm:ss) or "1.02:00:00" (d.hh:mm:ss) (got "ten seconds")');
    expect(error?.message).toContain('maximumRetrys is not a known setting (did you mean maximumRetries?) (got');
    // A nested key is matched against its own group; one that is near nothing points to the docs.
    expect(() => resolveSettings({ breaker: { threshold: 3 }, nonsense: 1 } as never)).toThrow(
      /breaker\.threshold is not a known setting \(did you mean failureThreshold\?\).*nonsense is not a known setting \(check the spelling; see docs\/settings\.md\)|nonsense is not a known setting \(check the spelling; see docs\/settings\.md\).*breaker\.threshold is not a known setting \(did you mean failureThreshold\?\)/,
    );
    expect(error?.message).toContain('payloadType must be one of "Minimal", "Extended", "Legacy" (got "Huge")');
  });

  // 50,000 unknown keys took 13.6 s to refuse, a nearest-name search per key; now 0.87 s (node /tmp script, one run).
  it('refuses an object of 50,000 unknown keys naming each in details, suggesting a name for the first ten only', () => {
    const input: Record<string, unknown> = { maximumRetrys: 1 };
    for (let i = 0; i < 50_000; i++) input[`unknownKey${i}`] = i;
    input.keepLogsForDay = 2;
    let error: HookworkError | undefined;
    try {
      resolveSettings(input as never);
    } catch (e) {
      error = e as HookworkError;
    }
    expect(error?.code).toBe('HOOKWORK_ERR_INVALID_SETTINGS');
    const details = error?.details as { key: string; problem: string }[];
    expect(details).toHaveLength(50_002);
    expect(details[0]).toMatchObject({ key: 'maximumRetrys', problem: 'is not a known setting (did you mean maximumRetries?)' });
    // The message names ten problems, so a suggestion past them would not be read.
    expect(details.at(-1)).toMatchObject({ key: 'keepLogsForDay', problem: 'is not a known setting (check the spelling; see docs/settings.md)' });
    expect(error?.message).toMatch(/^HOOKWORK_ERR_INVALID_SETTINGS: invalid settings: maximumRetrys is not a known setting \(did you mean maximumRetries\?\) \(got 1\); unknownKey0 .*; and 49992 more; the settings are enabled, maximumRetries, .*, tracing$/);
  });

  it('refuses ssrf.allow entries the guard could not match, naming each', () => {
    expect(resolveSettings({ ssrf: { allow: ['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8', 'hooks.internal', 'localhost'] } }).ssrf.allow).toHaveLength(6);
    let error: HookworkError | undefined;
    try {
      resolveSettings({ ssrf: { allow: ['10.0.0.0/8', 'not a cidr/99', '10.0.0.0/33', 'http://x.example'] } });
    } catch (e) {
      error = e as HookworkError;
    }
    expect((error?.details as { key: string }[]).map((d) => d.key)).toEqual(['ssrf.allow.1', 'ssrf.allow.2', 'ssrf.allow.3']);
    expect(error?.message).toContain('ssrf.allow.1 must be an IP address, a CIDR range (10.0.0.0/8) or a host name, optionally with a port (127.0.0.1:4000, [::1]:4000, 10.0.0.0/8:8080, hooks.internal:8443) (got "not a cidr/99")');
  });

  it('takes ssrf.allow entries limited to a port, and refuses a port it cannot read, naming the entry', () => {
    const allow = ['127.0.0.1:4000', '[::1]:4000', '10.0.0.0/8:8080', '[fd00::/8]:8080', 'hooks.internal:8443', '::1'];
    expect(resolveSettings({ ssrf: { allow } }).ssrf.allow).toEqual(allow);
    let error: HookworkError | undefined;
    try {
      resolveSettings({ ssrf: { allow: ['127.0.0.1:4000', '127.0.0.1:0', '127.0.0.1:65536', 'hooks.internal:http', '[::1]4000', '[127.0.0.1]:80', '[::1'] } });
    } catch (e) {
      error = e as HookworkError;
    }
    expect(error?.code).toBe('HOOKWORK_ERR_INVALID_SETTINGS');
    expect((error?.details as { key: string; problem: string }[]).map((d) => [d.key, d.problem])).toEqual([
      ['ssrf.allow.1', expect.stringContaining('has the port "0", which is not a port number (1 to 65535)')],
      ['ssrf.allow.2', expect.stringContaining('has the port "65536"')],
      ['ssrf.allow.3', expect.stringContaining('has the port "http"')],
      ['ssrf.allow.4', expect.stringContaining('has "4000" after the ], where only :port may follow')],
      ['ssrf.allow.5', expect.stringContaining('puts "127.0.0.1" in brackets, which only an IPv6 address or range takes')],
      ['ssrf.allow.6', expect.stringContaining('has a [ without its ]')],
    ]);
    expect(error?.message).toContain('optionally with a port (127.0.0.1:4000, [::1]:4000, 10.0.0.0/8:8080, hooks.internal:8443)');
  });

  it('refuses an ssrf.allow host name that a URL reads as an IP address, which as a name would never match', () => {
    const problems = (allow: string[]) => {
      try {
        resolveSettings({ ssrf: { allow } });
        return [];
      } catch (e) {
        return ((e as HookworkError).details as { key: string; problem: string }[]).map((d) => [d.key, d.problem]);
      }
    };
    expect(problems(['2130706433', '0x7f.1', '127.1', '10.0.0.0.', '999.1.1.1'])).toEqual([
      ['ssrf.allow.0', expect.stringContaining('a URL reads it as the IP address 127.0.0.1, so as a host name it never matches; write 127.0.0.1')],
      ['ssrf.allow.1', expect.stringContaining('a URL reads it as the IP address 127.0.0.1')],
      ['ssrf.allow.2', expect.stringContaining('a URL reads it as the IP address 127.0.0.1')],
      ['ssrf.allow.3', expect.stringContaining('a URL reads it as the IP address 10.0.0.0')],
      ['ssrf.allow.4', expect.stringContaining('must be an IP address, a CIDR range (10.0.0.0/8) or a host name')],
    ]);
    // With a port, the host part is named (the entry is the message's "got") and the fix keeps the port.
    expect(problems(['0x7f.1:4000'])).toEqual([['ssrf.allow.0', expect.stringContaining('a URL reads its host 0x7f.1 as the IP address 127.0.0.1, so as a host name it never matches; write 127.0.0.1:4000')]]);
    expect(problems(['Hooks.Internal', 'hooks.internal.', 'xn--bcher-kva.example', 'a1.b2'])).toEqual([]);
  });

  it('refuses a header name with CR/LF and a non-object', () => {
    expect(() => resolveSettings({ headers: { event: 'x\r\ninjected: 1' } })).toThrow(/headers\.event contains U\+000D \(carriage return, CR\) at character 2 \(a line break would end the header: header injection\); a header name is letters, digits and .* only \(an RFC 9110 token\)/);
    expect(() => resolveSettings('fast' as never)).toThrow(/HOOKWORK_ERR_INVALID_SETTINGS: settings must be an object/);
  });


  it('lists every problem of one input, whatever the shape of the other keys', () => {
    expect(problemsOf({ retrySchedule: ['x', -1, 5], headers: 5, concurrency: 4, timeout: 0 }).map((p) => p.key).sort()).toEqual(['concurrency', 'headers', 'retrySchedule.0', 'retrySchedule.1', 'timeout']);
    expect(problemsOf({ ssrf: { allow: ['a b', 5] }, period: 0, leaseDuration: 'soon', nope: 1 }).map((p) => p.key).sort()).toEqual(['leaseDuration', 'nope', 'period', 'ssrf.allow.0', 'ssrf.allow.1']);
    expect(problemsOf(null)).toEqual([{ key: '(root)', problem: expect.stringContaining('must be an object') }]);
  });

  it('refuses a user agent HTTP/1.1 cannot carry unchanged, naming the character and the rule', () => {
    expect(problemsOf({ headers: { userAgent: 'hookwork/测试' } })).toEqual([
      { key: 'headers.userAgent', value: 'hookwork/测试', problem: expect.stringContaining('contains "测" (U+6D4B) at character 10; header values are visible ASCII, space and tab') },
    ]);
    expect(problemsOf({ headers: { userAgent: 'a\u0001b' } })[0]!.problem).toContain('contains U+0001 at character 2');
    expect(problemsOf({ headers: { userAgent: 'x ' } })[0]!.problem).toContain('ends with a space or tab');
    expect(resolveSettings({ headers: { userAgent: 'MySite/1.0 (+https://example.com)' } }).headers.userAgent).toBe('MySite/1.0 (+https://example.com)');
  });

  it('refuses event and retry-count header names that would replace a header hookwork sets, or each other', () => {
    expect(problemsOf({ headers: { event: 'Content-Type', retryCount: 'webhook-id' } }).map((p) => p.key)).toEqual(['headers.event', 'headers.retryCount']);
    // A connection header the HTTP client owns: the transports refuse it at every attempt.
    expect(problemsOf({ headers: { event: 'Keep-Alive', retryCount: 'te' } })).toEqual([
      expect.objectContaining({ key: 'headers.event', problem: expect.stringContaining('a connection header (RFC 9110 §7.6.1)') }),
      expect.objectContaining({ key: 'headers.retryCount', problem: expect.stringContaining('a connection header') }),
    ]);
    expect(problemsOf({ headers: { style: 'umbraco', event: 'umb-webhook-retrycount' } })).toEqual([
      { key: 'headers.event', value: 'umb-webhook-retrycount', problem: 'is the same header as headers.retryCount; each needs its own name' },
    ]);
    // A name given is shown once (as the value); the other's name only where it is spelt otherwise.
    expect(problemsOf({ headers: { event: 'X-A', retryCount: 'x-a' } })).toEqual([{ key: 'headers.retryCount', value: 'x-a', problem: 'is the same header as headers.event (X-A); each needs its own name' }]);
    expect(problemsOf({ headers: { event: 'user-agent' } })).toEqual([{ key: 'headers.event', value: 'user-agent', problem: 'is a header hookwork sets itself; choose another name' }]);
  });

  it('names the new key of a renamed setting', () => {
    expect(problemsOf({ concurrency: { perEndpoint: 3 } })).toEqual([{ key: 'concurrency.perEndpoint', value: 3, problem: expect.stringContaining('was renamed concurrency.perWebhook') }]);
    // In the environment, as any name that is not a setting, it is not read; the logger says what it became.
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (message: string) => void warnings.push(message), error() {} };
    expect(loadSettings({ env: { HOOKWORK_CONCURRENCY__PER_ENDPOINT: '3' }, logger })).toEqual({});
    expect(warnings).toEqual([expect.stringMatching(/HOOKWORK_CONCURRENCY__PER_ENDPOINT is not read: it was renamed HOOKWORK_CONCURRENCY__PER_WEBHOOK/)]);
  });

  it('is applied by createHookwork, and updateSettings keeps the old settings on a bad value', () => {
    expect(() => createHookwork({ settings: { keepLogsForDays: 0 } })).toThrow(/HOOKWORK_ERR_INVALID_SETTINGS: invalid settings: keepLogsForDays/);
    const app = createHookwork({ settings: { maximumRetries: 2 } });
    expect(() => app.updateSettings({ maximumRetries: 1.5 })).toThrow(/maximumRetries/);
    expect(app.settings.maximumRetries).toBe(2);
    expect(app.updateSettings({ maximumRetries: 0 }).maximumRetries).toBe(0);
  });

  it('offers both readings of bare digits, written out whole, however large', () => {
    // "300000" was answered with "23:59:59" (86399 seconds): neither 300000 ms nor 300000 s.
    const message = (timeout: string) => {
      try {
        resolveSettings(loadSettings({ env: { HOOKWORK_TIMEOUT: timeout } }));
      } catch (error) {
        return (error as HookworkError).message;
      }
      throw new Error(`${timeout} was accepted`);
    };
    expect(message('300000')).toContain('write a TimeSpan string, "00:05:00" for 300000 milliseconds or "3.11:20:00" for 300000 seconds');
    expect(message('100000')).toContain('"00:01:40" for 100000 milliseconds or "1.03:46:40" for 100000 seconds');
    expect(message('10000')).toContain('"00:00:10" for 10000 milliseconds or "02:46:40" for 10000 seconds');
    // Each suggestion is a duration that reads back as what it says.
    expect(parseDuration('3.11:20:00')).toBe(300_000_000);
    expect(parseDuration('00:00:00.010')).toBe(10);
  });

  it('takes a setting given as undefined as not given, at every depth and on every entry point', () => {
    // ajv skips an undefined property, and the merge then put undefined over the default:
    // maximumRetries undefined retried a 500 without end, headers.event undefined failed every attempt.
    const given = { enabled: undefined, maximumRetries: undefined, period: undefined, timeout: undefined, concurrency: { global: undefined }, headers: { event: undefined }, breaker: { window: undefined } };
    const defaults = resolveSettings();
    expect(resolveSettings(given)).toEqual(defaults);
    const app = createHookwork({ settings: given, composers: [{ compose: (b) => void b.settings.update(given) }] });
    expect(app.settings).toEqual(defaults);
    app.updateSettings({ maximumRetries: 2, timeout: 1000, headers: { event: 'x-event' } });
    expect(app.updateSettings(given)).toMatchObject({ enabled: true, maximumRetries: 2, timeout: 1000, headers: { event: 'x-event' }, concurrency: { global: 64 }, breaker: { window: 60_000 } });
    // An undefined entry of a list is a bad entry, not one left out.
    expect(() => resolveSettings({ retrySchedule: [1000, undefined as unknown as number] })).toThrow(/retrySchedule\.1 must be a duration/);
  });

  it('refuses an unknown key whatever its value, undefined too, naming it and the known ones, on every entry point', () => {
    // Dropped as "not given", { bogus: undefined } was taken without a word: a misspelt key fed
    // from an unset variable (maximumRetrys: process.env.RETRIES) changed nothing, silently.
    const refusal = (fn: () => unknown): HookworkError => {
      try {
        fn();
      } catch (error) {
        return error as HookworkError;
      }
      throw new Error('accepted');
    };
    const bogus = { bogus: undefined } as never;
    const known = /; the settings are enabled, maximumRetries, period, .*, tracing$/;
    for (const error of [
      refusal(() => resolveSettings(bogus)),
      refusal(() => createHookwork({ settings: bogus })),
      refusal(() => createHookwork({ composers: [{ compose: (b) => void b.settings.update(bogus) }] })),
      refusal(() => createHookwork({}).updateSettings(bogus)),
      refusal(() => createHookwork({ settings: loadSettings({ env: {}, overrides: bogus }) })),
    ]) {
      expect(error.code).toBe('HOOKWORK_ERR_INVALID_SETTINGS');
      expect(error.message).toMatch(/^HOOKWORK_ERR_INVALID_SETTINGS: invalid settings: bogus is not a known setting \(check the spelling; see docs\/settings\.md\); the settings are /);
      expect(error.message).toMatch(known);
      expect(error.details).toEqual([{ key: 'bogus', problem: 'is not a known setting (check the spelling; see docs/settings.md)' }]);
    }
    // Inside a group, its own keys; a near miss still gets its suggestion; known keys given as undefined stay "not given".
    expect(refusal(() => resolveSettings({ maximumRetries: undefined, concurrency: { global: undefined, perWebhok: undefined } } as never)).message).toBe(
      'HOOKWORK_ERR_INVALID_SETTINGS: invalid settings: concurrency.perWebhok is not a known setting (did you mean perWebhook?); the settings of concurrency are global, perWebhook',
    );
    // A renamed key is named with its new name, whatever its value.
    expect(refusal(() => resolveSettings({ concurrency: { perEndpoint: undefined } } as never)).message).toMatch(/concurrency\.perEndpoint was renamed concurrency\.perWebhook/);
    // Unknown keys at two levels: each level's known keys, once.
    const both = refusal(() => resolveSettings({ bogus: 1, other: undefined, breaker: { threshold: undefined } } as never)).message;
    expect(both).toMatch(/; the settings are enabled, .*, tracing; the settings of breaker are enabled, failureThreshold, failureRate, minimumAttempts, window, coolDown$/);
    expect(both.match(/the settings are/g)).toHaveLength(1);
  });

  it('keeps nothing of the caller\'s objects, and hands out settings frozen to the last list', () => {
    const cfg = { ssrf: { allow: [] as string[] }, retrySchedule: [1000] };
    const app = createHookwork({ settings: cfg });
    // Pushed after validation, an entry the guard could not read reached delivery unchecked.
    cfg.ssrf.allow.push('not a host!!', '127.0.0.1');
    cfg.retrySchedule.push(-1);
    expect(app.settings.ssrf.allow).toEqual([]);
    expect(app.settings.retrySchedule).toEqual([1000]);
    // @ts-expect-error settings are read-only at every depth (Readonly<> alone let this compile)
    expect(() => { app.settings.concurrency.global = -5; }).toThrow(TypeError);
    // @ts-expect-error lists too
    expect(() => app.settings.ssrf.allow.push('127.0.0.1')).toThrow(TypeError);
    const settings = app.settings as unknown as { concurrency: { global: number }; ssrf: { allow: string[] } };
    expect(() => { settings.concurrency.global = -5; }).toThrow(TypeError);
    expect(() => settings.ssrf.allow.push('127.0.0.1')).toThrow(TypeError);
    expect(app.settings.concurrency.global).toBe(64);
    // The composers' view too, and the result of updateSettings().
    createHookwork({ composers: [{ compose: (b) => void expect(Object.isFrozen(b.settings.current.headers)).toBe(true) }] });
    expect(Object.isFrozen(app.updateSettings({ ssrf: { allow: ['10.0.0.1'] } }).ssrf.allow)).toBe(true);
  });

  it('refuses Infinity and numbers past a documented maximum for whole-number settings, from code and the environment', () => {
    for (const value of [Infinity, 1e300]) {
      expect(problemsOf({ concurrency: { global: value, perWebhook: value }, maxPayloadBytes: value, maxResponseBodyBytes: value })).toEqual([
        { key: 'concurrency.global', value, problem: 'must be at most 10000' },
        { key: 'concurrency.perWebhook', value, problem: 'must be at most 10000' },
        { key: 'maxPayloadBytes', value, problem: `must be at most ${100 * 1024 * 1024}` },
        { key: 'maxResponseBodyBytes', value, problem: `must be at most ${16 * 1024 * 1024}` },
      ]);
    }
    // Named by the variable, with its text (the number it reads as is Infinity).
    expect(() => loadSettings({ env: { HOOKWORK_CONCURRENCY__GLOBAL: '1'.repeat(400) } })).toThrow(/environment variable HOOKWORK_CONCURRENCY__GLOBAL \(setting concurrency\.global\) must be at most 10000 \(got "1{100,}… \(402 characters\)\)/);
    // A long run of digits that is no number is read at once (the number reader tried it every way it split: about a minute at this length).
    const started = performance.now();
    expect(() => loadSettings({ env: { HOOKWORK_CONCURRENCY__GLOBAL: `${'1'.repeat(200_000)}x` } })).toThrow(/HOOKWORK_CONCURRENCY__GLOBAL \(setting concurrency\.global\) must be a whole number \(got "1+… \(200003 characters\)\)/);
    expect(performance.now() - started).toBeLessThan(5_000);
    const app = createHookwork({});
    expect(() => app.updateSettings({ concurrency: { global: Infinity } })).toThrow(/HOOKWORK_ERR_INVALID_SETTINGS/);
    expect(app.settings.concurrency.global).toBe(64);
    expect(resolveSettings({ concurrency: { global: 10_000, perWebhook: 10_000 }, maxPayloadBytes: 100 * 1024 * 1024, maxResponseBodyBytes: 16 * 1024 * 1024 }).concurrency.global).toBe(10_000);
  });

  it('keeps the settings it had when the queue engine refuses new ones, with a coded error', async () => {
    // The settings were stored before the engine applied them: a refusal left app.settings
    // reporting values delivery did not run with.
    const refusing: QueueEngineProvider = {
      name: 'refusing',
      async open(context) {
        const engine = await pollingQueue().open(context);
        const wake = engine.wake.bind(engine);
        engine.wake = () => {
          if (context.settings.current.concurrency.global > 100) throw new Error('concurrency must be at most 100 here');
          wake();
        };
        return engine;
      },
    };
    const app = createHookwork({ queue: refusing });
    app.updateSettings({ concurrency: { global: 50 } });
    await app.start();
    try {
      expect(() => app.updateSettings({ concurrency: { global: 500 } })).toThrow(/HOOKWORK_ERR_INVALID_SETTINGS: invalid settings: the polling\(memory\) queue refused them \(concurrency must be at most 100 here\); nothing changed/);
      expect(app.settings.concurrency.global).toBe(50);
      expect(app.updateSettings({ concurrency: { global: 80 } }).concurrency.global).toBe(80);
    } finally {
      await app.stop();
    }
  });

  it('lets composers adjust settings', () => {
    const app = createHookwork({ settings: { maximumRetries: 2 }, composers: [{ compose: (b) => void b.settings.update({ maximumRetries: b.settings.current.maximumRetries + 1 }) }] });
    expect(app.settings.maximumRetries).toBe(3);
    expect(app.settings).not.toBe(defaultSettings());
  });
});

describe('durations that become timers', () => {
  it('are at most 2^31 − 1 ms, the longest timer Node.js sets (a longer one would fire at once)', () => {
    expect(() => resolveSettings({ timeout: '30.00:00:00' })).toThrow(/timeout must be at most 2147483647 ms/);
    expect(() => resolveSettings({ stopTimeout: 2 ** 31 })).toThrow(/stopTimeout must be at most 2147483647 ms/);
    expect(resolveSettings({ timeout: 2 ** 31 - 1 }).timeout).toBe(2 ** 31 - 1);
    // Durations added to dates, not timers, may be longer.
    expect(resolveSettings({ maxRetryAfter: '40.00:00:00' }).maxRetryAfter).toBe(40 * 24 * 3600 * 1000);
  });
});

describe('durations added to dates', () => {
  it('are at most 100 years, so a due date, probe or cut-off stays a date every store keeps', () => {
    // "99999999.00:00:00" used to be accepted: every retry got an Invalid Date as its due time,
    // which SQLite refused at each reschedule (NOT NULL constraint failed: due_at).
    expect(() => resolveSettings({ retrySchedule: ['00:00:05', '99999999.00:00:00'] })).toThrow(/retrySchedule\.1 must be at most 36500 days \("36500\.00:00:00"\); a date further away than that is beyond what a store keeps/);
    expect(() => resolveSettings({ maxRetryAfter: 1e300 })).toThrow(/maxRetryAfter must be at most 36500 days/);
    expect(() => resolveSettings({ secretRotationGracePeriod: '36501.00:00:00' })).toThrow(/secretRotationGracePeriod must be at most 36500 days/);
    expect(() => resolveSettings({ breaker: { coolDown: 1e300 } })).toThrow(/breaker\.coolDown must be at most 36500 days/);
    expect(() => resolveSettings({ autoDisable: { after: 1e300 } })).toThrow(/autoDisable\.after must be at most 36500 days/);
    expect(() => resolveSettings({ keepLogsForDays: 1e12 })).toThrow(/keepLogsForDays must be at most 36500/);
    expect(() => resolveSettings({ keepDeadLettersForDays: Infinity })).toThrow(/keepDeadLettersForDays must be at most 36500 \(got Infinity\)/);
    expect(resolveSettings({ retrySchedule: ['36500.00:00:00'], keepLogsForDays: 36_500 })).toMatchObject({ retrySchedule: [36_500 * 86_400_000], keepLogsForDays: 36_500 });
  });
});

describe('keepDeadLettersForDays', () => {
  it('follows keepLogsForDays until it is given, then keeps what was given, even a value equal to keepLogsForDays', () => {
    const following = resolveSettings({ keepLogsForDays: 10 });
    expect(following.keepDeadLettersForDays).toBe(10);
    expect(resolveSettings({ keepLogsForDays: 3 }, following).keepDeadLettersForDays).toBe(3);
    // An operator keeps dead letters 30 days, as long as the logs: shortening the logs later
    // deleted the dead letters with them.
    const explicit = resolveSettings({ keepLogsForDays: 30, keepDeadLettersForDays: 30 });
    expect(resolveSettings({ keepLogsForDays: 5 }, explicit)).toMatchObject({ keepLogsForDays: 5, keepDeadLettersForDays: 30 });
    const givenLater = resolveSettings({ keepDeadLettersForDays: 30 }, resolveSettings({}));
    expect(resolveSettings({ keepLogsForDays: 5 }, givenLater).keepDeadLettersForDays).toBe(30);
  });

  it('given once at run time, stays through later updates of keepLogsForDays', () => {
    const app = createHookwork({});
    app.updateSettings({ keepDeadLettersForDays: 30 });
    expect(app.updateSettings({ keepLogsForDays: 5 })).toMatchObject({ keepLogsForDays: 5, keepDeadLettersForDays: 30 });
    expect(createHookwork({}).updateSettings({ keepLogsForDays: 5 }).keepDeadLettersForDays).toBe(5);
  });
});

describe('loadSettings', () => {
  /** What loadSettings() throws for `env`; fails the test when it takes it. */
  const refusal = (env: NodeJS.ProcessEnv) => {
    try {
      loadSettings({ env });
    } catch (error) {
      return error as HookworkError;
    }
    throw new Error('not refused');
  };
  const dir = mkdtempSync(join(tmpdir(), 'hookwork-settings-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a JSON file section, then the environment, then code', () => {
    const file = join(dir, 'appsettings.json');
    writeFileSync(file, JSON.stringify({ Hookwork: { maximumRetries: 2, period: '00:00:05', concurrency: { global: 10 } } }));
    const input = loadSettings({
      file,
      env: { HOOKWORK_MAXIMUM_RETRIES: '7', HOOKWORK_CONCURRENCY__PER_WEBHOOK: '3', HOOKWORK_ENABLED: 'false', HOOKWORK_RETRY_SCHEDULE: '00:00:00.1,00:00:01' },
      overrides: { keepLogsForDays: 3 },
    });
    expect(resolveSettings(input)).toMatchObject({
      maximumRetries: 7,
      period: 5_000,
      concurrency: { global: 10, perWebhook: 3 },
      enabled: false,
      retrySchedule: [100, 1_000],
      keepLogsForDays: 3,
    });
  });

  it('refuses a file\'s __proto__ key as unknown, at the top of the section and inside a group, instead of dropping it', () => {
    // Assigned while the keys were put in canonical case, it became the object's prototype: the
    // settings it held were dropped without a word (and read through the prototype where looked up).
    const file = join(dir, 'proto.json');
    for (const [section, key] of [['{"__proto__": {"maximumRetries": 0}}', '__proto__'], ['{"breaker": {"__proto__": {"coolDown": 5}}}', 'breaker.__proto__']] as const) {
      writeFileSync(file, `{"Hookwork": ${section}}`);
      expect(() => loadSettings({ file, env: {} })).toThrow(expect.objectContaining({ code: 'HOOKWORK_ERR_INVALID_SETTINGS', details: [expect.objectContaining({ key, source: `${file}: Hookwork:${key.replace('.', ':')}` })] }));
    }
  });

  it('reports a bad environment value under its variable and its key', () => {
    expect(() => loadSettings({ env: { HOOKWORK_MAXIMUM_RETRIES: 'many' } })).toThrow(/HOOKWORK_MAXIMUM_RETRIES \(setting maximumRetries\) must be a whole number \(got "many"\)/);
  });

  it('shows NaN and Infinity as themselves in the message, not as JSON null', () => {
    expect(() => resolveSettings({ maximumRetries: NaN })).toThrow(/maximumRetries must be a whole number \(got NaN\)/);
    expect(() => resolveSettings({ period: Infinity })).toThrow(/period must be a duration.*\(got Infinity\)/);
  });

  it('reads only the environment names of settings: another HOOKWORK_ variable is left alone, a near miss is a warning', () => {
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (m: string) => void warnings.push(m), error() {} };
    // A name read but for its underscores and case (HOOKWORK_KEEPLOGSFORDAYS) is the setting's, as
    // .NET reads Hookwork__KeepLogsForDays; a letter off is a near miss, suggested in the name's own form.
    const input = loadSettings({ env: { HOOKWORK_SECRET: 'whsec_x', HOOKWORK_DATA_DIR: '/tmp', HOOKWORK_KEEPLOGSFORDAYS: '3', HOOKWORK_MAXIMUM_RETRIEZ: '4', HOOKWORK_PERIOD: '00:00:05', HOOKWORK_MaximumRetriez: '4', PATH: '/bin' }, logger });
    expect(input).toEqual({ keepLogsForDays: 3, period: '00:00:05' });
    expect(warnings).toEqual([
      'environment variable HOOKWORK_MAXIMUM_RETRIEZ is not read: did you mean HOOKWORK_MAXIMUM_RETRIES? (see docs/settings.md)',
      'environment variable HOOKWORK_MaximumRetriez is not read: did you mean HOOKWORK_MaximumRetries? (see docs/settings.md)',
    ]);
    expect(() => createHookwork({ settings: input })).not.toThrow();
  });

  it('refuses an environment variable named for a group of settings, naming the variables of its keys, instead of ignoring it', () => {
    // HOOKWORK_BREAKER=false read as "breaker off" by its writer, and nothing at all by loadSettings: the breaker stayed on, without a word.
    const error = refusal({ HOOKWORK_BREAKER: 'false', HOOKWORK_CONCURRENCY: '5', HOOKWORK_MAXIMUM_RETRIES: '3' });
    expect(error.code).toBe('HOOKWORK_ERR_INVALID_SETTINGS');
    expect(error.message).toContain(
      'environment variable HOOKWORK_CONCURRENCY names the group of settings concurrency, not one setting, and is not read: set its keys one by one (HOOKWORK_CONCURRENCY__GLOBAL, HOOKWORK_CONCURRENCY__PER_WEBHOOK), and remove HOOKWORK_CONCURRENCY (got "5")',
    );
    expect(error.message).toMatch(/HOOKWORK_BREAKER names the group of settings breaker.*HOOKWORK_BREAKER__ENABLED, HOOKWORK_BREAKER__FAILURE_THRESHOLD.*\(got "false"\)/);
    expect(error.details).toEqual([expect.objectContaining({ key: 'concurrency', value: '5' }), expect.objectContaining({ key: 'breaker', value: 'false' })]);
    // Every group, with its own prefix too; an empty value is still the group's name set.
    for (const group of ['SSRF', 'HEADERS', 'AUTO_DISABLE', 'RATE_LIMIT', 'TRACING']) {
      expect(refusal({ [`HOOKWORK_${group}`]: '' }).code).toBe('HOOKWORK_ERR_INVALID_SETTINGS');
      expect(() => loadSettings({ env: { [`APP_${group}`]: '' }, envPrefix: 'APP_' })).toThrow(`APP_${group} names the group`);
    }
    // The group's keys are read as before.
    expect(loadSettings({ env: { HOOKWORK_BREAKER__ENABLED: 'false' } })).toEqual({ breaker: { enabled: false } });
  });

  it('refuses a list from the environment with an empty entry (a doubled, trailing or leading comma), naming the variable, the position and the fix', () => {
    // HOOKWORK_RETRY_SCHEDULE=00:00:01,,00:00:02 was read as two retries, the empty entry dropped without a word.
    const doubled = refusal({ HOOKWORK_RETRY_SCHEDULE: '00:00:01,,00:00:02' });
    expect(doubled).toMatchObject({
      code: 'HOOKWORK_ERR_INVALID_SETTINGS',
      message: 'HOOKWORK_ERR_INVALID_SETTINGS: invalid settings: environment variable HOOKWORK_RETRY_SCHEDULE has an empty entry at position 2 (between two commas) of 3, most likely a typo; remove the extra comma (HOOKWORK_RETRY_SCHEDULE=00:00:01,00:00:02) or write the entry meant there (got "00:00:01,,00:00:02") (see docs/settings.md)',
    });
    expect(doubled.details).toEqual([expect.objectContaining({ key: 'retrySchedule', value: '00:00:01,,00:00:02' })]);
    expect(refusal({ HOOKWORK_SSRF__ALLOW: '127.0.0.1,' }).message).toContain('environment variable HOOKWORK_SSRF__ALLOW has an empty entry at position 2 (after a trailing comma) of 2, most likely a typo; remove the extra comma (HOOKWORK_SSRF__ALLOW=127.0.0.1)');
    expect(refusal({ HOOKWORK_SSRF__ALLOW: ' , 10.0.0.0/8' }).message).toContain('HOOKWORK_SSRF__ALLOW has an empty entry at position 1 (before a leading comma) of 2');
    expect(refusal({ HOOKWORK_RETRY_SCHEDULE: '00:00:01, ,,00:00:02', HOOKWORK_SSRF__ALLOW: '10.0.0.0/8,' }).details).toEqual([
      expect.objectContaining({ key: 'retrySchedule', problem: expect.stringContaining('HOOKWORK_RETRY_SCHEDULE has empty entries at positions 2 (between two commas), 3 (between two commas) of 4') }),
      expect.objectContaining({ key: 'ssrf.allow' }),
    ]);
    // Blanks around an entry are trimmed; a value empty as a whole is the empty list (allow nothing more).
    expect(loadSettings({ env: { HOOKWORK_RETRY_SCHEDULE: ' 00:00:01 , 00:00:02 ', HOOKWORK_SSRF__ALLOW: '' } })).toEqual({ retrySchedule: ['00:00:01', '00:00:02'], ssrf: { allow: [] } });
  });

  it('names an empty entry of a list given in code or a file as one, not by the rules of a duration or an address', () => {
    const empty = '(a doubled or trailing comma?); remove it or write the entry meant there';
    expect(() => resolveSettings({ retrySchedule: ['00:00:01', '', '00:00:02'] })).toThrow(`invalid settings: retrySchedule.1 is an empty entry, most likely a typo ${empty} (got "")`);
    expect(() => resolveSettings({ retrySchedule: ['00:00:01', '  '] })).toThrow(`retrySchedule.1 is an empty entry, most likely a typo ${empty} (got "  ")`);
    // "" was two problems (ajv's "must NOT have fewer than 1 characters" and the address rule); "  " the address rule.
    expect(() => resolveSettings({ ssrf: { allow: ['127.0.0.1', ''] } })).toThrow(new RegExp(`^HOOKWORK_ERR_INVALID_SETTINGS: invalid settings: ssrf\\.allow\\.1 is an empty entry, most likely a typo \\(a doubled or trailing comma\\?\\); remove it or write the entry meant there \\(got ""\\)$`));
    expect(() => resolveSettings({ ssrf: { allow: ['  ', '127.0.0.1'] } })).toThrow(`ssrf.allow.0 is an empty entry, most likely a typo ${empty} (got "  ")`);
  });

  it('keeps durations from the environment as strings, so bare digits are refused with the fix', () => {
    expect(loadSettings({ env: { HOOKWORK_PERIOD: '00:00:10', HOOKWORK_RETRY_SCHEDULE: '00:00:01,00:00:30' } })).toEqual({ period: '00:00:10', retrySchedule: ['00:00:01', '00:00:30'] });
    expect(() => loadSettings({ env: { HOOKWORK_PERIOD: '10' } })).toThrow(/HOOKWORK_PERIOD \(setting period\) must be a duration, and bare digits in a string are ambiguous .* \(got "10"\)/);
  });

  it('finds the file section and its keys case-insensitively, as .NET configuration does', () => {
    const file = join(dir, 'cased.json');
    writeFileSync(file, JSON.stringify({ hookwork: { MaximumRetries: 2, Concurrency: { PerWebhook: 3 }, SSRF: { Allow: ['127.0.0.1'] } }, Umbraco: { CMS: { Webhook: { Period: '00:00:20' } } } }));
    expect(resolveSettings(loadSettings({ file, env: {} }))).toMatchObject({ maximumRetries: 2, concurrency: { perWebhook: 3 }, ssrf: { allow: ['127.0.0.1'] } });
    expect(resolveSettings(loadSettings({ file, section: 'umbraco.cms.webhook', env: {} })).period).toBe(20_000);
    // A key that matches no setting in any case is still refused by name.
    writeFileSync(file, JSON.stringify({ Hookwork: { MaximumRetrys: 2 } }));
    expect(() => loadSettings({ file, env: {} })).toThrow(/Hookwork:MaximumRetrys is not a known setting/);
  });

  it('lets an override given as undefined leave the file\'s value', () => {
    const file = join(dir, 'undefined-override.json');
    writeFileSync(file, JSON.stringify({ Hookwork: { MaximumRetries: 2, Headers: { Event: 'x-event' } } }));
    const input = loadSettings({ file, env: {}, overrides: { maximumRetries: undefined, headers: { event: undefined } } });
    expect(resolveSettings(input)).toMatchObject({ maximumRetries: 2, headers: { event: 'x-event' } });
  });

  it('names the new key of a renamed setting written in a file in any case, as in the environment', () => {
    const file = join(dir, 'renamed.json');
    writeFileSync(file, JSON.stringify({ Hookwork: { Concurrency: { PerEndpoint: 3 } } }));
    expect(() => loadSettings({ file, env: {} })).toThrow(/Hookwork:Concurrency:PerEndpoint was renamed concurrency\.perWebhook/);
  });

  it('makes a missing section a coded error, unless it is declared optional', () => {
    const file = join(dir, 'other.json');
    writeFileSync(file, JSON.stringify({ Logging: {}, ConnectionStrings: {} }));
    expect(() => loadSettings({ file, env: {} })).toThrow(
      /HOOKWORK_ERR_SETTINGS_FILE: settings file .*other.json has no section "Hookwork" \(its top-level keys: "Logging", "ConnectionStrings"\); name the section with \{ section \}, or pass \{ optionalSection: true \}/,
    );
    expect(loadSettings({ file, env: {}, optionalSection: true })).toEqual({});
  });

  it('reads string values of boolean and number settings as .NET binds them, and TimeSpan strings as durations', () => {
    const file = join(dir, 'strings.json');
    // As an appsettings.json often holds them: every value a string, booleans in .NET's spelling.
    writeFileSync(file, JSON.stringify({ Hookwork: { Enabled: 'False', MaximumRetries: '3', Period: '00:00:30', RetryJitter: ' 0.1 ', Concurrency: { PerWebhook: '2' }, Ssrf: { AllowInternal: 'TRUE' } } }));
    expect(resolveSettings(loadSettings({ file, env: { HOOKWORK_RETRY_CLIENT_ERRORS: 'True' } }))).toMatchObject({
      enabled: false,
      maximumRetries: 3,
      period: 30_000,
      retryJitter: 0.1,
      concurrency: { perWebhook: 2 },
      ssrf: { allowInternal: true },
      retryClientErrors: true,
    });
    // What is not a boolean or a number is still refused under its key, with the value.
    writeFileSync(file, JSON.stringify({ Hookwork: { Enabled: 'yes', MaximumRetries: 'three' } }));
    expect(() => loadSettings({ file, env: {} })).toThrow(/Hookwork:Enabled \(setting enabled\) must be a boolean \(got "yes"\)/);
    expect(() => loadSettings({ file, env: {} })).toThrow(/Hookwork:MaximumRetries \(setting maximumRetries\) must be a whole number \(got "three"\)/);
  });

  it('refuses TimeSpan spellings that read differently in .NET and elsewhere, saying how to write them', () => {
    const problem = (period: string) => {
      try {
        resolveSettings(loadSettings({ env: { HOOKWORK_PERIOD: period } }));
      } catch (error) {
        return (error as HookworkError).message;
      }
      throw new Error(`${period} was accepted`);
    };
    // .NET's TimeSpan.Parse("00:30") is 30 minutes; a stopwatch reads 30 seconds.
    expect(problem('00:30')).toContain('HOOKWORK_PERIOD (setting period) must be a duration, and a time of two parts is ambiguous (.NET\'s TimeSpan reads hh:mm, 0 h 30 min; others read mm:ss): write all three parts, "00:30:00" for 0 h 30 min or "00:00:30" for 0 min 30 s (got "00:30")');
    expect(problem('00:30').match(/"00:30"/g)).toHaveLength(1);
    expect(problem('1:02:03:04')).toContain('write the days with a dot, "1.02:03:04" (d.hh:mm:ss)');
    expect(problem('-00:00:10')).toContain('a negative TimeSpan is not one');
  });

  it('refuses options it does not know or of the wrong kind, naming each', () => {
    const attempt = (options: unknown) => {
      try {
        loadSettings(options as never);
      } catch (error) {
        return error as HookworkError & { details: { key: string; problem: string }[] };
      }
      throw new Error('loadSettings accepted bad options');
    };
    // `path` for `file` used to read no file and give all defaults without a word.
    const typo = attempt({ path: 'appsettings.json', env: {} });
    expect(typo.code).toBe('HOOKWORK_ERR_INVALID_OPTIONS');
    expect(typo.message).toContain('loadSettings() was given bad options: path is not an option (did you mean file?)');
    expect(attempt({ file: 42, section: '', optionalSection: 'yes', env: [], envPrefix: '' }).details.map((d) => d.key)).toEqual(['file', 'section', 'optionalSection', 'env', 'envPrefix']);
    expect(attempt({ section: 'Umbraco..Webhook' }).message).toContain('section must be a section path such as "Hookwork" or "Umbraco:CMS:Webhook"');
    expect(attempt('appsettings.json').message).toMatch(/HOOKWORK_ERR_INVALID_OPTIONS: loadSettings\(\) takes an options object/);
  });

  it('reads a file saved with a UTF-8 byte order mark (as Visual Studio saves appsettings.json), as .NET does', () => {
    const file = join(dir, 'bom.json');
    writeFileSync(file, '\ufeff{ "Hookwork": { "MaximumRetries": "3" } }');
    // It used to be "is not valid JSON: Unexpected token '\ufeff'", an invisible character.
    expect(loadSettings({ file, env: {} })).toEqual({ maximumRetries: 3 });
  });

  it('reads numbers from the environment and files in decimal only, as .NET binds them', () => {
    // Number() read "0x10" as 16 and "0b11" as 3; .NET refuses both.
    expect(() => loadSettings({ env: { HOOKWORK_MAXIMUM_RETRIES: '0x10' } })).toThrow(/HOOKWORK_MAXIMUM_RETRIES \(setting maximumRetries\) must be a whole number \(got "0x10"\)/);
    expect(() => loadSettings({ env: { HOOKWORK_KEEP_LOGS_FOR_DAYS: '0b11' } })).toThrow(/HOOKWORK_KEEP_LOGS_FOR_DAYS \(setting keepLogsForDays\) must be a number \(got "0b11"\)/);
    expect(resolveSettings(loadSettings({ env: { HOOKWORK_KEEP_LOGS_FOR_DAYS: ' 1.5 ', HOOKWORK_MAXIMUM_RETRIES: '+3' } }))).toMatchObject({ keepLogsForDays: 1.5, maximumRetries: 3 });
  });

  it("refuses a key given twice in hookwork's section, as .NET's JSON configuration does, and leaves the rest of the file to the host", () => {
    // JSON.parse kept the last one silently: the MaximumRetries one reads first was not the one used.
    const twice = join(dir, 'twice.json');
    writeFileSync(twice, '{ "Hookwork": { "MaximumRetries": 3, "Ssrf": { "Allow": [], "Allow": ["10.0.0.0/8"] }, "maximumRetries": 0, "MaximumRetries": 1 } }');
    expect(() => loadSettings({ file: twice, env: {} })).toThrow(`HOOKWORK_ERR_SETTINGS_FILE: settings file ${twice} gives the key "Hookwork.Ssrf.Allow", "Hookwork.MaximumRetries" more than once in one object; keep the one you mean and remove the other`);
    const section = join(dir, 'section-twice.json');
    writeFileSync(section, '{ "Hookwork": { "MaximumRetries": 3 }, "Hookwork": { "MaximumRetries": 0 } }');
    expect(() => loadSettings({ file: section, env: {} })).toThrow(/gives the key "Hookwork" more than once/);
    const elsewhere = join(dir, 'host-twice.json');
    writeFileSync(elsewhere, '{ "Logging": { "Level": "Info", "Level": "Debug" }, "Hookwork": { "MaximumRetries": 3 } }');
    expect(loadSettings({ file: elsewhere, env: {} })).toEqual({ maximumRetries: 3 });
  });

  it("refuses one key given in spellings that differ only in case, in hookwork's section and in its name, as .NET's case-insensitive configuration does", () => {
    // Keys are read whatever their case, so these were one key given twice: the last was kept
    // without a word, and a second "breaker" group replaced the first whole (Enabled: false was lost).
    const groups = join(dir, 'case-groups.json');
    writeFileSync(groups, '{ "Hookwork": { "Breaker": { "Enabled": false }, "MaximumRetries": 3, "breaker": { "FailureThreshold": 3 }, "Ssrf": { "Allow": [], "allow": ["10.0.0.0/8"] } } }');
    expect(() => loadSettings({ file: groups, env: {} })).toThrow(
      `HOOKWORK_ERR_SETTINGS_FILE: settings file ${groups} gives "Hookwork.Breaker" and "Hookwork.breaker"; "Hookwork.Ssrf.Allow" and "Hookwork.Ssrf.allow", which differ only in case and name one key (keys are read whatever their case, as .NET reads them); keep the one you mean and remove the other`,
    );
    const keys = join(dir, 'case-keys.json');
    writeFileSync(keys, '{ "Hookwork": { "MaximumRetries": 0, "maximumRetries": 5 } }');
    expect(() => loadSettings({ file: keys, env: {} })).toThrow(/gives "Hookwork.MaximumRetries" and "Hookwork.maximumRetries", which differ only in case/);
    const sections = join(dir, 'case-sections.json');
    writeFileSync(sections, '{ "Umbraco": { "CMS": { "Webhook": { "Period": "00:00:05" }, "webhook": { "Period": "00:00:30" } } } }');
    expect(() => loadSettings({ file: sections, section: 'Umbraco.CMS.Webhook', env: {} })).toThrow(/gives "Umbraco.CMS.Webhook" and "Umbraco.CMS.webhook", which differ only in case/);
    // The rest of the host's file is its own, and one spelling in any case is read as before.
    const host = join(dir, 'case-host.json');
    writeFileSync(host, '{ "Logging": { "Level": "Info", "level": "Debug" }, "hookwork": { "maximumRetries": "3", "BREAKER": { "enabled": false } } }');
    expect(loadSettings({ file: host, env: {} })).toEqual({ maximumRetries: 3, breaker: { enabled: false } });
  });

  it('refuses case spellings in a file nested 50,000 levels deep in time and memory of its size', () => {
    // In a process of its own, so that the old walk — a path copied for every value, the square of
    // the depth in all (gigabytes) — fails at its timeout or out of memory rather than take jest down.
    const deep = join(dir, 'case-deep.json');
    writeFileSync(deep, `{ "Hookwork": { "Breaker": {}, "breaker": ${'{ "a": '.repeat(50_000)}1${' }'.repeat(50_000)} } }`);
    const script = `const { loadSettings } = require(${JSON.stringify(require.resolve('./load-settings'))});
      try { loadSettings({ file: ${JSON.stringify(deep)}, env: {} }); console.log('taken'); } catch (error) { console.log(error.message); }`;
    // The package's own compiler options (ES2022): the repository's root names none, and ts-node's
    // default target would turn each for…of over a Map into a loop over nothing.
    const env = { ...process.env, TS_NODE_PROJECT: join(__dirname, '..', '..', 'tsconfig.json') };
    const output = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], { encoding: 'utf8', timeout: 45_000, env });
    expect(output).toMatch(/^HOOKWORK_ERR_SETTINGS_FILE: settings file .* gives "Hookwork.Breaker" and "Hookwork.breaker", which differ only in case/);
  }, 60_000);

  it('gives coded errors for a missing or malformed file', () => {
    expect(() => loadSettings({ file: join(dir, 'missing.json'), env: {} })).toThrow(/HOOKWORK_ERR_SETTINGS_FILE: cannot read settings file/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ not json');
    expect(() => loadSettings({ file: bad, env: {} })).toThrow(/HOOKWORK_ERR_SETTINGS_FILE: settings file .* is not valid JSON/);
    // Where and why, for the person with the file open; the two things .NET's reader takes and JSON does not are named.
    const withComment = join(dir, 'comment.json');
    writeFileSync(withComment, '{\n  // retries\n  "Hookwork": { "MaximumRetries": 3 }\n}');
    expect(() => loadSettings({ file: withComment, env: {} })).toThrow(/is not valid JSON: line 2, column 3: .*a comment, which JSON does not allow \(\.NET skips them\); remove it$/);
    const trailingComma = join(dir, 'comma.json');
    writeFileSync(trailingComma, '{\n  "Hookwork": {\n    "MaximumRetries": 3,\n  }\n}');
    expect(() => loadSettings({ file: trailingComma, env: {} })).toThrow(/is not valid JSON: line 4, column 3: .*a trailing comma, which JSON does not allow \(\.NET skips it\); remove it$/);
    const yaml = join(dir, 'yaml.json');
    writeFileSync(yaml, 'Hookwork:\n  maximumRetries: 3\n');
    expect(() => loadSettings({ file: yaml, env: {} })).toThrow(/is not valid JSON: line 1, column 1: Unexpected token 'H'$/);
    const empty = join(dir, 'empty.json');
    writeFileSync(empty, '\n');
    expect(() => loadSettings({ file: empty, env: {} })).toThrow(/is not valid JSON: the file is empty; write an object such as/);
    const wrongSection = join(dir, 'wrong.json');
    writeFileSync(wrongSection, JSON.stringify({ Hookwork: 5 }));
    expect(() => loadSettings({ file: wrongSection, env: {} })).toThrow(/section "Hookwork" .* must be an object/);
  });
});

describe('whole-number settings from the environment or a settings file', () => {
  // .NET's binder refuses "3.0" and "1e2" for an int; hookwork took them as 3 and 100.
  it.each(['3.0', '1e2', '2.5', ' 3. ', '-1.0'])('refuses %j by key, with the settings error and the form taken', (raw) => {
    const error = (() => {
      try {
        loadSettings({ env: { HOOKWORK_MAXIMUM_RETRIES: raw, HOOKWORK_CONCURRENCY__GLOBAL: raw } });
      } catch (e) {
        return e as HookworkError;
      }
      return undefined;
    })();
    expect(error?.code).toBe('HOOKWORK_ERR_INVALID_SETTINGS');
    expect(error?.message).toContain(`environment variable HOOKWORK_MAXIMUM_RETRIES (setting maximumRetries) must be a whole number written in digits only, such as 3 ("3.0" and "1e2" are not taken) (got ${JSON.stringify(raw)}); e.g. HOOKWORK_MAXIMUM_RETRIES=5`);
    expect((error?.details as { key: string }[]).map((d) => d.key)).toEqual(['maximumRetries', 'concurrency.global']);
  });

  it('takes digits with a sign and blanks around them, and keeps decimals for number and duration settings', () => {
    expect(resolveSettings(loadSettings({ env: { HOOKWORK_MAXIMUM_RETRIES: ' 3 ', HOOKWORK_CONCURRENCY__GLOBAL: '+8', HOOKWORK_KEEP_LOGS_FOR_DAYS: '1.5', HOOKWORK_RETRY_JITTER: '1e-1', HOOKWORK_TIMEOUT: '00:00:02.5' } }))).toMatchObject({
      maximumRetries: 3,
      concurrency: { global: 8 },
      keepLogsForDays: 1.5,
      retryJitter: 0.1,
      timeout: 2500,
    });
  });
});

describe('retrySchedule', () => {
  it(`takes at most ${MAX_RETRY_SCHEDULE_ENTRIES} entries, maximumRetries' own bound, from code, the environment, a settings file and updateSettings()`, () => {
    expect(resolveSettings({ retrySchedule: Array.from({ length: MAX_RETRY_SCHEDULE_ENTRIES }, () => 1000) }).retrySchedule).toHaveLength(MAX_RETRY_SCHEDULE_ENTRIES);
    const tooMany = Array.from({ length: 100_000 }, () => 1000);
    expect(problemsOf({ retrySchedule: tooMany })).toEqual([{ key: 'retrySchedule', problem: expect.stringContaining('has 100000 entries; it takes at most 100') as string }]);
    expect(() => loadSettings({ env: { HOOKWORK_RETRY_SCHEDULE: Array.from({ length: 101 }, () => '00:00:01').join(',') } })).toThrow(/HOOKWORK_ERR_INVALID_SETTINGS: .*HOOKWORK_RETRY_SCHEDULE \(setting retrySchedule\) has 101 entries; it takes at most 100/);
    const dir = mkdtempSync(join(tmpdir(), 'hookwork-schedule-'));
    try {
      const file = join(dir, 'appsettings.json');
      writeFileSync(file, JSON.stringify({ Hookwork: { RetrySchedule: Array.from({ length: 101 }, () => '00:00:01'), MaximumRetries: '3.0' } }));
      expect(() => loadSettings({ file, env: {} })).toThrow(/Hookwork:MaximumRetries \(setting maximumRetries\) must be a whole number written in digits only.*Hookwork:RetrySchedule \(setting retrySchedule\) has 101 entries; it takes at most 100/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const app = createHookwork({});
    expect(() => app.updateSettings({ retrySchedule: tooMany })).toThrow(/retrySchedule has 100000 entries; it takes at most 100/);
    expect(app.settings.retrySchedule).toEqual(defaultSettings().retrySchedule);
  });
});
