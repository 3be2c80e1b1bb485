/**
 * `text` with the credentials of a URL in it masked — everything between `//` and the last `@` of
 * the authority (user and password alike) becomes `***` — for a message, a log line or a banner
 * that names a connection string or a URL given as input: `redis://:s3cret@host:6379` →
 * `redis://***@host:6379`, `postgres://app:p@ss@db/x` → `postgres://***@db/x`. It works on text
 * that does not parse as a URL too (the input being refused is shown), and leaves text without
 * credentials as it is. The authority ends at the first `/`, `?`, `#` or white space, as URL parsers
 * (node-postgres, ioredis, WHATWG URL) read it.
 */
export function maskUrlCredentials(text: string): string {
  return text.replace(/\/\/[^/?#\s]*@/g, '//***@');
}
