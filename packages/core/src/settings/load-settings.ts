import { readFileSync } from 'node:fs';
import { HookworkError } from '../errors/hookwork-error';
import { shownList } from '../errors/shown-list';
import { editDistance } from '../errors/nearest-name';
import { duplicateJsonKeys } from '../model/json-duplicate-keys';
import { isPlainObject } from '../model/plain-object';
import { defaultLogger, type Logger } from '../observability/logger';
import type { HookworkSettingsInput } from './settings';
import { givenSettings } from './given-settings';
import { DECIMAL, RENAMED_SETTING_KEYS, settingsInputSchema } from './resolve-settings';
import { setOwn } from '../runtime/own-property';

/** Where {@link loadSettings} reads from; later sources override earlier ones. */
export interface LoadSettingsOptions {
  /** A JSON file (e.g. appsettings.json). */
  file?: string;
  /**
   * The section of the file holding hookwork's settings, dotted (default "Hookwork"). Looked up
   * case-insensitively, as .NET configuration does (`hookwork`, `Umbraco.CMS.Webhook`); a file
   * without it is HOOKWORK_ERR_SETTINGS_FILE unless `optionalSection` is true.
   */
  section?: string;
  /** true: a file without the section gives no settings instead of an error. Default false. */
  optionalSection?: boolean;
  /** Environment variables (default process.env); pass {} to ignore the environment. */
  env?: NodeJS.ProcessEnv;
  /** Prefix of the environment variables (default "HOOKWORK_"). */
  envPrefix?: string;
  /** Values from code, applied last. */
  overrides?: HookworkSettingsInput;
  /** Where a near miss in the environment is reported (default: warnings to the console; none under NODE_ENV=test). */
  logger?: Logger;
}

const LOAD_OPTION_KINDS: Readonly<Record<keyof LoadSettingsOptions, { check: (v: unknown) => boolean; expected: string }>> = {
  file: { check: (v) => typeof v === 'string' && v !== '', expected: 'the path of a JSON file, e.g. "appsettings.json"' },
  section: { check: (v) => typeof v === 'string' && v.split('.').every((segment) => segment.trim() !== ''), expected: 'a dotted section path such as "Hookwork" or "Umbraco.CMS.Webhook"' },
  optionalSection: { check: (v) => typeof v === 'boolean', expected: 'true or false' },
  env: { check: (v) => v === process.env || isPlainObject(v), expected: 'process.env or a plain object of environment variables, such as process.env or {}' },
  envPrefix: { check: (v) => typeof v === 'string' && v !== '', expected: 'a non-empty prefix such as "HOOKWORK_"' },
  overrides: { check: isPlainObject, expected: 'a plain object of settings, e.g. { maximumRetries: 3 }' },
  logger: { check: (v) => typeof v === 'object' && v !== null && typeof (v as Logger).warn === 'function', expected: 'a logger with a warn method' },
};

/** Refuses an option loadSettings() does not know or a value of the wrong kind, naming every one. */
function checkLoadOptions(options: unknown): void {
  if (!isPlainObject(options)) {
    throw new HookworkError('HOOKWORK_ERR_INVALID_OPTIONS', 'loadSettings() takes an options object such as { file: "appsettings.json", section: "Hookwork" }');
  }
  const problems: { key: string; problem: string }[] = [];
  for (const [key, value] of Object.entries(options)) {
    const kind = Object.hasOwn(LOAD_OPTION_KINDS, key) ? LOAD_OPTION_KINDS[key as keyof LoadSettingsOptions] : undefined;
    if (!kind) {
      const near = key === 'path' || key === 'filename' ? 'file' : Object.keys(LOAD_OPTION_KINDS).find((k) => k.toLowerCase().startsWith(key.toLowerCase().slice(0, 4)));
      problems.push({ key, problem: `is not an option${near ? ` (did you mean ${near}?)` : ''}; the options are ${Object.keys(LOAD_OPTION_KINDS).join(', ')}` });
    } else if (value !== undefined && !kind.check(value)) problems.push({ key, problem: `must be ${kind.expected}` });
  }
  if (problems.length > 0) {
    throw new HookworkError('HOOKWORK_ERR_INVALID_OPTIONS', `loadSettings() was given bad options: ${shownList(problems, { show: (p) => `${p.key} ${p.problem}`, separator: '; ' })}`, { details: problems });
  }
}

