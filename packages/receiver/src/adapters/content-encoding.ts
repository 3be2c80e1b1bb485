import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate, inflateRaw, type ZlibOptions } from 'node:zlib';
import { ReceiverError } from '../errors/receiver-error';
import { shownCodings } from '../headers';

const inflateWrapped = promisify(inflate);
const inflateBare = promisify(inflateRaw);

const decoders: Record<string, (body: Buffer, options: ZlibOptions) => Promise<Buffer>> = {
  gzip: promisify(gunzip),
  // RFC 9110 §8.4.1.3: a recipient should read x-gzip as gzip.
  'x-gzip': promisify(gunzip),
  // HTTP's deflate is zlib-wrapped (RFC 1950), but some senders send the raw stream: its first two
  // bytes tell which (a zlib header is method 8 and a multiple of 31).
  deflate: (body, options) => (body.length >= 2 && (body[0]! & 0x0f) === 8 && ((body[0]! << 8) | body[1]!) % 31 === 0 ? inflateWrapped(body, options) : inflateBare(body, options)),
  br: promisify(brotliDecompress),
};

/** The content codings the adapters decode, as `content-encoding` names them. */
export const DECODED_ENCODINGS: readonly string[] = Object.freeze(Object.keys(decoders));

/**
 * A body as the sender signed it: undone from each of `codings` (its `content-encoding` header as
 * contentCodings() reads it: gzip, deflate, br — a proxy or the sender compressed it on the way), last applied first.
 * Standard Webhooks signs the payload, not its transfer form, so the decoded bytes are verified.
 * Each step is capped at `maxBytes` of output, so a small compressed body can't expand into memory
 * (a "zip bomb").
 *
 * @throws ReceiverError RECEIVER_ERR_UNSUPPORTED_ENCODING (415) for a coding it does not decode,
 *   RECEIVER_ERR_BAD_ENCODING (400) for a body that does not decode as its header says,
 *   RECEIVER_ERR_BODY_TOO_LARGE (413) for one that decodes to more than `maxBytes`.
 */
export async function decodeContentEncoding(body: Buffer, codings: readonly string[], maxBytes: number): Promise<Buffer> {
  const unknown = codings.find((coding) => !Object.prototype.hasOwnProperty.call(decoders, coding));
  if (unknown !== undefined) {
    throw new ReceiverError(
      'RECEIVER_ERR_UNSUPPORTED_ENCODING',
      `the body is sent with content-encoding: ${shownCodings(codings)}, and the receiver decodes only ${DECODED_ENCODINGS.join(', ')}; have the sender (or the proxy in between) send it uncompressed or in one of those`,
    );
  }
  // An empty body has nothing to decode (body-parser skips it too): it is received as the empty body it is.
  if (body.length === 0) return body;
  let decoded = body;
  for (const coding of [...codings].reverse()) {
    try {
      decoded = await decoders[coding]!(decoded, { maxOutputLength: maxBytes });
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new ReceiverError('RECEIVER_ERR_BODY_TOO_LARGE', `the body decoded from ${coding} is more than the ${maxBytes} bytes this receiver accepts; raise maxBodyBytes if the sender's payloads are larger`, { cause: error });
      }
      throw new ReceiverError(
        'RECEIVER_ERR_BAD_ENCODING',
        `the body is not ${coding} data, as its content-encoding: ${shownCodings(codings)} says (${(error as Error)?.message ?? String(error)}): a proxy decoded it and left the header, or the sender labels it wrongly`,
        { cause: error },
      );
    }
  }
  return decoded;
}

/** Headers without `content-encoding`: what the receiver sees once the body is decoded. */
export function withoutContentEncoding<H extends Readonly<Record<string, unknown>>>(headers: H): H {
  const { 'content-encoding': _decoded, ...rest } = headers;
  return rest as unknown as H;
}
