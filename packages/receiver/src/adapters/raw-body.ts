import type { IncomingMessage } from 'node:http';
import { ReceiverError } from '../errors/receiver-error';
import { shown } from '../option-keys';

/**
 * The body size the adapters accept by default, bytes: 1 MiB + 16 KiB (1,064,960), the largest
 * body hookwork sends with its default settings — a payload of up to `maxPayloadBytes` (1 MiB),
 * which a webhook in structured CloudEvents format wraps in an envelope of at most 16 KiB
 * (`CLOUD_EVENTS_MAX_ENVELOPE_BYTES` in `@hookwork/core`; a cross-package test keeps the two in
 * step). A sender with a larger `maxPayloadBytes` needs `maxBodyBytes` of that plus 16 KiB.
 */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024 + 16 * 1024;

/**
 * Reads a request's body as raw bytes, refusing more than `maxBytes` — by `content-length` before
 * reading anything, or as soon as the bytes read pass it. The bytes are those sent: a body sent
 * with `content-encoding` is returned still encoded (the adapters decode it; `receiver.handle()`
 * refuses it with RECEIVER_ERR_UNSUPPORTED_ENCODING). A request paused by earlier code is resumed:
 * from here on, its body is this function's to read.
 *
 * @throws ReceiverError RECEIVER_ERR_BODY_TOO_LARGE (status 413), RECEIVER_ERR_INVALID_OPTIONS for a
 *   `maxBytes` that is not a whole number from 1 (status 500), RECEIVER_ERR_BODY_NOT_RAW for a
 *   request whose body was already read, wholly or in part (status 500); the stream's own errors (a
 *   client that went away) as they are.
 */
export function readRawBody(request: IncomingMessage, maxBytes: number = DEFAULT_MAX_BODY_BYTES): Promise<Buffer> {
  // `maxBytes` compares false with everything when it is not a number ('1mb', as Express writes
  // limits; NaN from an unset variable): the body would be read with no cap at all.
  if (!Number.isInteger(maxBytes) || maxBytes < 1) {
    return Promise.reject(new ReceiverError('RECEIVER_ERR_INVALID_OPTIONS', `readRawBody() was given maxBytes ${shown(maxBytes)}; use a whole number of bytes from 1 (default ${DEFAULT_MAX_BODY_BYTES})`));
  }
  // A stream that already ended never emits 'end' again: waiting on it would hold the request
  // unanswered until the sender gives up — and retries into the same.
  if (request.readableEnded) {
    return Promise.reject(
      new ReceiverError(
        'RECEIVER_ERR_BODY_NOT_RAW',
        "readRawBody() was given a request whose body was already read (a body parser such as express.json() ran first), so no bytes are left to read: read them before any parser (mount the route first), take the parser's own — express.raw({ type: '*/*' }) leaves them in req.body, express.json({ verify: captureRawBody }) in req.rawBody — or use expressReceiver, which finds them",
      ),
    );
  }
  // Part of the body already went to a 'data' listener or a read() before this one (a middleware
  // that peeks at or logs the body, a listener that ran while the request waited on something):
  // the rest is not what was signed, and verifying it blamed the secret (401).
  if (request.readableDidRead) {
    return Promise.reject(
      new ReceiverError(
        'RECEIVER_ERR_BODY_NOT_RAW',
        "readRawBody() was given a request whose body was partly read already (a 'data' listener or read() before it: a middleware that peeks at or logs the body, or code that awaited something while the body flowed), so the bytes left are not those signed: hand the request over before anything reads its body, or have that code keep the bytes it read and pass them all to receiver.handle()",
      ),
    );
  }
  return new Promise<Buffer>((resolve, reject) => {
    const tooLarge = (size: number | undefined) => bodyTooLarge(size, maxBytes);
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      reject(tooLarge(declared));
      return;
    }
    const chunks: Buffer[] = [];
    let length = 0;
    const cleanup = () => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
    };
    const onData = (data: Buffer | string) => {
      // After request.setEncoding() (an old body collector's, a tracing middleware's) the chunks are
      // text: its encoding gives the bytes back (a decoder holds a character split between chunks
      // over, so none is cut), where Buffer.concat() threw in the 'end' listener — an uncaught
      // exception that ended the process.
      const chunk = typeof data === 'string' ? Buffer.from(data, request.readableEncoding ?? 'utf8') : data;
      length += chunk.length;
      if (length > maxBytes) {
        cleanup();
        // Stop reading; the answer goes out with "connection: close" and the socket is closed.
        request.pause();
        reject(tooLarge(undefined));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, length));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
    // A request paused before it got here (req.pause() by a middleware that awaited an auth check,
    // so no byte is lost meanwhile) stays paused when a 'data' listener is added: nothing would
    // ever be read, and the sender waited out its timeout, then retried into the same.
    request.resume();
  });
}

/**
 * RECEIVER_ERR_BODY_TOO_LARGE for a body of `size` bytes (its content-length), or of a size not known
 * (`undefined`: it was cut off once the bytes read passed `maxBytes`), over an adapter's `maxBytes`.
 */
export function bodyTooLarge(size: number | undefined, maxBytes: number): ReceiverError {
  const what = size === undefined ? `passed the ${maxBytes} bytes this receiver accepts (maxBodyBytes) and was read no further` : `is ${size} bytes, more than the ${maxBytes} bytes this receiver accepts (maxBodyBytes)`;
  return new ReceiverError('RECEIVER_ERR_BODY_TOO_LARGE', `the body ${what}; raise maxBodyBytes if the sender's payloads are larger`);
}
