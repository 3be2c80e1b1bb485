import Ajv, { type ErrorObject } from 'ajv';
import { HookworkError, REDACTED, type Hookwork, type Page, type WebhookHeaderInput, type WebhookInputProblem, type WebhookView } from '@hookwork/core';
import { cockpitWebhookInputSchema, type CockpitHeader, type CockpitWebhookInput } from './cockpit-webhook-schema';

/** A webhook as cockpitWebhooks() returns it: Cockpit's shape, never a credential in clear. */
export interface CockpitWebhookView {
  /** The hookwork webhook key. */
  _id: string;
  name: string;
  url: string;
  /** `[redacted]` for both when basic auth is set; empty strings when it is not. */
  auth: { user: string; pass: string };
  /** Custom headers; values of sensitive ones are `[redacted]`. */
  headers: CockpitHeader[];
  events: string[];
  active: boolean;
  /** Unix seconds, as Cockpit keeps them. */
  _created: number;
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
  /** Webhooks in creation order, in Cockpit's shape. */
  list(page?: { limit?: number; offset?: number }): Promise<Page<CockpitWebhookView>>;
  /** Deletes a webhook; false when there was none. */
  delete(id: string): Promise<boolean>;
}

// Header names whose values are secrets: marked sensitive so logs and views never show them.
const SENSITIVE_HEADER = /(auth|token|secret|key|password|passwd|cookie|signature|session|credential)/i;
const AUTHORIZATION = 'Authorization';

const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(cockpitWebhookInputSchema);

function schemaProblems(errors: ErrorObject[] | null | undefined): WebhookInputProblem[] {
  const problems: WebhookInputProblem[] = [];
  const seen = new Set<string>();
  for (const error of errors ?? []) {
    if (error.schemaPath.includes('/anyOf/')) continue;
    let field = error.instancePath.replace(/^\//, '').replace(/\//g, '.') || '(root)';
    let problem = error.message ?? 'is invalid';
    if (error.keyword === 'additionalProperties') {
      const extra = (error.params as { additionalProperty: string }).additionalProperty;
      field = field === '(root)' ? extra : `${field}.${extra}`;
      problem = 'is not a Cockpit webhook field (name, url, auth, headers, events, active)';
    } else if (error.keyword === 'required') {
      const missing = (error.params as { missingProperty: string }).missingProperty;
      field = field === '(root)' ? missing : `${field}.${missing}`;
      problem = 'is required';
    } else if (error.keyword === 'pattern') {
      problem = 'must not contain CR, LF or NUL';
    }
    if (seen.has(field)) continue;
    seen.add(field);
    problems.push({ field, problem });
  }
  return problems;
}

function refuse(problems: WebhookInputProblem[]): never {
  throw new HookworkError('HOOKWORK_ERR_INVALID_WEBHOOK', `Cockpit webhook refused, nothing was stored: ${problems.map((p) => `${p.field} ${p.problem}`).join('; ')}`, { details: problems });
}

function authProblems(auth: CockpitWebhookInput['auth']): WebhookInputProblem[] {
  const user = auth?.user ?? '';
  const pass = auth?.pass ?? '';
  if (user === '' && pass === '') return [];
  const problems: WebhookInputProblem[] = [];
  // Cockpit silently sends no auth at all when one half is empty; a half-filled form is refused here.
  if (user === '') problems.push({ field: 'auth.user', problem: 'is empty while auth.pass is set; set both for HTTP basic auth, or neither' });
  if (pass === '') problems.push({ field: 'auth.pass', problem: 'is empty while auth.user is set; set both for HTTP basic auth, or neither' });
  if (user.includes(':')) problems.push({ field: 'auth.user', problem: 'must not contain ":" (HTTP basic auth separates user and password with it)' });
  if (/[\r\n\0]/.test(user)) problems.push({ field: 'auth.user', problem: 'must not contain CR, LF or NUL' });
  if (/[\r\n\0]/.test(pass)) problems.push({ field: 'auth.pass', problem: 'must not contain CR, LF or NUL' });
  return problems;
}

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

/** Maps a hookwork webhook view back to Cockpit's shape. */
export function toCockpitWebhook(view: WebhookView): CockpitWebhookView {
  const headers: CockpitHeader[] = [];
  let hasAuth = false;
  for (const [k, v] of Object.entries(view.headers)) {
    if (k.toLowerCase() === 'authorization') hasAuth = true;
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

/**
 * Webhooks in Cockpit v1's shape `{ name, url, auth: { user, pass }, headers: [{ k, v }], events,
 * active }`, stored as hookwork webhooks: basic auth becomes an `Authorization: Basic …` header
 * marked sensitive, custom headers whose names look secret (`X-Api-Key`, `X-Token`, …) are marked
 * sensitive too, and `active` is `enabled`. Event names are checked against the app's composed
 * events (name-spaced variants included). Usable after `app.start()`.
 */
export function cockpitWebhooks(app: Hookwork): CockpitWebhooks {
  return {
    async create(input) {
      if (!validate(input)) refuse(schemaProblems(validate.errors));
      const problems = authProblems(input.auth);
      const headers: Record<string, WebhookHeaderInput> = {};
      const seen = new Set<string>();
      for (const [index, header] of (input.headers ?? []).entries()) {
        if (!header.k || !header.v) continue;
        if (header.k.toLowerCase() === 'authorization') {
          problems.push({
            field: `headers.${index}`,
            problem: 'sets Authorization; use auth { user, pass } for HTTP basic auth (other schemes: create the webhook with app.webhooks.create and a sensitive Authorization header)',
          });
          continue;
        }
        if (seen.has(header.k.toLowerCase())) {
          problems.push({ field: `headers.${index}`, problem: `repeats the header ${header.k} (header names are case-insensitive); keep one row` });
          continue;
        }
        seen.add(header.k.toLowerCase());
        headers[header.k] = { value: header.v, sensitive: header.sensitive ?? SENSITIVE_HEADER.test(header.k) };
      }
      if (problems.length > 0) refuse(problems);
      const { user, pass } = input.auth ?? {};
      if (user && pass) headers[AUTHORIZATION] = { value: `Basic ${Buffer.from(`${user}:${pass}`, 'utf8').toString('base64')}`, sensitive: true };
      const created = await app.webhooks.create({
        ...(input._id !== undefined ? { key: input._id } : {}),
        name: input.name,
        url: input.url.trim(),
        events: input.events,
        headers,
        enabled: input.active ?? true,
        ...(input.secret !== undefined ? { secret: input.secret } : {}),
      });
      return { ...toCockpitWebhook(created), ...(created.secret !== undefined ? { secret: created.secret } : {}) };
    },
    async get(id) {
      const view = await app.webhooks.get(id);
      return view && toCockpitWebhook(view);
    },
    async list(page) {
      const { items, total } = await app.webhooks.list(page);
      return { items: items.map(toCockpitWebhook), total };
    },
    delete: (id) => app.webhooks.delete(id),
  };
}
