/**
 * @hookwork/receiver/fastify — the Fastify adapter (Fastify 5), a plugin.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyPluginAsync } from 'fastify';
import { ReceiverError, isReceiverError } from '../errors/receiver-error';
import { checkOptionKeys, readOptionsOnce, shown } from '../option-keys';
import { DEFAULT_RETRY_AFTER_SECONDS, type AnyReceiver, type ReceiverAnswer } from '../receiver';
import { checkMaxBodyBytes, checkReceiver, closesConnection, methodNotAllowed, receiveWireBody, type AdapterOptions } from './adapter-support';
import { readRawBody } from './raw-body';

/** Options of {@link fastifyReceiver}, beside Fastify's own (`prefix`). */
export interface FastifyReceiverOptions extends AdapterOptions {
  /** The receiver, made by createReceiver(). */
  receiver: AnyReceiver;
  /** The route's path under the plugin's prefix (default `/`). */
  path?: string;
}

/**
 * A Fastify plugin that receives webhooks with POST at `prefix` + `path`:
 *
 * ```ts
 * await app.register(fastifyReceiver, { receiver, prefix: '/webhooks' });
 * ```
 *
 * Inside the plugin, and only there (Fastify encapsulates it), every content type is parsed as
 * the raw bytes, so the signature is verified over exactly what was sent; the app's own JSON
 * parsing elsewhere is untouched — as is a content-type Fastify itself can't parse, which it would
 * otherwise answer 415. A body sent content-encoded (gzip, deflate, br) is decoded, as in the other
 * adapters, and one over `maxBodyBytes` (sent or decoded) is answered 413 like there.
 *
 * While the app closes (`app.close()`), a request in flight is answered as ever, with
 * `Connection: close`; one that arrives meanwhile is answered 503 by Fastify itself
 * (`return503OnClosing`, on by default) — with the receiver's `Retry-After`, which the plugin adds,
 * as every 503 of the receiver's route carries one.
 */
export const fastifyReceiver: FastifyPluginAsync<FastifyReceiverOptions> = async (instance, options) => {
  if (typeof (instance as unknown as { handle?: unknown }).handle === 'function' && typeof (instance as unknown as { register?: unknown }).register !== 'function') {
    // `app.register(fastifyReceiver(receiver))`: called, so Fastify's instance is the receiver.
    throw new ReceiverError('RECEIVER_ERR_INVALID_OPTIONS', "fastifyReceiver is a Fastify plugin to register, not a function to call: app.register(fastifyReceiver, { receiver, prefix: '/webhooks' })");
  }
  if (typeof (options as unknown as { handle?: unknown } | undefined)?.handle === 'function' && options.receiver === undefined) {
    throw new ReceiverError('RECEIVER_ERR_INVALID_OPTIONS', "fastifyReceiver was given the receiver as its options; give it as one of them: app.register(fastifyReceiver, { receiver, prefix: '/webhooks' })");
  }
  // From here on, the options as read once: what is checked is what the route is made with.
  options = readOptionsOnce('fastifyReceiver', options);
  const receiver = checkReceiver(options?.receiver, 'fastifyReceiver');
  // Its own options, and Fastify's register options: a typo (maxBodyByte) must not run on the default.
  checkOptionKeys('fastifyReceiver', options, ['receiver', 'path', 'maxBodyBytes', 'prefix', 'logLevel', 'logSerializers']);
  if (options.path !== undefined && (typeof options.path !== 'string' || !options.path.startsWith('/'))) {
    throw new ReceiverError('RECEIVER_ERR_INVALID_OPTIONS', `fastifyReceiver path is ${shown(options.path)}; give a route path under the prefix that starts with /, e.g. '/' or '/cms'`);
  }
  const bodyLimit = checkMaxBodyBytes(options);
  instance.removeAllContentTypeParsers();
  instance.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_request, body, done) => done(null, body));
  instance.setErrorHandler(async (error: Error & { code?: string; statusCode?: number }, request, reply) => {
    let answer: ReceiverAnswer;
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      answer = receiver.refuse(new ReceiverError('RECEIVER_ERR_BODY_TOO_LARGE', `the body is over the ${bodyLimit} bytes this receiver accepts; raise maxBodyBytes if the sender's payloads are larger`), request.headers);
    } else if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      // Fastify answers a content-type it can't parse (`json`, an empty one, two joined by a proxy)
      // 415 before any parser runs. The kit takes every content type as bytes and the other adapters
      // never look at it, so the body — still unread — is read here and received like any other.
      try {
        answer = await receiveWireBody(receiver, request.headers, await readRawBody(request.raw, bodyLimit), bodyLimit);
      } catch (readError) {
        if (!isReceiverError(readError)) throw readError;
        answer = receiver.refuse(readError, request.headers);
      }
    } else {
      throw error;
    }
    return reply.code(answer.status).headers(answer.status === 413 ? { ...answer.headers, connection: 'close' } : answer.headers).send(answer.body);
  });
  const path = options?.path ?? '/';
  instance.post(path, async (request, reply) => {
    const answer = await receiveWireBody(receiver, request.headers, (request.body as Buffer | undefined) ?? Buffer.alloc(0), bodyLimit);
    return reply.code(answer.status).headers(closesConnection(answer.status, request.raw) ? { ...answer.headers, connection: 'close' } : answer.headers).send(answer.body);
  });
  retryAfterWhileClosing(instance, receiver, `${instance.prefix}${path}`);
  // Other methods on the route are 405 with Allow: POST, as the other adapters answer, not Fastify's
  // 404, which told someone trying the URL with a GET that nothing was mounted there. (OPTIONS is
  // left to the app: a CORS plugin answers it.)
  instance.route({
    method: ['GET', 'PUT', 'PATCH', 'DELETE'],
    url: path,
    handler: async (request, reply) => {
      const answer = methodNotAllowed(request.method);
      return reply.code(answer.status).headers(answer.headers).send(answer.body);
    },
  });
};

