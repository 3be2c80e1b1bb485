import Ajv, { type ErrorObject } from 'ajv';
import { HookworkError, invalidWebhookError, shownValue, isPlainObject, nearestName, WEBHOOK_SECRET_INPUT, nonPlainObjects, nonPlainProblem, objectKind, patternProblem, REDACTED, resolveToken, setOwn, WebhookRepositoryToken, type CursorPageRequest, type Hookwork, type Page, type WebhookHeaderInput, type WebhookInput, type WebhookInputProblem, type WebhookView, valueKind } from '@hookwork/core';
import { cockpitWebhookInputSchema, type CockpitHeader, type CockpitWebhookInput } from './cockpit-webhook-schema';

/** A webhook as cockpitWebhooks() returns it: Cockpit's shape, never a credential in clear. */
export interface CockpitWebhookView {
  /** The hookwork webhook key. */
  _id: string;
  /** The webhook's name. */
  name: string;
  /** The URL requests go to, in canonical form. */
  url: string;
  /** `[redacted]` for both when basic auth is set; empty strings when it is not. */
  auth: { user: string; pass: string };
  /** Custom headers; values of sensitive ones are `[redacted]`. */
  headers: CockpitHeader[];
  /** The event names it subscribes to. */
  events: string[];
  /** False: no request is sent for it. */
  active: boolean;
  /** Unix seconds, as Cockpit keeps them. */
  _created: number;
  /** Unix seconds of the last change. */
  _modified: number;
  /** The signing secret in clear: only in create()'s result, when one was requested. */
  secret?: string;
}

/** Cockpit-shaped webhook management over an app's webhooks. */
export interface CockpitWebhooks {
  /** Creates a webhook from Cockpit's shape; HOOKWORK_ERR_INVALID_WEBHOOK (nothing stored) on bad input. */
  create(input: CockpitWebhookInput): Promise<CockpitWebhookView>;
  /** One webhook in Cockpit's shape, or undefined. */
  get(id: string): Promise<CockpitWebhookView | undefined>;
  /**
   * Webhooks in creation order, in Cockpit's shape: a page by `offset`, or by `after`, the `next`
   * of the page before (as `app.webhooks.list()`: a walk by `after` lists each webhook that exists
   * throughout once, whatever is created or deleted meanwhile).
   */
  list(page?: CursorPageRequest): Promise<Page<CockpitWebhookView>>;
  /** Deletes a webhook; false when there was none. */
  delete(id: string): Promise<boolean>;
}

// Header names whose values are secrets: marked sensitive so logs and views never show them.
const SENSITIVE_HEADER = /(auth|token|secret|key|password|passwd|cookie|signature|session|credential)/i;
const AUTHORIZATION = 'Authorization';

// verbose: a pattern's refusal names the character at fault, which it reads from the value.
const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
const validate = ajv.compile(cockpitWebhookInputSchema);

/**
 * The objects of Cockpit's shape a field can be misplaced in: their fields, how a refusal describes
 * them, and the names a user of hookwork's own API (or of another tool) gives them instead.
 */
const OBJECTS: Record<'webhook' | 'auth' | 'header', { fields: string; what: string; aliases: Record<string, string> }> = {
  webhook: {
    fields: 'name, url, auth, headers, events, active, secret (and a Cockpit export\'s _id, _created, _modified)',
    what: 'a Cockpit webhook field',
    aliases: { enabled: 'active', key: '_id' },
  },
  auth: { fields: 'auth is { user, pass } (HTTP basic auth)', what: 'a field of auth', aliases: { username: 'user', password: 'pass' } },
  header: { fields: "a row is { k, v } (and sensitive: true to redact its value)", what: 'a field of a header row', aliases: { name: 'k', key: 'k', value: 'v' } },
};

/** Which object of Cockpit's shape an instance path is in: the webhook, its auth, a header row. */
function objectAt(instancePath: string): keyof typeof OBJECTS {
  if (instancePath === '/auth') return 'auth';
  if (/^\/headers\/\d+$/.test(instancePath)) return 'header';
  return 'webhook';
}

/** What a field of the wrong kind must be, in the form's terms. */
const KIND_ADVICE: Record<string, string> = {
  '': "must be an object such as { name, url, events }",
  '/auth': 'must be an object { user, pass } (HTTP basic auth)',
  '/headers': "must be an array of { k, v } rows, e.g. [{ k: 'X-Site', v: 'blog' }]",
  '/events': "must be an array of event names, e.g. ['collections.save.after']",
};

