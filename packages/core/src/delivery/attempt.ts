import { context, trace, type Context } from '@opentelemetry/api';
import type { DeliveryLogEntry, DeliveryOutcome } from '../model/delivery-log-entry';
import type { WebhookRequest } from '../model/webhook-request';
import type { Webhook } from '../model/webhook';
import type { HookworkSettings } from '../settings/settings';
import { toCloudEvent } from './cloud-events';
import type { SendOptions, Transport, TransportResponse, TransportResult } from '../ports/transport';
import type { Clock } from '../runtime/clock';
import type { SettingsAccessor } from '../settings/settings';
import type { BeforeSendRequest, DeliveryOptions } from './delivery-options';
import { buildRequestHeaders, SIGNATURE_NAMES, signRequest } from './request-headers';
import { transportOwnedHeaderProblem } from './transport/transport-owned-headers';
import { RequestHeaderLog, redactResponseHeaders, withoutEchoes } from './logged-headers';
import { loggedUrl } from './logged-url';
import { SigningKeys } from './signing';
import { describeFailure } from './retry-policy';
import { checkUrl, headerNameProblem, headerValueProblem, type UrlCheck } from '../model/wire-rules';
import { maskUrlCredentials } from '../model/url-credentials';
import { webhookInfo } from '../model/webhook-info';
import { memoByKey } from '../runtime/memo';
import { timeOrderedUuid } from '../runtime/time-ordered-uuid';
import type { EveryKeyListed } from '../runtime/field-list';
import { formatTraceparent, formatTracestate, sendContext } from '../observability/tracing';

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
  /** The URL requested (after the before-send hook), in its canonical WHATWG form. */
  url: string;
  /** The headers as they went out, signature included (the log redacts it and what it does not know). */
  headers: Record<string, string>;
  /** The body sent: the exact signed text. */
  body: string;
  result: TransportResult;
  /** When the attempt started. */
  date: Date;
}

const LONE_SURROGATE = /\p{Cs}/u;

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Why `request` cannot go on the wire unchanged, or its canonical URL: the URL and every header
 * must meet the rules of model/wire-rules.ts, and no header may be one the transport writes
 * itself (Host, Content-Length, Transfer-Encoding, the connection handling: see
 * transport-owned-headers.ts) or be set twice under names that differ only in case. HTTP
 * clients would otherwise trim, drop, re-encode or reframe silently, and the receiver would get
 * something other than what the log shows and the signature covers. The body is checked when
 * `checkBody` (by default: when `request` has one).
 */
export function checkOutgoing(request: { url: unknown; headers: unknown; body?: unknown }, urlCheck: (url: unknown) => UrlCheck = checkUrl, checkBody = 'body' in request): { url: string } | { problem: string } {
  const problems: string[] = [];
  const url = urlCheck(request.url);
  for (const problem of url.problems) problems.push(`url ${problem}`);
  if (!isObject(request.headers)) problems.push('headers must be an object of header names and string values');
  else {
    // Object.keys, not Object.entries: no array per header at every attempt.
    const headers = request.headers;
    for (const name of Object.keys(headers)) {
      const value = headers[name];
      const nameProblem = headerNameProblem(name);
      if (nameProblem) problems.push(`header ${JSON.stringify(name)} ${nameProblem}`);
      const valueProblem = headerValueProblem(value);
      if (valueProblem) problems.push(`header ${nameProblem ? JSON.stringify(name) : name} value ${valueProblem}`);
    }
    // The signature headers are replaced at signing, whatever their case: left out of the duplicates.
    const owned = transportOwnedHeaderProblem(headers, SIGNATURE_NAMES);
    if (owned) problems.push(owned);
  }
  if (checkBody) {
    if (typeof request.body !== 'string') problems.push('body must be a string (the JSON text to sign and send)');
    // UTF-8 cannot carry a lone surrogate: it would go out as U+FFFD, unlike the body logged and signed.
    else if (LONE_SURROGATE.test(request.body)) problems.push(`body contains a lone surrogate (U+${request.body.codePointAt(LONE_SURROGATE.exec(request.body)!.index)!.toString(16).toUpperCase()}), which UTF-8 cannot carry`);
  }
  return problems.length > 0 ? { problem: problems.join('; ') } : { url: url.href! };
}

/** The record of an attempt not sent: what was refused, as given (see Attempt.run). */
function notSent(outgoing: BeforeSendRequest, date: Date, message: string, errorKind: 'invalid' | 'other'): AttemptRecord {
  return {
    // As given (the log shows what was refused), but never with credentials a URL was refused for.
    url: maskUrlCredentials(String(outgoing.url)),
    // What a hook returned may be of any shape: the log keeps it as text.
    headers: isObject(outgoing.headers) ? Object.fromEntries(Object.entries(outgoing.headers).map(([name, value]) => [name, String(value)])) : {},
    body: String(outgoing.body),
    date,
    result: { ok: false, errorKind, message, durationMs: 0 },
  };
}

