import { SpanKind, SpanStatusCode, type Context, type Link, type Span, type SpanOptions, type Tracer } from '@opentelemetry/api';
import type { DeliveryOutcome } from '../model/delivery-log-entry';
import type { Webhook } from '../model/webhook';
import type { WebhookRequest } from '../model/webhook-request';
import { redactUrlsIn } from '../observability/redacted-url';
import { spanUrl } from '../observability/tracing';
import type { AttemptRecord } from './attempt';

/**
 * The name of an attempt's span: its HTTP method. The span is the CLIENT span of the one HTTP
 * request an attempt makes (see sendContext in observability/tracing.ts), and OpenTelemetry's HTTP
 * client conventions name such a span `{method}` when the URL has no low-cardinality template — a
 * webhook URL's path is its secret, not a route. Tools that build HTTP views from spans (service
 * maps, span metrics by name and kind) then count webhook deliveries as the outgoing HTTP calls
 * they are; the `@hookwork/core` scope and the `hookwork.*` attributes tell them apart.
 */
export const ATTEMPT_SPAN_NAME = 'POST';

/** Where an attempt's span starts and what it says besides the request. */
export interface AttemptSpanStart {
  /** The context it starts in: the root for a queued request's attempt, the caller's for a test send. */
  parent: Context;
  /** The enqueue span the request was created in (see creationLinks). */
  links?: Link[] | undefined;
  /** The attempt is the one probe of a half-open circuit breaker. */
  probe?: boolean | undefined;
  /** A test send (`sendTestEvent`). */
  test?: boolean;
}

/**
 * Starts the span of one attempt (a queued request's or a test send's), with OpenTelemetry's HTTP
 * client attributes — the URL's path and query redacted (see spanUrl) — and `http.request.resend_count`
 * from the second attempt on, as those conventions ask of a retried request; hookwork's own
 * attributes name the webhook, the event and the message. Its attributes are built only for a
 * span that records: without an SDK, tracing costs next to nothing.
 */
export function startAttemptSpan(tracer: Tracer, webhook: Pick<Webhook, 'key' | 'url'>, request: Pick<WebhookRequest, 'id' | 'eventAlias' | 'attempts'>, start: AttemptSpanStart): Span {
  const options: SpanOptions = { kind: SpanKind.CLIENT };
  if (start.links) options.links = start.links;
  const span = tracer.startSpan(ATTEMPT_SPAN_NAME, options, start.parent);
  if (!span.isRecording()) return span;
  span.setAttributes({
    'http.request.method': 'POST',
    ...spanUrl(webhook.url),
    'messaging.message.id': request.id,
    'hookwork.webhook.key': webhook.key,
    'hookwork.event.alias': request.eventAlias,
    'hookwork.retry_count': request.attempts,
  });
  if (request.attempts > 0) span.setAttribute('http.request.resend_count', request.attempts);
  if (start.probe) span.setAttribute('hookwork.breaker.probe', true);
  if (start.test) span.setAttribute('hookwork.test', true);
  return span;
}

/**
 * Ends an attempt's span with what came back: the status code or failure kind, the outcome, and
 * an ERROR status when the attempt failed (`failure` given) — not when it was released, cut off
 * by the app's stop(): the receiver did not fail, nothing counts. A before-send hook that moved
 * the request to another URL moves the span's URL attributes with it.
 */
export function endAttemptSpan(span: Span, webhook: Pick<Webhook, 'url'>, record: AttemptRecord, outcome: DeliveryOutcome, failure: string | undefined): void {
  if (!span.isRecording()) return span.end();
  const { result } = record;
  if (record.url !== webhook.url) span.setAttributes(spanUrl(record.url));
  if (result.ok) span.setAttribute('http.response.status_code', result.response.statusCode);
  span.setAttribute('hookwork.outcome', outcome);
  if (failure !== undefined && outcome !== 'released') {
    span.setAttribute('error.type', result.ok ? String(result.response.statusCode) : result.errorKind);
    // A redirect's failure names its target, which often repeats the webhook's secret path.
    span.setStatus({ code: SpanStatusCode.ERROR, message: redactUrlsIn(failure) });
  }
  span.end();
}
