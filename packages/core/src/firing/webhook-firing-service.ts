import { context, SpanKind, SpanStatusCode, type Attributes, type Context, type Tracer } from '@opentelemetry/api';
import { inject, injectable } from 'tsyringe';
import { HookworkError, isHookworkError, messageWithoutCode } from '../errors/hookwork-error';
import { ClockToken, type Clock } from '../runtime/clock';
import { LifecycleReporter } from '../observability/lifecycle-events';
import { formatTraceparent, formatTracestate, TracerToken } from '../observability/tracing';
import { SettingsToken, type SettingsAccessor } from '../settings/settings';
import { QueueEngineToken, type EngineEnqueueOptions, type QueueEngine } from '../ports/queue-engine';
import { storedRequests, type EnqueueResult } from '../ports/request-queue';
import type { NewWebhookRequest } from '../model/webhook-request';
import type { Webhook } from '../model/webhook';
import { EnqueueGate } from './enqueue-gate';
import { EventLoopBudget } from './event-loop-budget';
import { findJsonLoss } from './json-losses';
import { jsonFailure } from './json-failure';
import { timeOrderedMessageId } from '../runtime/time-ordered-uuid';
import { checkIdempotencyKey, keyedMessageId } from './idempotency-key';
import { PUBLISH_TALLY, type PublishTally, type TalliedOptions } from './publish-tally';
import { OwnRequestsToken } from './own-requests-token';
import type { RequestInfo } from '../observability/lifecycle-events';

/** The options of the enqueue span: made once, not at every publish (a tracer only reads them). */
const ENQUEUE_SPAN = { kind: SpanKind.PRODUCER };

/** One request to fire: a webhook, the alias that fired, and the payload (any JSON-able value). */
export interface FireRequest {
  /** The webhook (its `fifo` option, when it has one, orders the request). */
  webhook: Pick<Webhook, 'key'> & Partial<Pick<Webhook, 'fifo'>>;
  /** The alias that fired, as the webhook spells it (sent in the event header). */
  alias: string;
  /** Any JSON-able value; serialised now, so later changes to the object are not sent. */
  payload: unknown;
}

/** Options of {@link WebhookFiringService.fireMany}: publish()'s, passed down. */
export interface FireOptions<TTransaction = unknown> {
  /** The host's open transaction, for engines with a transactional enqueue. */
  transaction?: TTransaction;
  /**
   * The publish's idempotency key (checked by publish()): each request's id is then
   * keyedMessageId(key, webhook, alias, position) — the position among the publish's requests for
   * that webhook and alias, over all its batches — and the engine skips ids it holds or remembers.
   */
  idempotencyKey?: string;
  /**
   * The OpenTelemetry context the enqueue span starts in (a publish passes its own span's), else
   * the active one: publish and enqueue are one trace with or without a context manager.
   */
  traceContext?: Context;
  /**
   * When the webhooks of these requests were read (an event's handle() reads its clock before
   * looking them up): each request's `createdAt`, when earlier than the enqueue. A webhook deleted
   * and created again under its key while the payloads were being made is then newer than the
   * request, and delivery drops it instead of sending it to the new webhook (another URL, other
   * secrets); stamped at the enqueue, it went to the new one.
   */
  webhooksReadAt?: Date;
}

/**
 * Makes a Standard Webhooks message id: `msg_` and 32 hex digits, time-ordered (a UUID version 7,
 * as Svix's own ids sort by time) so the stores' indexes on request ids grow at their right edge.
 */
export function newMessageId(): string {
  return timeOrderedMessageId();
}

/**
 * Turns payloads into durable webhook requests. The payload is serialised at once — a snapshot
 * at event time, so a host changing the entity afterwards changes nothing that is sent — and
 * enqueued through the app's queue engine. It never waits for HTTP, and never holds the event
 * loop: publishing in a loop on a store that does no I/O lets delivery run every 5 ms
 * ({@link EventLoopBudget}), whatever the backend and queue engine.
 */