/**
 * One delivery attempt: builds the headers, runs the host's before-send hook, checks that what
 * goes out can go on the wire unchanged, signs the final bytes afresh (Standard Webhooks; a new
 * timestamp at every attempt) and sends them through the transport. Never throws: a hook that
 * throws is a failed attempt (`other`, retried); a URL or header that cannot be sent unchanged —
 * a webhook stored before the rules, or a hook's result — is a failure of kind `invalid`, not
 * sent and not retried.
 */
export class Attempt {
  private readonly signingKeys = new SigningKeys();
  /** checkUrl's answers by URL: a few distinct webhook URLs, an attempt each time (a URL parse saved per attempt). */
  private readonly checkedUrl = memoByKey(checkUrl);
  private readonly checkUrl = (url: unknown): UrlCheck => (typeof url === 'string' ? this.checkedUrl(url) : checkUrl(url));
  private readonly headerLog: RequestHeaderLog;

  constructor(
    private readonly transport: Transport,
    private readonly settings: SettingsAccessor,
    private readonly clock: Clock,
    private readonly options: DeliveryOptions,
  ) {
    this.headerLog = new RequestHeaderLog(settings, options.loggedHeaders);
  }

  /** The delivery log entry of an attempt this object made (see {@link attemptLogEntry}). */
  logEntry(webhook: Pick<Webhook, 'key' | 'url' | 'headers' | 'sensitiveHeaders'>, request: Pick<WebhookRequest, 'id' | 'eventAlias' | 'attempts'>, record: AttemptRecord, outcome: DeliveryOutcome): DeliveryLogEntry {
    return attemptLogEntry(webhook, request, record, outcome, this.headerLog);
  }

  /**
   * Makes the attempt. `traced`, when given, is the OpenTelemetry context whose active span is the
   * attempt's: every transport (axios, undici, the host's own) sends in it, with the host's HTTP
   * instrumentation suppressed (see sendContext), and with the `tracing.traceparent` setting that
   * span's W3C `traceparent` goes out as a header, with its `tracestate` when it has one (after
   * the custom headers, so they win over one of the same name; the before-send hook sees them).
   */
  async run(request: AttemptRequest, webhook: Webhook, test: boolean, signal?: AbortSignal, traced?: Context): Promise<AttemptRecord> {
    const settings = this.settings.current;
    const date = this.clock.now();
    const formatted = formatRequest(request, webhook, settings, test);
    const span = traced && settings.tracing.traceparent ? trace.getSpan(traced) : undefined;
    const traceparent = span ? formatTraceparent(span.spanContext()) : undefined;
    if (traceparent) {
      // The span's tracestate goes with it, as OpenTelemetry's W3C propagator sends it (W3C: a
      // vendor's state is propagated along with the traceparent); the attempt's own trace state,
      // which its sampler may set, not the enqueue span's (another trace's, carried by the link).
      const tracestate = formatTracestate(span!.spanContext());
      for (const name of Object.keys(formatted.headers)) {
        const lower = name.toLowerCase();
        if (lower === 'traceparent' || lower === 'tracestate') delete formatted.headers[name];
      }
      formatted.headers.traceparent = traceparent;
      if (tracestate) formatted.headers.tracestate = tracestate;
    }
    // A literal, not { url, ...formatted }: V8 adds a spread's properties on a slow path.
    let outgoing: BeforeSendRequest = { url: webhook.url, headers: formatted.headers, body: formatted.body };
    // The stored body is JSON.stringify's text, well formed: only a hook's body is checked.
    let checked = checkOutgoing(outgoing, this.checkUrl, false);
    if ('problem' in checked) return notSent(outgoing, date, `not sent: webhook ${webhook.key} holds what HTTP cannot carry unchanged (${checked.problem}); fix it with app.webhooks.update()`, 'invalid');
    if (this.options.beforeSend) {
      try {
        const changed = await this.options.beforeSend(outgoing, { webhook: webhookInfo(webhook), eventAlias: request.eventAlias, requestId: request.id, retryCount: request.attempts, test });
        if (changed) outgoing = changed;
      } catch (error) {
        return notSent(outgoing, date, `the beforeSend hook threw: ${(error as Error)?.message ?? error}`, 'other');
      }
      checked = checkOutgoing(outgoing, this.checkUrl, outgoing.body !== request.body && 'body' in outgoing);
      if ('problem' in checked) return notSent(outgoing, date, `not sent: the beforeSend hook's request cannot go on the wire unchanged (${checked.problem})`, 'invalid');
    }
    const url = checked.url;
    const body = Buffer.from(outgoing.body);
    // Signed in place when there is no hook: the headers are then formatRequest's, made for this
    // attempt alone. A hook's are the host's object, signed in a copy — Object.assign, not a
    // spread: V8 adds properties to a spread's copy on a slow path (about 1.9 µs each here, and
    // signing adds three).
    const sent: Record<string, string> = this.options.beforeSend ? Object.assign({}, outgoing.headers) : outgoing.headers;
    // Timestamped when the attempt started unless a hook ran (it may take its time): the clock is
    // then read again, so the signature is as fresh as the bytes it covers.
    signRequest(sent, this.signingKeys.active(webhook, date), request.id, this.options.beforeSend ? this.clock.now() : date, body);
    const sendOptions: SendOptions = { timeoutMs: settings.timeout, maxResponseBodyBytes: settings.maxResponseBodyBytes };
    if (signal) sendOptions.signal = signal;
    const transport = this.transport;
    const result = await context.with(sendContext(traced ?? context.active()), () => transport.send({ url, headers: sent, body }, sendOptions));
    return { url, headers: result.sentHeaders ?? sent, body: outgoing.body, result, date };
  }
}

