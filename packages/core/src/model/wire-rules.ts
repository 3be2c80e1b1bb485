/**
 * What an HTTP/1.1 request can carry unchanged: header names, header values and webhook URLs.
 * Every way a header or URL gets in (the webhook API, plugin shapes, settings, a before-send
 * hook) is checked against these rules, so what is stored, shown, logged and sent is one value:
 * nothing is trimmed, dropped or re-encoded on the way to the wire.
 */

/** A header name: an RFC 9110 token (letters, digits and !#$%&'*+-.^_`|~). */
import { visibleText } from '../errors/visible-text';
import { maskUrlCredentials } from './url-credentials';

export const HEADER_NAME_PATTERN = "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$";

/**
 * A header value hookwork sends: RFC 9110 §5.5 field-content restricted to visible ASCII, space
 * and tab, neither first nor last a space or tab (receivers drop those). obs-text (bytes 0x80–0xFF)
 * is left out: HTTP clients and receivers read it as Latin-1, so UTF-8 text would arrive altered.
 */
export const HEADER_VALUE_PATTERN = '^(?:[\\x21-\\x7E](?:[\\t\\x20-\\x7E]*[\\x21-\\x7E])?)?$';

const headerName = new RegExp(HEADER_NAME_PATTERN);
const headerValue = new RegExp(HEADER_VALUE_PATTERN);
const notInValue = /[^\t\x20-\x7E]/u;

/** The rule and the fix, said once wherever a header value is refused. */
export const HEADER_VALUE_RULE =
  'header values are visible ASCII, space and tab (RFC 9110 §5.5); carry other text percent-encoded (encodeURIComponent) or Base64, or in the body';

/**
 * Control characters, whitespace and invisible characters (zero-width spaces, bidi controls, a
 * byte order mark): a WHATWG URL parser strips or encodes them silently, so the request would
 * differ from what was typed. A lone UTF-16 surrogate too: the parser turns it into U+FFFD
 * (`%EF%BF%BD`), a character that was never typed.
 */
const notInUrl = /[\p{Cc}\p{White_Space}\p{Default_Ignorable_Code_Point}\p{Cs}]/u;

const CHARACTER_NAMES: Readonly<Record<number, string>> = {
  0x00: 'NUL',
  0x09: 'tab',
  0x0a: 'line feed, LF',
  0x0d: 'carriage return, CR',
  0x20: 'space',
  0x7f: 'DEL',
  0xa0: 'no-break space',
  0xad: 'soft hyphen',
  0x200b: 'zero-width space',
  0x2028: 'line separator',
  0xfeff: 'byte order mark',
};

/** `"测" (U+6D4B) at character 1`, or `U+0001 at character 2` for what cannot be shown. */
export function describeAt(text: string, index: number): string {
  const cp = text.codePointAt(index)!;
  const char = String.fromCodePoint(cp);
  const code = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  const name = Object.hasOwn(CHARACTER_NAMES, cp) ? CHARACTER_NAMES[cp] : cp >= 0xd800 && cp <= 0xdfff ? 'a lone UTF-16 surrogate, which UTF-8 turns into U+FFFD' : undefined;
  const visible = !/[\p{Cc}\p{White_Space}\p{Default_Ignorable_Code_Point}\p{Cf}\p{Cs}]/u.test(char);
  const what = visible ? `"${char}" (${code})` : name ? `${code} (${name})` : code;
  return `${what} at character ${[...text.slice(0, index)].length + 1}`;
}

/** The rule of header names, said once wherever one is refused. */
export const HEADER_NAME_RULE = "a header name is letters, digits and !#$%&'*+-.^_`|~ only (an RFC 9110 token)";

/** A character a header name cannot hold: anything but a token character. */
const notInName = /[^!#$%&'*+.^_`|~0-9A-Za-z-]/u;

/**
 * Why `name` cannot be a header name, or undefined when it can. Names the first offending
 * character by code point and position (a CR or LF as header injection) and the rule.
 */
export function headerNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string') return 'is not a string';
  if (headerName.test(name)) return undefined;
  if (name === '') return `is empty; ${HEADER_NAME_RULE}`;
  const bad = notInName.exec(name)!;
  const injection = bad[0] === '\r' || bad[0] === '\n' ? ' (a line break would end the header: header injection)' : '';
  return `contains ${describeAt(name, bad.index)}${injection}; ${HEADER_NAME_RULE}`;
}

/**
 * A field path (`headers.X-Token`) as a message shows it: control, whitespace and invisible
 * characters escaped as JSON does (`headers.X-Tok\r\nen`), so a header name holding a CR or LF
 * never breaks the log line that reports it. `details` keep the field as given.
 */
export function printableField(field: string): string {
  return visibleText(field);
}

/**
 * Why `value` cannot be sent as a header value unchanged, or undefined when it can. Names the
 * first offending character by code point and position, never echoing the value (it may be a
 * credential).
 */
export function headerValueProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (headerValue.test(value)) return undefined;
  const bad = notInValue.exec(value);
  if (bad) {
    const at = describeAt(value, bad.index);
    const injection = value[bad.index] === '\r' || value[bad.index] === '\n' ? ' (a line break would end the header: header injection)' : '';
    return `contains ${at}${injection}; ${HEADER_VALUE_RULE}`;
  }
  const where = value[0] === ' ' || value[0] === '\t' ? 'begins' : 'ends';
  return `${where} with a space or tab, which receivers drop (RFC 9110 §5.5); remove it`;
}