@injectable()
export class WebhookFiringService {
  private readonly budget = new EventLoopBudget();

  constructor(
    @inject(QueueEngineToken) private readonly queue: QueueEngine<unknown>,
    @inject(SettingsToken) private readonly settings: SettingsAccessor,
    @inject(ClockToken) private readonly clock: Clock,
    private readonly reporter: LifecycleReporter,
    @inject(TracerToken) private readonly tracer: Tracer,
    private readonly gate: EnqueueGate,
    @inject(OwnRequestsToken) private readonly own: { addRequests(requests: readonly RequestInfo[]): void },
  ) {}

  /** The app clock's time, for {@link FireOptions.webhooksReadAt}. */
  now(): Date {
    return this.clock.now();
  }

  /**
   * Fires one request; resolves with it once it is durably enqueued.
   */
  async fire(webhook: FireRequest['webhook'], alias: string, payload: unknown, options?: FireOptions<unknown>): Promise<NewWebhookRequest> {
    const [request] = await this.fireMany([{ webhook, alias, payload }], options);
    return request!;
  }

  /**
   * Fires several requests in one enqueue (all or none; an id already stored is skipped, and
   * emits no `enqueued` event, though it is among those returned), in an
   * OpenTelemetry PRODUCER span (`hookwork.enqueue`) whose `traceparent` (and `tracestate`) each request carries, so
   * that each attempt links to it. The span starts in `options.traceContext` — a publish passes its own
   * span's — else in the active context, so it nests in the publish with or without a context manager.
   */
  async fireMany(items: readonly FireRequest[], options?: FireOptions<unknown>): Promise<NewWebhookRequest[]> {
    if (items.length === 0) return [];
    const key = options?.idempotencyKey;
    // publish() checked it; an event class of a plugin may call this itself.
    if (key !== undefined) checkIdempotencyKey(key);
    const ids = key === undefined ? undefined : keyedIds(key, items, (options as TalliedOptions | undefined)?.[PUBLISH_TALLY]);
    const now = this.clock.now();
    const readAt = options?.webhooksReadAt;
    const createdAt = readAt !== undefined && readAt.getTime() < now.getTime() ? readAt : now;
    // Every payload is serialised before the span starts (one that cannot be fails the batch with no
    // span), into its request: no list of bodies and no closures per publish, the list made at its size.
    const requests = new Array<NewWebhookRequest>(items.length);
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      const fifo = item.webhook.fifo?.onDeadLetter;
      // Optional fields set, not spread in: a conditional spread copies on V8's slow path, at every publish.
      const request: NewWebhookRequest = { id: ids ? ids[i]! : newMessageId(), webhookKey: item.webhook.key, eventAlias: item.alias, body: this.serialize(item.payload, item.alias), createdAt, dueAt: now };
      if (fifo) request.fifo = fifo;
      requests[i] = request;
    }
    const span = this.tracer.startSpan('hookwork.enqueue', ENQUEUE_SPAN, options?.traceContext ?? context.active());
    const spanContext = span.spanContext();
    const traceparent = formatTraceparent(spanContext);
    if (traceparent) {
      // Its tracestate too (W3C: vendors' state goes along with the traceparent), bounded.
      const tracestate = formatTracestate(spanContext);
      for (const request of requests) {
        request.traceparent = traceparent;
        if (tracestate) request.tracestate = tracestate;
      }
    }
    if (span.isRecording()) span.setAttributes(enqueueAttributes(requests));
    let result: EnqueueResult | void;
    try {
      this.gate.enter(() => `its ${requests.length} webhook request(s) for ${[...new Set(requests.map((r) => r.eventAlias))].join(', ')}`);
      try {
        result = await this.queue.enqueue(requests, engineOptions(options));
      } finally {
        this.gate.leave();
      }
    } catch (cause) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (cause as Error)?.message ?? String(cause) });
      span.end();
      // A refused transaction is the host's mistake, not the store's: it keeps its own code.
      if (isHookworkError(cause, 'HOOKWORK_ERR_ENQUEUE_FAILED') || isHookworkError(cause, 'HOOKWORK_ERR_INVALID_TRANSACTION') || isHookworkError(cause, 'HOOKWORK_ERR_APP_STOPPED')) throw cause;
      const what = `${requests.length} webhook request(s) for ${[...new Set(requests.map((r) => r.eventAlias))].join(', ')}`;
      // The store may have stored them (the answer was lost), or an engine that does not say threw:
      // "nothing was stored" would be a guess, and publishing again on it could send them twice.
      if (isHookworkError(cause, 'HOOKWORK_ERR_ENQUEUE_UNCERTAIN')) {
        // The engine's words, with what to do, and the driver's error as the cause (its message is in the engine's).
        throw new HookworkError('HOOKWORK_ERR_ENQUEUE_UNCERTAIN', `${what}: ${messageWithoutCode(cause)}; ${uncertainAdvice(key)}`, { cause: cause.cause ?? cause });
      }
      throw new HookworkError('HOOKWORK_ERR_ENQUEUE_UNCERTAIN', `could not enqueue ${what}, and the ${this.queue.name} queue did not say whether it stored them (${(cause as Error)?.message ?? cause}); ${uncertainAdvice(key)}`, { cause });
    }
    span.end();
    this.queue.wake();
    // Only what was stored: a request skipped (published again with its idempotency key) is no
    // more enqueued, for the metric, listeners and drain(), than the first time.
    const stored = storedRequests(requests, result);
    // What publish() reports (PublishResult.enqueued): the same stored requests as the event below.
    (options as TalliedOptions | undefined)?.[PUBLISH_TALLY]?.count(requests, stored);
    if (stored.length > 0) {
      const infos = stored.map((r): RequestInfo => ({ requestId: r.id, webhookKey: r.webhookKey, eventAlias: r.eventAlias }));
      // drain() waits for them from now: one in a host transaction rolled back is gone from the
      // store, and drain() forgets it; one committed is waited for however soon drain() is called.
      this.own.addRequests(infos);
      const committed = result?.committed;
      // In a host transaction they are durable only once it commits: counted then, not if it rolls back.
      if (committed === undefined) this.reporter.emit('enqueued', infos);
      else {
        Promise.resolve(committed).then(
          (durable) => {
            if (durable) this.reporter.emit('enqueued', infos);
          },
          () => {},
        );
      }
    }
    // No await (and no microtask) unless the budget is spent: most publishes pay only a clock read.
    const turn = this.budget.spend();
    if (turn) await turn;
    return requests;
  }

  /** The exact JSON text that will be signed and sent; coded errors for what JSON cannot hold or would silently change. */
  serialize(payload: unknown, alias: string): string {
    let body: string | undefined;
    try {
      body = JSON.stringify(payload);
    } catch (cause) {
      throw new HookworkError(
        'HOOKWORK_ERR_PAYLOAD_NOT_SERIALIZABLE',
        `the payload of ${alias} cannot be serialised to JSON: it holds ${jsonFailure(payload, cause)}; return plain data from the payload converter`,
        { cause },
      );
    }
    // After JSON.stringify, which refused cycles: the walk ends. About 0.25 µs for a content
    // payload of 20 values, against 2.3 µs for its JSON.stringify.
    const loss = findJsonLoss(payload);
    // Before the check for undefined: a function or symbol payload makes no JSON at all, and was reported as "undefined".
    if (loss) {
      throw new HookworkError('HOOKWORK_ERR_PAYLOAD_NOT_SERIALIZABLE', `the payload of ${alias} ${loss.path === '' ? `is ${loss.what}` : `has ${loss.what} at payload${loss.path}`}; return plain data from the payload converter, so that receivers get what it holds`);
    }
    if (body === undefined) {
      throw new HookworkError('HOOKWORK_ERR_PAYLOAD_NOT_SERIALIZABLE', `the payload of ${alias} is undefined; the payload converter must return a JSON value (return null for an empty body)`);
    }
    // The payload is what is checked: the body on the wire is made from it at each attempt, in the
    // webhook's format then (which may change after publish), and a structured CloudEvent adds an
    // envelope bounded by construction (CLOUD_EVENTS_MAX_ENVELOPE_BYTES), so no body sent is
    // larger than maxPayloadBytes plus that — what receivers size their limit by.
    const max = this.settings.current.maxPayloadBytes;
    // UTF-8 takes at most 3 bytes per UTF-16 unit: most bodies need no count of their bytes.
    if (body.length * 3 <= max) return body;
    const size = Buffer.byteLength(body);
    if (size > max) {
      throw new HookworkError('HOOKWORK_ERR_PAYLOAD_TOO_LARGE', `the payload of ${alias} is ${size} bytes, over maxPayloadBytes (${max}); send ids instead of whole entities, or raise maxPayloadBytes`);
    }
    return body;
  }
}

