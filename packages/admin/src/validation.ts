import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { fullFormats } from 'ajv-formats/dist/formats';
import type { FastifySchemaCompiler, FastifySchemaValidationError, FastifySerializerCompiler } from 'fastify';
import { durationAdvice, enumProblem, HEADER_VALUE_RULE, headerInputProblem, headerNameProblem, nearestName, otherNameIn, patternProblem, printableField, STORABLE_TEXT_PATTERN, WEBHOOK_HEADERS_INPUT, WEBHOOK_SECRET_INPUT } from '@hookwork/core';
import { ADMIN_ERRORS } from './admin-errors';

/** One field a request got wrong. */
export interface FieldProblem {
  /** Where the field is: the JSON body, the query string, the path or a header (If-Match). */
  in: 'body' | 'query' | 'path' | 'header';
  /** The field, dotted (`headers.X-Bad`, `take`, `id`). */
  field: string;
  /** What is wrong with it. */
  detail: string;
  /** A JSON Pointer fragment into the body, for body fields. */
  pointer?: string;
}

function newAjv(options: ConstructorParameters<typeof Ajv>[0]): Ajv {
  // strict: false because the schemas carry OpenAPI's annotations (description, example).
  const ajv = new Ajv({ allErrors: true, strict: false, ...options });
  addFormats(ajv, ['date-time']);
  // RFC 3339 has leap seconds (23:59:60), which JavaScript's Date cannot hold: a time the routes
  // would turn into an Invalid Date is refused here, naming its field, instead of deeper down.
  const { validate: rfc3339 } = fullFormats['date-time'] as { validate: (text: string) => boolean };
  ajv.addFormat('date-time', { type: 'string', validate: (text: string) => rfc3339(text) && !Number.isNaN(Date.parse(text)) });
  return ajv;
}

/** The compilers one registration of the admin plugin gives its routes (see {@link adminCompilers}). */
export interface AdminCompilers {
  /**
   * Fastify's validator compiler: bodies exactly as sent — an unknown field is refused, never
   * silently dropped (Fastify's default removes it) and nothing is coerced; query strings and path
   * parameters are text, so numbers and lists are coerced from it. A POST sent without a body is
   * checked as `{}`: a route whose fields are all optional takes it, and a route with a required
   * field names that field.
   */
  readonly validatorCompiler: FastifySchemaCompiler<object>;
  /**
   * Fastify's serializer compiler: every answer is checked against its response schema — the same
   * schemas core's results are tested against — before it leaves. An answer holding a field its
   * schema does not name fails loudly (a 500 and a log line) instead of being sent: that is how a
   * secret added to a model can never leak through the API unnoticed.
   */
  readonly serializerCompiler: FastifySerializerCompiler<object>;
}

/**
 * The admin routes' compilers, on ajv instances of their own. One set per registration, not one
 * per process: ajv keeps every validator it compiled, keyed by the schema object, for as long as
 * the instance lives, and Fastify hands each registration fresh copies of the query, path and
 * response schemas — with module-level instances every admin plugin a process ever registered
 * stayed in memory after its Fastify closed (about 0.7 MB each: a host or a test suite that makes
 * and closes apps with their admin over and over grew without end). Made per registration, they
 * go with the Fastify instance.
 */
