import { context, INVALID_SPAN_CONTEXT, isSpanContextValid, ROOT_CONTEXT, trace, type Context, type SpanContext, type Tracer, type TracerProvider } from '@opentelemetry/api';
import { createToken } from '../runtime/tokens';
import { HOOKWORK_VERSION } from '../runtime/version';

/** The instrumentation scope of hookwork's spans. */
export const TRACER_NAME = '@hookwork/core';

/**
 * The app's tracer: from the provider passed to `createHookwork({ tracerProvider })`, else the
 * OpenTelemetry API's global one (the host's SDK, or a no-op that costs next to nothing when
 * the host has none). hookwork depends on `@opentelemetry/api` only, never on an SDK.
 */
export function hookworkTracer(provider?: TracerProvider): Tracer {
  return (provider ?? trace.getTracerProvider()).getTracer(TRACER_NAME, HOOKWORK_VERSION);
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

/** The context an attempt's span starts in: the trace its request was enqueued in, when known, else the active one. */
export function requestContext(traceparent: string | undefined): Context {
  if (traceparent === undefined) return context.active();
  const parent = parseTraceparent(traceparent);
  return parent ? trace.setSpanContext(ROOT_CONTEXT, parent) : context.active();
}

/** A URL for a span attribute: without credentials, query or fragment (they may hold secrets). */
export function spanUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '';
  }
}
