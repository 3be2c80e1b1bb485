import { context, trace, type Tracer } from '@opentelemetry/api';
import { HookworkError, shownValue } from '../errors/hookwork-error';
import { shownList } from '../errors/shown-list';
import type { WebhookEventResolver } from '../events/webhook-event-resolver';
import type { WebhookFiringService } from '../firing/webhook-firing-service';
import { newMessageId } from '../firing/webhook-firing-service';
import type { Webhook } from '../model/webhook';
import { newWebhookInfo } from '../model/webhook-info';
import type { Logger } from '../observability/logger';
import type { WebhookRepository } from '../ports/webhook-repository';
import type { Clock } from '../runtime/clock';
import { type Attempt, describeResponseBody } from '../delivery/attempt';
import { quoted } from '../errors/visible-text';
import type { DeliveryLogWriter } from '../delivery/delivery-log-writer';
import { describeFailure, isSuccessStatus } from '../delivery/retry-policy';
import { endAttemptSpan, startAttemptSpan } from '../delivery/attempt-span';

/** What sendTestEvent() returns: the receiver's answer to one example request. */
export interface TestEventResult {
  /** True when the receiver answered 2xx. */
  ok: boolean;
  /** The HTTP status, when a response arrived. */
  statusCode?: number;
  /** The response headers (lower-case names), as the delivery log keeps them: `set-cookie` and the other credentials a receiver returns redacted. */
  headers: Record<string, string>;
  /** The response body as text, cut at maxResponseBodyBytes, as the delivery log keeps it (request header values the log redacts are redacted where it repeats them). */
  body: string;
  /** How long the attempt took, ms. */
  durationMs: number;
  /** Why no response arrived (timeout, refused, ssrf, invalid, …). */
  errorKind?: string;
  /** Why no response arrived; or, with a response, what went wrong with its body (`ok` is the status's verdict). */
  errorMessage?: string;
  /** The webhook-id of the test request. */
  requestId: string;
  /**
   * `example`: the body a real notification would send, from the event's
   * createExampleNotification(); `generic`: hookwork's generic test body (the event offers no
   * example, no composed event has the alias, or building the example failed).
   */
  payload: 'example' | 'generic';
  /** Why the example could not be built, when building it threw (the generic body was sent). */
  exampleError?: string;
}

/** What {@link TestSender} works with. */
export interface TestSenderDeps {
  repository: Pick<WebhookRepository, 'get'>;
  events: WebhookEventResolver;
  firing: Pick<WebhookFiringService, 'serialize'>;
  attempt: Attempt;
  logWriter: DeliveryLogWriter;
  clock: Clock;
  logger: Logger;
  tracer: Tracer;
}

/**
 * Test sends: an example request to a webhook now, once — no queue, no retry. The body is what
 * a real notification of the alias would send to this webhook, built by the composed event's
 * createExampleNotification() and its own payload conversion; hookwork's generic test body when
 * the event offers no example. It carries the `hookwork-test: true` header, is signed and
 * guarded like any delivery, is logged with outcome `test`, and works on a disabled webhook too.
 * Its OpenTelemetry span is an attempt's (`hookwork.test` set), a child of the caller's active span.
 */
export class TestSender {
  constructor(private readonly deps: TestSenderDeps) {}

  async send(webhookKey: string, options: { alias?: string } = {}): Promise<TestEventResult> {
    const webhook = typeof webhookKey === 'string' ? await this.deps.repository.get(webhookKey) : undefined;
    if (!webhook) throw new HookworkError('HOOKWORK_ERR_WEBHOOK_NOT_FOUND', `no webhook has the key ${quoted(webhookKey)}; list them with app.webhooks.list()`);
    const alias = options?.alias ?? webhook.events[0];
    if (typeof alias !== 'string' || !webhook.events.includes(alias)) {
      throw new HookworkError(
        'HOOKWORK_ERR_ALIAS_NOT_SUBSCRIBED',
        `sendTestEvent(): webhook ${webhook.key} does not subscribe to ${shownValue(alias)}; pass one of its events as { alias } (${shownList(webhook.events)}) or omit it for the first`,
        // The field at fault, so an API can name it beside the caller's input.
        { details: [{ field: 'alias', problem: `is ${shownValue(alias)}, which webhook ${webhook.key} does not subscribe to; give one of its events (${shownList(webhook.events)}) or omit it for the first` }] },
      );
    }
    const id = newMessageId();
    const now = this.deps.clock.now();
    const example = await this.exampleBody(webhook, alias);
    const body = example.body ?? JSON.stringify(genericTestPayload(alias, webhook, id, now));
    const request = { id, webhookKey: webhook.key, eventAlias: alias, body, attempts: 0, createdAt: now };
    const parent = context.active();
    const span = startAttemptSpan(this.deps.tracer, webhook, request, { parent, test: true });
    const record = await this.deps.attempt.run(request, webhook, true, undefined, trace.setSpan(parent, span));
    endAttemptSpan(span, webhook, record, 'test', describeFailure(record.result, record.url));
    const entry = this.deps.attempt.logEntry(webhook, request, record, 'test');
    this.deps.logWriter.write(entry);
    await this.deps.logWriter.flush();
    const { result } = record;
    const about = { requestId: id, payload: example.body === undefined ? ('generic' as const) : ('example' as const), ...(example.error ? { exampleError: example.error } : {}) };
    const bodyNote = result.ok ? describeResponseBody(result.response) : undefined;
    return result.ok
      ? { ok: isSuccessStatus(result.response.statusCode), statusCode: result.response.statusCode, headers: entry.responseHeaders, body: entry.responseBody, durationMs: result.durationMs, ...(bodyNote ? { errorMessage: bodyNote } : {}), ...about }
      : { ok: false, headers: {}, body: '', durationMs: result.durationMs, errorKind: result.errorKind, errorMessage: result.message, ...about };
  }

  /**
   * The serialised example of `alias` for this webhook, from the composed event that owns the
   * alias; no body when there is none. A converter that throws on the example (e.g. a host's
   * replacement that looks the example's entity up in its own store) must not make the webhook
   * untestable: its error is logged and returned, and the generic body is sent.
   */
  private async exampleBody(webhook: Webhook, alias: string): Promise<{ body?: string; error?: string }> {
    const event = this.deps.events.resolve(alias);
    if (!event) return {};
    try {
      const request = await event.buildExampleRequest({ webhook: newWebhookInfo(webhook), alias });
      return request ? { body: this.deps.firing.serialize(request.payload, alias) } : {};
    } catch (error) {
      const message = `${event.constructor.name} could not build its example for ${alias}: ${(error as Error)?.message ?? error}`;
      this.deps.logger.warn(`${message}; the test send to webhook ${webhook.key} carries the generic test body`, { error });
      return { error: message };
    }
  }
}

/**
 * The body of a test send whose event offers no example (createExampleNotification): a generic
 * body that names itself as a test.
 */
function genericTestPayload(alias: string, webhook: Webhook, id: string, now: Date): unknown {
  return {
    event: alias,
    test: true,
    id,
    createdAt: now.toISOString(),
    webhook: { key: webhook.key, ...(webhook.name ? { name: webhook.name } : {}) },
    data: { message: `This is a test of the ${alias} webhook sent by hookwork; it does not describe a real change.` },
  };
}
