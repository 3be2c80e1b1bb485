/**
 * Where a URL starts in a line of text: its scheme and `//`; for http(s), its scheme and any
 * slashes or backslashes, none included — a WHATWG parser reads `http:user:pw@host/` and
 * `http:\\user:pw@host/` as `http://user:pw@host/`, and a message quotes such input as typed.
 */
const URL_START = /\bhttps?:[/\\]*|[A-Za-z][A-Za-z0-9+.-]*:\/\//gi;

/**
 * `text` with the credentials of a URL in it masked — everything between `//` and the last `@` of
 * the authority (user and password alike) becomes `***` — for a message, a log line or a banner
 * that names a connection string or a URL given as input: `redis://:s3cret@host:6379` →
 * `redis://***@host:6379`, `postgres://app:p@ss@db/x` → `postgres://***@db/x`. It works on text
 * that does not parse as a URL too (the input being refused is shown), and leaves text without
 * credentials as it is. The authority ends at the first `/`, `?`, `#` or white space, as URL parsers
 * (node-postgres, ioredis, WHATWG URL) read it.
 *
 * A password holding one of those characters unencoded (`postgres://app:pa#ss@db/x`,
 * `redis://:a b@host`) is what makes a connection string unparsable, so exactly the input being
 * refused: when the authority reads `user:` followed by something that is not a port, and an `@`
 * comes later, everything up to the last `@` before the next URL (or the end) is masked. A
 * message may then show less than it could, never the password.
 */
export function maskUrlCredentials(text: string): string {
  const urls = [...text.matchAll(URL_START)];
  if (urls.length === 0) return text;
  // Each URL's rest runs from its `scheme://` to the next URL's scheme (or the end).
  let result = text.slice(0, urls[0]!.index);
  urls.forEach((url, i) => {
    const start = url.index! + url[0].length;
    result += url[0] + maskAuthority(text.slice(start, urls[i + 1]?.index ?? text.length));
  });
  return result;
}

/** An HTTP authorization scheme that carries the credential itself, and the credential (RFC 9110 §11.4, token68). */
const AUTHORIZATION_CREDENTIAL = /\b(Bearer|Basic)(\s+)[A-Za-z0-9\-._~+/]+=*/gi;

/**
 * `text` with the credentials in it masked, for a message or log line that quotes text hookwork did
 * not write (a host's or a driver's error): a URL's as {@link maskUrlCredentials} masks them
 * (`redis://user:pass@host` → `redis://***@host`), and an authorization value's credential
 * (`Bearer eyJhb…` → `Bearer ***`, `Basic dXNlcjpwYXNz` → `Basic ***`, in any case). The word after
 * "bearer" or "basic" in prose is masked too: it may show less than it could, never a token.
 */
export function maskCredentials(text: string): string {
  return maskUrlCredentials(text).replace(AUTHORIZATION_CREDENTIAL, '$1$2***');
}

/** `rest` is what follows one `scheme://`, up to the next URL: its credentials masked. */
function maskAuthority(rest: string): string {
  const authority = /^[^/?#\s]*/.exec(rest)![0];
  const at = authority.lastIndexOf('@');
  if (at >= 0) return `***${rest.slice(at)}`;
  // No @ in the authority as parsers cut it; is it `user:password-with-a-cut-character@host`?
  const colon = /^([^:@]*):(.*)$/.exec(authority);
  const last = rest.lastIndexOf('@');
  if (!colon || last < 0 || authority.startsWith('[')) return rest;
  const [, before = '', after = ''] = colon;
  // host:port — a name with a dot (or localhost) before digits — is an authority without credentials.
  const isPort = /^\d*$/.test(after) && (before.includes('.') || /^localhost$/i.test(before));
  return isPort ? rest : `***${rest.slice(last)}`;
}

/**
 * How a connection string (`postgres://…`, `redis://…`) would be read other than as written, or
 * undefined: `'fragment'` when it holds a `#`, `'at-past-host'` when an `@` comes after the `/` or
 * `?` that end its host. Both come of a password with an unencoded `#`, `/` or `?` before its `@`:
 * parsers (WHATWG URL, node-postgres, ioredis) then read the rest of the password as the port,
 * database or query (`postgres://app:2024/pa55@db/app` is host `app`, database `pa55@db/app`), and a
 * message naming those shows it. Several `@` before the host are read as meant (the last ends the
 * user part), and are no fault here.
 */
export function misreadConnectionString(url: string): 'fragment' | 'at-past-host' | undefined {
  if (url.includes('#')) return 'fragment';
  const rest = url.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\//, '');
  const authority = /^[^/?#]*/.exec(rest)![0];
  return rest.slice(authority.length).includes('@') ? 'at-past-host' : undefined;
}