const toEnvName = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
const squash = (name: string) => name.replace(/_/g, '').toLowerCase();


/** A whole number's text, as .NET's int binder reads it: an optional sign and digits. */
const INTEGER = /^[+-]?\d+$/;

type SchemaNode = { type?: string; anyOf?: unknown; properties?: Record<string, SchemaNode> };

/**
 * A configuration string as .NET's binder reads it for a setting of `schema`'s type: booleans in
 * any case (`True`, as .NET writes them), numbers with surrounding blanks. Anything else stays the
 * string it was, so resolveSettings refuses it by key. Durations stay strings too: a TimeSpan, or
 * bare digits that resolveSettings refuses with the fix.
 */
function configValue(raw: string, schema: SchemaNode): unknown {
  const trimmed = raw.trim();
  if (schema.type === 'boolean') return /^true$/i.test(trimmed) ? true : /^false$/i.test(trimmed) ? false : raw;
  // Decimal only, as .NET's binder reads numbers: Number() would also take "0x10" as 16 and "0b11" as 3.
  // A whole-number setting takes digits only, as .NET's int binder does: "3.0" and "1e2" stay
  // strings, refused by key with the form taken.
  if (schema.type === 'integer') return INTEGER.test(trimmed) ? Number(trimmed) : raw;
  if (schema.type === 'number') return DECIMAL.test(trimmed) && Number.isFinite(Number(trimmed)) ? Number(trimmed) : raw;
  return raw;
}

/** An environment variable's value that is refused, with the setting it was for. */
interface EnvProblem {
  key: string;
  problem: string;
  value: string;
}

/**
 * A variable's value as the setting's type reads it: a list is comma-separated, each entry trimmed.
 * An empty entry (`00:00:01,,00:00:02`, a trailing or leading comma, one of blanks) is most likely
 * a typo: it was dropped without a word, so the list held one entry fewer than written. It is
 * refused, naming the variable, the entry's position and the fix. A value that is empty as a
 * whole is the empty list (`HOOKWORK_SSRF__ALLOW=` allows nothing more), as before.
 */
function envValue(raw: string, schema: SchemaNode, name: string, key: string, problems: EnvProblem[]): unknown {
  if (schema.type !== 'array') return configValue(raw, schema);
  if (raw.trim() === '') return [];
  const entries = raw.split(',').map((s) => s.trim());
  const empty = entries.flatMap((entry, i) => (entry === '' ? [i] : []));
  if (empty.length > 0) {
    const where = (i: number) => (i === entries.length - 1 ? 'after a trailing comma' : i === 0 ? 'before a leading comma' : 'between two commas');
    const shown = shownList(empty, { show: (i) => `${i + 1} (${where(i)})` });
    problems.push({
      key,
      value: raw,
      problem: `environment variable ${name} has ${empty.length === 1 ? 'an empty entry at position' : 'empty entries at positions'} ${shown} of ${entries.length}, most likely a typo; remove the extra comma (${name}=${entries.filter(Boolean).join(',')}) or write the entry meant there`,
    });
  }
  return entries;
}

/**
 * Gives the keys of a settings object the spelling of the schema when they match it but for case
 * (`MaximumRetries` in an appsettings.json, as .NET configuration keys are case-insensitive), and
 * reads string values of boolean and number settings as .NET does. Keys that match nothing are
 * kept, so resolveSettings names them.
 */
function canonicalKeys(value: Record<string, unknown>, schema: SchemaNode, path = ''): Record<string, unknown> {
  // A renamed key too ("PerEndpoint"), so resolveSettings names its new name as it does for `perEndpoint`.
  const renamed = RENAMED_SETTING_KEYS.filter((k) => k.lastIndexOf('.') + 1 === path.length && k.startsWith(path)).map((k) => k.slice(path.length));
  const known = new Map([...Object.keys(schema.properties ?? {}), ...renamed].map((k) => [k.toLowerCase(), k]));
  const result: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    const name = known.get(key.toLowerCase()) ?? key;
    // Own keys only, and set as own: a file's "__proto__" found Object.prototype as its schema and,
    // assigned, became the result's prototype — dropped without a word. Kept, it is refused as unknown.
    const innerSchema = schema.properties && Object.hasOwn(schema.properties, name) ? schema.properties[name] : undefined;
    if (innerSchema?.properties && inner && typeof inner === 'object' && !Array.isArray(inner)) setOwn(result, name, canonicalKeys(inner as Record<string, unknown>, innerSchema, `${path}${name}.`));
    // appsettings.json often holds numbers and booleans as strings ("MaximumRetries": "3"), which .NET binds.
    else setOwn(result, name, typeof inner === 'string' && innerSchema ? configValue(inner, innerSchema) : inner);
  }
  return result;
}

