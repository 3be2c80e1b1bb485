import { CREDENTIAL_HEADERS, FRAMEWORK_HEADERS, SIGNATURE_HEADERS } from '../model/framework-headers';
import { maskUrlCredentials } from '../model/url-credentials';
import { REDACTED, type Webhook } from '../model/webhook';
import { headerNameProblem } from '../model/wire-rules';
import type { SettingsAccessor } from '../settings/settings';
import { setOwn } from '../runtime/own-property';

/** Request headers the log always redacts: the signature, and credentials a hook may have added. */
const ALWAYS_REDACTED: ReadonlySet<string> = new Set([SIGNATURE_HEADERS.signature, ...CREDENTIAL_HEADERS]);

/**
 * Response headers the log redacts: what a receiver hands back as a credential — a session
 * cookie (`set-cookie`), the next-nonce or mutual-auth data of RFC 7615 (`authentication-info`,
 * `proxy-authentication-info`). `www-authenticate` is a challenge, not a secret: kept.
 */
const RESPONSE_REDACTED: ReadonlySet<string> = new Set(['set-cookie', 'authentication-info', 'proxy-authentication-info']);

/**
 * Request headers whose values hookwork itself sets, or its HTTP clients add, on every request:
 * the log keeps them. (The event and retry-count headers, whose names are settings, too.)
 */
const HOOKWORK_SET: ReadonlySet<string> = new Set([...FRAMEWORK_HEADERS.filter((name) => name !== SIGNATURE_HEADERS.signature), 'accept', 'accept-encoding', 'traceparent']);

/** Why a request header name cannot be listed in `delivery.loggedHeaders`, if it cannot. */
export function loggedHeaderProblem(name: unknown): string | undefined {
  const problem = headerNameProblem(name);
  if (problem) return problem;
  const lower = (name as string).toLowerCase();
  if (ALWAYS_REDACTED.has(lower)) return `is always redacted in the log (it carries a credential or the signature); remove it from the list`;
  return undefined;
}

/**
 * Which request header values the delivery log keeps, which it redacts. The log records the
 * headers as they went out, axios' interceptors' and the before-send hook's included, and keeps
 * the value of a header only when hookwork knows what it is: one hookwork sets
 * ({@link HOOKWORK_SET}, the event and retry-count headers), one of the webhook's own headers
 * that is not marked sensitive, or one the host lists in `delivery.loggedHeaders`. Any other
 * header — an interceptor's `x-api-key`, a hook's token — is logged by name with its value
 * `[redacted]`: hookwork cannot tell a trace id from a credential, and a credential in the log
 * is readable by whoever reads the log. The signature, Authorization, Proxy-Authorization and
 * Cookie are redacted whatever the lists say.
 */
export class RequestHeaderLog {
  private readonly hostListed: ReadonlySet<string>;
  private readonly webhookNames = new WeakMap<object, HeaderNames>();

  constructor(
    private readonly settings: SettingsAccessor,
    loggedHeaders: readonly string[] = [],
  ) {
    this.hostListed = new Set(loggedHeaders.map((name) => name.toLowerCase()));
  }

  /** `headers` as the log keeps them for an attempt to `webhook`. */
  redact(headers: Record<string, string>, webhook: Pick<Webhook, 'headers' | 'sensitiveHeaders'>): Record<string, string> {
    const { event, retryCount } = this.settings.current.headers;
    const eventHeader = event.toLowerCase();
    const retryCountHeader = retryCount.toLowerCase();
    const names = this.namesOf(webhook);
    // A copy made at once (a spread copies the record's shape and values), then the values
    // redacted written over: adding each of a dozen headers by name cost about twice as much.
    const result: Record<string, string> = { ...headers };
    for (const name of Object.keys(headers)) {
      const lower = name.toLowerCase();
      const known = HOOKWORK_SET.has(lower) || lower === eventHeader || lower === retryCountHeader || names.own.has(lower) || this.hostListed.has(lower);
      if (!known || ALWAYS_REDACTED.has(lower) || names.sensitive.has(lower)) setOwn(result, name, REDACTED);
    }
    return result;
  }

