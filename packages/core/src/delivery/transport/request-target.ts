import { maskUrlCredentials } from '../../model/url-credentials';

/**
 * The URL a built-in transport sends to, or why it sends nothing: both read a request's URL the
 * same way — absolute, and without credentials. axios sent a URL's `user:password@` as Basic
 * authorization (and logged it among the request headers), undici dropped it silently. The app
 * refuses such a URL before an attempt reaches a transport (docs/delivery.md); a host that calls a
 * transport itself meets this refusal. A message never shows the credentials.
 */
export function requestTarget(href: string): URL | string {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return `${maskUrlCredentials(href)} is not an absolute URL`;
  }
  if (url.username || url.password) {
    return `not sent: ${maskUrlCredentials(href)} holds credentials (user:password@), which a transport never sends from a URL (axios sent them as Basic authorization, undici dropped them); send them in a header such as Authorization`;
  }
  return url;
}
