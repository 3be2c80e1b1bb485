import { STATUS_CODES } from 'node:http';
import { isHookworkError, maskCredentials, MAX_NAMED_PROBLEMS, printableField, type HookworkError } from '@hookwork/core';
import type { FastifyError, FastifySchemaValidationError } from 'fastify';
import { ADMIN_ERRORS } from './admin-errors';
import { LONGEST_PATH_KEY } from './api-schemas';
import { forTheApi, titleForTheApi } from './api-wording';
import { describeSchemaError, escapePointer, type FieldProblem } from './validation';

/**
 * An error answer of the admin API: RFC 9457 problem details (`application/problem+json`) with
 * two extension members — `code`, hookwork's error code, and `errors`, each field at fault.
 */
export interface ProblemDetails {
  /** `urn:hookwork:error:<code>`: names the problem type (RFC 9457 §3.1.1); docs/errors.md describes each code. */
  type: string;
  /** What the code means in general (the same for every occurrence of the type). */
  title: string;
  /** The HTTP status, as sent. */
  status: number;
  /** What went wrong this time, naming the thing at fault and the fix. */
  detail: string;
  /** The request path the problem occurred on. */
  instance: string;
  /** hookwork's error code (HOOKWORK_ERR_… or ADMIN_ERR_…). */
  code: string;
  /** Each field at fault, when the problem is bad input. */
  errors?: FieldProblem[];
}

/**
 * A request with content sent to a route that takes none (`POST cleanup`, `DELETE webhook/{id}`,
 * every GET): refused rather than ignored, so a field the caller meant (`{ "dryRun": true }`)
 * never looks taken while the route runs without it. `route` is the route's pattern (`DELETE
 * /admin/api/v1/webhook/{id}`), never the client's text.
 */
export class BodyNotTakenError extends Error {
  constructor(readonly route: string) {
    super(`${route} takes no body`);
    this.name = 'BodyNotTakenError';
  }
}

/** The media type of {@link ProblemDetails} (RFC 9457 §3). */
export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

/** JSON Schema of {@link ProblemDetails}, for the OpenAPI document. */
export const problemDetailsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'title', 'status', 'detail', 'instance', 'code'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    code: { type: 'string', description: "hookwork's error code (docs/errors.md)." },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['in', 'field', 'detail'],
        properties: {
          in: { type: 'string', enum: ['body', 'query', 'path', 'header'] },
          field: { type: 'string', description: 'The field at fault, dotted (`headers.X-Bad`).' },
          detail: { type: 'string' },
          pointer: { type: 'string', description: 'A JSON Pointer fragment into the body (`#/headers/X-Bad`), for body fields.' },
        },
      },
    },
  },
} as const;

/**
 * Turns anything a route threw into problem details: a HookworkError keeps its code and status
 * (and its field details); Fastify's own client errors (bad JSON, a wrong media type, a body too
 * large — 413, naming `context.bodyLimit` — a schema mismatch) get the admin codes; another client
 * error a framework or plugin raised keeps its own 4xx status ({@link clientRefusal}); anything
 * else is a 500 whose detail says no more than where to look (the cause goes to the log, never to
 * the client).
 */
export function toProblem(error: unknown, instance: string, context: ProblemContext = {}): ProblemDetails {
  return toAnswer(error, instance, context).problem;
}

/** What {@link toProblem} reads of the request besides the error. */
export interface ProblemContext {
  /** The route's body limit in bytes, named in a 413's detail. */
  bodyLimit?: number;
  /** The request's content-type header, named in a 415's detail. */
  contentType?: string;
  /**
   * The route's query and path fields (its schema's properties), by which a field core's error
   * names ({@link HookworkError.details}, which says no place) is put in the query or path, not the body.
   */
  fields?: { query: readonly string[]; path: readonly string[] };
}

