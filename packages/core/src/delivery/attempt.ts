import { randomUUID } from 'node:crypto';
import type { DeliveryLogEntry, DeliveryOutcome } from '../model/delivery-log-entry';
import type { WebhookRequest } from '../model/webhook-request';
import type { Webhook } from '../model/webhook';
import type { HookworkSettings } from '../settings/settings';
import { toCloudEvent } from './cloud-events';
import type { Transport, TransportResult } from '../ports/transport';
import type { Clock } from '../runtime/clock';
import type { SettingsAccessor } from '../settings/settings';
import type { BeforeSendRequest, DeliveryOptions } from './delivery-options';
import { activeSecrets, buildRequestHeaders, redactHeaders, signRequest } from './request-headers';
import { describeFailure } from './retry-policy';

/** The request of one attempt: what the queue holds, or a test send's example. */
export type AttemptRequest = Pick<WebhookRequest, 'id' | 'webhookKey' | 'eventAlias' | 'body' | 'attempts' | 'createdAt'>;

/**
 * The headers and body of one attempt in the webhook's format, before the before-send hook and
 * signing: the stored body with hookwork's headers, or a CloudEvent (binary: `ce-*` headers;
 * structured: the stored body as `data` of the JSON event). hookwork's event, retry-count and
 * test headers go in every format.
 */
export function formatRequest(request: AttemptRequest, webhook: Pick<Webhook, 'headers' | 'format'>, settings: Pick<HookworkSettings, 'headers'>, test: boolean): { headers: Record<string, string>; body: string } {
  const headers = buildRequestHeaders({ webhook, eventAlias: request.eventAlias, retryCount: request.attempts, settings, test });
  if (webhook.format?.type !== 'cloudevents') return { headers, body: request.body };
  const event = toCloudEvent({ format: webhook.format, id: request.id, type: request.eventAlias, time: request.createdAt, body: request.body });
  return { headers: { ...headers, ...event.headers, 'content-type': event.contentType }, body: event.body };
}

/** One attempt as it went out and what came back. */
export interface AttemptRecord {
  /** The URL requested (after the before-send hook). */
  url: string;
  /** The headers sent, signature included (the log redacts it). */
  headers: Record<string, string>;
  /** The body sent: the exact signed text. */
  body: string;
  result: TransportResult;
  /** When the attempt started. */
  date: Date;
}

/**
 * One delivery attempt: builds the headers, runs the host's before-send hook, signs the final
 * bytes afresh (Standard Webhooks; a new timestamp at every attempt) and sends them through the
 * transport. Never throws: a hook that throws is a failed attempt (`other`).
 */
export class Attempt {
  constructor(
    private readonly transport: Transport,
    private readonly settings: SettingsAccessor,
    private readonly clock: Clock,
    private readonly options: DeliveryOptions,
  ) {}

  /**
   * Makes the attempt. `traceparent`, when given, is sent as the W3C `traceparent` header (after
   * the custom headers, so it wins over one of the same name; the before-send hook sees it).
   */
  async run(request: AttemptRequest, webhook: Webhook, test: boolean, signal?: AbortSignal, traceparent?: string): Promise<AttemptRecord> {
    const settings = this.settings.current;
    const date = this.clock.now();
    const formatted = formatRequest(request, webhook, settings, test);
    if (traceparent) {
      for (const name of Object.keys(formatted.headers)) if (name.toLowerCase() === 'traceparent') delete formatted.headers[name];
      formatted.headers.traceparent = traceparent;
    }
    let outgoing: BeforeSendRequest = { url: webhook.url, ...formatted };
    if (this.options.beforeSend) {
      try {
        const { secrets: _secrets, ...publicWebhook } = webhook;
        const changed = await this.options.beforeSend(outgoing, { webhook: publicWebhook, eventAlias: request.eventAlias, requestId: request.id, retryCount: request.attempts, test });
        if (changed) outgoing = changed;
      } catch (error) {
        const message = `the beforeSend hook threw: ${(error as Error)?.message ?? error}`;
        return { url: outgoing.url, headers: outgoing.headers, body: outgoing.body, date, result: { ok: false, errorKind: 'other', message, durationMs: 0 } };
      }
    }
    const body = Buffer.from(outgoing.body);
    const sent = { ...outgoing.headers };
    signRequest(sent, activeSecrets(webhook, date), request.id, this.clock.now(), body);
    const result = await this.transport.send(
      { url: outgoing.url, headers: sent, body },
      { timeoutMs: settings.timeout, maxResponseBodyBytes: settings.maxResponseBodyBytes, ...(signal ? { signal } : {}) },
    );
    return { url: outgoing.url, headers: sent, body: outgoing.body, result, date };
  }
}

/**
 * The delivery log entry of an attempt: headers as sent with the signature and sensitive values
 * redacted, the response as received (capped), the failure in one line.
 */
export function attemptLogEntry(webhook: Pick<Webhook, 'key' | 'sensitiveHeaders'>, request: Pick<WebhookRequest, 'id' | 'eventAlias' | 'attempts'>, record: AttemptRecord, outcome: DeliveryOutcome): DeliveryLogEntry {
  const { result } = record;
  const response = result.ok ? result.response : undefined;
  const errorMessage = result.ok ? describeFailure(result) : result.message;
  return {
    key: randomUUID(),
    webhookKey: webhook.key,
    requestId: request.id,
    url: record.url,
    eventAlias: request.eventAlias,
    retryCount: request.attempts,
    date: record.date,
    ...(response ? { statusCode: response.statusCode } : {}),
    requestHeaders: redactHeaders(record.headers, webhook.sensitiveHeaders),
    requestBody: record.body,
    responseHeaders: response?.headers ?? {},
    responseBody: response?.body ?? '',
    ...(!result.ok ? { errorKind: result.errorKind } : {}),
    ...(errorMessage ? { errorMessage } : {}),
    durationMs: result.durationMs,
    outcome,
  };
}