/**
 * The messaging attributes of an enqueue span (OpenTelemetry's messaging conventions): hookwork
 * is the system, enqueueing a `send`; the destination is the event alias the webhooks subscribed
 * to — a topic, the webhooks its subscriptions — when the batch has one alias (a batch of several,
 * an event's synonyms or name-spaced variants, names none); a single request's id, or a batch's
 * size, as those conventions ask of one message and of a batch.
 */
function enqueueAttributes(requests: readonly NewWebhookRequest[]): Attributes {
  const attributes: Attributes = { 'messaging.system': 'hookwork', 'messaging.operation.type': 'send', 'messaging.operation.name': 'enqueue' };
  const alias = requests[0]!.eventAlias;
  if (requests.every((r) => r.eventAlias === alias)) attributes['messaging.destination.name'] = alias;
  if (requests.length === 1) attributes['messaging.message.id'] = requests[0]!.id;
  else attributes['messaging.batch.message_count'] = requests.length;
  return attributes;
}

/**
 * The ids of a keyed publish's requests: the position of each among the publish's requests for its
 * webhook and alias, counted across every batch of the publish (`tally`, when the batch comes from
 * one; an event's own call of fireMany without it counts within the batch). Batches are numbered in
 * the order they reach fireMany: an event that enqueues twice, one batch after the other, makes the
 * same ids when the publish is made again.
 */