/** {@link ProblemContext.fields} of a route's schema: the properties of its querystring and params. */
export function fieldsOfSchema(schema: { querystring?: unknown; params?: unknown } | undefined): NonNullable<ProblemContext['fields']> {
  const names = (part: unknown): string[] => {
    const properties = (part as { properties?: unknown } | undefined)?.properties;
    return properties !== null && typeof properties === 'object' ? Object.keys(properties) : [];
  };
  return { query: names(schema?.querystring), path: names(schema?.params) };
}

/**
 * {@link toProblem}'s problem with the headers to answer it with: those of a client error that say
 * how to ask again (a 416's Content-Range, a 405's Allow), kept from {@link clientRefusal}; none for
 * any other problem.
 */
export function toAnswer(error: unknown, instance: string, context: ProblemContext = {}): { problem: ProblemDetails; headers: Readonly<Record<string, string>> } {
  const known = knownProblem(error, instance, context);
  if (known) return { problem: known, headers: {} };
  const refusal = clientRefusal(error);
  if (refusal) {
    const said = refusal.message ? `: ${refusal.message}` : '';
    const refused = { ...problem('HOOKWORK_ERR_ADMIN_REQUEST_REFUSED', `the request was refused with ${refusal.status} ${reasonPhrase(refusal.status)}${said}; nothing was changed`, instance), status: refusal.status };
    return { problem: refused, headers: refusal.headers };
  }
  return { problem: problem('HOOKWORK_ERR_ADMIN_INTERNAL', 'the admin API failed; the server log has the cause', instance), headers: {} };
}

/** The problem of an error hookwork or Fastify raised and the admin names itself; undefined for any other. */
function knownProblem(error: unknown, instance: string, context: ProblemContext): ProblemDetails | undefined {
  if (isHookworkError(error)) return fromHookworkError(error, instance, context.fields);
  if (error instanceof BodyNotTakenError) {
    return problem(
      'HOOKWORK_ERR_ADMIN_INVALID_REQUEST',
      `the request was refused, nothing was changed: ${error.route} takes no body, and this request has one; send it without one (no content, or content-length: 0) — what the route takes goes in its path, query or headers (If-Match), as the OpenAPI document lists`,
      instance,
      [{ in: 'body', field: '(body)', detail: 'must be absent: this route takes no body' }],
    );
  }
  const fastifyError = error as Partial<FastifyError> | undefined;
  if (fastifyError?.validation) {
    const place = fastifyError.validationContext === 'querystring' ? 'query' : fastifyError.validationContext === 'params' ? 'path' : 'body';
    // anyOf reports each branch's failure as well as its own: keep the summary.
    // propertyNames reports the name's pattern failure at the object as well: keep the name's own.
    const { named: errors, unnamed } = firstProblems(
      place,
      fastifyError.validation.filter((e) => !e.schemaPath.includes('/anyOf/') && !e.schemaPath.includes('/propertyNames/')),
    );
    const more = unnamed > 0 ? `; and ${unnamed} more schema error${unnamed === 1 ? '' : 's'} (the first ${MAX_NAMED_PROBLEMS} fields are named)` : '';
    return problem('HOOKWORK_ERR_ADMIN_INVALID_REQUEST', `the request was refused, nothing was changed: ${errors.map((e) => `${e.in} ${e.field} ${e.detail}`).join('; ')}${more}`, instance, errors);
  }
  switch (fastifyError?.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': {
      // 415 Unsupported Media Type (RFC 9110 §15.5.16), not 400: the fields may be right, in a form no route reads.
      // The media type alone, shown escaped and cut short: the header is the client's text.
      const mediaType = context.contentType?.split(';')[0]!.trim().slice(0, 100);
      const sent = mediaType ? `as ${printableField(mediaType)}` : 'with an empty content-type';
      return problem('HOOKWORK_ERR_ADMIN_UNSUPPORTED_MEDIA_TYPE', `the body was sent ${sent}, which no admin route reads: send it as JSON, with content-type: application/json`, instance, [{ in: 'body', field: '(body)', detail: 'must be application/json' }]);
    }
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return problem('HOOKWORK_ERR_ADMIN_INVALID_REQUEST', 'the body is empty but content-type says JSON: send a JSON object (or no content-type)', instance, [{ in: 'body', field: '(body)', detail: 'is empty' }]);
    case 'FST_ERR_CTP_BODY_TOO_LARGE': {
      // 413 Content Too Large (RFC 9110 §15.5.14), not 400: the request may be right but for its size.
      const limit = context.bodyLimit !== undefined ? `${context.bodyLimit} bytes` : 'its bodyLimit';
      return problem(
        'HOOKWORK_ERR_ADMIN_BODY_TOO_LARGE',
        `the body is larger than this server accepts (${limit}); no admin request needs that much — send only the route's fields (the OpenAPI document lists them), or register the plugin in a Fastify with a larger bodyLimit`,
        instance,
        [{ in: 'body', field: '(body)', detail: `is larger than ${limit}` }],
      );
    }
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return problem('HOOKWORK_ERR_ADMIN_INVALID_REQUEST', `a path value is longer than this server routes (its maxParamLength); keys and ids have at most ${LONGEST_PATH_KEY} characters`, instance, [{ in: 'path', field: '(path)', detail: 'is too long' }]);
    case 'FST_ERR_BAD_URL':
      return problem('HOOKWORK_ERR_ADMIN_INVALID_REQUEST', 'the path is not a valid URL (a bad percent-encoding); encode path values with encodeURIComponent', instance, [{ in: 'path', field: '(path)', detail: 'is not a valid URL' }]);
  }
  if (fastifyError instanceof SyntaxError || (fastifyError?.statusCode === 400 && typeof fastifyError.message === 'string' && /JSON/.test(fastifyError.message))) {
    return problem('HOOKWORK_ERR_ADMIN_INVALID_REQUEST', `the request was refused, nothing was changed: the body is not valid JSON (${fastifyError.message}); send one JSON value with content-type: application/json`, instance, [{ in: 'body', field: '(body)', detail: 'is not valid JSON' }]);
  }
  return undefined;
}