/** The outcome of checking a webhook URL: its canonical form, or every problem found. */
export interface UrlCheck {
  /** The WHATWG URL `href`: what is stored, shown, logged and requested. Absent when refused. */
  href?: string;
  /** What is wrong with the URL, each with its fix (`has a fragment (#…), …; remove it`); empty when accepted. */
  problems: string[];
}

/** The longest URL accepted, in characters of its canonical form. */
export const MAX_URL_LENGTH = 2048;

/**
 * Checks a webhook URL: absolute `http:` or `https:`, no control characters, whitespace or
 * invisible characters anywhere (leading and trailing too: nothing is trimmed), no credentials
 * (they would show in logs), no fragment (never sent). Returns the canonical WHATWG `href`
 * (lower-case scheme and host, punycode for international names, percent-encoded path and
 * query, default port dropped) when the URL is accepted. The rule `webhooks.create()` applies, for
 * a program that takes a webhook URL of its own (a command line's flag) and refuses it up front.
 */
export function checkUrl(url: unknown): UrlCheck {
  const checked = urlProblems(url);
  // A refused URL is quoted in its problems (and they reach logs): never with its credentials.
  return checked.href !== undefined ? checked : { problems: checked.problems.map(maskUrlCredentials) };
}

/** The authority of an absolute URL as typed: its host (an IPv6 literal with its brackets) and its port text. */
const AUTHORITY = /^[a-z][a-z0-9+.-]*:\/\/(?:[^/?#@]*@)?(\[[^\]/?#]*\]?|[^/?#:]*)(?::([^/?#]*))?/i;

/**
 * Why a URL the WHATWG parser refused is no URL, as precisely as the text tells: a port out of
 * range or not a number, a host that is no name or address, or no scheme at all. It said "is not
 * an absolute URL" for each, so `https://example.com:99999/` read as a missing scheme.
 */
function unparsedUrlProblem(url: string): string {
  const authority = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? AUTHORITY.exec(url) : null;
  if (authority) {
    const [, host = '', port] = authority;
    if (port !== undefined && port !== '' && (!/^[0-9]+$/.test(port) || Number(port) > 65535)) {
      return `has the port "${port}", which is not a port number (1 to 65535); give the receiver's port, or leave it out for the scheme's default`;
    }
    if (host.startsWith('[') && !host.endsWith(']')) return `has the host "${host}" without its closing "]"; an IPv6 address is written in brackets, https://[2001:db8::1]:8443/hooks`;
    if (host === '') return 'has no host after "//"; use e.g. https://example.com/hooks';
    return `has the host "${host}", which is neither a host name nor an IP address; use e.g. https://example.com/hooks`;
  }
  return `"${url}" is not an absolute URL; use e.g. https://example.com/hooks`;
}

function urlProblems(url: unknown): UrlCheck {
  if (typeof url !== 'string') return { problems: ['must be a string such as "https://example.com/hooks"'] };
  const bad = notInUrl.exec(url);
  if (bad) {
    return { problems: [`contains ${describeAt(url, bad.index)}; URLs are taken as typed, never trimmed or repaired: remove it, or percent-encode it (a space is %20)`] };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { problems: [unparsedUrlProblem(url)] };
  }
  const problems: string[] = [];
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') problems.push(`scheme ${parsed.protocol} is not allowed; use http: or https:`);
  else if (!/^https?:\/\/[^/\\]/i.test(url)) {
    problems.push(`must be ${parsed.protocol}// and then the host, as typed: a URL parser would repair "${url}" into ${parsed.href}; write that if it is what you meant`);
  } else if (/^[^?#]*\\/.test(url)) {
    problems.push(`has a backslash before the query, which a URL parser reads as "/" (${parsed.href}); write / or percent-encode it as %5C`);
  }
  // A connection to port 0 always fails (ECONNREFUSED, EADDRNOTAVAIL): every request would be retried into a dead letter.
  if (parsed.port === '0') problems.push(`has port 0, which no server listens on; give the receiver's port, or leave it out for ${parsed.protocol === 'https:' ? '443' : '80'}`);
  if (parsed.username || parsed.password) problems.push('must not hold credentials (they would show in logs); send them in a sensitive header such as Authorization');
  if (parsed.hash || parsed.href.endsWith('#')) problems.push('has a fragment (#…), which is never sent to the receiver; remove it');
  if (parsed.href.length > MAX_URL_LENGTH) problems.push(`is ${parsed.href.length} characters once percent-encoded; at most ${MAX_URL_LENGTH}`);
  return problems.length > 0 ? { problems } : { href: parsed.href, problems };
}

/**
 * A redirect's `Location` as the URL to give the webhook instead: decoded (Node reads header
 * bytes as Latin-1, so a UTF-8 Location is decoded back), resolved against the URL requested,
 * in canonical form. Undefined when it is no URL the rules above would accept as typed.
 */
export function redirectTarget(location: string, requested: string | undefined): string | undefined {
  const bytes = Buffer.from(location, 'latin1');
  const utf8 = bytes.toString('utf8');
  const text = Buffer.from(utf8, 'utf8').equals(bytes) ? utf8 : location;
  if (notInUrl.test(text)) return undefined;
  try {
    return new URL(text, requested).href;
  } catch {
    return undefined;
  }
}
