import { HookworkError } from '../errors/hookwork-error';
import { nearestName } from '../errors/nearest-name';
import { createToken } from '../runtime/tokens';
import type { Logger } from './logger';
import { EventEmitter } from 'eventemitter3';
import type { DeliveryErrorKind, DeliveryOutcome } from '../model/delivery-log-entry';
import type { OperatorEvent } from './operator-events';

/** A request as lifecycle events describe it. */
export interface RequestInfo {
  /** The request's `webhook-id`. */
  requestId: string;
  /** The key of the webhook it goes to. */
  webhookKey: string;
  /** The alias that fired. */
  eventAlias: string;
}

/** One finished delivery attempt. */
export interface AttemptInfo extends RequestInfo {
  /** The URL requested (canonical form). */
  url: string;
  /** Attempts before this one (0 on the first). */
  retryCount: number;
  /** The HTTP status, when a response arrived. */
  statusCode?: number;
  /** Why no response arrived (absent when one did). */
  errorKind?: DeliveryErrorKind;
  /** What failed, in words. */
  errorMessage?: string;
  /** How long the attempt took, ms. */
  durationMs: number;
  /** What became of the request after this attempt. */
  outcome: DeliveryOutcome;
  /** When the next attempt is due, for `retrying`. */
  nextDueAt?: Date;
  /** When the request was created (published): with the time of a success, the publish → delivery latency. */
  createdAt?: Date;
}

/**
 * A management write made through an API on someone's behalf (the admin HTTP API records one
 * for every write it is asked for): who, what, on which, and how it ended. It never holds a
 * secret or a header value.
 */
export interface AuditRecord {
  /** What was asked, e.g. `webhook.create`, `webhook.secret.rotate`, `deadLetters.redeliver`. */
  action: string;
  /** Who asked: the principal's id as the API's authentication gave it (undefined when it gave none). */
  principal?: string;
  /** What it was done to (a webhook key, a request id), when the action names one. */
  target?: string;
  /** `succeeded`; `refused` (bad input, not found, not authenticated); `failed` (a fault). */
  outcome: 'succeeded' | 'refused' | 'failed';
  /** The HTTP status the API answered with. */
  status?: number;
  /** The error code, when it did not succeed. */
  code?: string;
  /** What else is worth keeping: field names changed, how many redelivered, the selector. Never values of headers or secrets. */
  details?: Record<string, unknown>;
  /** When it was answered. */
  at: Date;
}

/**
 * The app's lifecycle events (eventemitter3, typed), for metrics and alerts:
 * `app.lifecycle.on('deadLettered', r => alert(r))`. Listeners run synchronously and must not throw.
 */
export interface LifecycleEvents {
  /** Requests were durably enqueued. */
  enqueued: (requests: readonly RequestInfo[]) => void;
  /** An attempt got a 2xx: the request is delivered. */
  attemptSucceeded: (attempt: AttemptInfo) => void;
  /** An attempt failed; `outcome` says whether it is retried or dead. */
  attemptFailed: (attempt: AttemptInfo) => void;
  /**
   * An attempt was cut off by the app's stop() (outcome `released`): it counts for nothing — the
   * request goes back to the queue with its retry count unchanged, and the webhook's health is
   * untouched. The receiver may have got it: the next attempt carries the same `webhook-id`.
   */
  attemptReleased: (attempt: AttemptInfo) => void;
  /** Retries were exhausted (or the failure was not retryable). */
  deadLettered: (attempt: AttemptInfo) => void;
  /** A request was dropped because its webhook no longer exists. */
  requestDropped: (request: RequestInfo & { reason: string }) => void;
  /** A webhook was disabled by hookwork (a 410 Gone response, or failing without a success for `autoDisable.after`). */
  webhookDisabled: (info: { webhookKey: string; reason: string }) => void;
  /**
   * A webhook was created or updated with a URL the SSRF guard will refuse under the current
   * settings (an internal IP literal or localhost): it was stored, but every delivery would be
   * dead-lettered as `ssrf` until the address is allowed (`ssrf.allow`) or the URL changed.
   */
  webhookUrlBlocked: (info: { webhookKey: string; url: string; reason: string }) => void;
  /**
   * A request was not attempted and waits until `dueAt` (no attempt used): its webhook is
   * disabled, its circuit breaker open, its rate limit spent, or its receiver asked to wait.
   */
  requestDeferred: (request: RequestInfo & { reason: string; dueAt: Date }) => void;
  /** A change in a webhook's health for operators: breaker opened or closed, recovered, disabled, a request exhausted. */
  operatorEvent: (event: OperatorEvent) => void;
  /** A webhook event handler threw; other webhooks and events went on. */
  handlerFailed: (info: { eventAlias: string; notification: string; error: unknown }) => void;
  /** A delivery log entry could not be written; delivery state was not affected. */
  logWriteFailed: (info: { requestId: string; error: unknown }) => void;
  /** Work in the background failed (a claim, a cleanup round); it will be tried again. */
  backgroundError: (info: { task: string; error: unknown }) => void;
  /** A management write was made (or refused) through an API: the audit trail. */
  audit: (record: AuditRecord) => void;
}