/**
 * The reason phrase of a 4xx status: Node's (`http.STATUS_CODES`), but for the two that RFC 9110
 * §15.5 renamed and Node still calls by RFC 7231's names ("Payload Too Large", "Unprocessable
 * Entity"), so an answer names a status as the RFC it cites does.
 */
function reasonPhrase(status: number): string {
  return RFC_9110_RENAMED[status] ?? STATUS_CODES[status] ?? 'Client Error';
}

const RFC_9110_RENAMED: Readonly<Record<number, string>> = { 413: 'Content Too Large', 422: 'Unprocessable Content' };

/** The headers of a client error (http-errors' `headers`) that say how to ask again, kept in the answer. */
const REFUSAL_HEADERS = ['content-range', 'allow', 'retry-after', 'www-authenticate'];

/**
 * A client error that Fastify or a plugin raised with a 4xx status of its own — @fastify/static's
 * 416 for a Range past the file, 412 for a failed precondition, 400 for a path with NUL — and what
 * of it may be shown: its message when it is meant for the client (http-errors' `expose`, a
 * Fastify `FST_` error), cut short, escaped and with any credential in it masked (core's
 * `maskCredentials()`); else none. Such an error is the client's, not a
 * fault: answered 500 it left a stack trace in the log for every bad Range. Undefined for any
 * other error (a fault, answered 500).
 */
function clientRefusal(error: unknown): { status: number; message: string | undefined; headers: Record<string, string> } | undefined {
  if (error === null || typeof error !== 'object' || isHookworkError(error)) return undefined;
  const { statusCode, status: statusAlias, expose, code, message, headers } = error as { statusCode?: unknown; status?: unknown; expose?: unknown; code?: unknown; message?: unknown; headers?: unknown };
  const status = typeof statusCode === 'number' ? statusCode : statusAlias;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 400 || status > 499) return undefined;
  const shown = (expose === true || (typeof code === 'string' && code.startsWith('FST_'))) && typeof message === 'string' && message !== '' ? printableField(maskCredentials(message).slice(0, 200)) : undefined;
  const kept: Record<string, string> = {};
  if (headers !== null && typeof headers === 'object') {
    for (const [name, value] of Object.entries(headers)) if (REFUSAL_HEADERS.includes(name.toLowerCase()) && typeof value === 'string') kept[name.toLowerCase()] = value;
  }
  return { status, message: shown, headers: kept };
}

