import { readFileSync } from 'node:fs';
import { HookworkError } from '../errors/hookwork-error';
import { shownList } from '../errors/shown-list';
import { editDistance } from '../errors/nearest-name';
import { duplicateJsonKeys } from '../model/json-duplicate-keys';
import { isPlainObject } from '../model/plain-object';
import { defaultLogger, type Logger } from '../observability/logger';
import type { HookworkSettingsInput } from './settings';
import { givenSettings } from './given-settings';
import { DECIMAL, RENAMED_SETTING_KEYS, checkSettingsValues, settingsError, settingsInputSchema, settingsProblemLine, type SettingsProblem } from './resolve-settings';
import { defaultSettings } from './settings';
import { formatTimeSpan } from './time-span';
import { setOwn } from '../runtime/own-property';

/** Where {@link loadSettings} reads from; later sources override earlier ones. */
export interface LoadSettingsOptions {
  /** A JSON file (e.g. appsettings.json). */
  file?: string;
  /**
   * The section of the file holding hookwork's settings (default "Hookwork"), its path written
   * with colons as .NET writes it (`Umbraco:CMS:Webhook`) or with dots (`Umbraco.CMS.Webhook`).
   * Looked up case-insensitively, as .NET configuration does, and a colon in one of the file's keys
   * is nesting (`"Umbraco:CMS:Webhook": { … }`); a file without it is HOOKWORK_ERR_SETTINGS_FILE
   * unless `optionalSection` is true.
   */
  section?: string;
  /** true: a file without the section gives no settings instead of an error. Default false. */
  optionalSection?: boolean;
  /** Environment variables (default process.env); pass {} to ignore the environment. */
  env?: NodeJS.ProcessEnv;
  /** Prefix of the environment variables (default "HOOKWORK_"), matched in any case as .NET matches it (`Umbraco__CMS__Webhook__`). */
  envPrefix?: string;
  /** Values from code, applied last. */
  overrides?: HookworkSettingsInput;
  /** Where a near miss in the environment is reported (default: warnings to the console; none under NODE_ENV=test). */
  logger?: Logger;
}