export function adminCompilers(): AdminCompilers {
  // verbose: an error carries its parentSchema, so an unknown field is answered with the one meant.
  const bodyAjv = newAjv({ coerceTypes: false, useDefaults: false, verbose: true });
  // verbose: an error carries the value, so a parameter given twice (`?take=1&take=2`, an array)
  // is named as such rather than as "must be an integer".
  const textAjv = newAjv({ coerceTypes: 'array', useDefaults: true, verbose: true });
  const responseAjv = newAjv({ coerceTypes: false, useDefaults: false });
  return {
    validatorCompiler: ({ schema, httpPart }) => {
      if (httpPart === 'querystring') return storableText(strictIntegers(schema, textAjv.compile(schema) as ValidateFunction));
      if (httpPart !== 'body') return storableText(textAjv.compile(schema) as ValidateFunction);
      const validate = bodyAjv.compile(schema);
      const validateBody = ((data: unknown) => {
        const valid = validate(data === undefined || data === null ? {} : data);
        validateBody.errors = validate.errors ?? null;
        return valid;
      }) as ValidateFunction;
      return storableText(validateBody);
    },
    serializerCompiler: ({ schema, method, url, httpStatus }) => {
      const validate = responseAjv.compile(schema);
      return (data: unknown) => {
        const json = JSON.stringify(data);
        if (!validate(JSON.parse(json))) {
          throw ADMIN_ERRORS.create('HOOKWORK_ERR_ADMIN_INTERNAL', `the answer of ${method} ${url} (${httpStatus}) does not match its schema: ${responseAjv.errorsText(validate.errors)}; this is a bug in @hookwork/admin`);
        }
        return json;
      };
    },
  };
}

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
// eslint-disable-next-line no-control-regex -- U+0000 is what it looks for
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The JSON Pointer of the first string in `data` — a value or an object's key, at any depth — that
 * holds U+0000 or a lone UTF-16 surrogate, or undefined when there is none. Walked with a stack of
 * its own (see prototypeKeyPath): what reaches here passed its schema, but the walk must not
 * depend on that.
 */
export function unstorableTextPath(data: unknown): string[] | undefined {
  // Each entry links to its parent's: the path is built only for the string found. Copying the
  // path into every entry cost O(depth²) — a body nested 100,000 deep ran for minutes.
  interface Step {
    value: unknown;
    key: string;
    parent: Step | undefined;
  }
  const pathOf = (step: Step): string[] => {
    const path: string[] = [];
    for (let at: Step | undefined = step; at?.parent !== undefined; at = at.parent) path.push(at.key);
    return path.reverse();
  };
  const stack: Step[] = [{ value: data, key: '', parent: undefined }];
  while (stack.length > 0) {
    const step = stack.pop()!;
    const { value } = step;
    if (typeof value === 'string') {
      if (UNSTORABLE.test(value)) return pathOf(step);
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    const isArray = Array.isArray(value);
    const entries = isArray ? value.map((item, i) => [String(i), item] as const) : Object.entries(value as Record<string, unknown>);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, item] = entries[i]!;
      const child: Step = { value: item, key, parent: step };
      if (!isArray && UNSTORABLE.test(key)) return pathOf(child);
      stack.push(child);
    }
  }
  return undefined;
}

/**
 * Every string a request gives — each query parameter, path value and body field, at any depth,
 * whatever its route's schema says of it — is refused when it holds U+0000 or a lone UTF-16
 * surrogate, naming the field: no store keeps such text as sent (PostgreSQL refuses U+0000, UTF-8
 * turns a lone surrogate into U+FFFD), so a filter holding it could find nothing, or something
 * else. Checked here, for every route at once, rather than field by field in the schemas: a
 * field added later is covered too, and the refusal is the admin's 400 naming the field, never
 * core's argument error naming a library call.
 */
function storableText(validate: ValidateFunction): ValidateFunction {
  const checked = ((data: unknown) => {
    const valid = validate(data);
    checked.errors = validate.errors ?? null;
    const path = unstorableTextPath(data);
    if (path === undefined) return valid;
    const instancePath = path.map((segment) => `/${escapePointer(segment)}`).join('');
    // Named once: a field whose own schema has the pattern is refused for it already.
    if (checked.errors?.some((error) => error.instancePath === instancePath)) return false;
    checked.errors = [{ keyword: 'pattern', instancePath, schemaPath: '#/storableText', params: { pattern: STORABLE_TEXT_PATTERN }, message: 'must be storable text' }, ...(checked.errors ?? [])];
    return false;
  }) as ValidateFunction;
  return checked;
}

/** A whole number as a query string writes one: digits, a minus sign before them at most. */
const INTEGER_TEXT = /^-?[0-9]+$/;

/**
 * ajv coerces a query value with Number(): `take=0x10` would be 16, `take=1e2` 100, `take=true` 1
 * and `take= 5` 5 — a typo or a wrong kind of value read as a page size, silently. An integer
 * parameter takes digits only; anything else is refused as not an integer, naming it.
 */