/** The value at a dotted section path, each segment matched case-insensitively. */
function findSection(json: unknown, section: string): unknown {
  let value = json;
  for (const segment of section.split('.')) {
    if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
    const entries = Object.entries(value as Record<string, unknown>);
    value = (entries.find(([k]) => k === segment) ?? entries.find(([k]) => k.toLowerCase() === segment.toLowerCase()))?.[1];
  }
  return value;
}

/**
 * Where hookwork's section gives one key in spellings that differ only in case
 * (`"MaximumRetries"` and `"maximumRetries"`, `"Breaker"` and `"breaker"`): the objects along the
 * section's path (two keys matching one of its segments) and every object inside it. Each is the
 * path to the object and the spellings, in document order; at most `max` of them. No recursion, so
 * a deeply nested file cannot overflow the call stack, and each value's place is a link to its
 * parent's, made into a path only for what is found: a path copied per value cost a file nested
 * 50,000 levels deep the square of that (over 45 s, and gigabytes of paths).
 */
function caseVariantKeys(json: unknown, section: string, max = 10): [string[], string[]][] {
  interface Place {
    key: string;
    parent: Place | undefined;
  }
  const pathOf = (place: Place | undefined): string[] => {
    const steps: string[] = [];
    for (let at = place; at !== undefined; at = at.parent) steps.push(at.key);
    return steps.reverse();
  };
  const found: [string[], string[]][] = [];
  const variantsIn = (keys: readonly string[], place: Place | undefined) => {
    const byCase = new Map<string, string[]>();
    for (const key of keys) {
      const spellings = byCase.get(key.toLowerCase());
      if (spellings) spellings.push(key);
      else byCase.set(key.toLowerCase(), [key]);
    }
    for (const spellings of byCase.values()) if (spellings.length > 1 && found.length < max) found.push([pathOf(place), spellings]);
  };
  let value = json;
  let place: Place | undefined;
  for (const segment of section.split('.')) {
    if (!isObject(value)) return found;
    const matching = Object.keys(value).filter((k) => k.toLowerCase() === segment.toLowerCase());
    variantsIn(matching, place);
    const name = matching.find((k) => k === segment) ?? matching[0];
    if (name === undefined) return found;
    place = { key: name, parent: place };
    value = value[name];
  }
  // Breadth first, a queue read by index: the section's own keys are reported before its groups'.
  const queue: [unknown, Place | undefined][] = [[value, place]];
  for (let i = 0; i < queue.length && found.length < max; i++) {
    const [next, at] = queue[i]!;
    if (Array.isArray(next)) next.forEach((item, index) => queue.push([item, { key: String(index), parent: at }]));
    else if (isObject(next)) {
      variantsIn(Object.keys(next), at);
      for (const [key, inner] of Object.entries(next)) queue.push([inner, { key, parent: at }]);
    }
  }
  return found;
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Whether a path in the file lies in hookwork's section or is the section (or a part of its
 * name) given twice, matched as findSection matches it; the rest of a host's file is its own.
 */
function inSection(path: readonly string[], section: string): boolean {
  const segments = section.split('.');
  return segments.slice(0, path.length).every((segment, i) => path[i]!.toLowerCase() === segment.toLowerCase());
}