const LOAD_OPTION_KINDS: Readonly<Record<keyof LoadSettingsOptions, { check: (v: unknown) => boolean; expected: string }>> = {
  file: { check: (v) => typeof v === 'string' && v !== '', expected: 'the path of a JSON file, e.g. "appsettings.json"' },
  section: { check: (v) => typeof v === 'string' && sectionPath(v).every((segment) => segment.trim() !== ''), expected: 'a section path such as "Hookwork" or "Umbraco:CMS:Webhook" (or "Umbraco.CMS.Webhook")' },
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
/**
 * The setting an environment variable's name (after the prefix) spells, whatever its form: each
 * `__`-separated segment without its underscores, in lower case. So hookwork's
 * `BREAKER__FAILURE_THRESHOLD` and .NET's `Breaker__FailureThreshold` are both `breaker__failurethreshold`.
 */
const envKey = (name: string) => name.split('__').map((segment) => segment.replace(/_/g, '').toLowerCase()).join('__');
const pascal = (key: string) => key.charAt(0).toUpperCase() + key.slice(1);


/**
 * `text` without the blanks around it that .NET's binder trims before it parses a number, a
 * boolean or an enum: its type converters call String.Trim(), which removes what Char.IsWhiteSpace
 * calls white space (U+0009–U+000D, U+0020, U+0085, U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029,
 * U+202F, U+205F, U+3000), so `"\u00a03\u00a0"` binds as 3. JavaScript's trim() differs in two: it
 * also removes U+FEFF, which .NET keeps (and then refuses), and keeps U+0085, which .NET removes.
 */
const dotnetTrim = (text: string) => text.replace(/^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g, '');

/** A whole number's text, as .NET's int binder reads it: an optional sign and digits. */
const INTEGER = /^[+-]?\d+$/;

type SchemaNode = { type?: string; anyOf?: unknown; enum?: readonly unknown[]; properties?: Record<string, SchemaNode> };

/**
 * A configuration string as .NET's binder reads it for a setting of `schema`'s type: booleans in
 * any case (`True`, as .NET writes them), numbers with the blanks .NET trims around them, enums
 * in any case (and by number where {@link DOTNET_ENUM_NUMBERS} has them). Anything else stays the
 * string it was, and loadSettings refuses it naming its variable or file key. Durations stay
 * strings too: a TimeSpan, or bare digits that are refused with the fix.
 */
function configValue(raw: string, schema: SchemaNode, key: string): unknown {
  const trimmed = dotnetTrim(raw);
  if (schema.enum) return enumValue(trimmed, schema, key) ?? raw;
  if (schema.type === 'boolean') return /^true$/i.test(trimmed) ? true : /^false$/i.test(trimmed) ? false : raw;
  // Decimal only, as .NET's binder reads numbers: Number() would also take "0x10" as 16 and "0b11" as 3.
  // A whole-number setting takes digits only, as .NET's int binder does: "3.0" and "1e2" stay
  // strings, refused by key with the form taken.
  if (schema.type === 'integer') return INTEGER.test(trimmed) ? Number(trimmed) : raw;
  if (schema.type === 'number') return DECIMAL.test(trimmed) && Number.isFinite(Number(trimmed)) ? Number(trimmed) : raw;
  return raw;
}

/**
 * The numbers .NET gives the names of an enum setting, where the enum hookwork's mirrors declares
 * them: Umbraco's `WebhookPayloadType` is `Minimal = 0, Extended = 1, Legacy = 2`. Only these are
 * read as numbers; an enum of hookwork's own (`headers.style`) has no number, and one given is
 * refused with the names it takes.
 */
const DOTNET_ENUM_NUMBERS: Readonly<Record<string, readonly string[]>> = { payloadType: ['Minimal', 'Extended', 'Legacy'] };

/**
 * An enum setting's value as .NET's binder reads it (Enum.Parse ignoring case): the name in any
 * case, given its canonical spelling (`minimal` is `Minimal`), or the name's number where .NET's
 * enum declares one ({@link DOTNET_ENUM_NUMBERS}). Undefined for anything else, refused by key.
 */
function enumValue(value: string | number, schema: SchemaNode, key: string): string | undefined {
  const numbers = Object.hasOwn(DOTNET_ENUM_NUMBERS, key) ? DOTNET_ENUM_NUMBERS[key] : undefined;
  const text = String(value);
  if (numbers !== undefined && INTEGER.test(text)) {
    const name = numbers[Number(text)];
    return name !== undefined && schema.enum!.includes(name) ? name : undefined;
  }
  return typeof value === 'string' ? (schema.enum!.find((name) => typeof name === 'string' && name.toLowerCase() === text.toLowerCase()) as string | undefined) : undefined;
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
  if (schema.type !== 'array') return configValue(raw, schema, key);
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
 * kept, so resolveSettings names them. `spelling` gets each dotted key's path as the file writes it.
 */
function canonicalKeys(value: Record<string, unknown>, schema: SchemaNode, spelling: Map<string, readonly string[]>, path = '', written: readonly string[] = []): Record<string, unknown> {
  // A renamed key too ("PerEndpoint"), so resolveSettings names its new name as it does for `perEndpoint`.
  const renamed = RENAMED_SETTING_KEYS.filter((k) => k.lastIndexOf('.') + 1 === path.length && k.startsWith(path)).map((k) => k.slice(path.length));
  const known = new Map([...Object.keys(schema.properties ?? {}), ...renamed].map((k) => [k.toLowerCase(), k]));
  const result: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    const name = known.get(key.toLowerCase()) ?? key;
    // Own keys only, and set as own: a file's "__proto__" found Object.prototype as its schema and,
    // assigned, became the result's prototype — dropped without a word. Kept, it is refused as unknown.
    const innerSchema = schema.properties && Object.hasOwn(schema.properties, name) ? schema.properties[name] : undefined;
    spelling.set(`${path}${name}`, [...written, key]);
    if (innerSchema?.properties && inner && typeof inner === 'object' && !Array.isArray(inner)) setOwn(result, name, canonicalKeys(inner as Record<string, unknown>, innerSchema, spelling, `${path}${name}.`, [...written, key]));
    // appsettings.json often holds numbers and booleans as strings ("MaximumRetries": "3"), which .NET binds.
    // An enum's number too ("PayloadType": 0), which .NET's JSON reader keeps as the text "0".
    else setOwn(result, name, typeof inner === 'string' && innerSchema ? configValue(inner, innerSchema, `${path}${name}`) : typeof inner === 'number' && innerSchema?.enum ? (enumValue(inner, innerSchema, `${path}${name}`) ?? inner) : inner);
  }
  return result;
}

/** A section's path: its segments separated by ':' as .NET writes it (`Umbraco:CMS:Webhook`) or by '.'. */
const sectionPath = (section: string): string[] => section.split(/[:.]/);

/** The value at a section path (`Umbraco:CMS:Webhook` or `Umbraco.CMS.Webhook`), each segment matched case-insensitively, and the path as the file writes it. */
function findSection(json: unknown, section: string): { value: unknown; written: string[] } {
  let value = json;
  const written: string[] = [];
  for (const segment of sectionPath(section)) {
    if (!value || typeof value !== 'object' || Array.isArray(value)) return { value: undefined, written };
    const entries = Object.entries(value as Record<string, unknown>);
    const found = entries.find(([k]) => k === segment) ?? entries.find(([k]) => k.toLowerCase() === segment.toLowerCase());
    written.push(found?.[0] ?? segment);
    value = found?.[1];
  }
  return { value, written };
}

/** A key's place in a JSON tree: a link to its parent's, made into a path only for what is reported. */
interface Place {
  key: string;
  parent: Place | undefined;
}

const pathOf = (place: Place | undefined): string[] => {
  const steps: string[] = [];
  for (let at = place; at !== undefined; at = at.parent) steps.push(at.key);
  return steps.reverse();
};

/** One key of an object of the read tree: its name as first written, and where the file wrote it. */
interface TreeKey {
  name: string;
  /** Up to this key's segment (`Hookwork:Breaker` of `"Hookwork:Breaker:Enabled"`), and the whole key. */
  written: Place;
  whole: Place;
  clash?: Clash;
}

/** Spellings in the file that name one key: `case` when they differ in case, `twice` when a ':' key and a nested one give one value. */
interface Clash {
  kind: 'case' | 'twice';
  written: Place[];
}

/**
 * The file's JSON as .NET's JSON configuration provider reads it: a ':' in a key is nesting
 * (`"Hookwork:Enabled": false` is `"Hookwork": { "Enabled": false }`, `"Umbraco:CMS:Webhook": { … }`
 * is that section), and keys are one whatever their case. With the keys in hookwork's section (or
 * along its path) that name one key in two spellings: spellings that differ only in case
 * (`"Breaker"` and `"breaker"`), and one value given both nested and with ':'
 * (`"Breaker": { "Enabled": true }` and `"Breaker:Enabled": false`); .NET refuses both as a
 * duplicate key, and which counts would be a guess. At most `max` of them.
 *
 * No recursion, so a deeply nested file cannot overflow the call stack, and each value's place is
 * a link to its parent's, made into a path only for what is found: a path copied per value cost a
 * file nested 50,000 levels deep the square of that (over 45 s, and gigabytes of paths).
 */
function readTree(json: unknown, section: string, max = 10): { tree: unknown; clashes: Clash[] } {
  if (!isObject(json)) return { tree: json, clashes: [] };
  const root: Record<string, unknown> = {};
  const keysOf = new Map<object, Map<string, TreeKey>>();
  const clashes: Clash[] = [];
  // The objects two spellings in case were read into: the clash is named once, not again for the keys inside.
  const merged = new Set<object>();
  // Breadth first, a queue read by index: the section's own keys are reported before its groups'.
  // Each entry: the file's object, the object of the tree it is read into, and the places of both.
  const queue: [Record<string, unknown>, Record<string, unknown>, Place | undefined, Place | undefined][] = [[json, root, undefined, undefined]];
  for (let i = 0; i < queue.length; i++) {
    const [source, target, writtenAt, treeAt] = queue[i]!;
    for (const [key, value] of Object.entries(source)) {
      const segments = key.split(':');
      let node = target;
      let nodeAt = treeAt;
      // Where the file writes the key: whole, and up to the segment read (the spelling a case clash differs in).
      const whole: Place = { key, parent: writtenAt };
      for (let s = 0; s < segments.length; s++) {
        const segment = segments[s]!;
        const group = s < segments.length - 1 || isObject(value);
        const written = s === segments.length - 1 ? whole : { key: segments.slice(0, s + 1).join(':'), parent: writtenAt };
        let keys = keysOf.get(node);
        if (!keys) keysOf.set(node, (keys = new Map()));
        const existing = keys.get(segment.toLowerCase());
        const name = existing?.name ?? segment;
        const place: Place = { key: name, parent: nodeAt };
        if (existing === undefined) keys.set(segment.toLowerCase(), { name, written, whole });
        else {
          const kind = existing.name !== segment ? 'case' : !group || !isObject(node[name]) ? 'twice' : undefined;
          if (kind !== undefined && !merged.has(node) && (existing.clash !== undefined || clashes.length < max) && inSection(pathOf(place), section)) {
            if (!existing.clash) clashes.push((existing.clash = { kind, written: [kind === 'case' ? existing.written : existing.whole] }));
            existing.clash.written.push(kind === 'case' ? written : whole);
          }
        }
        if (!group) {
          setOwn(node, name, value);
          break;
        }
        let child = node[name];
        if (!existing || !isObject(child)) setOwn(node, name, (child = {}));
        if (merged.has(node) || (existing !== undefined && existing.name !== segment)) merged.add(child as object);
        node = child as Record<string, unknown>;
        nodeAt = place;
      }
      if (isObject(value)) queue.push([value, node, whole, nodeAt]);
    }
  }
  return { tree: root, clashes };
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Whether a path in the file lies in hookwork's section or is the section (or a part of its
 * name) given twice, matched as findSection matches it; the rest of a host's file is its own.
 */
function inSection(path: readonly string[], section: string): boolean {
  const segments = sectionPath(section);
  return segments.slice(0, path.length).every((segment, i) => path[i]!.toLowerCase() === segment.toLowerCase());
}

/** A settings file's section, its keys spelt as the schema spells them, and where each key is written in the file. */
interface FileSection {
  values: Record<string, unknown>;
  /** The section's path as the file writes it (`["Hookwork"]`). */
  section: readonly string[];
  /** Each dotted key's path inside the section as the file writes it (`maximumRetries` → `["MaximumRetries"]`). */
  spelling: Map<string, readonly string[]>;
}

function readFileSection(file: string, section: string, optional: boolean): FileSection {
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
  // A ':' in a key is nesting, so a duplicate's path is read as findSection reads the section's.
  const duplicates = duplicateJsonKeys(text).filter((path) => inSection(path.flatMap((key) => key.split(':')), section));
  if (duplicates.length > 0) {
    throw new HookworkError(
      'HOOKWORK_ERR_SETTINGS_FILE',
      `settings file ${file} gives the key ${shownList(duplicates.map((path) => path.join('.')), { show: (p) => JSON.stringify(p) })} more than once in one object; keep the one you mean and remove the other`,
    );
  }
  const { tree, clashes } = readTree(json, section);
  const show = (clash: Clash) => clash.written.map((place) => JSON.stringify(pathOf(place).join('.'))).join(' and ');
  // .NET's reader keeps its keys in a case-insensitive dictionary, so it refuses these too;
  // canonicalKeys kept the last silently, and a second "breaker" group replaced the first whole.
  const variants = clashes.filter((clash) => clash.kind === 'case');
  if (variants.length > 0) {
    throw new HookworkError(
      'HOOKWORK_ERR_SETTINGS_FILE',
      `settings file ${file} gives ${shownList(variants, { show, separator: '; ' })}, which differ only in case and name one key (keys are read whatever their case, as .NET reads them); keep the one you mean and remove the other`,
    );
  }
  // "Breaker:Enabled" is "Breaker": { "Enabled" } to .NET, which refuses the two as one key given twice.
  const twice = clashes.filter((clash) => clash.kind === 'twice');
  if (twice.length > 0) {
    throw new HookworkError(
      'HOOKWORK_ERR_SETTINGS_FILE',
      `settings file ${file} gives ${shownList(twice, { show, separator: '; ' })}, which name one key (a ':' in a key is nesting, as .NET reads it); keep the one you mean and remove the other`,
    );
  }
  const { value, written } = findSection(tree, section);
  if (value === undefined) {
    if (optional) return { values: {}, section: written, spelling: new Map() };
    const top = json && typeof json === 'object' && !Array.isArray(json) ? Object.keys(json) : [];
    throw new HookworkError(
      'HOOKWORK_ERR_SETTINGS_FILE',
      `settings file ${file} has no section "${section}" (its top-level keys: ${top.length > 0 ? shownList(top) : 'none'}); name the section with { section }, or pass { optionalSection: true } when the file may leave hookwork's settings out`,
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new HookworkError('HOOKWORK_ERR_SETTINGS_FILE', `section "${section}" of ${file} must be an object of settings`);
  }
  const spelling = new Map<string, readonly string[]>();
  return { values: canonicalKeys(value as Record<string, unknown>, settingsInputSchema as SchemaNode, spelling), section: written, spelling };
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
 * Environment names are the keys after the prefix, nested keys joined by a double underscore,
 * in SCREAMING_SNAKE_CASE or as .NET writes them: `HOOKWORK_MAXIMUM_RETRIES=3`,
 * `HOOKWORK_CONCURRENCY__PER_WEBHOOK=4`, `Umbraco__CMS__Webhook__MaximumRetries=3` (with that
 * prefix). They are matched as .NET matches them: the prefix in any case, and each `__` part
 * without its underscores and case. Only those names are read: other variables with the prefix
 * (`HOOKWORK_SECRET` of a receiver) are left alone, and one that looks like a setting misspelt
 * (`HOOKWORK_MAXIMUM_RETRIEZ`) is a warning through `logger`. A colon in a key of the file is
 * nesting, and enum settings take their names in any case (and `payloadType` .NET's numbers), as
 * .NET's binder reads them.
 *
 * Each value that counts (a later source's replaces an earlier one's) is checked here, where it is
 * known where it came from, so a bad one names its variable (`environment variable
 * HOOKWORK_ENABLED`) or its file and key path as .NET configuration writes it
 * (`appsettings.json: Hookwork:Enabled`), with the problem, the value and a valid value written
 * there (`e.g. HOOKWORK_ENABLED=true`, `e.g. "Enabled": true`). What depends on other settings (two
 * header names alike) is left to resolveSettings(), which createHookwork calls.
 *
 * @throws HOOKWORK_ERR_SETTINGS_FILE when the file cannot be read, is not JSON, or lacks the section;
 *   or when hookwork's section gives one key twice: in one object, in spellings that differ in case,
 *   or both nested and with a colon (`"Breaker": { "Enabled": … }` and `"Breaker:Enabled"`).
 * @throws HOOKWORK_ERR_INVALID_SETTINGS for a value of the wrong type or out of range, naming where
 *   it came from as above (one given in `overrides` by its key, as createHookwork names it); `details`
 *   lists `{ key, problem, value, source, example }`. Also for an environment variable named for a group of settings
 *   (`HOOKWORK_BREAKER=false`), which sets none of them, naming the variables of that group's keys;
 *   for two variables that name one setting (`HOOKWORK_MAXIMUM_RETRIES` and `Hookwork__MaximumRetries`), naming both;
 *   and for a list with an empty entry (`HOOKWORK_RETRY_SCHEDULE=00:00:01,,00:00:02`, a trailing
 *   comma), naming the variable and the entry's position.
 * @throws HOOKWORK_ERR_INVALID_OPTIONS for an option it does not know (`path` for `file`) or of
 *   the wrong kind, naming every one.
 */
export function loadSettings(options: LoadSettingsOptions = {}): HookworkSettingsInput {
  checkLoadOptions(options);
  const file = options.file ? readFileSection(options.file, options.section ?? 'Hookwork', options.optionalSection ?? false) : undefined;
  const fromFile = file?.values ?? {};

  const env = options.env ?? process.env;
  const prefix = options.envPrefix ?? 'HOOKWORK_';
  const fromEnv: Record<string, unknown> = {};
  // The variable each dotted key was read from, with its text, to name it when the value is refused.
  const variables = new Map<string, { name: string; raw: string }>();
  // HOOKWORK_BREAKER=false names a group of settings, not one: it was never read, and said
  // nothing, so the breaker stayed on. Refused, naming the variables that set that group's keys;
  // so is a list with an empty entry (envValue), and one setting named by two variables.
  const envProblems: EnvProblem[] = [];
  // Each variable with the prefix, in any case as .NET matches it, by the setting its name spells
  // in either form: hookwork's (HOOKWORK_MAXIMUM_RETRIES) or .NET's (Hookwork__MaximumRetries).
  const byKey = new Map<string, string[]>();
  for (const name of Object.keys(env)) {
    if (env[name] === undefined || name.length <= prefix.length || name.slice(0, prefix.length).toUpperCase() !== prefix.toUpperCase()) continue;
    const key = envKey(name.slice(prefix.length));
    const names = byKey.get(key);
    if (names) names.push(name);
    else byKey.set(key, [name]);
  }
  const read = new Set<string>();
  // The one variable of a setting; two spellings of one setting are refused, naming both (which counts would be a guess).
  const variableOf = (key: string, path: string): string | undefined => {
    const names = byKey.get(key);
    if (!names) return undefined;
    for (const name of names) read.add(name);
    if (names.length > 1) {
      envProblems.push({ key: path, value: names.map((name) => `${name}=${env[name]}`).join(', '), problem: `environment variables ${shownList(names, { show: (n) => n, separator: ' and ' })} name one setting, ${path} (names are read whatever their case and underscores, as .NET reads them); keep the one you mean and remove the other` });
      return undefined;
    }
    return names[0];
  };
  // Hookwork's spelling of each setting's variable, to suggest, and .NET's, for a name written as .NET writes it.
  const known = new Map<string, { upper: string; pascal: string }>();
  for (const [key, schema] of Object.entries(settingsInputSchema.properties as Record<string, SchemaNode>)) {
    if (schema.properties) {
      const groupName = variableOf(envKey(key), key);
      if (groupName !== undefined) {
        const names = Object.keys(schema.properties).map((inner) => `${prefix}${toEnvName(key)}__${toEnvName(inner)}`);
        envProblems.push({ key, value: env[groupName]!, problem: `environment variable ${groupName} names the group of settings ${key}, not one setting, and is not read: set its keys one by one (${names.join(', ')}), and remove ${groupName}` });
      }
      for (const [inner, innerSchema] of Object.entries(schema.properties)) {
        known.set(`${envKey(key)}__${envKey(inner)}`, { upper: `${prefix}${toEnvName(key)}__${toEnvName(inner)}`, pascal: `${prefix}${pascal(key)}__${pascal(inner)}` });
        const name = variableOf(`${envKey(key)}__${envKey(inner)}`, `${key}.${inner}`);
        if (name === undefined) continue;
        const raw = env[name]!;
        const target = (fromEnv[key] ??= {}) as Record<string, unknown>;
        target[inner] = envValue(raw, innerSchema, name, `${key}.${inner}`, envProblems);
        variables.set(`${key}.${inner}`, { name, raw });
      }
    } else {
      known.set(envKey(key), { upper: `${prefix}${toEnvName(key)}`, pascal: `${prefix}${pascal(key)}` });
      const name = variableOf(envKey(key), key);
      if (name === undefined) continue;
      const raw = env[name]!;
      fromEnv[key] = envValue(raw, schema, name, key, envProblems);
      variables.set(key, { name, raw });
    }
  }

  // A name that is a setting's but for a letter or two is a typo worth a warning; anything else
  // with the prefix belongs to someone else and is not ours to judge.
  const logger = options.logger ?? defaultLogger();
  for (const [key, names] of byKey) {
    for (const name of names) {
      if (read.has(name)) continue;
      // Suggested in the spelling the name is written in: .NET's when it has a lower-case letter.
      const spelt = (k: { upper: string; pascal: string }) => (/[a-z]/.test(name.slice(prefix.length)) ? k.pascal : k.upper);
      if (key === 'concurrency__perendpoint') {
        const setting = spelt(known.get('concurrency__perwebhook')!);
        logger.warn(`environment variable ${name} is not read: it was renamed ${setting} (lanes are per webhook; see docs/settings.md)`, { name, setting });
        continue;
      }
      const near = [...known].find(([k]) => editDistance(k, key) <= 2);
      if (near) logger.warn(`environment variable ${name} is not read: did you mean ${spelt(near[1])}? (see docs/settings.md)`, { name, setting: spelt(near[1]) });
    }
  }

  const fromCode = givenSettings(options.overrides ?? {}, settingsInputSchema) as Record<string, unknown>;
  const merged: Record<string, unknown> = { ...fromFile };
  // An override given as undefined is not given: it leaves the file's or environment's value. An
  // unknown key is kept whatever its value, so resolveSettings refuses it by name.
  for (const source of [fromEnv, fromCode]) {
    for (const [key, value] of Object.entries(source)) {
      const previous = merged[key];
      merged[key] =
        value && typeof value === 'object' && !Array.isArray(value) && previous && typeof previous === 'object' && !Array.isArray(previous)
          ? { ...(previous as object), ...(value as object) }
          : value;
    }
  }

  // Each value is checked here, where it is known where it came from: refused later by
  // createHookwork, "enabled must be a boolean (got "yes")" named neither HOOKWORK_ENABLED nor the
  // file's Hookwork:Enabled. The problems of one key against another are left to resolveSettings.
  const checked = checkSettingsValues(merged);
  const valueProblems = checked.problems
    // An empty entry of a variable's list is named once, with its position in the variable.
    .filter((p) => !(isBlankText(p.value) && envProblems.some((e) => p.key.startsWith(`${e.key}.`))))
    .map((p) => located(p, { fromFile, fromEnv, fromCode, file: options.file, section: file, variables }));
  if (envProblems.length > 0 || valueProblems.length > 0) {
    const read = new Set<SettingsProblem>(envProblems);
    // A value given in code is refused as createHookwork refuses it; one read from a file or a variable points to the page that says how to write it.
    const end = envProblems.length > 0 || valueProblems.some((p) => p.source !== undefined) ? ' (see docs/settings.md)' : '';
    throw settingsError([...envProblems, ...valueProblems], checked.knownOfGroup, (p) => (read.has(p) ? `${p.problem} (got ${JSON.stringify(p.value)})` : settingsProblemLine(p)), end);
  }
  return merged as HookworkSettingsInput;
}

const isBlankText = (value: unknown) => typeof value === 'string' && value.trim() === '';

/** Where loadSettings() read each value, for {@link located}. */
interface Sources {
  fromFile: Record<string, unknown>;
  fromEnv: Record<string, unknown>;
  fromCode: Record<string, unknown>;
  file: string | undefined;
  section: FileSection | undefined;
  variables: ReadonlyMap<string, { name: string; raw: string }>;
}

/**
 * Whether `source` gave the value at a dotted key as the merge keeps it: a group given as an
 * object gives only its own keys (the groups of the sources are merged key by key); a group given
 * as anything else, or a list, is given whole.
 */
function gives(source: Record<string, unknown>, key: string): boolean {
  const [top = '', inner] = key.split('.');
  if (!Object.hasOwn(source, top)) return false;
  const value = source[top];
  return inner === undefined || !isPlainObject(value) || Object.hasOwn(value, inner);
}

/**
 * A problem of the merged settings with where its value came from: the environment variable, or
 * the file and the key's path as .NET configuration writes it (`appsettings.json: Hookwork:Enabled`),
 * each with a valid value written there. A value given in code (`overrides`) is named by its key,
 * as createHookwork names one.
 */
function located(p: SettingsProblem, sources: Sources): SettingsProblem {
  const [top = '', second] = p.key.split('.');
  // A list is given whole: its entries are named by the list's key and their position.
  const listKey = settingSchema(top)?.type === 'array' ? top : second !== undefined && settingSchema(`${top}.${second}`)?.type === 'array' ? `${top}.${second}` : undefined;
  const entry = listKey !== undefined && p.key !== listKey ? Number(p.key.slice(listKey.length + 1).split('.')[0]) : undefined;
  const example = exampleValue(listKey ?? p.key);
  if (gives(sources.fromCode, p.key)) return p;
  if (gives(sources.fromEnv, p.key)) {
    const variable = sources.variables.get(listKey ?? p.key);
    if (!variable) return p;
    const value = p.value === undefined ? undefined : entry === undefined ? variable.raw : p.value;
    return {
      key: p.key,
      problem: p.problem,
      ...(value !== undefined ? { value } : {}),
      source: `environment variable ${variable.name}${entry === undefined ? '' : `, entry ${entry + 1}`}`,
      ...(example !== undefined ? { example: `${variable.name}=${envText(example)}` } : {}),
    };
  }
  if (gives(sources.fromFile, p.key) && sources.section && sources.file !== undefined) {
    const { spelling, section } = sources.section;
    const segments = p.key.split('.');
    const written = spelling.get(listKey ?? p.key) ?? spelling.get(segments.slice(0, -1).join('.'))?.concat(segments.slice(-1)) ?? segments;
    const path = [...section, ...written, ...(entry === undefined ? [] : [String(entry)])];
    const name = written[written.length - 1] ?? p.key;
    return {
      ...p,
      source: `${sources.file}: ${path.join(':')}`,
      ...(example !== undefined ? { example: `${JSON.stringify(name)}: ${jsonText(example, /^[A-Z]/.test(name))}` } : {}),
    };
  }
  return p;
}

/** The schema of a dotted setting key, or undefined for a key that is not a setting. */
function settingSchema(key: string): SchemaNode | undefined {
  let node: SchemaNode | undefined = settingsInputSchema as SchemaNode;
  for (const segment of key.split('.')) node = node?.properties && Object.hasOwn(node.properties, segment) ? node.properties[segment] : undefined;
  return node;
}

/** Values of the settings whose defaults make a poor example (none, or a list of milliseconds). */
const EXAMPLES: Readonly<Record<string, unknown>> = {
  retrySchedule: ['00:00:05', '00:05:00', '00:30:00'],
  'ssrf.allow': ['127.0.0.1:4000', '10.0.0.0/8'],
  'rateLimit.perSecond': 50,
  'rateLimit.burst': 10,
  'breaker.failureRate': 0.5,
};

/** A valid value of a setting, as a file or a variable writes it: its default (a duration as a TimeSpan), or one from {@link EXAMPLES}. */
function exampleValue(key: string): unknown {
  const schema = settingSchema(key);
  if (schema === undefined) return undefined;
  if (Object.hasOwn(EXAMPLES, key)) return EXAMPLES[key];
  if (schema.properties) return Object.fromEntries(Object.keys(schema.properties).map((inner) => [inner, exampleValue(`${key}.${inner}`)]));
  const value = key.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], defaultSettings());
  return schema.anyOf !== undefined && typeof value === 'number' ? formatTimeSpan(value) : value;
}

/** A value as an environment variable writes it: a list comma-separated. */
const envText = (value: unknown): string => (Array.isArray(value) ? value.map(String).join(',') : String(value));

/** A value as a settings file writes it, on one line; `pascal` spells the keys of a group as the file does its own (`"Global"`). */
function jsonText(value: unknown, pascal: boolean): string {
  if (Array.isArray(value)) return `[${value.map((v) => jsonText(v, pascal)).join(', ')}]`;
  if (isPlainObject(value)) return `{ ${Object.entries(value).map(([k, v]) => `${JSON.stringify(pascal ? k[0]!.toUpperCase() + k.slice(1) : k)}: ${jsonText(v, pascal)}`).join(', ')} }`;
  return JSON.stringify(value);
}