function schemaProblems(errors: ErrorObject[] | null | undefined): WebhookInputProblem[] {
  const problems: WebhookInputProblem[] = [];
  const seen = new Set<string>();
  for (const error of errors ?? []) {
    if (error.schemaPath.includes('/anyOf/')) continue;
    let field = error.instancePath.replace(/^\//, '').replace(/\//g, '.') || '(root)';
    let problem = error.message ?? 'is invalid';
    const limit = (error.params as { limit?: number }).limit;
    if (error.keyword === 'additionalProperties') {
      const extra = (error.params as { additionalProperty: string }).additionalProperty;
      field = field === '(root)' ? extra : `${field}.${extra}`;
      // The fields of the object it is in: "auth.username" is no field of auth, whose are user and pass.
      const object = OBJECTS[objectAt(error.instancePath)];
      const known = Object.keys((error.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {});
      const near = Object.hasOwn(object.aliases, extra) ? object.aliases[extra] : nearestName(extra, known);
      problem = `is not ${object.what}${near ? ` (did you mean ${near}?)` : ''}; ${object.what === OBJECTS.webhook.what ? 'the fields are ' : ''}${object.fields}`;
    } else if (error.keyword === 'required') {
      const missing = (error.params as { missingProperty: string }).missingProperty;
      field = field === '(root)' ? missing : `${field}.${missing}`;
      problem = 'is required';
    } else if (error.keyword === 'pattern') {
      problem = patternProblem((error.params as { pattern: string }).pattern, error.data);
    } else if (error.keyword === 'type') {
      // ajv's "must be array" named neither the shape Cockpit's form has nor what was given.
      const type = (error.params as { type: string }).type;
      problem = `${KIND_ADVICE[error.instancePath] ?? `must be a${/^[aeiou]/.test(type) ? 'n' : ''} ${type}`}; got ${valueKind(error.data)}`;
    } else if (error.keyword === 'anyOf' && error.instancePath === '/secret') {
      problem = WEBHOOK_SECRET_INPUT;
    } else if (error.keyword === 'minLength' && limit === 1) {
      problem = 'must not be empty';
    } else if (error.keyword === 'maxLength') {
      problem = `is too long (at most ${String(limit)} characters)`;
    } else if (error.keyword === 'maxItems') {
      problem = `has too many entries (at most ${String(limit)})`;
    }
    if (seen.has(field)) continue;
    seen.add(field);
    problems.push({ field, problem });
  }
  return problems;
}

function refuse(problems: WebhookInputProblem[]): never {
  throw invalidWebhookError('Cockpit webhook', problems);
}

function authProblems(auth: { user?: unknown; pass?: unknown }): WebhookInputProblem[] {
  const user = typeof auth.user === 'string' ? auth.user : '';
  const pass = typeof auth.pass === 'string' ? auth.pass : '';
  if (user === '' && pass === '') return [];
  const problems: WebhookInputProblem[] = [];
  // Cockpit silently sends no auth at all when one half is empty; a half-filled form is refused here.
  if (user === '') problems.push({ field: 'auth.user', problem: 'is empty while auth.pass is set; set both for HTTP basic auth, or neither' });
  if (pass === '') problems.push({ field: 'auth.pass', problem: 'is empty while auth.user is set; set both for HTTP basic auth, or neither' });
  if (user.includes(':')) problems.push({ field: 'auth.user', problem: 'must not contain ":" (HTTP basic auth separates user and password with it)' });
  // Any other text goes: the pair is sent Base64-encoded (UTF-8, RFC 7617).
  return problems;
}

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

/** The scheme of an `Authorization` value (`Basic`, `Bearer`), lower case; undefined for none or `[redacted]`. */
function schemeOf(value: string | undefined): string | undefined {
  if (value === undefined || value === REDACTED) return undefined;
  return /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?:\s|$)/.exec(value)?.[1]?.toLowerCase();
}

/**
 * Maps a hookwork webhook view back to Cockpit's shape. Cockpit's `auth` is HTTP basic auth only,
 * so an `Authorization` header shows as `auth` only when its scheme is `Basic`; any other (a
 * `Bearer …` set through app.webhooks.create) stays a header row, its value redacted. A view
 * redacts the value, scheme and all: give `authorizationScheme` (as cockpitWebhooks() does, from
 * the stored webhook) or the header is shown as the header it is.
 */
export function toCockpitWebhook(view: WebhookView, authorizationScheme?: string): CockpitWebhookView {
  const given = view as Partial<WebhookView> | null | undefined;
  if (given === null || typeof given !== 'object' || typeof given.key !== 'string' || given.headers === null || typeof given.headers !== 'object' || !Array.isArray(given.sensitiveHeaders) || !Array.isArray(given.events)) {
    throw new HookworkError('HOOKWORK_ERR_INVALID_ARGUMENT', `toCockpitWebhook(view) takes a webhook view as app.webhooks.get() returns it; got ${given !== null && typeof given === 'object' ? 'an object without its key, headers, sensitiveHeaders and events' : shownValue(given)}`);
  }
  const headers: CockpitHeader[] = [];
  let hasAuth = false;
  for (const [k, v] of Object.entries(view.headers)) {
    const basic = k.toLowerCase() === 'authorization' && (authorizationScheme?.toLowerCase() ?? schemeOf(v)) === 'basic';
    if (basic) hasAuth = true;
    else headers.push({ k, v, ...(view.sensitiveHeaders.includes(k.toLowerCase()) ? { sensitive: true } : {}) });
  }
  return {
    _id: view.key,
    name: view.name ?? view.key,
    url: view.url,
    auth: hasAuth ? { user: REDACTED, pass: REDACTED } : { user: '', pass: '' },
    headers,
    events: [...view.events],
    active: view.enabled,
    _created: seconds(view.createdAt),
    _modified: seconds(view.updatedAt),
  };
}

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** The hookwork fields of a Cockpit input, each only when Cockpit's schema found its shape right (core then checks what it means). */
function toWebhookInput(input: CockpitWebhookInput): Omit<WebhookInput, 'headers'> {
  const raw = input as unknown as Record<string, unknown>;
  return {
    ...(typeof raw._id === 'string' ? { key: raw._id } : {}),
    ...(typeof raw.name === 'string' ? { name: raw.name } : {}),
    url: raw.url as string,
    events: raw.events as string[],
    enabled: typeof raw.active === 'boolean' ? raw.active : true,
    ...(typeof raw.secret === 'boolean' || typeof raw.secret === 'string' ? { secret: raw.secret } : {}),
  };
}

/** Core's field of a problem, as Cockpit's form names it. */
function cockpitField(field: string, headerRows: ReadonlyMap<string, number>, problem: string): string {
  if (field === 'key') return '_id';
  if (field === 'enabled') return 'active';
  const header = /^headers\.(.+)$/.exec(field);
  const row = header ? headerRows.get(header[1]!) : undefined;
  if (row !== undefined) return `headers.${row}.${problem.startsWith('value ') ? 'v' : 'k'}`;
  return field;
}

/**
 * Core's advice, as it applies on the Cockpit path: credentials in the URL go in `auth`, since a
 * custom Authorization header is refused here.
 */
function cockpitHint(field: string, problem: string): string {
  if (field === 'url' && problem.startsWith('must not hold credentials')) return 'must not hold credentials (they would show in logs); put them in auth { user, pass } (sent as HTTP basic auth)';
  return problem;
}

/**
 * Every problem of a Cockpit webhook input in one list: Cockpit's shape (its schema, basic auth,
 * header rows) and — through app.webhooks.check() — what core refuses (the URL, the events, a
 * header HTTP cannot carry), each under the field Cockpit's form shows. Also the custom headers
 * to store.
 */
function checkCockpitInput(app: Hookwork, input: CockpitWebhookInput): { problems: WebhookInputProblem[]; headers: Record<string, WebhookHeaderInput> } {
  const headers: Record<string, WebhookHeaderInput> = {};
  // A Map or Date where the form's object belongs passes the schema's `type: 'object'` and reads as empty.
  if (isPlainObject(input)) {
    const unplain = nonPlainObjects(input, '', 8, cockpitWebhookInputSchema);
    if (unplain.length > 0) return { problems: unplain.map((found) => ({ field: found.path, problem: nonPlainProblem(found) })), headers };
  } else if (input !== null && typeof input === 'object' && !Array.isArray(input)) {
    return { problems: [{ field: '(root)', problem: `must be a plain object such as { name, url, events }; got ${objectKind(input)}` }], headers };
  }
  const problems = validate(input) ? [] : schemaProblems(validate.errors);
  if (!isRecord(input)) return { problems, headers };
  const reported = new Set(problems.map((p) => p.field));
  const auth = input.auth as unknown;
  if (isRecord(auth) && (auth.user === undefined || typeof auth.user === 'string') && (auth.pass === undefined || typeof auth.pass === 'string')) problems.push(...authProblems(auth));
  const headerRows = new Map<string, number>();
  const seen = new Set<string>();
  for (const [index, header] of (Array.isArray(input.headers) ? input.headers : []).entries()) {
    if (!isRecord(header) || typeof header.k !== 'string' || typeof header.v !== 'string' || !header.k || !header.v) continue;
    if (header.k.toLowerCase() === 'authorization') {
      // Cockpit's auth is basic auth; another scheme (Bearer) is a header row there, and here.
      const basic = schemeOf(header.v) === 'basic';
      const withAuth = isRecord(auth) && (auth.user || auth.pass);
      if (basic || withAuth) {
        problems.push({
          field: `headers.${index}`,
          problem: basic ? 'sets Authorization to basic auth; use auth { user, pass } for HTTP basic auth' : 'sets Authorization while auth { user, pass } sets it too (HTTP basic auth); keep one',
        });
        continue;
      }
    }
    if (seen.has(header.k.toLowerCase())) {
      problems.push({ field: `headers.${index}`, problem: `repeats the header ${header.k} (header names are case-insensitive); keep one row` });
      continue;
    }
    seen.add(header.k.toLowerCase());
    headerRows.set(header.k, index);
    // setOwn: a row named __proto__ reaches core's check (and its refusal) instead of becoming the object's prototype.
    setOwn(headers, header.k, { value: header.v, sensitive: typeof header.sensitive === 'boolean' ? header.sensitive : SENSITIVE_HEADER.test(header.k) });
  }
  // Basic auth is sent as a header: judged with the rows (their count, the bytes they hold in all).
  if (isRecord(auth) && typeof auth.user === 'string' && typeof auth.pass === 'string' && auth.user && auth.pass) {
    headers[AUTHORIZATION] = { value: `Basic ${Buffer.from(`${auth.user}:${auth.pass}`, 'utf8').toString('base64')}`, sensitive: true };
  }
  const given = toWebhookInput(input) as Record<string, unknown>;
  for (const key of Object.keys(given)) if (given[key] === undefined) delete given[key];
  for (const { field, problem } of app.webhooks.check({ ...given, headers })) {
    const mapped = cockpitField(field, headerRows, problem);
    // A field whose shape Cockpit's schema refused is reported once, by the schema.
    if (reported.has(mapped) || [...reported].some((r) => mapped.startsWith(`${r}.`))) continue;
    problems.push({ field: mapped, problem: mapped.endsWith('.v') ? problem.replace(/^value /, '') : cockpitHint(mapped, problem) });
  }
  return { problems, headers };
}

/**
 * Webhooks in Cockpit v1's shape `{ name, url, auth: { user, pass }, headers: [{ k, v }], events,
 * active }`, stored as hookwork webhooks: basic auth becomes an `Authorization: Basic …` header
 * marked sensitive, custom headers whose names look secret (`X-Api-Key`, `X-Token`, …) are marked
 * sensitive too, and `active` is `enabled`. Event names are checked against the app's composed
 * events (name-spaced variants included). Usable after `app.start()`.
 */
export function cockpitWebhooks(app: Hookwork): CockpitWebhooks {
  // Checked here: without it the first create() or list() threw a TypeError reading `webhooks`.
  // By `in`, not by reading them: an app's `webhooks` throws HOOKWORK_ERR_APP_NOT_STARTED until
  // start(), and this object may be made before (in the host's wiring) and used after.
  const given = app as Partial<Hookwork> | null | undefined;
  if (given === null || typeof given !== 'object' || !('webhooks' in given) || !('container' in given)) {
    const got = given === null ? 'null' : typeof given !== 'object' ? shownValue(given) : 'an object without webhooks; pass the app itself';
    throw new HookworkError('HOOKWORK_ERR_INVALID_ARGUMENT', `cockpitWebhooks(app) takes the app createHookwork() returned; got ${got}`);
  }
  // The stored Authorization's scheme (never its credentials): a view redacts the whole value.
  const shown = async (view: WebhookView): Promise<CockpitWebhookView> => {
    if (!Object.keys(view.headers).some((name) => name.toLowerCase() === 'authorization')) return toCockpitWebhook(view);
    const stored = await resolveToken(app.container, WebhookRepositoryToken).get(view.key);
    const value = Object.entries(stored?.headers ?? {}).find(([name]) => name.toLowerCase() === 'authorization')?.[1];
    return toCockpitWebhook(view, schemeOf(value) ?? '');
  };
  return {
    async create(input) {
      const { problems, headers } = checkCockpitInput(app, input);
      if (problems.length > 0) refuse(problems);
      const created = await app.webhooks.create({ ...toWebhookInput(input), headers });
      return { ...(await shown(created)), ...(created.secret !== undefined ? { secret: created.secret } : {}) };
    },
    async get(id) {
      const view = await app.webhooks.get(id);
      return view && shown(view);
    },
    async list(page) {
      const { items, total, next } = await app.webhooks.list(page);
      return { items: await Promise.all(items.map(shown)), total, ...(next !== undefined ? { next } : {}) };
    },
    delete: (id) => app.webhooks.delete(id),
  };
}