function readFileSection(file: string, section: string, optional: boolean): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new HookworkError('HOOKWORK_ERR_SETTINGS_FILE', `cannot read settings file ${file}: ${(cause as Error).message}`, { cause });
  }
  // Visual Studio saves appsettings.json with a UTF-8 byte order mark, which .NET skips; so do we.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new HookworkError('HOOKWORK_ERR_SETTINGS_FILE', `settings file ${file} is not valid JSON: ${jsonProblem(text, cause as Error)}`, { cause });
  }
  // As .NET's JSON configuration provider does ("A duplicate key 'X' was found"): which of the two
  // counts is a guess, and JSON.parse silently keeps the last.
  const duplicates = duplicateJsonKeys(text).filter((path) => inSection(path, section));
  if (duplicates.length > 0) {
    throw new HookworkError(
      'HOOKWORK_ERR_SETTINGS_FILE',
      `settings file ${file} gives the key ${shownList(duplicates.map((path) => path.join('.')), { show: (p) => JSON.stringify(p) })} more than once in one object; keep the one you mean and remove the other`,
    );
  }
  // .NET's reader keeps its keys in a case-insensitive dictionary, so it refuses these too;
  // canonicalKeys kept the last silently, and a second "breaker" group replaced the first whole.
  const variants = caseVariantKeys(json, section);
  if (variants.length > 0) {
    throw new HookworkError(
      'HOOKWORK_ERR_SETTINGS_FILE',
      `settings file ${file} gives ${shownList(variants, { show: ([path, keys]) => keys.map((k) => JSON.stringify([...path, k].join('.'))).join(' and '), separator: '; ' })}, which differ only in case and name one key (keys are read whatever their case, as .NET reads them); keep the one you mean and remove the other`,
    );
  }
  const value = findSection(json, section);
  if (value === undefined) {
    if (optional) return {};
    const top = json && typeof json === 'object' && !Array.isArray(json) ? Object.keys(json) : [];
    throw new HookworkError(
      'HOOKWORK_ERR_SETTINGS_FILE',
      `settings file ${file} has no section "${section}" (its top-level keys: ${top.length > 0 ? shownList(top) : 'none'}); name the section with { section }, or pass { optionalSection: true } when the file may leave hookwork's settings out`,
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new HookworkError('HOOKWORK_ERR_SETTINGS_FILE', `section "${section}" of ${file} must be an object of settings`);
  }
  return canonicalKeys(value as Record<string, unknown>, settingsInputSchema as SchemaNode);
}

/**
 * Where and why JSON.parse refused `text`, for a person with the file open: the line and column,
 * and — for the two things .NET's configuration reader accepts and JSON does not — what to do.
 */
function jsonProblem(text: string, error: Error): string {
  if (text.trim() === '') return 'the file is empty; write an object such as { "Hookwork": { "MaximumRetries": 3 } }';
  const reason = error.message.replace(/ in JSON at position \d+.*$/s, '').replace(/, ".*"(\.\.\.)? is not valid JSON$/s, '');
  // V8 gives no position for a wrong first character ("Unexpected token 'H'" of a YAML file).
  const token = /^Unexpected token '(.)'/.exec(error.message)?.[1];
  const first = text.search(/\S/);
  const position = /at position (\d+)/.exec(error.message)?.[1] ?? (token !== undefined && text[first] === token ? String(first) : undefined);
  if (position === undefined) return reason;
  const at = Number(position);
  const before = text.slice(0, at);
  const rest = text.slice(at);
  const hint =
    rest.startsWith('//') || rest.startsWith('/*') ? ': a comment, which JSON does not allow (.NET skips them); remove it' :
    /,\s*$/.test(before) && /^[}\]]/.test(rest) ? ': a trailing comma, which JSON does not allow (.NET skips it); remove it' :
    '';
  return `line ${before.split('\n').length}, column ${at - before.lastIndexOf('\n')}: ${reason}${hint}`;
}

/**
 * Reads settings input from a JSON file section, then environment variables, then code.
 * Environment names are the keys in SCREAMING_SNAKE_CASE after the prefix, nested keys joined
 * by a double underscore: `HOOKWORK_MAXIMUM_RETRIES=3`, `HOOKWORK_CONCURRENCY__PER_WEBHOOK=4`,
 * `HOOKWORK_RETRY_SCHEDULE=00:00:01,00:00:30`. Only those names are read: other variables with
 * the prefix (`HOOKWORK_SECRET` of a receiver) are left alone, and one that looks like a setting
 * misspelt (`HOOKWORK_MAXIMUMRETRIES`) is a warning through `logger`. The result still goes
 * through resolveSettings() (createHookwork does that), so a wrong value is reported with its key.
 *
 * @throws HOOKWORK_ERR_SETTINGS_FILE when the file cannot be read, is not JSON, or lacks the section.
 * @throws HOOKWORK_ERR_INVALID_SETTINGS for an environment variable named for a group of settings
 *   (`HOOKWORK_BREAKER=false`), which sets none of them, naming the variables of that group's keys;
 *   and for a list with an empty entry (`HOOKWORK_RETRY_SCHEDULE=00:00:01,,00:00:02`, a trailing
 *   comma), naming the variable and the entry's position.
 * @throws HOOKWORK_ERR_INVALID_OPTIONS for an option it does not know (`path` for `file`) or of
 *   the wrong kind, naming every one.
 */
