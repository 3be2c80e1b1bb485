import type { FastifyInstance } from 'fastify';
import { printableField } from '@hookwork/core';
import { ADMIN_ERRORS } from './admin-errors';

/**
 * The first key of a parsed JSON value that JavaScript would read as a prototype — `__proto__`,
 * or `prototype` inside a `constructor` object — as its dotted path, or undefined when there is none.
 */
export function prototypeKeyPath(value: unknown, path: string[] = []): string[] | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = prototypeKeyPath(item, [...path, String(i)]);
      if (found) return found;
    }
    return undefined;
  }
  for (const key of Object.keys(value)) {
    // JSON.parse makes `__proto__` an own property, so Object.keys sees it.
    if (key === '__proto__') return [...path, key];
    const child = (value as Record<string, unknown>)[key];
    if (key === 'constructor' && child !== null && typeof child === 'object' && Object.prototype.hasOwnProperty.call(child, 'prototype')) return [...path, key, 'prototype'];
    const found = prototypeKeyPath(child, [...path, key]);
    if (found) return found;
  }
  return undefined;
}

/**
 * The admin API's JSON body parser, in place of Fastify's within the plugin's own context (a
 * host's parser is untouched). Fastify's refuses a `__proto__` key too (secure-json-parse), but
 * answers "Body is not valid JSON" — wrong about valid JSON, and silent on the key. This one
 * names the key, where it is, and the fix; invalid JSON keeps JSON.parse's reason (the position).
 * The body limit is Fastify's, as before (413 past it).
 */
export function useJsonBodyParser(fastify: FastifyInstance): void {
  fastify.removeContentTypeParser('application/json');
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