/** A lifecycle listener as the emitter holds it. */
type AnyListener = (...args: unknown[]) => unknown;

/** The listener a guarded one stands for, so listeners() gives back what was added. */
const ORIGINAL = Symbol('hookwork:lifecycle-listener');

/** The typed emitter of {@link LifecycleEvents}. */
export class LifecycleEmitter extends EventEmitter<LifecycleEvents> {
  // Each listener added is held as a guard that catches the promise an async listener returns;
  // off() and listeners() translate between the two.
  private readonly guards = new WeakMap<AnyListener, Map<keyof LifecycleEvents, AnyListener>>();
  private rejected: (event: keyof LifecycleEvents, error: unknown) => void = () => {};
  /**
   * hookwork's own subscribers (metrics, operator webhooks, drain()'s bookkeeping), on a channel
   * of their own: a host's `off(event)` without a listener or `removeAllListeners()` removed them
   * too, and metrics and operator webhooks stopped without a word. They are called before the
   * host's, so a host listener that throws cannot silence them; listenerCount() and listeners()
   * report only the host's.
   */
  private readonly internal = new EventEmitter<LifecycleEvents>();

  // A listener under a misspelt name (`deadLetter`, from JavaScript or a cast) would never be
  // called, and nothing would say so: on, once and addListener refuse names that are not events.
  /** Adds a listener of a lifecycle event; a name that is not one is HOOKWORK_ERR_INVALID_ARGUMENT. */
  override on<T extends keyof LifecycleEvents>(event: T, fn: EventEmitter.EventListener<LifecycleEvents, T>, context?: unknown): this {
    return super.on(checkedEventName('on', event), this.guard(event, fn), context);
  }

  /** As {@link LifecycleEmitter.on}. */
  override addListener<T extends keyof LifecycleEvents>(event: T, fn: EventEmitter.EventListener<LifecycleEvents, T>, context?: unknown): this {
    return super.addListener(checkedEventName('addListener', event), this.guard(event, fn), context);
  }

  /** Adds a listener called once; a name that is not a lifecycle event is HOOKWORK_ERR_INVALID_ARGUMENT. */
  override once<T extends keyof LifecycleEvents>(event: T, fn: EventEmitter.EventListener<LifecycleEvents, T>, context?: unknown): this {
    return super.once(checkedEventName('once', event), this.guard(event, fn), context);
  }

  /** Removes a listener added with on, addListener or once. */
  override off<T extends keyof LifecycleEvents>(event: T, fn?: EventEmitter.EventListener<LifecycleEvents, T>, context?: unknown, once?: boolean): this {
    return super.off(event, this.guardOf(event, fn), context, once);
  }

  /** As {@link LifecycleEmitter.off}. */
  override removeListener<T extends keyof LifecycleEvents>(event: T, fn?: EventEmitter.EventListener<LifecycleEvents, T>, context?: unknown, once?: boolean): this {
    return super.removeListener(event, this.guardOf(event, fn), context, once);
  }

  /** The listeners of `event`, as they were added. */
  override listeners<T extends keyof LifecycleEvents>(event: T): EventEmitter.EventListener<LifecycleEvents, T>[] {
    return super.listeners(event).map((held) => ((held as unknown as Record<symbol, unknown>)[ORIGINAL] ?? held) as EventEmitter.EventListener<LifecycleEvents, T>);
  }

  /** Emits `event` to hookwork's own subscribers, then to the host's listeners. */
  override emit<T extends keyof LifecycleEvents>(event: T, ...args: EventEmitter.EventArgs<LifecycleEvents, T>): boolean {
    const internal = this.internal.emit(event, ...args);
    return super.emit(event, ...args) || internal;
  }

  /**
   * @internal subscribes one of hookwork's own parts to `event`, out of the host's reach: the
   * host's off(), removeAllListeners() and listenerCount() do not see it.
   */
  subscribeInternal<T extends keyof LifecycleEvents>(event: T, fn: EventEmitter.EventListener<LifecycleEvents, T>): void {
    this.internal.on(checkedEventName('subscribeInternal', event), fn);
  }

  /** @internal where a listener's rejected promise is reported (the app's logger, once it is resolved). */
  onListenerRejected(report: (event: keyof LifecycleEvents, error: unknown) => void): void {
    this.rejected = report;
  }

