import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { ReceiverError, isReceiverError } from '../errors/receiver-error';
import type { AnyReceiver, ReceiverAnswer } from '../receiver';
import { checkOptionKeys, isPlainOptions, kindOf, readOptionsOnce, shown } from '../option-keys';
import { DEFAULT_MAX_BODY_BYTES, readRawBody } from './raw-body';
import { contentCodings, shownCodings } from '../headers';
import { decodeContentEncoding, withoutContentEncoding } from './content-encoding';

// What the adapters share. The package's entry exports AdapterOptions and writeAnswer.

/** Options of the adapters. */
export interface AdapterOptions {
  /** Largest body accepted, bytes (default {@link DEFAULT_MAX_BODY_BYTES}); larger is answered 413. */
  maxBodyBytes?: number;
}

/**
 * Writes a {@link ReceiverAnswer} to a Node response. A refusal of the body's size closes the
 * connection, as the rest of the body was not read; so does any answer while the server closes
 * (see {@link isServerClosing}).
 */
export function writeAnswer(response: ServerResponse, answer: ReceiverAnswer): void {
  if (response.headersSent) return;
  const headers: Record<string, string> = { ...answer.headers, 'content-length': String(Buffer.byteLength(answer.body)) };
  if (closesConnection(answer.status, response.req)) headers.connection = 'close';
  response.writeHead(answer.status, headers).end(answer.body);
}

/**
 * Whether an answer closes its connection: a refusal of the body's size (the rest of the body was
 * not read), or any answer while the server closes ({@link isServerClosing}). One rule for every adapter.
 */
export function closesConnection(status: number, request: IncomingMessage | undefined): boolean {
  return status === 413 || (request !== undefined && isServerClosing(request));
}

/**
 * Whether the HTTP/1 server a request came in on is closing (`server.close()` was called: it no
 * longer listens). Node lets a request that is in flight then, or that arrives on a connection
 * still open, run to its answer — the receiver answers it as ever, so no work is refused for it —
 * and keeps the connection alive after it unless told otherwise: the answer says
 * `Connection: close`, so the sender's next request opens a connection to a server that is up,
 * and the closing server's `close()` does not wait out a keep-alive. (HTTP/2 has no such header.)
 */
export function isServerClosing(request: IncomingMessage): boolean {
  if (request.httpVersionMajor === 2) return false;
  // net.Server sets `server` on each socket it accepts; undefined for a request made up in a test.
  return (request.socket as { server?: { listening?: unknown } } | null)?.server?.listening === false;
}

/**
 * The 405 every adapter answers to a method other than POST: `Allow: POST` and a body in the shape
 * of every other refusal, `{ "error": { "code", "message" } }`, naming the method and the fix. It
 * was `{ "error": { "message" } }` alone — the one refusal without a code to look up.
 */
export function methodNotAllowed(method: string | undefined): { status: 405; headers: Record<string, string>; body: string } {
  const { code, message } = new ReceiverError('RECEIVER_ERR_METHOD_NOT_ALLOWED', `${method ?? 'a request without a method'} is not how webhooks arrive: they are received with POST; send the request as a POST (Allow: POST)`);
  return { status: 405, headers: { allow: 'POST', 'content-type': 'application/json' }, body: JSON.stringify({ error: { code, message } }) };
}

/**
 * Answers 405 to a request that is not a POST (webhooks are POSTed); true when it did, and the
 * adapter is done with the request.
 */
export function refuseNonPost(request: IncomingMessage, response: ServerResponse): boolean {
  if (request.method === 'POST') return false;
  const answer = methodNotAllowed(request.method);
  response.writeHead(answer.status, answer.headers).end(answer.body);
  return true;
}

/**
 * Checks an adapter's maxBodyBytes and, given the adapter's name, that its options hold nothing
 * else (the Fastify plugin's options also carry Fastify's own, such as `prefix`: it passes none).
 */