/**
 * What went wrong with a response body after the status line, in one line for the log; the
 * status still decided the attempt.
 */
export function describeResponseBody(response: TransportResponse): string | undefined {
  if (response.bodyError) return `response body: ${response.bodyError}`;
  if (response.bodyTruncated) return 'response body: cut at maxResponseBodyBytes; the rest was not read';
  return undefined;
}

/** The fields attemptLogEntry() sets: a field added to DeliveryLogEntry fails to compile until it is set there too. */
const LOG_ENTRY_FIELDS_SET: EveryKeyListed<DeliveryLogEntry, 'key' | 'webhookKey' | 'requestId' | 'url' | 'eventAlias' | 'retryCount' | 'date' | 'statusCode' | 'requestHeaders' | 'requestBody' | 'responseHeaders' | 'responseBody' | 'errorKind' | 'errorMessage' | 'durationMs' | 'outcome'> = true;
void LOG_ENTRY_FIELDS_SET;

/**
 * The delivery log entry of an attempt: the URL requested (query values a hook added redacted,
 * see {@link loggedUrl}), headers as sent, their values redacted unless hookwork
 * knows them to be no secret (see {@link RequestHeaderLog}), the response as received (capped;
 * the receiver's credentials redacted, and the redacted request header values wherever the body
 * repeats them), the failure in one line — and, on an attempt that got a response, what went
 * wrong with its body after the status line (the status decided).
 */
export function attemptLogEntry(webhook: Pick<Webhook, 'key' | 'url' | 'headers' | 'sensitiveHeaders'>, request: Pick<WebhookRequest, 'id' | 'eventAlias' | 'attempts'>, record: AttemptRecord, outcome: DeliveryOutcome, headerLog: RequestHeaderLog): DeliveryLogEntry {
  const { result } = record;
  const response = result.ok ? result.response : undefined;
  let errorMessage = result.ok ? describeFailure(result, record.url) : result.message;
  if (result.ok) {
    const bodyNote = describeResponseBody(result.response);
    if (bodyNote) errorMessage = errorMessage ? `${errorMessage}; ${bodyNote}` : bodyNote;
  }
  // Field by field in this order, not with conditional spreads: each spread made an object to
  // copy from, and copied it on V8's slow path, at every attempt. Every field is set below (see LOG_ENTRY_FIELDS_SET).
  const entry = { key: timeOrderedUuid(), webhookKey: webhook.key, requestId: request.id, url: loggedUrl(record.url, webhook.url), eventAlias: request.eventAlias, retryCount: request.attempts, date: record.date } as DeliveryLogEntry;
  if (response) entry.statusCode = response.statusCode;
  entry.requestHeaders = headerLog.redact(record.headers, webhook);
  entry.requestBody = record.body;
  entry.responseHeaders = response ? redactResponseHeaders(response.headers) : {};
  // What the headers redacted, an echo service repeats in its body.
  entry.responseBody = response ? withoutEchoes(response.body, record.headers, entry.requestHeaders) : '';
  if (!result.ok) entry.errorKind = result.errorKind;
  if (errorMessage) entry.errorMessage = errorMessage;
  entry.durationMs = result.durationMs;
  entry.outcome = outcome;
  return entry;
}
