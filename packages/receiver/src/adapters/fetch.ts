import { ReceiverError } from '../errors/receiver-error';
import { kindOf } from '../option-keys';
import type { AnyReceiver, ReceiverAnswer } from '../receiver';
import { checkMaxBodyBytes, checkReceiver, methodNotAllowed, receiveWireBody, type AdapterOptions } from './adapter-support';
import { bodyTooLarge } from './raw-body';

/**
 * A fetch-style handler — `(request: Request) => Promise<Response>`, as Hono, Next.js route
 * handlers, Bun, Deno and Cloudflare Workers take one — that does for a fetch `Request` what
 * `createNodeHandler` does for a node:http one: reads the raw body with a cap
 * (`maxBodyBytes`, refused 413 by its `content-length` before reading, or as soon as the bytes read
 * pass it), decodes a compressed body (`content-encoding` gzip, deflate, br) to at most as much,
 * lets the receiver handle it and answers with its status. Anything but POST is answered 405.
 *
 * ```ts
 * export const POST = createFetchHandler(receiver);            // Next.js: app/webhooks/route.ts
 * app.post('/webhooks', (c) => handler(c.req.raw));            // Hono: the Request itself, unread
 * ```
 *
 * Reading the body yourself — `new Uint8Array(await request.arrayBuffer())` — reads all of it
 * before anything is verified, however large (most of these platforms set no limit on a route's
 * body), and leaves a compressed one compressed.
 */
export function createFetchHandler(receiver: AnyReceiver, options?: AdapterOptions): (request: Request) => Promise<Response> {
  const target = checkReceiver(receiver, 'createFetchHandler()');
  const maxBodyBytes = checkMaxBodyBytes(options, 'createFetchHandler()');
  return async (request) => {
    if (!isFetchRequest(request)) return toResponse(target.refuse(notARequest(request)));
    if (request.method !== 'POST') return toResponse(methodNotAllowed(request.method));
    const headers: Record<string, string> = {};
    // A fetch Headers iterates lower-case names, a repeated header's values joined with ", ".
    for (const [name, value] of request.headers) headers[name] = value;
    if (request.bodyUsed) {
      return toResponse(
        target.refuse(
          new ReceiverError(
            'RECEIVER_ERR_BODY_NOT_RAW',
            'the Request reached the receiver with its body already read (await request.json() or .text(), c.req.json() in Hono, a middleware that parsed it), so no bytes are left to verify: hand over the request before anything reads its body, or request.clone() before reading it',
          ),
          headers,
        ),
      );
    }
    if (request.body?.locked) {
      // A reader someone holds (request.body.getReader() not released, the body piped elsewhere):
      // reading it threw a TypeError out of the handler, an answer with no code that onError never saw.
      return toResponse(
        target.refuse(
          new ReceiverError(
            'RECEIVER_ERR_BODY_NOT_RAW',
            "the Request reached the receiver with its body locked to a reader (request.body.getReader() not released, or the body piped elsewhere), so the receiver can't read the bytes: hand over the request before anything takes a reader on its body, or request.clone() and read the clone",
          ),
          headers,
        ),
      );
    }
    const declared = Number(headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBodyBytes) return toResponse(target.refuse(bodyTooLarge(declared, maxBodyBytes), headers));
    const body = await readCapped(request, maxBodyBytes);
    if (body === undefined) return toResponse(target.refuse(bodyTooLarge(undefined, maxBodyBytes), headers));
    return toResponse(await receiveWireBody(target, headers, body, maxBodyBytes));
  };
}

/**
 * The body's bytes, or undefined once they pass `maxBytes`. The rest is left unread, not cancelled:
 * the platform discards it with the answer, where a cancel could end the connection before the 413
 * is written (and Node's `Readable.toWeb()`, which some servers build the Request's body with,
 * throws an uncaught exception when the node stream it wraps delivers data after a cancel). The
 * stream's own errors (a client that went away) reject as they are.
 */
async function readCapped(request: Request, maxBytes: number): Promise<Buffer | undefined> {
  if (request.body === null) return Buffer.alloc(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(chunks, length);
    length += value.byteLength;
    if (length > maxBytes) {
      reader.releaseLock();
      return undefined;
    }
    chunks.push(value);
  }
}

/** A {@link ReceiverAnswer} (or the 405) as a fetch `Response`. */
function toResponse(answer: Pick<ReceiverAnswer, 'status' | 'headers' | 'body'>): Response {
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}

function isFetchRequest(value: unknown): value is Request {
  const request = value as Partial<Request> | null | undefined;
  return typeof request?.method === 'string' && typeof request.headers?.get === 'function' && typeof request.arrayBuffer === 'function' && 'bodyUsed' in request;
}

/** The refusal of something other than a fetch Request: Hono's context or its request wrapper, a node:http request. */
function notARequest(given: unknown): ReceiverError {
  const raw = (given as { raw?: unknown; req?: { raw?: unknown } } | null | undefined) ?? undefined;
  const hono = isFetchRequest(raw?.raw) ? ' (it holds one as .raw: pass c.req.raw)' : isFetchRequest(raw?.req?.raw) ? ' (a Hono context: pass c.req.raw)' : '';
  const kind = given === undefined ? 'nothing' : typeof (given as { pipe?: unknown } | null)?.pipe === 'function' ? 'a node:http request (use createNodeHandler for those)' : kindOf(given);
  return new ReceiverError('RECEIVER_ERR_BODY_NOT_RAW', `createFetchHandler()'s handler was given ${kind}${hono}, not a fetch Request; pass the Request the platform gives, unread`);
}
