import { REDACTED } from '../model/webhook';

/**
 * The URL of an attempt as the delivery log keeps it: the URL requested, with the value of every
 * query parameter that is not in the webhook's own URL `[redacted]`
 * (`https://hooks.example.com/in?tenant=blue&token=[redacted]`). Only a `beforeSend` hook adds
 * such parameters, and a hook adds them at send time for the reason it adds an API-key header:
 * a token that is not stored with the webhook — as the log redacts the values of headers it does
 * not know (see RequestHeaderLog). The webhook's own URL, its query included, is kept as the
 * management API shows it.
 */
export function loggedUrl(requested: string, webhookUrl: string): string {
  if (requested === webhookUrl) return requested;
  const query = requested.indexOf('?');
  if (query < 0) return requested;
  // The URL requested is canonical (WHATWG); the webhook's is compared in that form too.
  const own = new Set(queryParts(canonical(webhookUrl)));
  const hash = requested.indexOf('#', query);
  const search = requested.slice(query + 1, hash < 0 ? undefined : hash);
  let changed = false;
  const parts = search.split('&').map((part) => {
    if (part === '' || own.has(part)) return part;
    changed = true;
    const equals = part.indexOf('=');
    return equals < 0 ? REDACTED : `${part.slice(0, equals)}=${REDACTED}`;
  });
  return changed ? `${requested.slice(0, query + 1)}${parts.join('&')}${hash < 0 ? '' : requested.slice(hash)}` : requested;
}

/** The `name=value` parts of a URL's query, as written. */
function queryParts(url: string): string[] {
  const query = url.indexOf('?');
  if (query < 0) return [];
  const hash = url.indexOf('#', query);
  return url.slice(query + 1, hash < 0 ? undefined : hash).split('&');
}

function canonical(url: string): string {
  try {
    return new URL(url).href;
  } catch {
    return url;
  }
}