/**
 * A core error's problem: its code and status as core gave them, and each field its `details`
 * name (`{ field, problem }`, the shape every coded input refusal of core uses) in `errors`, as
 * the admin's own schema refusals name theirs. Core says no place: a field the route takes in its
 * query or path ({@link ProblemContext.fields}) is put there, any other in the body; the admin's
 * own errors say theirs (`in`). A message that opens with the library call (`sendTestEvent(): …`)
 * opens with the fields instead, which an HTTP client sent, where it read "the request: …".
 */
function fromHookworkError(error: HookworkError, instance: string, fields?: ProblemContext['fields']): ProblemDetails {
  const details = Array.isArray(error.details) ? (error.details as unknown[]) : [];
  const errors = details
    .filter((d): d is { field: string; problem: string; in?: unknown } => typeof (d as { field?: unknown })?.field === 'string' && typeof (d as { problem?: unknown })?.problem === 'string')
    .map((d): FieldProblem => {
      const place = d.in === 'header' || d.in === 'query' || d.in === 'path' || d.in === 'body' ? d.in : fields?.query.includes(d.field) ? 'query' : fields?.path.includes(d.field) ? 'path' : 'body';
      const pointer = place === 'body' && d.field !== '(body)' ? { pointer: `#/${d.field.split('.').map(escapePointer).join('/')}` } : {};
      return { in: place, field: d.field, detail: forTheApi(d.problem), ...pointer };
    });
  const prefix = `${error.code}: `;
  const said = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
  const call = LIBRARY_CALL.exec(said);
  const message = call && errors.length > 0 ? `${prefix}${errors.map((e) => `${e.in} ${e.field}`).join(', ')}: ${said.slice(call[0].length)}` : error.message;
  return {
    type: `urn:hookwork:error:${error.code}`,
    title: titleForTheApi(error.code, error.summary ?? 'hookwork error'),
    status: error.status,
    detail: forTheApi(message),
    instance,
    code: error.code,
    ...(errors.length > 0 ? { errors } : {}),
  };
}

/** The library call a core refusal opens with (`sendTestEvent(): `, `webhooks.rotateSecret(): `). */
const LIBRARY_CALL = /^(?:webhooks\.)?[a-zA-Z]+\(\): /;

function problem(code: keyof typeof ADMIN_ERRORS.codes, detail: string, instance: string, errors?: FieldProblem[]): ProblemDetails {
  const { summary, status } = ADMIN_ERRORS.codes[code];
  return { type: `urn:hookwork:error:${code}`, title: summary, status, detail: `${code}: ${detail}`, instance, code, ...(errors && errors.length > 0 ? { errors } : {}) };
}

/**
 * The first {@link MAX_NAMED_PROBLEMS} fields at fault (core's limit: a body of 400,000 wrong
 * events, 800 KB, was answered with each named — 52 MB of problem details, seconds of the event
 * loop every other request waited for), once each, and how many schema errors are left unnamed.
 */
function firstProblems(place: FieldProblem['in'], validation: FastifySchemaValidationError[]): { named: FieldProblem[]; unnamed: number } {
  const named: FieldProblem[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < validation.length; i++) {
    if (named.length === MAX_NAMED_PROBLEMS) return { named, unnamed: validation.length - i };
    const described = describeSchemaError(place, validation[i]!);
    const key = `${described.in}:${described.field}`;
    if (seen.has(key)) continue;
    seen.add(key);
    named.push(described);
  }
  return { named, unnamed: 0 };
}