  /**
   * The listener wrapped so that the promise an async one returns cannot reject unhandled: an
   * `async (attempt) => notifySlack(attempt)` whose request failed used to end the process,
   * where a listener that throws is logged. One guard per listener and event, so off() finds it.
   */
  private guard<T extends keyof LifecycleEvents>(event: T, fn: EventEmitter.EventListener<LifecycleEvents, T>): EventEmitter.EventListener<LifecycleEvents, T> {
    const listener = fn as unknown as AnyListener;
    if (typeof listener !== 'function') return fn;
    let byEvent = this.guards.get(listener);
    if (!byEvent) this.guards.set(listener, (byEvent = new Map()));
    let guarded = byEvent.get(event);
    if (!guarded) {
      const report = (error: unknown) => this.rejected(event, error);
      guarded = function (this: unknown, ...args: unknown[]) {
        const result = listener.apply(this, args);
        if (typeof (result as PromiseLike<unknown> | undefined)?.then === 'function') (result as PromiseLike<unknown>).then(undefined, report);
        return result;
      };
      Object.defineProperty(guarded, ORIGINAL, { value: listener });
      byEvent.set(event, guarded);
    }
    return guarded as unknown as EventEmitter.EventListener<LifecycleEvents, T>;
  }

  private guardOf<T extends keyof LifecycleEvents>(event: T, fn: EventEmitter.EventListener<LifecycleEvents, T> | undefined): EventEmitter.EventListener<LifecycleEvents, T> | undefined {
    const guarded = fn === undefined ? undefined : this.guards.get(fn as unknown as AnyListener)?.get(event);
    return (guarded as unknown as EventEmitter.EventListener<LifecycleEvents, T> | undefined) ?? fn;
  }
}

/** Every lifecycle event's name; the type check keeps it equal to {@link LifecycleEvents}' keys. */
const LIFECYCLE_EVENT_NAMES = Object.keys({
  enqueued: true,
  attemptSucceeded: true,
  attemptFailed: true,
  attemptReleased: true,
  deadLettered: true,
  requestDropped: true,
  webhookDisabled: true,
  webhookUrlBlocked: true,
  requestDeferred: true,
  operatorEvent: true,
  handlerFailed: true,
  logWriteFailed: true,
  backgroundError: true,
  audit: true,
} satisfies Record<keyof LifecycleEvents, true>) as readonly (keyof LifecycleEvents)[];

function checkedEventName<T extends keyof LifecycleEvents>(method: string, event: T): T {
  if (!LIFECYCLE_EVENT_NAMES.includes(event)) {
    const name = typeof event === 'string' ? event : String(event);
    const near = nearestName(name, LIFECYCLE_EVENT_NAMES);
    throw new HookworkError(
      'HOOKWORK_ERR_INVALID_ARGUMENT',
      `app.lifecycle.${method}() was given ${JSON.stringify(name)}, which is not a lifecycle event${near ? ` (did you mean ${near}?)` : ''}; the events are ${LIFECYCLE_EVENT_NAMES.join(', ')}`,
    );
  }
  return event;
}

/**
 * Emits lifecycle events on behalf of core's services: a listener that throws (listeners must
 * not) is logged and never breaks delivery; background failures are logged and emitted as
 * `backgroundError`. One per app.
 */
export class LifecycleReporter {
  /** Set by {@link LifecycleReporter.stopping}: what follows a background failure once the app stops. */
  private afterStop: string | undefined;

  constructor(
    /** The app's emitter (`app.lifecycle`). */
    readonly lifecycle: LifecycleEmitter,
    private readonly logger: Logger,
  ) {
    lifecycle.onListenerRejected((event, error) => this.logger.error(`a ${event} lifecycle listener's promise rejected (listeners must not throw; catch inside an async listener): ${(error as Error)?.message ?? error}`, { error }));
  }

  /** Emits `event`; a throwing listener is logged, not rethrown. */
  emit<E extends keyof LifecycleEvents>(event: E, ...args: Parameters<LifecycleEvents[E]>): void {
    try {
      (this.lifecycle.emit as (event: E, ...args: Parameters<LifecycleEvents[E]>) => boolean)(event, ...args);
    } catch (error) {
      this.logger.error(`a ${event} lifecycle listener threw (listeners must not throw): ${(error as Error)?.message ?? error}`, { error });
    }
  }

  /**
   * Work in the background failed and will be tried again: logged and emitted. Once the app
   * stops ({@link LifecycleReporter.stopping}) nothing tries it again, and the line says so.
   */
  backgroundError(task: string, error: unknown): void {
    const message = (error as Error)?.message ?? error;
    if (this.afterStop === undefined) this.logger.error(`${task} failed; it will be tried again: ${message}`, { error });
    else this.logger.error(`${task} failed while the app was stopping, and is not tried again by it: ${message}; ${this.afterStop}`, { error });
    this.emit('backgroundError', { task, error });
  }

  /**
   * The app is stopping: from now on a background failure is not tried again by it ("release
   * failed; it will be tried again" was logged for the claims a stopping app could not give back),
   * and its line ends with `consequence`, what happens instead.
   */
  stopping(consequence: string): void {
    this.afterStop = consequence;
  }
}

/** Injection token of the app's {@link LifecycleEmitter}. */
export const LifecycleToken = createToken<LifecycleEmitter>('hookwork.Lifecycle');
