import { createHmac, randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/** A fresh `whsec_` secret, as a sender generates one. */
export const newSecret = (): string => `whsec_${randomBytes(24).toString('base64')}`;

let sequence = 0;
/** A webhook-id no other test uses. */
export const newId = (): string => `msg_test_${process.pid}_${++sequence}`;

/** What {@link signedRequest} makes. */
export interface SignedRequestInput {
  /** Secrets that sign (one `v1,` signature each); none: no webhook-signature header. */
  secrets?: readonly string[];
  id?: string;
  alias?: string;
  payload?: unknown;
  /** The body as sent; default: JSON of `payload`. */
  body?: string;
  /** Signing time, seconds; default: now. */
  timestamp?: number;
  style?: 'hookwork' | 'umbraco';
  retryCount?: number;
  test?: boolean;
}

/**
 * Headers and body of a request as a Standard Webhooks sender (hookwork) makes them, signed with
 * the `standardwebhooks` package — the receiver must accept what the reference signer signs.
 */
export function signedRequest(input: SignedRequestInput = {}): { headers: Record<string, string>; body: string; id: string } {
  const id = input.id ?? newId();
  const body = input.body ?? JSON.stringify(input.payload ?? { id: 'doc-1' });
  const timestamp = input.timestamp ?? Math.floor(Date.now() / 1000);
  const umbraco = input.style === 'umbraco';
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    [umbraco ? 'umb-webhook-event' : 'hookwork-event']: input.alias ?? 'Umbraco.ContentPublish',
    [umbraco ? 'umb-webhook-retrycount' : 'hookwork-retry-count']: String(input.retryCount ?? 0),
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
  };
  const secrets = input.secrets ?? [];
  if (secrets.length > 0) headers['webhook-signature'] = secrets.map((s) => new Webhook(s).sign(id, new Date(timestamp * 1000), body)).join(' ');
  if (input.test) headers['hookwork-test'] = 'true';
  return { headers, body, id };
}

/**
 * A request signed as the specification words it — HMAC-SHA256 of `id.timestamp.body` with the
 * timestamp header's text as sent — for timestamps the reference library can't be made to sign
 * (`01733040000`, `+1733040000`): it writes back the number it reads.
 */
export function signedOverText(secret: string, timestampText: string, body = '{"id":"doc-1"}'): { headers: Record<string, string>; body: string; id: string } {
  const request = signedRequest({ body });
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const signature = createHmac('sha256', key).update(`${request.id}.${timestampText}.${body}`).digest('base64');
  return { ...request, headers: { ...request.headers, 'webhook-timestamp': timestampText, 'webhook-signature': `v1,${signature}` } };
}
