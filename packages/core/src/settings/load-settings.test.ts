import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHookwork, HookworkError, loadSettings, resolveSettings, type LoadSettingsOptions } from '../index';

/** What loadSettings() throws for `options`; fails the test when it takes them. */
function refusal(options: LoadSettingsOptions): HookworkError {
  try {
    loadSettings(options);
  } catch (error) {
    return error as HookworkError;
  }
  throw new Error('loadSettings took the settings');
}

type Detail = { key: string; problem: string; value?: unknown; source?: string; example?: string };

describe('loadSettings refuses a bad value where it read it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookwork-load-settings-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const fileOf = (name: string, json: unknown) => {
    const file = join(dir, name);
    writeFileSync(file, JSON.stringify(json));
    return file;
  };

  it('names the environment variable, the problem and a valid value: HOOKWORK_ENABLED=yes, as a new user wrote it', () => {
    const file = fileOf('appsettings.json', { Hookwork: { MaximumRetries: 3 } });
    // Taken by loadSettings and refused by createHookwork as "enabled must be a boolean (got "yes")", naming neither the variable nor the file.
    const error = refusal({ file, section: 'Hookwork', env: { HOOKWORK_ENABLED: 'yes' } });
    expect(error.code).toBe('HOOKWORK_ERR_INVALID_SETTINGS');
    expect(error.message).toBe('HOOKWORK_ERR_INVALID_SETTINGS: invalid settings: environment variable HOOKWORK_ENABLED (setting enabled) must be a boolean (got "yes"); e.g. HOOKWORK_ENABLED=true (see docs/settings.md)');
    expect(error.details).toEqual([{ key: 'enabled', problem: 'must be a boolean', value: 'yes', source: 'environment variable HOOKWORK_ENABLED', example: 'HOOKWORK_ENABLED=true' }]);
  });

  it('names HOOKWORK_PERIOD given bare digits, with the TimeSpan to write', () => {
    const error = refusal({ env: { HOOKWORK_PERIOD: '10' } });
    expect(error.message).toMatch(/^HOOKWORK_ERR_INVALID_SETTINGS: invalid settings: environment variable HOOKWORK_PERIOD \(setting period\) must be a duration, and bare digits in a string are ambiguous .* \(got "10"\); e\.g\. HOOKWORK_PERIOD=00:00:10 \(see docs\/settings\.md\)$/);
  });

  it('names the variable for every kind of setting: whole numbers, numbers, durations, enums, list entries, keys of a group', () => {
    const error = refusal({
      env: {
        HOOKWORK_MAXIMUM_RETRIES: 'many',
        HOOKWORK_KEEP_LOGS_FOR_DAYS: '0b11',
        HOOKWORK_PAYLOAD_TYPE: 'Full',
        HOOKWORK_RETRY_SCHEDULE: '00:00:01,10',
        HOOKWORK_SSRF__ALLOW: '127.0.0.1,127.1',
        HOOKWORK_CONCURRENCY__GLOBAL: '0',
        HOOKWORK_BREAKER__WINDOW: '00:00:00',
        HOOKWORK_HEADERS__EVENT: 'my event',
        HOOKWORK_TRACING__TRACEPARENT: 'on',
        HOOKWORK_CONCURRENCY__PER_WEBHOOK: '1'.repeat(400),
      },
    });
    const bySource = Object.fromEntries((error.details as Detail[]).map((d) => [d.source, d]));
    expect(Object.keys(bySource).sort()).toEqual(
      [
        'environment variable HOOKWORK_MAXIMUM_RETRIES',
        'environment variable HOOKWORK_KEEP_LOGS_FOR_DAYS',
        'environment variable HOOKWORK_PAYLOAD_TYPE',
        'environment variable HOOKWORK_RETRY_SCHEDULE, entry 2',
        'environment variable HOOKWORK_SSRF__ALLOW, entry 2',
        'environment variable HOOKWORK_CONCURRENCY__GLOBAL',
        'environment variable HOOKWORK_BREAKER__WINDOW',
        'environment variable HOOKWORK_HEADERS__EVENT',
        'environment variable HOOKWORK_TRACING__TRACEPARENT',
        'environment variable HOOKWORK_CONCURRENCY__PER_WEBHOOK',
      ].sort(),
    );
    expect(bySource['environment variable HOOKWORK_MAXIMUM_RETRIES']).toEqual({ key: 'maximumRetries', problem: 'must be a whole number', value: 'many', source: 'environment variable HOOKWORK_MAXIMUM_RETRIES', example: 'HOOKWORK_MAXIMUM_RETRIES=5' });
    expect(bySource['environment variable HOOKWORK_KEEP_LOGS_FOR_DAYS']).toMatchObject({ key: 'keepLogsForDays', value: '0b11', example: 'HOOKWORK_KEEP_LOGS_FOR_DAYS=30' });
    expect(bySource['environment variable HOOKWORK_PAYLOAD_TYPE']).toMatchObject({ problem: 'must be one of "Minimal", "Extended", "Legacy"', example: 'HOOKWORK_PAYLOAD_TYPE=Minimal' });
    expect(bySource['environment variable HOOKWORK_RETRY_SCHEDULE, entry 2']).toMatchObject({ key: 'retrySchedule.1', value: '10', example: 'HOOKWORK_RETRY_SCHEDULE=00:00:05,00:05:00,00:30:00' });
    expect(bySource['environment variable HOOKWORK_SSRF__ALLOW, entry 2']).toMatchObject({ key: 'ssrf.allow.1', value: '127.1', example: 'HOOKWORK_SSRF__ALLOW=127.0.0.1:4000,10.0.0.0/8' });
    expect(bySource['environment variable HOOKWORK_CONCURRENCY__GLOBAL']).toMatchObject({ key: 'concurrency.global', problem: 'must be at least 1', value: '0', example: 'HOOKWORK_CONCURRENCY__GLOBAL=64' });
    expect(bySource['environment variable HOOKWORK_BREAKER__WINDOW']).toMatchObject({ key: 'breaker.window', problem: 'must be greater than zero', example: 'HOOKWORK_BREAKER__WINDOW=00:01:00' });
    expect(bySource['environment variable HOOKWORK_HEADERS__EVENT']).toMatchObject({ key: 'headers.event', example: 'HOOKWORK_HEADERS__EVENT=hookwork-event' });
    expect(bySource['environment variable HOOKWORK_TRACING__TRACEPARENT']).toMatchObject({ key: 'tracing.traceparent', value: 'on', example: 'HOOKWORK_TRACING__TRACEPARENT=false' });
    // The variable's text, not the number it was read as (Infinity).
    expect(bySource['environment variable HOOKWORK_CONCURRENCY__PER_WEBHOOK']).toMatchObject({ key: 'concurrency.perWebhook', problem: 'must be at most 10000', value: '1'.repeat(400) });
    expect(error.message).toContain('environment variable HOOKWORK_RETRY_SCHEDULE, entry 2 (setting retrySchedule.1) must be a duration, and bare digits');
  });

  it('names the file and the key path as the file writes it (.NET configuration\'s colons), with a valid value written as in the file', () => {
    const file = fileOf('umbraco.json', {
      Umbraco: {
        CMS: {
          Webhook: {
            Enabled: 'yes',
            MaximumRetries: 'three',
            Period: '10',
            PayloadType: 'Full',
            RetrySchedule: ['00:00:01', 'soon'],
            Concurrency: 5,
            Breaker: { CoolDown: '00:30' },
            Ssrf: { Allow: ['127.1'] },
            retryJitter: 2,
          },
        },
      },
    });
    const error = refusal({ file, section: 'umbraco.cms.webhook', env: {} });
    const details = error.details as Detail[];
    const where = (source: string) => details.find((d) => d.source === `${file}: ${source}`);
    expect(details.map((d) => d.source?.slice(file.length + 2))).toEqual(
      expect.arrayContaining(['Umbraco:CMS:Webhook:Enabled', 'Umbraco:CMS:Webhook:MaximumRetries', 'Umbraco:CMS:Webhook:Period', 'Umbraco:CMS:Webhook:PayloadType', 'Umbraco:CMS:Webhook:RetrySchedule:1', 'Umbraco:CMS:Webhook:Concurrency', 'Umbraco:CMS:Webhook:Breaker:CoolDown', 'Umbraco:CMS:Webhook:Ssrf:Allow:0', 'Umbraco:CMS:Webhook:retryJitter']),
    );
    expect(details).toHaveLength(9);
    expect(where('Umbraco:CMS:Webhook:Enabled')).toEqual({ key: 'enabled', problem: 'must be a boolean', value: 'yes', source: `${file}: Umbraco:CMS:Webhook:Enabled`, example: '"Enabled": true' });
    expect(where('Umbraco:CMS:Webhook:MaximumRetries')).toMatchObject({ value: 'three', example: '"MaximumRetries": 5' });
    expect(where('Umbraco:CMS:Webhook:Period')).toMatchObject({ value: '10', example: '"Period": "00:00:10"' });
    expect(where('Umbraco:CMS:Webhook:PayloadType')).toMatchObject({ example: '"PayloadType": "Minimal"' });
    expect(where('Umbraco:CMS:Webhook:RetrySchedule:1')).toMatchObject({ key: 'retrySchedule.1', value: 'soon', example: '"RetrySchedule": ["00:00:05", "00:05:00", "00:30:00"]' });
    expect(where('Umbraco:CMS:Webhook:Concurrency')).toMatchObject({ key: 'concurrency', problem: 'must be an object of settings', value: 5, example: '"Concurrency": { "Global": 64, "PerWebhook": 16 }' });
    expect(where('Umbraco:CMS:Webhook:Breaker:CoolDown')).toMatchObject({ key: 'breaker.coolDown', example: '"CoolDown": "00:00:30"' });
    expect(where('Umbraco:CMS:Webhook:Ssrf:Allow:0')).toMatchObject({ key: 'ssrf.allow.0', example: '"Allow": ["127.0.0.1:4000", "10.0.0.0/8"]' });
    expect(where('Umbraco:CMS:Webhook:retryJitter')).toMatchObject({ problem: 'must be at most 1', value: 2, example: '"retryJitter": 0.2' });
    expect(error.message).toContain(`${file}: Umbraco:CMS:Webhook:Enabled (setting enabled) must be a boolean (got "yes"); e.g. "Enabled": true`);
  });

  it('names an unknown or renamed key of a file by its path in the file, with the name meant', () => {
    const file = fileOf('unknown.json', { Hookwork: { MaximumRetrys: 3, Concurrency: { PerEndpoint: 2 } } });
    const error = refusal({ file, env: {} });
    expect(error.message).toContain(`${file}: Hookwork:MaximumRetrys is not a known setting (did you mean maximumRetries?) (got 3)`);
    expect(error.message).toContain(`${file}: Hookwork:Concurrency:PerEndpoint was renamed concurrency.perWebhook`);
    expect(error.message).toMatch(/; the settings are enabled, maximumRetries, /);
  });

  it('judges the value that counts: a later source\'s valid value replaces a bad one, and a bad one given in code is named by its key', () => {
    const file = fileOf('overridden.json', { Hookwork: { Enabled: 'yes', Breaker: { Window: 'soon', Enabled: false } } });
    expect(loadSettings({ file, env: { HOOKWORK_ENABLED: 'true', HOOKWORK_BREAKER__WINDOW: '00:02:00' } })).toEqual({ enabled: true, breaker: { window: '00:02:00', enabled: false } });
    expect(loadSettings({ env: { HOOKWORK_PERIOD: '10' }, overrides: { period: '00:00:10' } })).toEqual({ period: '00:00:10' });
    // The file's group is merged key by key with the environment's: its bad key is still the file's.
    expect(refusal({ file, env: { HOOKWORK_ENABLED: 'true', HOOKWORK_BREAKER__ENABLED: 'true' } }).details).toEqual([
      expect.objectContaining({ key: 'breaker.window', source: `${file}: Hookwork:Breaker:Window` }),
    ]);
    expect(refusal({ env: {}, overrides: { maximumRetries: -1 } }).details).toEqual([{ key: 'maximumRetries', problem: 'must be at least 0', value: -1 }]);
  });

  it('names every source in one refusal, with the variables named for a group and the empty list entries', () => {
    const file = fileOf('both.json', { Hookwork: { KeepLogsForDays: 0 } });
    const error = refusal({ file, env: { HOOKWORK_BREAKER: 'false', HOOKWORK_RETRY_SCHEDULE: '00:00:01,,00:00:02', HOOKWORK_ENABLED: 'yes' } });
    expect((error.details as Detail[]).map((d) => d.source ?? d.key)).toEqual(['retrySchedule', 'breaker', 'environment variable HOOKWORK_ENABLED', `${file}: Hookwork:KeepLogsForDays`]);
    // The empty entry is named once, by its position in the variable.
    expect(error.message).not.toContain('retrySchedule.1');
  });

  it('keeps what is valid valid, .NET\'s spellings included, and leaves a clash of two keys to the settings it is put on', () => {
    const file = fileOf('valid.json', { Hookwork: { Enabled: 'False', MaximumRetries: ' 3 ', Period: '00:00:05', Concurrency: { Global: '8' }, RetrySchedule: [1000, '00:00:02'], Headers: { Event: 'hookwork-retry-count' } } });
    const env = { HOOKWORK_RETRY_CLIENT_ERRORS: 'True', HOOKWORK_KEEP_LOGS_FOR_DAYS: '1.5', HOOKWORK_SSRF__ALLOW: '127.0.0.1:4000, 10.0.0.0/8', HOOKWORK_HEADERS__RETRY_COUNT: 'x-tries' };
    const input = loadSettings({ file, env });
    expect(resolveSettings(input)).toMatchObject({ enabled: false, maximumRetries: 3, period: 5000, concurrency: { global: 8 }, retrySchedule: [1000, 2000], retryClientErrors: true, keepLogsForDays: 1.5, headers: { event: 'hookwork-retry-count', retryCount: 'x-tries' } });
    // The file's event header name is the default retry-count header's: valid with the variable, and not loadSettings' to judge alone.
    expect(loadSettings({ file, env: {} }).headers).toEqual({ event: 'hookwork-retry-count' });
    expect(() => createHookwork({ settings: loadSettings({ file, env: {} }) })).toThrow(/headers\.event is the same header as headers\.retryCount/);
  });
});