function keyedIds(key: string, items: readonly FireRequest[], tally: PublishTally | undefined): string[] {
  // A lone batch of one request, outside a publish, needs no counting; a publish's batches share its tally's.
  if (items.length === 1 && tally === undefined) return [keyedMessageId(key, items[0]!.webhook.key, items[0]!.alias, 0)];
  const positions = tally ? (tally.keyedPositions ??= new Map()) : new Map<string, number>();
  return items.map((item) => {
    const slot = JSON.stringify([item.webhook.key, item.alias]);
    const position = positions.get(slot) ?? 0;
    positions.set(slot, position + 1);
    return keyedMessageId(key, item.webhook.key, item.alias, position);
  });
}

/** What an engine gets of the fire options: no key, only whether the ids came from one. */
function engineOptions(options: FireOptions<unknown> | undefined): EngineEnqueueOptions<unknown> | undefined {
  const idempotent = options?.idempotencyKey !== undefined;
  if (options?.transaction === undefined) return idempotent ? { idempotent } : undefined;
  return idempotent ? { transaction: options.transaction, idempotent } : { transaction: options.transaction };
}

/** How to go on after HOOKWORK_ERR_ENQUEUE_UNCERTAIN, with the key the publish had or without one. */
export function uncertainAdvice(idempotencyKey: string | undefined): string {
  return idempotencyKey !== undefined
    ? `publish the same notification again with the same idempotencyKey (${JSON.stringify(idempotencyKey)}) once the store answers: what was stored is not stored again, and a receiver sees the same webhook-id`
    : 'publishing again now may deliver them twice, under new webhook-ids; publish with { idempotencyKey } (e.g. the id of the change) and retry with the same key, which stores nothing twice (docs/delivery.md, "Publishing again safely")';
}
