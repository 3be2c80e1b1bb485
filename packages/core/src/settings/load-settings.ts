import { readFileSync } from 'node:fs';
import { HookworkError } from '../errors/hookwork-error';
import type { HookworkSettingsInput } from './settings';
import { settingsInputSchema } from './resolve-settings';

/** Where {@link loadSettings} reads from; later sources override earlier ones. */
export interface LoadSettingsOptions {
  /** A JSON file (e.g. appsettings.json). */
  file?: string;
  /** The section of the file holding hookwork's settings, dotted (default "Hookwork"). */
  section?: string;
  /** Environment variables (default process.env); pass {} to ignore the environment. */
  env?: NodeJS.ProcessEnv;
  /** Prefix of the environment variables (default "HOOKWORK_"). */
  envPrefix?: string;
  /** Values from code, applied last. */
  overrides?: HookworkSettingsInput;
}

const toEnvName = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

function envValue(raw: string, schema: { type?: string; anyOf?: unknown; enum?: unknown }): unknown {
  if (schema.type === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw;
  if (schema.type === 'integer' || schema.type === 'number') return raw.trim() !== '' && !Number.isNaN(Number(raw)) ? Number(raw) : raw;
  if (schema.type === 'array') return raw.split(',').map((s) => s.trim()).filter(Boolean).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  if (schema.anyOf) return /^\d+$/.test(raw) ? Number(raw) : raw;
  return raw;
}

/**
 * Reads settings input from a JSON file section, then environment variables, then code.
 * Environment names are the keys in SCREAMING_SNAKE_CASE after the prefix, nested keys joined
 * by a double underscore: `HOOKWORK_MAXIMUM_RETRIES=3`, `HOOKWORK_CONCURRENCY__PER_WEBHOOK=4`,
 * `HOOKWORK_RETRY_SCHEDULE=1000,5000`. The result still goes through resolveSettings()
 * (createHookwork does that), so a wrong value is reported with its key.
 */
export function loadSettings(options: LoadSettingsOptions = {}): HookworkSettingsInput {
  let fromFile: Record<string, unknown> = {};
  if (options.file) {
    let text: string;
    try {
      text = readFileSync(options.file, 'utf8');
    } catch (cause) {
      throw new HookworkError('HOOKWORK_ERR_SETTINGS_FILE', `cannot read settings file ${options.file}: ${(cause as Error).message}`, { cause });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (cause) {
      throw new HookworkError('HOOKWORK_ERR_SETTINGS_FILE', `settings file ${options.file} is not valid JSON: ${(cause as Error).message}`, { cause });
    }
    const section = options.section ?? 'Hookwork';
    const value = section.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), json);
    if (value !== undefined && (value === null || typeof value !== 'object' || Array.isArray(value))) {
      throw new HookworkError('HOOKWORK_ERR_SETTINGS_FILE', `section "${section}" of ${options.file} must be an object of settings`);
    }
    fromFile = (value as Record<string, unknown>) ?? {};
  }

  const env = options.env ?? process.env;
  const prefix = options.envPrefix ?? 'HOOKWORK_';
  const fromEnv: Record<string, unknown> = {};
  const known = new Set<string>();
  for (const [key, schema] of Object.entries(settingsInputSchema.properties)) {
    const nested = (schema as { properties?: Record<string, object> }).properties;
    if (nested) {
      for (const [inner, innerSchema] of Object.entries(nested)) {
        const name = `${prefix}${toEnvName(key)}__${toEnvName(inner)}`;
        known.add(name);
        const raw = env[name];
        if (raw === undefined) continue;
        const target = (fromEnv[key] ??= {}) as Record<string, unknown>;
        target[inner] = envValue(raw, innerSchema as { type?: string });
      }
    } else {
      const name = `${prefix}${toEnvName(key)}`;
      known.add(name);
      const raw = env[name];
      if (raw !== undefined) fromEnv[key] = envValue(raw, schema as { type?: string });
    }
  }

  // A typo in an environment variable is an error, as the same typo in code is.
  const unknown = Object.keys(env).filter((name) => name.startsWith(prefix) && !known.has(name));
  if (unknown.length > 0) {
    const problemOf = (name: string) => (name === `${prefix}CONCURRENCY__PER_ENDPOINT` ? `was renamed ${prefix}CONCURRENCY__PER_WEBHOOK` : 'is not a known setting');
    throw new HookworkError(
      'HOOKWORK_ERR_INVALID_SETTINGS',
      `unknown setting${unknown.length > 1 ? 's' : ''} in the environment: ${unknown.map((name) => (problemOf(name).startsWith('was') ? `${name} (${problemOf(name)})` : name)).join(', ')}; names are ${prefix} + the key in SCREAMING_SNAKE_CASE (${prefix}MAXIMUM_RETRIES, ${prefix}CONCURRENCY__PER_WEBHOOK), see docs/settings.md`,
      { details: unknown.map((name) => ({ key: name, problem: problemOf(name) })) },
    );
  }

  const merged: Record<string, unknown> = { ...fromFile };
  for (const source of [fromEnv, (options.overrides ?? {}) as Record<string, unknown>]) {
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