function strictIntegers(schema: object, validate: ValidateFunction): ValidateFunction {
  const properties = (schema as { properties?: Record<string, { type?: unknown }> }).properties ?? {};
  const integers = Object.keys(properties).filter((name) => properties[name]!.type === 'integer');
  if (integers.length === 0) return validate;
  const checked = ((data: unknown) => {
    const query = (data ?? {}) as Record<string, unknown>;
    const wrong = integers.filter((name) => typeof query[name] === 'string' && !INTEGER_TEXT.test(query[name] as string));
    if (wrong.length > 0) {
      checked.errors = wrong.map((name) => ({ keyword: 'type', instancePath: `/${name}`, schemaPath: `#/properties/${name}/type`, params: { type: 'integer' }, message: 'must be integer', data: query[name] }));
      return false;
    }
    const valid = validate(data);
    checked.errors = validate.errors ?? null;
    return valid;
  }) as ValidateFunction;
  return checked;
}

/** Names the field an ajv error is about and says what is wrong with it, in plain words. */
export function describeSchemaError(place: FieldProblem['in'], error: FastifySchemaValidationError): FieldProblem {
  const path = error.instancePath.replace(/^\//, '').split('/').filter(Boolean).map(unescapePointer);
  const params = error.params as Record<string, unknown>;
  let detail: string;
  switch (error.keyword) {
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const atTop = path.length === 0;
      path.push(name);
      detail = (place === 'body' && atTop && Object.hasOwn(VIEW_FIELDS, name) ? VIEW_FIELDS[name] : undefined) ?? unknownName(place, name, error);
      break;
    }
    case 'required':
      path.push(String(params.missingProperty));
      detail = 'is required';
      break;
    case 'propertyNames':
      path.push(String(params.propertyName));
      detail = (path[0] === 'headers' && headerNameProblem(params.propertyName)) || "is not a valid name (letters, digits and !#$%&'*+.^_`|~- only)";
      break;
    case 'type': {
      const { data } = error as { data?: unknown };
      if (place === 'query' && Array.isArray(data)) {
        detail = `is given ${data.length} times; give it once`;
        break;
      }
      // The whole body of the wrong type is most often one sent without content-type: application/json.
      // A breaker duration takes what every hookwork duration takes: core's advice says which forms.
      if (place === 'body' && path[0] === 'breaker' && (path[1] === 'window' || path[1] === 'coolDown') && path.length === 2) {
        detail = typeof data === 'number' ? 'must be a whole number of milliseconds, or a TimeSpan string such as "00:00:10"' : durationAdvice(data, true);
        break;
      }
      // A webhook's headers and secret: what they take, as webhooks.create() says it.
      if (place === 'body' && path.length === 1 && path[0] === 'headers') {
        detail = WEBHOOK_HEADERS_INPUT;
        break;
      }
      detail = place === 'body' && path.length === 0 ? `must be a JSON ${String(params.type)}, sent with content-type: application/json` : `must be ${[params.type].flat().map((t) => article(String(t))).join(' or ')}`;
      break;
    }
    case 'minimum':
    case 'maximum': {
      // A webhook's breaker and rate options are named with the value refused (none is a
      // secret), and the breaker's durations with their unit: "at most 3153600000000" read as a count.
      const option = place === 'body' && (path[0] === 'breaker' || path[0] === 'rateLimit');
      const ms = option && path[0] === 'breaker' && (path[1] === 'window' || path[1] === 'coolDown');
      const { data } = error as { data?: unknown };
      detail = `must be ${error.keyword === 'minimum' ? 'at least' : 'at most'} ${String(params.limit)}${ms ? ' ms' : ''}${option && typeof data === 'number' ? ` (got ${String(data)})` : ''}`;
      break;
    }
    case 'minLength':
      detail = 'must not be empty';
      break;
    case 'minItems':
      detail = `needs at least ${String(params.limit)} item${params.limit === 1 ? '' : 's'}`;
      break;
    case 'minProperties': {
      // An empty body ({} to PATCH webhook/{id} or POST dead-letter/redeliver) is told which fields
      // there are, as an unknown field is: "needs at least 1 field" named none of them.
      const known = Object.keys((error as { parentSchema?: { properties?: Record<string, unknown> } }).parentSchema?.properties ?? {});
      detail = `needs at least ${String(params.limit)} field${params.limit === 1 ? '' : 's'}${known.length > 0 ? `; the fields here are ${known.join(', ')}` : ''}`;
      break;
    }
    case 'maxLength':
      detail = `is too long (at most ${String(params.limit)} characters)`;
      break;
    case 'maxItems':
    case 'maxProperties':
      detail = `has too many entries (at most ${String(params.limit)})`;
      break;
    case 'enum':
      detail = enumProblem(params.allowedValues as unknown[], (error as { data?: unknown }).data);
      break;
    case 'const':
      detail = `must be ${JSON.stringify(params.allowedValue)}`;
      break;
    case 'format':
      detail = params.format === 'date-time' ? 'must be an ISO 8601 date-time such as 2026-01-31T12:00:00Z' : `must be a ${String(params.format)}`;
      break;
    case 'pattern':
      detail = patternProblem(String(params.pattern), (error as { data?: unknown }).data);
      break;
    case 'anyOf':
    case 'oneOf':
      // A custom header is a string or { value, sensitive }: what fails both is most often a value
      // HTTP cannot carry (a CR or LF), so say the rule, not only "the wrong type".
      // Core's own words for what is wrong with it (too long, a character, sensitive not a
      // boolean, an unknown field), as webhooks.create() answers; each was answered with the rule
      // of characters alone, which a 9,000-character value or `sensitive: "yes"` does not break.
      detail =
        path[0] === 'headers' && path.length === 2
          ? headerInputProblem((error as { data?: unknown }).data) ?? `must be a header value (a string, or { value, sensitive }) that HTTP carries unchanged: ${HEADER_VALUE_RULE}`
          : place === 'body' && path.length === 1 && path[0] === 'secret'
            ? WEBHOOK_SECRET_INPUT
            : 'has the wrong type';
      break;
    default:
      detail = error.message ?? 'is invalid';
  }
  const field = printableField(path.join('.')) || '(body)';
  return { in: place, field, detail, ...(place === 'body' ? { pointer: `#/${path.map(escapePointer).join('/')}` } : {}) };
}

