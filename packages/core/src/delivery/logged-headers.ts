import { SIGNATURE_HEADERS } from '../model/framework-headers';
import { REDACTED } from '../model/webhook';

/** Request headers the log always redacts: the signature, and credentials a hook may have added. */
const ALWAYS_REDACTED: ReadonlySet<string> = new Set([SIGNATURE_HEADERS.signature, 'authorization', 'proxy-authorization', 'cookie']);

/**
 * Response headers the log redacts: what a receiver hands back as a credential — a session
 * cookie (`set-cookie`), the next-nonce or mutual-auth data of RFC 7615 (`authentication-info`,
 * `proxy-authentication-info`). `www-authenticate` is a challenge, not a secret: kept.
 */
const RESPONSE_REDACTED: ReadonlySet<string> = new Set(['set-cookie', 'authentication-info', 'proxy-authentication-info']);

/**
 * The headers as the delivery log keeps them: the signature and the webhook's sensitive
 * headers (and any Authorization / Proxy-Authorization / Cookie a hook added) redacted.
 */
export function redactHeaders(headers: Record<string, string>, sensitive: readonly string[]): Record<string, string> {
  const result: Record<string, string> = {};
  for (const name of Object.keys(headers)) {
    const lower = name.toLowerCase();
    result[name] = ALWAYS_REDACTED.has(lower) || (sensitive.length > 0 && sensitive.some((s) => s.toLowerCase() === lower)) ? REDACTED : headers[name]!;
  }
  return result;
}

/**
 * A response's headers as the delivery log and a test send's result keep them: a receiver's
 * credentials (`set-cookie`, `authentication-info`, `proxy-authentication-info`) redacted, as
 * the request's Cookie is — whoever reads the log could otherwise take over the session the
 * receiver opened for hookwork.
 */
export function redactResponseHeaders(headers: Record<string, string>): Record<string, string> {
  let result: Record<string, string> | undefined;
  for (const name of Object.keys(headers)) {
    if (!RESPONSE_REDACTED.has(name.toLowerCase())) continue;
    // Copied only when something is redacted: most responses carry none of these.
    result ??= Object.assign({}, headers);
    result[name] = REDACTED;
  }
  return result ?? headers;
}
