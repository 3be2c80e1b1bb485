import {
  context,
  createContextKey,
  createTraceState,
  INVALID_SPAN_CONTEXT,
  isSpanContextValid,
  ROOT_CONTEXT,
  trace,
  type Attributes,
  type AttributeValue,
  type Context,
  type Exception,
  type Link,
  type Span,
  type SpanContext,
  type SpanOptions,
  type SpanStatus,
  type TimeInput,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import type { NewWebhookRequest, WebhookRequest } from '../model/webhook-request';
import { createToken } from '../runtime/tokens';
import { HOOKWORK_VERSION } from '../runtime/version';
import type { Logger } from './logger';

/** The instrumentation scope of hookwork's spans. */
export const TRACER_NAME = '@hookwork/core';

/**
 * The app's tracer: from the provider passed to `createHookwork({ tracerProvider })`, else the
 * OpenTelemetry API's global one (the host's SDK, or a no-op that costs next to nothing when
 * the host has none). hookwork depends on `@opentelemetry/api` only, never on an SDK.
 *
 * Guarded: the SDK calls the host's span processors inside `startSpan()` and `span.end()` and lets
 * what they throw through, so one faulty processor or exporter made `publish()` reject after its
 * requests were stored, and made every attempt fail after it was sent (the request was sent
 * again at each lease's end, for ever). A tracing failure is logged and costs the span, never
 * the publish or the delivery.
 */
export function hookworkTracer(provider: TracerProvider | undefined, logger: Logger): Tracer {
  return new GuardedTracer((provider ?? trace.getTracerProvider()).getTracer(TRACER_NAME, HOOKWORK_VERSION), tracingFailureReporter(logger));
}

/** Reports a tracing failure: the first as an error (with the fix), the others at debug level, so a broken exporter cannot flood the log. */
function tracingFailureReporter(logger: Logger): (doing: string, error: unknown) => void {
  let reported = false;
  return (doing, error) => {
    const message = `the OpenTelemetry tracer threw while ${doing} (a span processor or exporter of the host's SDK): ${(error as Error)?.message ?? String(error)}`;
    if (reported) return logger.debug(message, { error });
    reported = true;
    logger.error(`${message}; hookwork goes on without that span, and will report further tracing failures at debug level only — fix or remove the failing span processor`, { error });
  };
}

/** A span that stands in when the tracer threw: records nothing, joins no trace. */
const NO_SPAN: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/** A tracer whose spans never throw into hookwork (see {@link hookworkTracer}). */
class GuardedTracer implements Tracer {
  constructor(
    private readonly tracer: Tracer,
    private readonly failed: (doing: string, error: unknown) => void,
  ) {}

  startSpan(name: string, options?: SpanOptions, ctx?: Context): Span {
    try {
      const span = this.tracer.startSpan(name, options, ctx);
      // A span that does not record calls no processor: no wrapper, so tracing without an SDK stays free.
      return span.isRecording() ? new GuardedSpan(span, this.failed) : span;
    } catch (error) {
      this.failed(`starting the span ${name}`, error);
      return NO_SPAN;
    }
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, ctx: Context, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, ...args: [F] | [SpanOptions, F] | [SpanOptions, Context, F]): ReturnType<F> {
    const fn = args[args.length - 1] as F;
    const options = args.length > 1 ? (args[0] as SpanOptions) : undefined;
    const ctx = args.length > 2 ? (args[1] as Context) : context.active();
    const span = this.startSpan(name, options, ctx);
    return context.with(trace.setSpan(ctx, span), () => fn(span)) as ReturnType<F>;
  }
}

/** A recording span whose methods log what they throw instead of throwing it. */
class GuardedSpan implements Span {
  constructor(
    private readonly span: Span,
    private readonly failed: (doing: string, error: unknown) => void,
  ) {}

  spanContext(): SpanContext {
    return this.span.spanContext();
  }

  setAttribute(key: string, value: AttributeValue): this {
    return this.guard('setting a span attribute', () => this.span.setAttribute(key, value));
  }

  setAttributes(attributes: Attributes): this {
    return this.guard('setting span attributes', () => this.span.setAttributes(attributes));
  }

  addEvent(name: string, attributesOrStartTime?: Attributes | TimeInput, startTime?: TimeInput): this {
    return this.guard('adding a span event', () => this.span.addEvent(name, attributesOrStartTime, startTime));
  }

  addLink(link: Link): this {
    return this.guard('adding a span link', () => this.span.addLink(link));
  }

  addLinks(links: Link[]): this {
    return this.guard('adding span links', () => this.span.addLinks(links));
  }

  setStatus(status: SpanStatus): this {
    return this.guard('setting a span status', () => this.span.setStatus(status));
  }

  updateName(name: string): this {
    return this.guard('renaming a span', () => this.span.updateName(name));
  }

  end(endTime?: TimeInput): void {
    this.guard('ending a span', () => this.span.end(endTime));
  }

  isRecording(): boolean {
    return this.span.isRecording();
  }

  recordException(exception: Exception, time?: TimeInput): void {
    this.guard('recording an exception on a span', () => this.span.recordException(exception, time));
  }

  private guard(doing: string, fn: () => unknown): this {
    try {
      fn();
    } catch (error) {
      this.failed(doing, error);
    }
    return this;
  }
}

/** Injection token of the app's OpenTelemetry {@link Tracer}. */
export const TracerToken = createToken<Tracer>('hookwork.Tracer');

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** A span context as a W3C Trace Context `traceparent` value (version 00), or undefined when it is not valid. */
export function formatTraceparent(spanContext: SpanContext): string | undefined {
  // The API's no-op spans share this one context: known invalid without validating the ids.
  if (spanContext === INVALID_SPAN_CONTEXT || !isSpanContextValid(spanContext)) return undefined;
  return `00-${spanContext.traceId}-${spanContext.spanId}-${(spanContext.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/** A `traceparent` value as a remote span context, or undefined when it is not a valid version-00 value. */
export function parseTraceparent(value: string | undefined): SpanContext | undefined {
  const match = value === undefined ? null : TRACEPARENT.exec(value);
  if (!match) return undefined;
  const spanContext: SpanContext = { traceId: match[1]!, spanId: match[2]!, traceFlags: parseInt(match[3]!, 16), isRemote: true };
  return isSpanContextValid(spanContext) ? spanContext : undefined;
}

/** The most list-members a W3C `tracestate` holds (Trace Context §3.3.1.1). */
const MAX_TRACESTATE_MEMBERS = 32;
/** The length of `tracestate` every vendor propagates (Trace Context §3.3.1.5): hookwork keeps and sends no more. */
const MAX_TRACESTATE_LENGTH = 512;
/** Members longer than this go first when a `tracestate` must be cut (Trace Context §3.3.1.5). */
const LONG_TRACESTATE_MEMBER = 128;

/**
 * A span context's W3C `tracestate` (the vendors' state that rides with its `traceparent`), or
 * undefined when it has none. Bounded as the spec asks of a propagated one: at most 32
 * list-members and 512 characters, cut — when it must be — first by the members longer than 128
 * characters, then from the end of the list (the leftmost members are the most recent).
 */
export function formatTracestate(spanContext: SpanContext): string | undefined {
  let serialized: string | undefined;
  try {
    serialized = spanContext.traceState?.serialize();
  } catch {
    return undefined;
  }
  if (typeof serialized !== 'string') return undefined;
  let members = serialized.split(',').map((member) => member.trim()).filter((member) => member !== '');
  if (members.length > MAX_TRACESTATE_MEMBERS) members = members.slice(0, MAX_TRACESTATE_MEMBERS);
  if (members.join(',').length > MAX_TRACESTATE_LENGTH) members = members.filter((member) => member.length <= LONG_TRACESTATE_MEMBER);
  while (members.length > 0 && members.join(',').length > MAX_TRACESTATE_LENGTH) members.pop();
  return members.length > 0 ? members.join(',') : undefined;
}

/**
 * The link of an attempt's span to the enqueue span its request was created in (its
 * `traceparent`, with its `tracestate` as the link's `traceState`, so vendors' state — some
 * vendors' sampling decision among it — reaches the link), or undefined when the request carries
 * none. An attempt starts a trace of its own and links to that span, as OpenTelemetry's messaging
 * conventions ask of a message's processing: it may run hours after the enqueue (retries,
 * Retry-After, a disabled webhook), long after the publisher's trace ended and its tail sampler
 * decided.
 */
export function creationLinks(traceparent: string | undefined, tracestate?: string): Link[] | undefined {
  const created = parseTraceparent(traceparent);
  if (!created) return undefined;
  // W3C: a tracestate means nothing without its traceparent, and createTraceState() keeps only
  // valid members (none of a value past 512 characters).
  if (tracestate) created.traceState = createTraceState(tracestate);
  return [{ context: created }];
}

/**
 * For the authors of SQL stores: a request's trace context as the one text column that holds it
 * — its `traceparent`, then a space and its `tracestate` when it has one (no `traceparent` holds
 * a space) — or null when it has none. The `tracestate` rides in the `traceparent` column that
 * stores already have, so no migration adds one; a build that knows no `tracestate` reads such a
 * value as no valid `traceparent` (an attempt without a link), never as a wrong one.
 */
export function storedTraceContext(request: Pick<NewWebhookRequest, 'traceparent' | 'tracestate'>): string | null {
  if (request.traceparent === undefined) return null;
  return request.tracestate ? `${request.traceparent} ${request.tracestate}` : request.traceparent;
}

/** Sets `request`'s `traceparent` and `tracestate` from a column value of {@link storedTraceContext}. */
export function restoreTraceContext(request: WebhookRequest, stored: string | null): void {
  if (stored === null) return;
  const space = stored.indexOf(' ');
  if (space < 0) {
    request.traceparent = stored;
    return;
  }
  request.traceparent = stored.slice(0, space);
  request.tracestate = stored.slice(space + 1);
}

/**
 * The key under which OpenTelemetry's SDK marks a context whose work must not be traced: its
 * tracer then starts only non-recording spans, and its propagators inject nothing. It is
 * `@opentelemetry/core`'s `suppressTracing()` key; `createContextKey()` makes keys with
 * `Symbol.for()`, so this is the very symbol, without depending on the SDK.
 */
const SUPPRESS_TRACING = createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING');

/**
 * The context hookwork's own HTTP request is sent in: `traced` — where the attempt's span is the
 * active span — with tracing suppressed, so an HTTP instrumentation of the host
 * (instrumentation-http, instrumentation-undici, any built on the SDK's tracer) starts no span of
 * its own and injects no header. hookwork's span is then the request's CLIENT span, as the HTTP
 * conventions ask of one request; the URL's secret path and query reach no span; and the
 * `traceparent` the receiver gets is the attempt's. A host that wants the instrumentation's span
 * too makes its transport send in `unsuppressTracing(context.active())` (docs/health.md#tracing).
 */
export function sendContext(traced: Context): Context {
  // Already suppressed (a queued request's attempt, see SUPPRESSED_ROOT): no copy of the context.
  return traced.getValue(SUPPRESS_TRACING) === true ? traced : traced.setValue(SUPPRESS_TRACING, true);
}

/**
 * The root context with tracing suppressed. A queued request's attempt sets its span on it, not
 * on the root: that one context is already its {@link sendContext}, rather than a second one
 * made from it at every attempt. (Only the span's parent must be the root itself: a span started
 * under a suppressed context does not record.)
 */
export const SUPPRESSED_ROOT: Context = ROOT_CONTEXT.setValue(SUPPRESS_TRACING, true);

/**
 * A webhook URL as span attributes: `url.full` with only its scheme, host and port, the path
 * `REDACTED` (as OpenTelemetry's conventions ask of sensitive parts), and `server.address` and
 * `server.port`. A webhook URL's path is often its secret — Slack's `/services/T…/B…/<token>`,
 * Discord's `/api/webhooks/<id>/<token>` — and its query and credentials may be: whoever reads
 * the trace backend could post to the endpoint. The span names the webhook by key instead.
 */
export function spanUrl(url: string): { 'url.full': string; 'server.address'?: string; 'server.port'?: number } {
  try {
    const parsed = new URL(url);
    const port = parsed.port !== '' ? Number(parsed.port) : parsed.protocol === 'https:' ? 443 : 80;
    return { 'url.full': `${parsed.protocol}//${parsed.host}/${parsed.pathname === '/' ? '' : 'REDACTED'}`, 'server.address': parsed.hostname.replace(/^\[(.*)\]$/, '$1'), 'server.port': port };
  } catch {
    return { 'url.full': '' };
  }
}
