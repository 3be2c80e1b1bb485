import type { FastifyInstance } from 'fastify';
import { printableField } from '@hookwork/core';
import { ADMIN_ERRORS } from './admin-errors';

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
 * text/plain) has no parser here: 415, HOOKWORK_ERR_ADMIN_UNSUPPORTED_MEDIA_TYPE.
 */
export function useJsonBodyParser(fastify: FastifyInstance): void {
  // JSON only: Fastify's text/plain parser would hand a route a string, refused by its schema
  // with a 400 that blames the body's fields; with no parser a body of another type is answered
  // 415 (see toProblem).
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, text, done) => {
    if (text.length === 0) {
      // Answered as Fastify's own empty-body error is (see toProblem).
      done(Object.assign(new Error('the body is empty'), { code: 'FST_ERR_CTP_EMPTY_JSON_BODY', statusCode: 400 }), undefined);
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(text as string);
    } catch (error) {
      done(error as SyntaxError, undefined);
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
