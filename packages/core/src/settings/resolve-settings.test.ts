import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHookwork, defaultSettings, HookworkError, loadSettings, parseDuration, resolveSettings } from '../index';

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
    expect(error?.message).toContain('period must be a duration: milliseconds or a TimeSpan string such as "00:00:10" (got "ten seconds")');
    expect(error?.message).toContain('maximumRetrys is not a known setting');
    expect(error?.message).toContain('payloadType must be one of "Minimal", "Extended", "Legacy" (got "Huge")');
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
    expect(error?.message).toContain('ssrf.allow.1 must be an IP address, a CIDR range (10.0.0.0/8) or a host name (got "not a cidr/99")');
  });

  it('refuses a header name with CR/LF and a non-object', () => {
    expect(() => resolveSettings({ headers: { event: 'x\r\ninjected: 1' } })).toThrow(/headers\.event/);
    expect(() => resolveSettings('fast' as never)).toThrow(/HOOKWORK_ERR_INVALID_SETTINGS: settings must be an object/);
  });

  const problemsOf = (input: unknown) => {
    try {
      resolveSettings(input as never);
    } catch (e) {
      return (e as HookworkError).details as { key: string; problem: string }[];
    }
    return [];
  };

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
    expect(problemsOf({ headers: { style: 'umbraco', event: 'umb-webhook-retrycount' } })).toEqual([
      { key: 'headers.event', value: 'umb-webhook-retrycount', problem: 'is the same header as headers.retryCount (umb-webhook-retrycount); each needs its own name' },
    ]);
  });

  it('names the new key of a renamed setting', () => {
    expect(problemsOf({ concurrency: { perEndpoint: 3 } })).toEqual([{ key: 'concurrency.perEndpoint', value: 3, problem: expect.stringContaining('was renamed concurrency.perWebhook') }]);
    expect(() => loadSettings({ env: { HOOKWORK_CONCURRENCY__PER_ENDPOINT: '3' } })).toThrow(/HOOKWORK_CONCURRENCY__PER_ENDPOINT \(was renamed HOOKWORK_CONCURRENCY__PER_WEBHOOK\)/);
  });

  it('is applied by createHookwork, and updateSettings keeps the old settings on a bad value', () => {
    expect(() => createHookwork({ settings: { keepLogsForDays: 0 } })).toThrow(/HOOKWORK_ERR_INVALID_SETTINGS: invalid settings: keepLogsForDays/);
    const app = createHookwork({ settings: { maximumRetries: 2 } });
    expect(() => app.updateSettings({ maximumRetries: 1.5 })).toThrow(/maximumRetries/);
    expect(app.settings.maximumRetries).toBe(2);
    expect(app.updateSettings({ maximumRetries: 0 }).maximumRetries).toBe(0);
  });

  it('lets composers adjust settings', () => {
    const app = createHookwork({ settings: { maximumRetries: 2 }, composers: [{ compose: (b) => void b.settings.update({ maximumRetries: b.settings.current.maximumRetries + 1 }) }] });
    expect(app.settings.maximumRetries).toBe(3);
    expect(app.settings).not.toBe(defaultSettings());
  });
});

describe('loadSettings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookwork-settings-'));

  it('reads a JSON file section, then the environment, then code', () => {
    const file = join(dir, 'appsettings.json');
    writeFileSync(file, JSON.stringify({ Hookwork: { maximumRetries: 2, period: '00:00:05', concurrency: { global: 10 } } }));
    const input = loadSettings({
      file,
      env: { HOOKWORK_MAXIMUM_RETRIES: '7', HOOKWORK_CONCURRENCY__PER_WEBHOOK: '3', HOOKWORK_ENABLED: 'false', HOOKWORK_RETRY_SCHEDULE: '100,00:00:01' },
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

  it('reports a bad environment value under its key', () => {
    expect(() => resolveSettings(loadSettings({ env: { HOOKWORK_MAXIMUM_RETRIES: 'many' } }))).toThrow(/maximumRetries must be a whole number \(got "many"\)/);
  });

  it('refuses an unknown HOOKWORK_ name in the environment, as a typo in code is refused', () => {
    expect(() => loadSettings({ env: { HOOKWORK_MAXIMUM_RETRIEZ: '3', HOOKWORK_PERIOD: '00:00:05', PATH: '/bin' } })).toThrow(
      /HOOKWORK_ERR_INVALID_SETTINGS: unknown setting in the environment: HOOKWORK_MAXIMUM_RETRIEZ; names are HOOKWORK_ \+ the key in SCREAMING_SNAKE_CASE/,
    );
  });

  it('gives coded errors for a missing or malformed file', () => {
    expect(() => loadSettings({ file: join(dir, 'missing.json'), env: {} })).toThrow(/HOOKWORK_ERR_SETTINGS_FILE: cannot read settings file/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ not json');
    expect(() => loadSettings({ file: bad, env: {} })).toThrow(/HOOKWORK_ERR_SETTINGS_FILE: settings file .* is not valid JSON/);
    const wrongSection = join(dir, 'wrong.json');
    writeFileSync(wrongSection, JSON.stringify({ Hookwork: 5 }));
    expect(() => loadSettings({ file: wrongSection, env: {} })).toThrow(/section "Hookwork" .* must be an object/);
  });
});