/**
 * Fields of a webhook's view (GET webhook/{id}) that no edit takes, with where each is changed:
 * a client that PUTs back what it read gets the fix, not only "is not a field".
 */
const VIEW_FIELDS: Readonly<Record<string, string>> = {
  key: 'cannot be changed: the key is the webhook\'s id in the path; leave it out (a webhook of another key is a new one, POST webhook)',
  secret: 'is not changed here: rotate the signing secret with POST webhook/{id}/secret/rotate',
  secrets: 'is not changed here: rotate with POST webhook/{id}/secret/rotate, revoke with DELETE webhook/{id}/secret/{secretId}',
  sensitiveHeaders: 'is read-only (a field of the view); leave it out, and mark a header sensitive with "headers": { "Name": { "value": "…", "sensitive": true } }',
  createdAt: 'is read-only (a field of the view); leave it out',
  updatedAt: 'is read-only (a field of the view); leave it out',
  unknownEvents: 'is read-only (a field of the view); leave it out',
  urlBlocked: 'is read-only (a field of the view: why delivery refuses url under the app\'s ssrf setting); leave it out',
};

/**
 * "is not a field of this request (did you mean headers?); the fields are …", from the schema the
 * name is not in. Core's table of other APIs' names is read both ways round: the admin API keeps
 * Umbraco's `skip`/`take`, so `limit`, `pageSize`, `offset` or `page` — core's names and other
 * APIs' — are told the admin's own name, which nearestName (other names → core's) cannot.
 */
function unknownName(place: FieldProblem['in'], name: string, error: FastifySchemaValidationError): string {
  const known = Object.keys((error as { parentSchema?: { properties?: Record<string, unknown> } }).parentSchema?.properties ?? {});
  const near = otherNameIn(name, known) ?? nearestName(name, known);
  const what = place === 'body' ? 'a field of this request' : 'a parameter of this route';
  if (known.length === 0) return `is not ${what}`;
  return `is not ${what}${near ? ` (did you mean ${near}?)` : ''}; the ${place === 'body' ? 'fields' : 'parameters'} here are ${known.join(', ')}`;
}

const article = (type: string) => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);
const unescapePointer = (segment: string) => segment.replace(/~1/g, '/').replace(/~0/g, '~');
/** Escapes one segment of a JSON Pointer (RFC 6901). */
export const escapePointer = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');
