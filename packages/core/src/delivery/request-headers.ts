import { FRAMEWORK_HEADER_SET, SIGNATURE_HEADERS, TEST_EVENT_HEADER } from '../model/framework-headers';
import type { HookworkSettings } from '../settings/settings';
import type { Webhook } from '../model/webhook';
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
  // TEST_EVENT_HEADER and the CloudEvents attributes too: a custom header stored before they
  // were reserved must not fake a test or an attribute.
  for (const [name, value] of Object.entries(input.webhook.headers)) {
    const lower = name.toLowerCase();
    if (!FRAMEWORK_HEADER_SET.has(lower)) result[lower] = value;
  }
  result['content-type'] = 'application/json';
  result['user-agent'] = headers.userAgent;
  result[headers.event.toLowerCase()] = input.eventAlias;
  result[headers.retryCount.toLowerCase()] = String(input.retryCount);
  if (input.test) result[TEST_EVENT_HEADER] = 'true';
  return result;
}

/**
 * Adds the Standard Webhooks headers in place, replacing any of their names in any case: `webhook-id` (stable across retries, so receivers
 * can deduplicate) and `webhook-timestamp` (now, in seconds) always, and `webhook-signature`
 * (one `v1,` signature per active secret or its key bytes, over the final body) when the webhook
 * has secrets.
 */
export function signRequest(headers: Record<string, string>, secrets: readonly (string | Buffer)[], id: string, now: Date, body: Buffer): void {
  // In any case (a before-send hook may have written `Webhook-Signature`): HTTP clients differ on
  // two names that differ only in case (axios sends one, undici both), and these are hookwork's
  // own, applied last. Only when present: a delete turns the object into a slow dictionary for
  // everything after.
  for (const name of Object.keys(headers)) {
    const first = name.charCodeAt(0);
    if ((first === 0x77 || first === 0x57) && SIGNATURE_NAMES.has(name.toLowerCase())) delete headers[name];
  }
  const timestamp = Math.floor(now.getTime() / 1000);
  headers[SIGNATURE_HEADERS.id] = id;
  headers[SIGNATURE_HEADERS.timestamp] = String(timestamp);
  if (secrets.length > 0) headers[SIGNATURE_HEADERS.signature] = signatureHeader(secrets, id, timestamp, body);
}

/** The Standard Webhooks header names (lower case), which {@link signRequest} sets whatever was there. */
export const SIGNATURE_NAMES: ReadonlySet<string> = new Set(Object.values(SIGNATURE_HEADERS));