export function loadSettings(options: LoadSettingsOptions = {}): HookworkSettingsInput {
  checkLoadOptions(options);
  const fromFile = options.file ? readFileSection(options.file, options.section ?? 'Hookwork', options.optionalSection ?? false) : {};

  const env = options.env ?? process.env;
  const prefix = options.envPrefix ?? 'HOOKWORK_';
  const fromEnv: Record<string, unknown> = {};
  const known = new Set<string>();
  // HOOKWORK_BREAKER=false names a group of settings, not one: it was never read, and said
  // nothing, so the breaker stayed on. Refused, naming the variables that set that group's keys;
  // so is a list with an empty entry (envValue).
  const envProblems: EnvProblem[] = [];
  for (const [key, schema] of Object.entries(settingsInputSchema.properties as Record<string, SchemaNode>)) {
    if (schema.properties) {
      const groupName = `${prefix}${toEnvName(key)}`;
      const groupRaw = env[groupName];
      if (groupRaw !== undefined) {
        const names = Object.keys(schema.properties).map((inner) => `${groupName}__${toEnvName(inner)}`);
        envProblems.push({ key, value: groupRaw, problem: `environment variable ${groupName} names the group of settings ${key}, not one setting, and is not read: set its keys one by one (${names.join(', ')}), and remove ${groupName}` });
      }
      for (const [inner, innerSchema] of Object.entries(schema.properties)) {
        const name = `${prefix}${toEnvName(key)}__${toEnvName(inner)}`;
        known.add(name);
        const raw = env[name];
        if (raw === undefined) continue;
        const target = (fromEnv[key] ??= {}) as Record<string, unknown>;
        target[inner] = envValue(raw, innerSchema, name, `${key}.${inner}`, envProblems);
      }
    } else {
      const name = `${prefix}${toEnvName(key)}`;
      known.add(name);
      const raw = env[name];
      if (raw !== undefined) fromEnv[key] = envValue(raw, schema, name, key, envProblems);
    }
  }

  if (envProblems.length > 0) {
    throw new HookworkError('HOOKWORK_ERR_INVALID_SETTINGS', `invalid settings: ${shownList(envProblems, { show: (p) => `${p.problem} (got ${JSON.stringify(p.value)})`, separator: '; ' })} (see docs/settings.md)`, { details: envProblems });
  }

  // A name that is a setting's but for underscores, case or a letter or two is a typo worth a
  // warning; anything else with the prefix belongs to someone else and is not ours to judge.
  const logger = options.logger ?? defaultLogger();
  for (const name of Object.keys(env)) {
    if (!name.toUpperCase().startsWith(prefix.toUpperCase()) || known.has(name)) continue;
    const near = [...known].find((k) => squash(k) === squash(name) || editDistance(squash(k), squash(name)) <= 2);
    if (name === `${prefix}CONCURRENCY__PER_ENDPOINT`) {
      logger.warn(`environment variable ${name} is not read: it was renamed ${prefix}CONCURRENCY__PER_WEBHOOK (lanes are per webhook; see docs/settings.md)`, { name, setting: `${prefix}CONCURRENCY__PER_WEBHOOK` });
      continue;
    }
    if (near) logger.warn(`environment variable ${name} is not read: did you mean ${near}? (see docs/settings.md)`, { name, setting: near });
  }

  const merged: Record<string, unknown> = { ...fromFile };
  // An override given as undefined is not given: it leaves the file's or environment's value. An
  // unknown key is kept whatever its value, so resolveSettings refuses it by name.
  for (const source of [fromEnv, givenSettings(options.overrides ?? {}, settingsInputSchema) as Record<string, unknown>]) {
    for (const [key, value] of Object.entries(source)) {
      const previous = merged[key];
      merged[key] =
        value && typeof value === 'object' && !Array.isArray(value) && previous && typeof previous === 'object' && !Array.isArray(previous)
          ? { ...(previous as object), ...(value as object) }
          : value;
    }
  }
  return merged as HookworkSettingsInput;
}