export function checkMaxBodyBytes(options: AdapterOptions | undefined, adapter?: string): number {
  // Read once: the maxBodyBytes checked is the one used. (The Fastify plugin reads its options itself.)
  if (adapter !== undefined) options = readOptionsOnce(adapter, options);
  if (adapter !== undefined && options !== undefined) {
    if (!isPlainOptions(options)) throw new ReceiverError('RECEIVER_ERR_INVALID_OPTIONS', `${adapter} takes options such as { maxBodyBytes: 1048576 }; got ${kindOf(options)}`);
    checkOptionKeys(adapter, options, ['maxBodyBytes']);
  }
  const max = options?.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isInteger(max) || max < 1) throw new ReceiverError('RECEIVER_ERR_INVALID_OPTIONS', `maxBodyBytes is ${shown(max)}; use a whole number of bytes from 1`);
  return max;
}

/** Checks that an adapter was given a receiver. */
export function checkReceiver(receiver: unknown, adapter: string): AnyReceiver {
  if (typeof (receiver as AnyReceiver | undefined)?.handle !== 'function') {
    // `expressReceiver({ receiver })`, the Fastify plugin's options shape given to the others.
    const wrapped = typeof (receiver as { receiver?: AnyReceiver } | null | undefined)?.receiver?.handle === 'function';
    throw new ReceiverError(
      'RECEIVER_ERR_INVALID_OPTIONS',
      `${adapter} needs a receiver made by createReceiver(); got ${wrapped ? `an object holding one as its receiver: pass the receiver itself, ${adapter.replace(/\(\)$/, '')}(receiver)` : receiver === null ? 'null' : typeof receiver}`,
    );
  }
  return receiver as AnyReceiver;
}

/**
 * Hands the receiver a body as read from the wire: decoded from its content-encoding first
 * (gzip, deflate, br; capped at `maxBodyBytes`), the receiver then seeing the headers without
 * content-encoding. A body that can't be decoded is refused with its code. Never rejects.
 */
export async function receiveWireBody(receiver: AnyReceiver, headers: IncomingHttpHeaders, body: Buffer, maxBodyBytes: number): Promise<ReceiverAnswer> {
  const codings = contentCodings(headers['content-encoding']);
  if (codings.length === 0) return receiver.handle({ headers, body });
  // Each listed coding is one more decode on Node's small shared thread pool, before any
  // signature is checked: a header listing gzip hundreds of times must not buy that.
  if (codings.length > MAX_CODINGS || new Set(codings).size < codings.length) {
    return receiver.refuse(
      new ReceiverError('RECEIVER_ERR_UNSUPPORTED_ENCODING', `the body is sent with content-encoding: ${shownCodings(codings)}; the receiver decodes at most ${MAX_CODINGS} codings, none of them twice — have the sender (or the proxy in between) compress the body once`),
      headers,
    );
  }
  let decoded: Buffer;
  try {
    decoded = await decodeContentEncoding(body, codings, maxBodyBytes);
  } catch (error) {
    if (!isReceiverError(error, 'RECEIVER_ERR_BAD_ENCODING')) return receiver.refuse(error, headers);
    // Not what its header says: a proxy in front may have decoded it and kept the header. Bytes
    // that verify as given are taken as given (as they were before the adapters decoded).
    try {
      receiver.verify({ headers, body });
    } catch (asGiven) {
      if (isReceiverError(asGiven, 'RECEIVER_ERR_BAD_SIGNATURE') || isReceiverError(asGiven, 'RECEIVER_ERR_UNSUPPORTED_ENCODING')) return receiver.refuse(error, headers);
    }
    return receiver.handle({ headers, body });
  }
  return receiver.handle({ headers: withoutContentEncoding(headers), body: decoded });
}

/** The most content codings a body may list (a proxy compressing what the sender compressed is two). */
const MAX_CODINGS = 2;

/**
 * Reads the raw body of a node:http request, lets the receiver handle it (decoded, see
 * {@link receiveWireBody}) and writes the answer: a body too large is refused (413); a client that
 * went away mid-body gets nothing.
 */
export function receiveFromStream(receiver: AnyReceiver, request: IncomingMessage, response: ServerResponse, maxBodyBytes: number): void {
  readRawBody(request, maxBodyBytes).then(
    async (body) => writeAnswer(response, await receiveWireBody(receiver, request.headers, body, maxBodyBytes)),
    (error: unknown) => {
      if (!isReceiverError(error)) response.destroy();
      else writeAnswer(response, receiver.refuse(error, request.headers));
    },
  );
}
