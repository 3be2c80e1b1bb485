/**
 * @hookwork/receiver/fastify — the Fastify adapter (Fastify 5), a plugin.
 */
import type { FastifyPluginAsync } from 'fastify';
import { ReceiverError } from '../errors/receiver-error';
import { checkOptionKeys, shown } from '../option-keys';
import type { AnyReceiver } from '../receiver';
import { checkMaxBodyBytes, checkReceiver, type AdapterOptions } from './adapter-support';

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
 * parsing elsewhere is untouched. A body over `maxBodyBytes` is answered 413 like in the other
 * adapters.
 */
export const fastifyReceiver: FastifyPluginAsync<FastifyReceiverOptions> = async (instance, options) => {
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
    if (error.code !== 'FST_ERR_CTP_BODY_TOO_LARGE') throw error;
    const answer = receiver.refuse(new ReceiverError('RECEIVER_ERR_BODY_TOO_LARGE', `the body is over the ${bodyLimit} bytes this receiver accepts; raise maxBodyBytes if the sender's payloads are larger`), request.headers);
    return reply.code(answer.status).headers({ ...answer.headers, connection: 'close' }).send(answer.body);
  });
  instance.post(options?.path ?? '/', async (request, reply) => {
    const answer = await receiver.handle({ headers: request.headers, body: (request.body as Buffer | undefined) ?? Buffer.alloc(0) });
    return reply.code(answer.status).headers(answer.headers).send(answer.body);
  });
};
