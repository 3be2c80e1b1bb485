import type { FastifyInstance, FastifyRequest } from 'fastify';
import { duplicateJsonKeys, printableField, shownList } from '@hookwork/core';
import { ADMIN_ERRORS } from './admin-errors';
import { BodyNotTakenError } from './problem-details';

/**
 * Whether the route a request reached takes no body: it has no `body` schema (every GET, `DELETE
 * webhook/{id}`, `POST cleanup`, `POST dead-letter/{id}/redeliver`, …). A path no route has (the
 * 404 and 405 answers) is not such a route: its answer is that the path or method is wrong.
 */
export const takesNoBody = (request: FastifyRequest): boolean => !request.is404 && request.routeOptions.schema?.body === undefined;

/** The route of a request as its pattern, in the docs' terms: `DELETE /admin/api/v1/webhook/{id}`. */
const routeOf = (request: FastifyRequest) => `${request.method} ${(request.routeOptions.url ?? '').replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`;

/** Requests to a route that takes no body whose content the parser read and found empty. */
const readEmpty = new WeakSet<FastifyRequest>();

/**
 * Refuses content sent to a route that takes none, before the route runs: 400
 * HOOKWORK_ERR_ADMIN_INVALID_REQUEST naming `(body)`, nothing changed. Fastify reads no body on a
 * GET or HEAD, nor on a DELETE without a content-type, and a JSON one it parses for any route, so
 * such content was ignored and the route ran (`DELETE webhook/{id}` with `{ "dryRun": true }`
 * deleted). What is refused:
 * - JSON content (the parser, see {@link useJsonBodyParser}); an empty one is no content;
 * - content of another media type, or of none (the error handler, see {@link answeredAs});
 * - content Fastify does not read, announced by `transfer-encoding` or a `content-length` other
 *   than 0 (this hook).
 * No content, or `content-length: 0` (what a browser sends on a DELETE or a POST without a body),
 * is taken as before. Runs at preValidation: after authentication, so a caller without a token
 * learns nothing of the route.
 */
export function refuseContentWhereNoneIsTaken(fastify: FastifyInstance): void {
  fastify.addHook('preValidation', async (request) => {
    if (!takesNoBody(request)) return;
    if (request.body !== undefined) throw new BodyNotTakenError(routeOf(request));
    if (readEmpty.has(request)) return;
    const { 'transfer-encoding': chunked, 'content-length': length } = request.headers;
    if (chunked !== undefined || (length !== undefined && Number(length) !== 0)) throw new BodyNotTakenError(routeOf(request));
  });
}

/**
 * The error a request is answered with: Fastify's 415 for content of a media type no parser
 * reads becomes, on a route that takes no body, the refusal of any content there — "send it as
 * JSON" would be the wrong fix.
 */
export function answeredAs(error: unknown, request: FastifyRequest): unknown {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' && takesNoBody(request) ? new BodyNotTakenError(routeOf(request)) : error;
}

/**
 * The first key of a parsed JSON value that JavaScript would read as a prototype — `__proto__`,
 * or `prototype` inside a `constructor` object — as its dotted path, or undefined when there is none.
 * Walked with a stack of its own, depth first in document order: a body within the size limit
 * can nest far deeper than the call stack goes (1 MiB of `[` is 500,000 levels), and such a body
 * is bad input to answer with a 400, not a stack overflow's 500.
 */
