/**
 * A webhook URL as hookwork's logger shows it: scheme, host and port, and `/…` for a path or
 * query, which are dropped with any credentials. A webhook URL's path or query is often its
 * secret — Slack's `/services/T…/B…/<token>`, Discord's `/api/webhooks/<id>/<token>`, a
 * `?token=` — and whoever reads the logs could post to the endpoint with it. A log line names the
 * webhook by key, which finds the whole URL (`app.webhooks.get(key)`).
 */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const bare = (parsed.pathname === '/' || parsed.pathname === '') && parsed.search === '';
    return `${parsed.protocol}//${parsed.host}/${bare ? '' : '…'}`;
  } catch {
    return '(not a URL)';
  }
}

/** An http(s) URL in a line of text, up to white space or a quote. */
const URL_IN_TEXT = /\bhttps?:\/\/[^\s"'<>]+/gi;

/**
 * `text` with every http(s) URL in it shown as {@link redactedUrl} shows it: for a message that
 * quotes URLs (`HTTP 301: redirect to https://hooks.example.com/services/…/<token> not followed`)
 * and leaves the process.
 */
export function redactUrlsIn(text: string): string {
  return text.replace(URL_IN_TEXT, (url) => redactedUrl(url));
}
