import { ReceiverError } from './errors/receiver-error';

// Fatal: a body that is not UTF-8 is refused rather than read with U+FFFD in place of its bytes.
// The byte order mark is dropped, as RFC 8259 lets a parser do (some .NET writers put one first).
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The JSON value of a request body: UTF-8 (RFC 8259), a leading byte order mark ignored.
 *
 * @param what names the body in the message, e.g. `the body of msg_… (Umbraco.ContentPublish)`.
 * @throws ReceiverError RECEIVER_ERR_INVALID_JSON for an empty body, one that is not UTF-8 or not
 *   JSON. The message says where the JSON breaks but quotes none of the body (V8's own message
 *   quotes its start: it goes to logs and back to the sender), as no receiver message does.
 */
export function parseJsonBody(body: Buffer, what: string): unknown {
  if (body.length === 0) throw new ReceiverError('RECEIVER_ERR_INVALID_JSON', `${what} is empty, not JSON: the sender sent no payload (a request made without its body?) and must send its payload as JSON`);
  let text: string;
  try {
    text = utf8.decode(body);
  } catch (error) {
    throw new ReceiverError('RECEIVER_ERR_INVALID_JSON', `${what} is not UTF-8 text, and JSON is sent as UTF-8 (RFC 8259): the sender encodes it otherwise`, { cause: error });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const detail = String((error as Error)?.message ?? error).replace(/, (?:\.\.\.)?"[\s\S]*"(?:\.\.\.)? is not valid JSON$/, '');
    throw new ReceiverError('RECEIVER_ERR_INVALID_JSON', `${what} is not JSON: ${detail}; the sender must send its payload as JSON`, { cause: error });
  }
}
