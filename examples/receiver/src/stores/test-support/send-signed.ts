import { createHmac } from 'node:crypto';

/** What a receiver answered a {@link signedSender} request: the status, its Retry-After and the JSON body. */
export interface SentAnswer {
  status: number;
  retryAfter: string | null;
  body: { outcome: string; id?: string; error?: { code: string } };
}

/**
 * A sender of Standard Webhooks requests to `url`, signed with the secret `key` (its bytes): each
 * `send(id)` posts a fresh `Umbraco.ContentPublish` with that webhook-id and the time now, as a
 * sender's retry of one request does.
 */
export function signedSender(url: string, key: Buffer): (id: string) => Promise<SentAnswer> {
  return async (id) => {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const body = '{"id":"doc-1"}';
    const signature = `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
    const response = await fetch(url, { method: 'POST', headers: { 'hookwork-event': 'Umbraco.ContentPublish', 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature }, body });
    return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as SentAnswer['body'] };
  };
}
