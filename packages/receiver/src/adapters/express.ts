/**
 * @hookwork/receiver/express — the Express adapter (Express 4 and 5). It imports nothing from
 * Express: it reads the request as the node:http message it is.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { types } from 'node:util';
import { ReceiverError, isReceiverError } from '../errors/receiver-error';
import type { AnyReceiver } from '../receiver';
import { checkMaxBodyBytes, checkReceiver, receiveFromStream, refuseNonPost, writeAnswer, type AdapterOptions } from './adapter-support';
import { withoutContentEncoding } from './content-encoding';
import { bodyTooLarge } from './raw-body';

/** An Express request as the adapter reads it: a node:http request, with what body parsers left. */
export type ExpressLikeRequest = IncomingMessage & { body?: unknown; rawBody?: unknown };

/**
 * An Express route handler that receives webhooks. The easy way is the right one — mount it with
 * no body parser in front, and it reads the raw bytes itself:
 *
 * ```ts
 * app.post('/webhooks', expressReceiver(receiver));   // before app.use(express.json()), or on a router without it
 * ```
 *
 * It also takes the bytes `express.raw()` leaves in `req.body`, and those {@link captureRawBody}
 * leaves in `req.rawBody` when `express.json()` must run first (or a `verify` of your own that
 * keeps them there, as a Buffer or as the text `buf.toString()`). A body that a JSON parser already
 * turned into an object can't be verified (re-serialised JSON is not what was signed): that is
 * answered 500 with RECEIVER_ERR_BODY_NOT_RAW, whose message says which of these to use, so the
 * sender retries once it is fixed. A compressed body (`content-encoding` gzip, deflate, br) is
 * decoded: by the adapter when it reads the stream, by body-parser when it ran first. A body over
 * `maxBodyBytes` is answered 413 either way, whatever limit a parser that ran first has.
 */
export function expressReceiver(receiver: AnyReceiver, options?: AdapterOptions): (request: ExpressLikeRequest, response: ServerResponse) => void {
  const target = checkReceiver(receiver, 'expressReceiver()');
  const maxBodyBytes = checkMaxBodyBytes(options, 'expressReceiver()');
  return (request, response) => {
    // Mounted with app.use() or app.all(), it sees every method: answered as createNodeHandler does.
    if (refuseNonPost(request, response)) return;
    const parsed = request.body;
    // A Proxy left as the body is no bytes (a revoked one throws on every probe): the receiver
    // refuses it 500 RECEIVER_ERR_BODY_NOT_RAW with the fix, rather than Express answering its own 500.
    const proxied = types.isProxy(parsed) ? parsed : !isBytes(parsed) && types.isProxy(request.rawBody) ? request.rawBody : undefined;
    if (proxied !== undefined) {
      void target.handle({ headers: request.headers, body: proxied as never }).then((answer) => writeAnswer(response, answer));
      return;
    }
    // req.rawBody is also where the widespread `express.json({ verify: (req, res, buf) => { req.rawBody
    // = buf.toString() } })` leaves the body, as text: it is the bytes decoded as UTF-8, which is
    // what Standard Webhooks verifies, so it is taken like the bytes themselves.
    const rawBody = isBytes(request.rawBody) || typeof request.rawBody === 'string' ? request.rawBody : undefined;
    const given = isBytes(parsed) ? parsed : rawBody ?? (typeof parsed === 'string' ? parsed : undefined);
    if (given !== undefined) {
      // The parser read the body under a limit of its own (often an app-wide '10mb'): the adapter's
      // cap still holds on its route, so no larger body reaches the verifier and the JSON parser.
      const size = typeof given === 'string' ? Buffer.byteLength(given) : given.byteLength;
      if (size > maxBodyBytes) {
        writeAnswer(response, target.refuse(bodyTooLarge(size, maxBodyBytes), request.headers));
        return;
      }
      // A body parser (body-parser, so express.raw/json/text) decodes gzip, deflate and br itself, or
      // refuses the request: the bytes it left are the decoded ones, whatever content-encoding says.
      const headers = withoutContentEncoding(request.headers);
      const body = typeof parsed === 'string' && given === parsed ? textParserBody(target, headers, parsed) : given;
      if (body instanceof ReceiverError) {
        writeAnswer(response, target.refuse(body, headers));
        return;
      }
      void target.handle({ headers, body }).then((answer) => writeAnswer(response, answer));
      return;
    }
    // Read and left nothing (a middleware that drained the stream) goes on to readRawBody(), which
    // says the body was already read: "reached the receiver as undefined … a JSON body parser ran
    // first" named neither.
    if (request.readableEnded && parsed !== undefined) {
      // A parser read the stream and left something other than bytes (an object, most often):
      // let the receiver refuse it with the fix in the message.
      void target.handle({ headers: request.headers, body: parsed as never }).then((answer) => writeAnswer(response, answer));
      return;
    }
    receiveFromStream(target, request, response, maxBodyBytes);
  };
}

/**
 * Bytes a parser (or a middleware) left: a Buffer or a Uint8Array, read by its internal slot — one
 * made in another realm (a vm context) is bytes too, where instanceof said it was not.
 */
const isBytes = (value: unknown): value is Buffer | Uint8Array => types.isUint8Array(value);

/**
 * The bytes behind text a text parser left in `req.body` (`express.text()` given every type), as far
 * as they can be had back. body-parser decodes the bytes with the charset the content-type names
 * (UTF-8 if none) and drops a leading byte order mark, so the text is the bytes signed only when
 * neither happened. When the text as given does not verify: a UTF-8 body is tried with the byte
 * order mark it may have lost (a .NET writer puts one first); one decoded from another charset is
 * refused RECEIVER_ERR_BODY_NOT_RAW with the fix — it was refused 401, blaming the secret, when
 * it was the parser's decoding that changed the bytes.
 */
function textParserBody(receiver: AnyReceiver, headers: IncomingHttpHeaders, text: string): string | ReceiverError {
  const verifies = (body: string) => {
    try {
      receiver.verify({ headers, body });
      return true;
    } catch (error) {
      // Only the signature is in question here; any other refusal is the receiver's to answer.
      return !isReceiverError(error, 'RECEIVER_ERR_BAD_SIGNATURE');
    }
  };
  if (verifies(text)) return text;
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(String(headers['content-type'] ?? ''))?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    return new ReceiverError(
      'RECEIVER_ERR_BODY_NOT_RAW',
      `the body reached expressReceiver() as text a body parser (express.text()) decoded from ${charset}, as its content-type says, and the bytes that were signed can't be had back from that text; give the adapter the bytes: express.raw({ type: '*/*' }) on its route, or mount it before any body parser`,
    );
  }
  const withMark = `\ufeff${text}`;
  return verifies(withMark) ? withMark : text;
}

/**
 * A `verify` callback for `express.json()` (and the other body-parser parsers) that keeps the raw
 * bytes in `req.rawBody`, where {@link expressReceiver} finds them — for apps whose JSON parser
 * must run before the webhook route:
 *
 * ```ts
 * app.use(express.json({ verify: captureRawBody, limit: DEFAULT_MAX_BODY_BYTES }));
 * app.post('/webhooks', expressReceiver(receiver));
 * ```
 *
 * body-parser then answers its own errors before the adapter runs (a 413 past its `limit`, 100 kB
 * unless given, where hookwork's bodies go up to 1 MiB + 16 KiB, `DEFAULT_MAX_BODY_BYTES`; a 400
 * for a bare `null` in strict mode).
 */
export function captureRawBody(request: IncomingMessage, _response: ServerResponse, buffer: Buffer): void {
  (request as ExpressLikeRequest).rawBody = buffer;
}