export function prototypeKeyPath(value: unknown): string[] | undefined {
  interface Visit {
    value: unknown;
    /** Its key in its parent object or its index in its parent array; undefined for the root. */
    key?: string;
    /** Whether its parent is an object (whose keys JavaScript may read as a prototype). */
    inObject?: boolean;
    parent?: Visit;
  }
  const pathTo = (visit: Visit, ...tail: string[]) => {
    const path = tail;
    for (let at: Visit | undefined = visit; at?.key !== undefined; at = at.parent) path.unshift(at.key);
    return path;
  };
  const stack: Visit[] = [{ value }];
  while (stack.length > 0) {
    const visit = stack.pop()!;
    const { value: current } = visit;
    if (visit.inObject) {
      // JSON.parse makes `__proto__` an own property, so Object.keys sees it.
      if (visit.key === '__proto__') return pathTo(visit);
      if (visit.key === 'constructor' && current !== null && typeof current === 'object' && Object.prototype.hasOwnProperty.call(current, 'prototype')) return pathTo(visit, 'prototype');
    }
    if (current === null || typeof current !== 'object') continue;
    const children: Visit[] = Array.isArray(current)
      ? current.map((item: unknown, i) => ({ value: item, key: String(i), parent: visit }))
      : Object.keys(current).map((key) => ({ value: (current as Record<string, unknown>)[key], key, inObject: true, parent: visit }));
    // Last pushed, first visited: the first child is looked at next, its own children before its siblings.
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return undefined;
}

/**
 * The admin API's JSON body parser, in place of Fastify's within the plugin's own context (a
 * host's parser is untouched). Fastify's refuses a `__proto__` key too (secure-json-parse), but
 * answers "Body is not valid JSON" — wrong about valid JSON, and silent on the key. This one
 * names the key, where it is, and the fix; invalid JSON keeps JSON.parse's reason (the position).
 * The body limit is Fastify's, as before (413 past it). A body of any other media type (a form,
 * text/plain) has no parser here: 415, HOOKWORK_ERR_ADMIN_UNSUPPORTED_MEDIA_TYPE. On a route
 * that takes no body, JSON content is refused unread (400) and an empty one is no content.
 */
export function useJsonBodyParser(fastify: FastifyInstance): void {
  // JSON only: Fastify's text/plain parser would hand a route a string, refused by its schema
  // with a 400 that blames the body's fields; with no parser a body of another type is answered
  // 415 (see toProblem).
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, bytes, done) => {
    if (takesNoBody(request)) {
      // Not parsed at all: whatever it holds, this route would ignore it.
      if (bytes.length > 0) {
        done(new BodyNotTakenError(routeOf(request)), undefined);
        return;
      }
      readEmpty.add(request);
      done(null, undefined);
      return;
    }
    const charsetProblem = unreadCharset(request.headers['content-type']);
    if (charsetProblem) {
      done(charsetProblem, undefined);
      return;
    }
    if (bytes.length === 0) {
      // Answered as Fastify's own empty-body error is (see toProblem).
      done(Object.assign(new Error('the body is empty'), { code: 'FST_ERR_CTP_EMPTY_JSON_BODY', statusCode: 400 }), undefined);
      return;
    }
    const text = utf8Text(bytes as Buffer);
    if (typeof text !== 'string') {
      done(text, undefined);
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      done(error as SyntaxError, undefined);
      return;
    }
    // A JSON null was taken as no body ({}): `POST …/secret/rotate` and `POST …/test` went ahead
    // with their defaults, while `[]` or `"x"` was refused as not an object. null is not one either.
    if (body === null) {
      done(
        ADMIN_ERRORS.create('HOOKWORK_ERR_ADMIN_INVALID_REQUEST', 'the request was refused, nothing was changed: body (body) must be a JSON object, not null; send {} (or no body) for a route\'s defaults', {
          details: [{ field: '(body)', problem: 'must be a JSON object, not null' }],
        }),
        undefined,
      );
      return;
    }
    const duplicates = duplicateJsonKeys(text);
    if (duplicates.length > 0) {
      const fields = duplicates.map((at) => printableField(at.join('.')));
      done(
        ADMIN_ERRORS.create(
          'HOOKWORK_ERR_ADMIN_INVALID_REQUEST',
          `the request was refused, nothing was changed: the body gives the key ${shownList(fields, { show: (f) => f })} more than once; JSON readers disagree on which one counts (RFC 8259 §4), so send each key once`,
          { details: fields.map((field) => ({ field, problem: 'is given more than once in its object; send it once' })) },
        ),
        undefined,
      );
      return;
    }
    const path = prototypeKeyPath(body);
    if (!path) {
      done(null, body);
      return;
    }
    const field = printableField(path.join('.'));
    const key = path.at(-1) === 'prototype' ? 'constructor.prototype' : '__proto__';
    done(
      ADMIN_ERRORS.create(
        'HOOKWORK_ERR_ADMIN_INVALID_REQUEST',
        `the request was refused, nothing was changed: the body has the key ${key} at ${field}, which JavaScript reads as an object's prototype, so it is refused wherever it is; remove it (no admin field is named ${key})`,
        { details: [{ field, problem: `is a ${key} key, which JavaScript reads as an object's prototype; remove it` }] },
      ),
      undefined,
    );
  });
}

