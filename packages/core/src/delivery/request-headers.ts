import { FRAMEWORK_HEADERS, SIGNATURE_HEADERS, TEST_EVENT_HEADER } from '../model/framework-headers';
import type { HookworkSettings } from '../settings/settings';
import { REDACTED, type Webhook } from '../model/webhook';
import { signatureHeader } from './signing';

/** What the headers of one attempt are made from. */
export interface HeaderInput {
  webhook: Pick<Webhook, 'headers'>;
  eventAlias: string;
  retryCount: number;
  settings: Pick<HookworkSettings, 'headers'>;
  /** True for a test send: adds {@link TEST_EVENT_HEADER}. */
  test?: boolean;
}

/**
 * The headers of one attempt before signing: the webhook's custom headers first, then the
 * framework's, so a custom header can never override (and so never break) what hookwork sends
 * — Umbraco fails every attempt when a custom header sets Content-Type. Names are lower case.
 */
export function buildRequestHeaders(input: HeaderInput): Record<string, string> {
  const { headers } = input.settings;
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.webhook.headers)) result[name.toLowerCase()] = value;
  // TEST_EVENT_HEADER and the CloudEvents attributes too: a custom header stored before they
  // were reserved must not fake a test or an attribute.
  for (const reserved of FRAMEWORK_HEADERS) delete result[reserved];
  result['content-type'] = 'application/json';
  result['user-agent'] = headers.userAgent;
  result[headers.event.toLowerCase()] = input.eventAlias;
  result[headers.retryCount.toLowerCase()] = String(input.retryCount);
  if (input.test) result[TEST_EVENT_HEADER] = 'true';
  return result;
}

/** The secrets of a webhook that sign now: those without an expiry, or expiring later. */
export function activeSecrets(webhook: Pick<Webhook, 'secrets'>, now: Date): string[] {
  return webhook.secrets.filter((s) => !s.expiresAt || s.expiresAt.getTime() > now.getTime()).map((s) => s.secret);
}

/**
 * Adds the Standard Webhooks headers in place: `webhook-id` (stable across retries, so receivers
 * can deduplicate) and `webhook-timestamp` (now, in seconds) always, and `webhook-signature`
 * (one `v1,` signature per active secret, over the final body) when the webhook has secrets.
 */
export function signRequest(headers: Record<string, string>, secrets: readonly string[], id: string, now: Date, body: Buffer): void {
  for (const name of Object.values(SIGNATURE_HEADERS)) delete headers[name];
  const timestamp = Math.floor(now.getTime() / 1000);
  headers[SIGNATURE_HEADERS.id] = id;
  headers[SIGNATURE_HEADERS.timestamp] = String(timestamp);
  if (secrets.length > 0) headers[SIGNATURE_HEADERS.signature] = signatureHeader(secrets, id, timestamp, body);
}

/**
 * The headers as the delivery log keeps them: the signature and the webhook's sensitive
 * headers (and any Authorization / Proxy-Authorization / Cookie a hook added) redacted.
 */
export function redactHeaders(headers: Record<string, string>, sensitive: readonly string[]): Record<string, string> {
  const hidden = new Set([SIGNATURE_HEADERS.signature, 'authorization', 'proxy-authorization', 'cookie', ...sensitive.map((s) => s.toLowerCase())]);
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) result[name] = hidden.has(name.toLowerCase()) ? REDACTED : value;
  return result;
}