/**
 * Fastify answers a request that arrives while the app closes 503 itself (`return503OnClosing`, on
 * by default), before any hook or route of the plugin runs, and without `Retry-After` — a sender
 * then retries on its own schedule, into a server that is going away. A listener put before
 * Fastify's on the server adds the receiver's `Retry-After` to a 503 written for the receiver's
 * route without one (with `return503OnClosing: false` the request is handled, and its answer is the
 * receiver's own).
 *
 * It is there from `onReady` to `onClose`, not from `preClose` on as it was: `app.close()` marks the
 * routes closing first and only then runs the `preClose` hooks — the app's own (a root instance's
 * run before a plugin's), each of which may wait (a drain, a deregistration) — so a request arriving
 * in between was answered 503 with no `Retry-After`. No flag of Fastify's says it is closing, so the
 * listener does not ask: every 503 the receiver writes carries `Retry-After` already (its
 * `respond()` adds it), and so does every other 503 on its route — Fastify's while closing, or an
 * app hook's that named none — which lose nothing by it.
 */
function retryAfterWhileClosing(instance: Parameters<FastifyPluginAsync>[0], receiver: AnyReceiver, route: string): void {
  const seconds = String(Number.isInteger(receiver.retryAfterSeconds) ? receiver.retryAfterSeconds : DEFAULT_RETRY_AFTER_SECONDS);
  // The route's fixed part: up to its first parameter or wildcard, without trailing slashes (Fastify
  // serves a prefixed '/' at both '/webhooks' and '/webhooks/').
  const dynamic = route.search(/[:*]/);
  const fixed = (dynamic === -1 ? route : route.slice(0, dynamic)).replace(/\/+$/, '');
  const ours = (url: string | undefined) => {
    const pathname = (url ?? '').split('?', 1)[0]!.replace(/\/+$/, '');
    return dynamic === -1 ? pathname === fixed : pathname.startsWith(fixed);
  };
  const onRequest = (request: IncomingMessage, response: ServerResponse) => {
    if (!ours(request.url)) return;
    const writeHead = response.writeHead as (...args: unknown[]) => ServerResponse;
    response.writeHead = function (this: ServerResponse, ...args: unknown[]): ServerResponse {
      // A Retry-After handed to writeHead itself (Fastify's reply passes its headers there) takes
      // precedence over one set here: Node merges them so.
      if (args[0] === 503 && !this.hasHeader('retry-after')) this.setHeader('retry-after', seconds);
      return writeHead.apply(this, args);
    } as ServerResponse['writeHead'];
  };
  instance.addHook('onReady', (done) => {
    instance.server.prependListener('request', onRequest);
    done();
  });
  // Fastify's own onClose, which closes the server and waits for its connections to end, runs
  // before a plugin's: the listener stays for every request answered while the app closes.
  instance.addHook('onClose', (_instance, done) => {
    instance.server.removeListener('request', onRequest);
    done();
  });
}