describe('loadSettings reads a file and an environment written for .NET unchanged', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookwork-dotnet-settings-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let files = 0;
  const fileOf = (json: unknown) => {
    const file = join(dir, `appsettings-${++files}.json`);
    writeFileSync(file, typeof json === 'string' ? json : JSON.stringify(json));
    return file;
  };
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };

  it("finds a section named with ':' as .NET names it, in any case; with optionalSection it no longer reads nothing", () => {
    // Split on '.' only, "Umbraco:CMS:Webhook" was one key the file lacks: optionalSection gave {},
    // and webhooks stayed enabled though the file said Enabled: false.
    const file = fileOf({ Umbraco: { CMS: { Webhook: { Enabled: false, MaximumRetries: '2' } } } });
    for (const section of ['Umbraco:CMS:Webhook', 'umbraco:cms:webhook', 'Umbraco.CMS.Webhook', 'Umbraco:CMS.Webhook']) {
      expect(loadSettings({ file, section, optionalSection: true, env: {} })).toEqual({ enabled: false, maximumRetries: 2 });
      expect(loadSettings({ file, section, env: {} })).toEqual({ enabled: false, maximumRetries: 2 });
    }
    // A bad value is named by the path .NET writes.
    const bad = fileOf({ Umbraco: { CMS: { Webhook: { Enabled: 'no' } } } });
    expect(refusal({ file: bad, section: 'Umbraco:CMS:Webhook', env: {} }).message).toContain(`${bad}: Umbraco:CMS:Webhook:Enabled (setting enabled) must be a boolean`);
    expect(refusal({ section: 'Umbraco::Webhook' }).message).toContain('section must be a section path such as "Hookwork" or "Umbraco:CMS:Webhook"');
  });

  it("reads ':' in a key as nesting, as .NET's JSON provider does: at the top, in the section's name and inside the section", () => {
    expect(loadSettings({ file: fileOf({ 'Hookwork:Enabled': false, Logging: {} }), optionalSection: true, env: {} })).toEqual({ enabled: false });
    expect(loadSettings({ file: fileOf({ 'Umbraco:CMS:Webhook': { Enabled: false } }), section: 'Umbraco:CMS:Webhook', optionalSection: true, env: {} })).toEqual({ enabled: false });
    expect(loadSettings({ file: fileOf({ Umbraco: { 'CMS:Webhook': { 'Breaker:Enabled': 'False' } } }), section: 'Umbraco.CMS.Webhook', env: {} })).toEqual({ breaker: { enabled: false } });
    // Refused before as "Hookwork:Breaker:Enabled is not a known setting (did you mean enabled?)".
    expect(loadSettings({ file: fileOf({ Hookwork: { 'Breaker:Enabled': false } }), env: {} })).toEqual({ breaker: { enabled: false } });
    // One group given both ways, each key once, is one group, as in .NET.
    expect(loadSettings({ file: fileOf({ Hookwork: { Breaker: { Enabled: true }, 'Breaker:FailureThreshold': 3 }, 'Hookwork:MaximumRetries': 1 }), env: {} })).toEqual({ breaker: { enabled: true, failureThreshold: 3 }, maximumRetries: 1 });
    // A bad value is named by its path, as .NET writes it whichever way the file did.
    const bad = fileOf({ 'Hookwork:MaximumRetries': 'x' });
    expect(refusal({ file: bad, env: {} }).message).toContain(`${bad}: Hookwork:MaximumRetries (setting maximumRetries) must be a whole number`);
  });

  it("refuses one key given both nested and with ':', or in two cases across the two spellings, as .NET refuses a key given twice", () => {
    const twice = fileOf({ Hookwork: { Breaker: { Enabled: true }, 'Breaker:Enabled': false } });
    const error = refusal({ file: twice, env: {} });
    expect(error.code).toBe('HOOKWORK_ERR_SETTINGS_FILE');
    expect(error.message).toBe(`HOOKWORK_ERR_SETTINGS_FILE: settings file ${twice} gives "Hookwork.Breaker:Enabled" and "Hookwork.Breaker.Enabled", which name one key (a ':' in a key is nesting, as .NET reads it); keep the one you mean and remove the other`);
    expect(refusal({ file: fileOf({ Hookwork: { Enabled: true }, 'Hookwork:Enabled': false }), optionalSection: true, env: {} }).message).toMatch(/gives "Hookwork:Enabled" and "Hookwork.Enabled", which name one key/);
    expect(refusal({ file: fileOf({ 'Hookwork:Breaker': false, 'Hookwork:Breaker:Enabled': false }), env: {} }).message).toMatch(/gives "Hookwork:Breaker" and "Hookwork:Breaker:Enabled", which name one key/);
    expect(refusal({ file: fileOf({ Hookwork: { Breaker: { Enabled: true } }, 'hookwork:breaker:Enabled': false }), env: {} }).message).toMatch(/gives "Hookwork" and "hookwork", which differ only in case/);
    expect(refusal({ file: fileOf({ Hookwork: { Breaker: { Enabled: true }, 'breaker:FailureThreshold': 3 } }), env: {} }).message).toMatch(/gives "Hookwork.Breaker" and "Hookwork.breaker", which differ only in case/);
    // The rest of the host's file is its own.
    expect(loadSettings({ file: fileOf({ Logging: { Level: 'Info' }, 'Logging:Level': 'Debug', Hookwork: { MaximumRetries: 3 } }), env: {} })).toEqual({ maximumRetries: 3 });
  });

  it(".NET's environment variables: the key form after a prefix matched in any case, each setting named once", () => {
    const warnings: string[] = [];
    const logger = { ...quiet, warn: (m: string) => void warnings.push(m) };
    // Read as {} before, with "not read: did you mean …ENABLED?" warnings: nothing applied, nothing refused.
    const env = { Umbraco__CMS__Webhook__Enabled: 'false', Umbraco__CMS__Webhook__MaximumRetries: '2', Umbraco__CMS__Webhook__Breaker__FailureThreshold: '4', Umbraco__CMS__Webhook__Concurrency__PER_WEBHOOK: '3' };
    expect(loadSettings({ env, envPrefix: 'Umbraco__CMS__Webhook__', logger })).toEqual({ enabled: false, maximumRetries: 2, breaker: { failureThreshold: 4 }, concurrency: { perWebhook: 3 } });
    expect(loadSettings({ env: { UMBRACO__CMS__WEBHOOK__ENABLED: 'false', umbraco__cms__webhook__payload_type: 'Extended' }, envPrefix: 'Umbraco__CMS__Webhook__', logger })).toEqual({ enabled: false, payloadType: 'Extended' });
    // hookwork's own spelling under the default prefix, and .NET's for a section named Hookwork.
    expect(loadSettings({ env: { Hookwork__MaximumRetries: '1', HOOKWORK_BREAKER__FAILURE_THRESHOLD: '2', hookwork_breaker__enabled: 'false' }, logger })).toEqual({ maximumRetries: 1, breaker: { failureThreshold: 2, enabled: false } });
    expect(warnings).toEqual([]);
    // A bad value names the variable as written, with a value written there.
    const bad = refusal({ env: { Umbraco__CMS__Webhook__MaximumRetries: 'x' }, envPrefix: 'Umbraco__CMS__Webhook__', logger });
    expect(bad.code).toBe('HOOKWORK_ERR_INVALID_SETTINGS');
    expect(bad.message).toContain('environment variable Umbraco__CMS__Webhook__MaximumRetries (setting maximumRetries) must be a whole number (got "x"); e.g. Umbraco__CMS__Webhook__MaximumRetries=5');
    expect(refusal({ env: { Umbraco__CMS__Webhook__Breaker: 'false' }, envPrefix: 'Umbraco__CMS__Webhook__', logger }).message).toContain('environment variable Umbraco__CMS__Webhook__Breaker names the group of settings breaker');
    // A near miss is suggested in the form it is written in.
    loadSettings({ env: { Umbraco__CMS__Webhook__MaximumRetriez: '2' }, envPrefix: 'Umbraco__CMS__Webhook__', logger });
    expect(warnings).toEqual(['environment variable Umbraco__CMS__Webhook__MaximumRetriez is not read: did you mean Umbraco__CMS__Webhook__MaximumRetries? (see docs/settings.md)']);
  });

  it('refuses two variables that name one setting in two spellings, naming both', () => {
    const error = refusal({ env: { HOOKWORK_MAXIMUM_RETRIES: '3', Hookwork__MaximumRetries: '0', HOOKWORK_ENABLED: 'true' } });
    expect(error.code).toBe('HOOKWORK_ERR_INVALID_SETTINGS');
    expect(error.message).toBe(
      'HOOKWORK_ERR_INVALID_SETTINGS: invalid settings: environment variables HOOKWORK_MAXIMUM_RETRIES and Hookwork__MaximumRetries name one setting, maximumRetries (names are read whatever their case and underscores, as .NET reads them); keep the one you mean and remove the other (got "HOOKWORK_MAXIMUM_RETRIES=3, Hookwork__MaximumRetries=0") (see docs/settings.md)',
    );
    expect(refusal({ env: { APP_BREAKER__ENABLED: 'false', app_breaker__enabled: 'true' }, envPrefix: 'APP_' }).message).toContain('environment variables APP_BREAKER__ENABLED and app_breaker__enabled name one setting, breaker.enabled');
  });

  it(".NET's enum spellings: a name in any case, and the numbers of Umbraco's WebhookPayloadType (Minimal = 0, Extended = 1, Legacy = 2)", () => {
    expect(loadSettings({ file: fileOf({ Hookwork: { PayloadType: 'extended', Headers: { Style: 'UMBRACO' } } }), env: {} })).toEqual({ payloadType: 'Extended', headers: { style: 'umbraco' } });
    expect(loadSettings({ env: { HOOKWORK_PAYLOAD_TYPE: ' legacy ', HOOKWORK_HEADERS__STYLE: 'Hookwork' } })).toEqual({ payloadType: 'Legacy', headers: { style: 'hookwork' } });
    expect(loadSettings({ file: fileOf({ Hookwork: { PayloadType: 1 } }), env: {} })).toEqual({ payloadType: 'Extended' });
    expect(loadSettings({ file: fileOf({ Hookwork: { PayloadType: '0' } }), env: { HOOKWORK_PAYLOAD_TYPE: '2' } })).toEqual({ payloadType: 'Legacy' });
    // A number the enum does not declare, and a number for an enum of hookwork's own, are refused with the names taken.
    expect(refusal({ env: { HOOKWORK_PAYLOAD_TYPE: '3' } }).message).toContain('environment variable HOOKWORK_PAYLOAD_TYPE (setting payloadType) must be one of "Minimal", "Extended", "Legacy" (got "3")');
    const file = fileOf({ Hookwork: { Headers: { Style: 1 } } });
    expect(refusal({ file, env: {} }).message).toContain(`${file}: Hookwork:Headers:Style (setting headers.style) must be one of "hookwork", "umbraco" (got 1)`);
  });

  it("trims what .NET's binder trims around a number (String.Trim: U+0085 and no-break spaces too, not U+FEFF)", () => {
    expect(loadSettings({ env: { HOOKWORK_MAXIMUM_RETRIES: '\u00a03\u00a0', HOOKWORK_KEEP_LOGS_FOR_DAYS: '\u00852', HOOKWORK_ENABLED: '\u3000false' } })).toEqual({ maximumRetries: 3, keepLogsForDays: 2, enabled: false });
    expect(refusal({ env: { HOOKWORK_MAXIMUM_RETRIES: '\ufeff3' } }).message).toContain('environment variable HOOKWORK_MAXIMUM_RETRIES (setting maximumRetries) must be a whole number');
  });
});