/**
 * Decoding that refuses bytes that are not UTF-8 rather than reading each as U+FFFD: `"caf\xe9"`
 * (Latin-1) was stored as `caf�`, a name nobody wrote. The BOM is kept, so JSON.parse refuses
 * it as before (RFC 8259 §8.1: JSON text is not sent with one).
 */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The body as text, or the refusal of bytes that are not UTF-8 (400, naming where the first one is). */
function utf8Text(bytes: Buffer): string | Error {
  try {
    return UTF8.decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    return ADMIN_ERRORS.create(
      'HOOKWORK_ERR_ADMIN_INVALID_REQUEST',
      `the request was refused, nothing was changed: the body is not UTF-8 (byte ${at} is not part of a UTF-8 character; JSON text is UTF-8, RFC 8259 §8.1); send it encoded as UTF-8, or escape the character as \\uXXXX`,
      { details: [{ field: '(body)', problem: `is not UTF-8 (at byte ${at})` }] },
    );
  }
}

/**
 * The offset of the first character of `bytes` that is not UTF-8 (they are known not to be): the
 * byte that starts it — the 0xE9 of a Latin-1 "é", not the byte after it that shows it cut short.
 */
function firstInvalidUtf8(bytes: Buffer): number {
  // One byte at a time; a character still being read decodes to nothing yet (stream: true).
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let characterStart = 0;
  for (let i = 0; i < bytes.length; i++) {
    try {
      if (decoder.decode(bytes.subarray(i, i + 1), { stream: true }).length > 0) characterStart = i + 1;
    } catch {
      return characterStart;
    }
  }
  return characterStart;
}

/** The charsets a JSON body is read in: UTF-8 and its subset US-ASCII (RFC 8259 §8.1 allows no other). */
const READ_CHARSETS = new Set(['utf-8', 'utf8', 'us-ascii']);

/**
 * The refusal of a JSON body whose content-type names a charset other than UTF-8 (`application/json;
 * charset=utf-16`): 415, naming the charset — read as UTF-8, its bytes would be taken for other
 * characters, or refused as not UTF-8 with the wrong fix. Undefined when it names none or UTF-8.
 */
export function unreadCharset(contentType: string | undefined): Error | undefined {
  const match = /;\s*charset\s*=\s*("[^"]*"|[^;\s]*)/i.exec(contentType ?? '');
  if (!match) return undefined;
  const charset = match[1]!.replace(/^"|"$/g, '');
  if (READ_CHARSETS.has(charset.toLowerCase())) return undefined;
  const shown = printableField(charset.slice(0, 40)) || '(empty)';
  return ADMIN_ERRORS.create(
    'HOOKWORK_ERR_ADMIN_UNSUPPORTED_MEDIA_TYPE',
    `the body was sent as application/json in the charset ${shown}, which the admin API does not read: JSON text is UTF-8 (RFC 8259 §8.1); send it encoded as UTF-8, with content-type: application/json (or charset=utf-8)`,
    { details: [{ field: '(body)', problem: `is in the charset ${shown}; must be UTF-8` }] },
  );
}