  /** A webhook's header names and sensitive ones, lower case; made once per webhook object (a few per app, an attempt each time). */
  private namesOf(webhook: Pick<Webhook, 'headers' | 'sensitiveHeaders'>): HeaderNames {
    let names = this.webhookNames.get(webhook);
    if (!names) {
      names = { own: new Set(Object.keys(webhook.headers).map((name) => name.toLowerCase())), sensitive: new Set(webhook.sensitiveHeaders.map((name) => name.toLowerCase())) };
      this.webhookNames.set(webhook, names);
    }
    return names;
  }
}

interface HeaderNames {
  own: ReadonlySet<string>;
  sensitive: ReadonlySet<string>;
}

/** Response headers holding a URL, which may carry credentials (a redirect to `https://user:password@host/`). */
const RESPONSE_URLS: ReadonlySet<string> = new Set(['location', 'content-location']);

/**
 * A response's headers as the delivery log and a test send's result keep them: a receiver's
 * credentials (`set-cookie`, `authentication-info`, `proxy-authentication-info`) redacted, as
 * the request's Cookie is — whoever reads the log could otherwise take over the session the
 * receiver opened for hookwork — and the credentials of a URL in `location` or
 * `content-location` masked (`https://***@host/…`).
 */
export function redactResponseHeaders(headers: Record<string, string>): Record<string, string> {
  let result: Record<string, string> | undefined;
  for (const name of Object.keys(headers)) {
    const lower = name.toLowerCase();
    let shown: string | undefined;
    if (RESPONSE_REDACTED.has(lower)) shown = REDACTED;
    else if (RESPONSE_URLS.has(lower)) shown = maskLocationCredentials(headers[name]!);
    if (shown === undefined || shown === headers[name]) continue;
    // Copied only when something changes: most responses carry none of these.
    // A spread, not Object.assign: it copies a `__proto__` header as the header it is.
    result ??= { ...headers };
    result[name] = shown;
  }
  return result ?? headers;
}

/** A Location's credentials masked; a scheme-relative one (`//user:pw@host/`) as well, which a client reads with the request's scheme. */
function maskLocationCredentials(value: string): string {
  return /^[/\\]{2}/.test(value) ? maskUrlCredentials(`http:${value}`).slice('http:'.length) : maskUrlCredentials(value);
}

/** Shorter values are not looked for in other text: replacing `1` or `yes` would garble it, and they are no credential. */
const MIN_ECHOED_LENGTH = 8;

/**
 * `text` (a response body) with the request's header values that the log redacted replaced by
 * `[redacted]` wherever it repeats them: echo services (httpbin's `/anything`, Postman Echo,
 * many test receivers) answer with the request's headers, and the log would keep in the body
 * what it redacted in the headers. `sent` are the headers as they went out, `logged` as the log
 * keeps them. A value is looked for whole, without an auth scheme (`Bearer …`), and as a JSON
 * string holds it; values shorter than 8 characters are not (replacing them would garble text).
 */
export function withoutEchoes(text: string, sent: Record<string, string>, logged: Record<string, string>): string {
  // Most receivers answer `ok` or nothing: no work at all then.
  if (text.length < MIN_ECHOED_LENGTH) return text;
  let result = text;
  for (const value of redactedValues(sent, logged)) if (result.includes(value)) result = result.split(value).join(REDACTED);
  return result;
}

/** The forms of the redacted values {@link withoutEchoes} looks for, longest first (a value is replaced before a part of it). */
function redactedValues(sent: Record<string, string>, logged: Record<string, string>): string[] {
  const values = new Set<string>();
  for (const name of Object.keys(sent)) {
    const value = sent[name]!;
    if (logged[name] !== REDACTED || value === REDACTED) continue;
    const credential = /^[A-Za-z][\w.-]* +(\S.*)$/.exec(value)?.[1];
    for (const form of [value, credential]) {
      if (form === undefined || form.length < MIN_ECHOED_LENGTH) continue;
      values.add(form);
      values.add(JSON.stringify(form).slice(1, -1));
    }
  }
  return [...values].sort((a, b) => b.length - a.length);
}
