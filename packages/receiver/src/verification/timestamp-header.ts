import { sentRepeatedly, shortValue } from '../headers';

/**
 * How a `webhook-timestamp` header reads: its Unix seconds, or why it is not Standard Webhooks'
 * integer seconds.
 */
export type TimestampReading = { seconds: number } | { why: string };

/**
 * A number in exponent form (`1.7e9`, `+1e3`). Written so that each digit has one place to match:
 * `\d+\.?\d*` let two runs of digits share them, and a long run of digits with no `e` after it —
 * a header the sender controls, read before any signature is checked — was tried every way it can
 * be split: 16 KiB of digits (Node's whole header limit) held the event loop 0.15 s, 64 KiB 2.3 s.
 * The retry count's reader uses it too.
 */
export const EXPONENT_FORM = /^[+-]?(\d+(\.\d*)?|\.\d+)e[+-]?\d+$/i;

/**
 * Reads a `webhook-timestamp` header the one way every path of the kit does (signed or unsigned,
 * whichever adapter): surrounding whitespace dropped, as HTTP drops it on the wire, then plain
 * decimal digits, no sign, no leading zero, up to 12 of them.
 *
 * Only that form is accepted because the signed content is `id.timestamp.body` with the header
 * text as sent, while the `standardwebhooks` package (like the other reference libraries) verifies
 * against the number it reads, written back in decimal: `01733040000` or `+1733040000` would be
 * checked against a signature over `1733040000` — a different text from the one in the header. A
 * sender that signed its header text could never be verified, and blaming the secret would send
 * its team the wrong way; one that signed the number sends a header no other receiver must accept.
 */
export function readTimestampHeader(header: string): TimestampReading {
  const text = header.trim();
  if (/^(0|[1-9]\d{0,11})$/.test(text)) return { seconds: Number(text) };
  // Date.now() where Math.floor(Date.now() / 1000) belongs is the usual slip of a hand-written sender.
  if (/^[1-9]\d{12}$/.test(text)) return { why: 'it has 13 digits, milliseconds — Standard Webhooks sends seconds (Math.floor(Date.now() / 1000)); the sender must fix it' };
  if (/^\d+(\s*,\s*\d+)+$/.test(text)) return { why: sentRepeatedly(text) };
  const form = /^0\d+$/.test(text)
    ? 'it has a leading zero'
    : /^[+-]\d+$/.test(text)
      ? `it has a ${text[0] === '+' ? 'plus' : 'minus'} sign`
      : EXPONENT_FORM.test(text)
        ? 'it is in exponent form'
        : /^[+-]?\d*\.\d+$|^[+-]?\d+\.$/.test(text)
          ? 'it has a fraction'
          : /^\d+(\s+\d+)+$/.test(text)
            ? 'it has spaces between its digits'
            : /^\d{13,}$/.test(text)
              ? `it has ${text.length} digits`
              : /[A-Za-z:-]/.test(text) && /\d{4}/.test(text) && !Number.isNaN(Date.parse(text))
                ? 'it is a date written out (ISO 8601 or an HTTP date), not Unix seconds'
                : '';
  // Anything else (`abc`, `NaN`, `undefined` from a sender's bug) is shown as sent: a timestamp is no secret.
  if (!form) return { why: `it is ${shortValue(text)}, and Standard Webhooks sends integer seconds as plain digits (String(Math.floor(Date.now() / 1000))); the sender must fix it` };
  return {
    why: `${form}, and Standard Webhooks sends integer seconds as plain digits (String(Math.floor(Date.now() / 1000))). The signature covers the header as sent and verifiers read the number, so no receiver can verify it as it is; the sender must fix it`,
  };
}
