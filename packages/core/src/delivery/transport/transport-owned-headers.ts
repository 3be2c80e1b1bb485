import { CONNECTION_HEADERS } from '../../model/framework-headers';

/**
 * Request headers the transport writes itself, or that change how the connection or the body's
 * framing is read: the Host from the URL, the Content-Length of the signed bytes, the connection
 * handling. Set by a webhook or a before-send hook they either desynchronise the connection
 * (a Content-Length short of the body: the rest reads as a second request; Transfer-Encoding next
 * to Content-Length: the request-smuggling shape), send the request to another virtual host than
 * the URL's (Host), or cannot be sent at all (a Trailer, Expect or Upgrade the request does not
 * honour) — and axios and undici each did something different with them. Neither transport sends
 * them: an attempt that carries one fails with kind `invalid`, not retried.
 */
export const TRANSPORT_OWNED_HEADERS: ReadonlySet<string> = new Set(['host', 'content-length', ...CONNECTION_HEADERS]);

/**
 * What in `headers` the transport cannot send as given, or undefined: a name in
 * {@link TRANSPORT_OWNED_HEADERS} (in any case), or two names that differ only in case (axios
 * merges them and sends one, undici sends both: the log could not say what went out).
 * `except` names (lower case) are left out of the duplicate check (the signature headers, which
 * the attempt replaces whatever their case).
 */
export function transportOwnedHeaderProblem(headers: Readonly<Record<string, unknown>>, except?: ReadonlySet<string>): string | undefined {
  let mixedCase = false;
  for (const name of Object.keys(headers)) {
    const lower = name.toLowerCase();
    if (TRANSPORT_OWNED_HEADERS.has(lower)) return `header ${name} is the transport's own (it writes the Host, the body's length and the connection handling itself; a ${name} of another's would send another request than the one logged and signed), so it may not be set`;
    if (lower !== name) mixedCase = true;
  }
  // Names all in lower case (hookwork's own headers, at every attempt without a hook) cannot
  // repeat: no set is made for them.
  if (!mixedCase) return undefined;
  const seen = new Set<string>();
  for (const name of Object.keys(headers)) {
    const lower = name.toLowerCase();
    if (except?.has(lower)) continue;
    if (seen.has(lower)) return `header ${lower} is set twice under names that differ only in case (HTTP clients send one or both: the log could not say which went out)`;
    seen.add(lower);
  }
  return undefined;
}

/**
 * The refusal of a request a transport cannot send as given (see {@link transportOwnedHeaderProblem}):
 * the transports report it as a failure of kind `invalid`, not retried.
 */
export class UnsendableHeaderError extends Error {
  override readonly name = 'UnsendableHeaderError';
}
