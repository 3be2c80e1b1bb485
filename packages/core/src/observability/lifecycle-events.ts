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

/** What `webhookDisabled` tells: which webhook hookwork disabled, and why. */
export interface WebhookDisabledInfo {
  /** The webhook disabled. */
  webhookKey: string;
  /** `gone`: its receiver answered 410 Gone; `failing`: every attempt failed for `autoDisable.after`. */
  reason: 'gone' | 'failing';
  /** Why, in words: `the receiver answered 410 Gone to request …`, or `every attempt failed since … (autoDisable.after: 5 days)`. */
  message: string;
  /** For `failing`: when the failing streak began. */
  failingSince?: Date;
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
 * `app.lifecycle.on('deadLettered', r => alert(r))`. Listeners run synchronously and must not
 * throw; one that does (or an async one whose promise rejects) is logged at error, naming the
 * event and the listener, and the event's other listeners are called all the same.
 */
export interface LifecycleEvents {
  /**
   * Requests were durably enqueued: those the store stored. One it skipped (its id held or
   * remembered already: a publish made again with its `idempotencyKey`) is not named, and an
   * enqueue that skipped all emits nothing; `hookwork_requests_enqueued_total` and `drain()` count
   * the same. Requests stored in a host transaction (`publish(…, { transaction })`) are durable
   * only once it commits: they are named then, when the store can tell it ({@link EnqueueResult.committed};
   * PostgreSQL can, up to a second after the commit), and never when it is rolled back.
   */
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
  /**
   * A webhook was disabled by hookwork: `reason` is `gone` (its receiver answered 410 Gone) or
   * `failing` (no success for `autoDisable.after`, since `failingSince`); `message` says it in
   * words. The same as the `webhook.disabled` operator event's data, less the URL.
   */
  webhookDisabled: (info: WebhookDisabledInfo) => void;
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
  /**
   * Work in the background failed (a claim, a cleanup round); it will be tried again — or, where
   * nothing tries it again, the log line says what was done instead.
   */
  backgroundError: (info: { task: string; error: unknown }) => void;
  /** A management write was made (or refused) through an API: the audit trail. */
  audit: (record: AuditRecord) => void;
}

/** A lifecycle listener as the emitter holds it. */
type AnyListener = (...args: unknown[]) => unknown;

/** The listener a guarded one stands for, so listeners() gives back what was added. */
const ORIGINAL = Symbol('hookwork:lifecycle-listener');

/** A lifecycle listener that threw, or whose promise rejected. */
export interface LifecycleListenerFailure {
  /** The event it listened to. */
  event: keyof LifecycleEvents;
  /** The listener in words: its name in quotes, the start of its source when it has none, or the hookwork part it is. */
  listener: string;
  /** `threw` (synchronously) or `rejected` (the promise an async listener returned). */
  how: 'threw' | 'rejected';
  /** What it threw. */
  error: unknown;
}

/** Longest stretch of an anonymous listener's source that names it in a log line. */
const SOURCE_SHOWN = 60;

/** A listener in words, for the line that says it failed. */
function listenerLabel(listener: AnyListener): string {
  if (listener.name) return JSON.stringify(listener.name);
  let source: string;
  try {
    source = Function.prototype.toString.call(listener).replace(/\s+/g, ' ');
  } catch {
    return '(anonymous)';
  }
  return `(anonymous: ${source.length > SOURCE_SHOWN ? `${source.slice(0, SOURCE_SHOWN)}…` : source})`;
}

/** The typed emitter of {@link LifecycleEvents}. */
export class LifecycleEmitter extends EventEmitter<LifecycleEvents> {
  // Each listener added is held as a guard that catches the promise an async listener returns;
  // off() and listeners() translate between the two.
  private readonly guards = new WeakMap<AnyListener, Map<keyof LifecycleEvents, AnyListener>>();
  /** Where a listener's failure goes; until the app's reporter is attached, a sync throw is rethrown after the others ran. */
  private failed: ((failure: LifecycleListenerFailure) => void) | undefined;
  /** The sync failures of the emits under way without a reporter, innermost last (a listener may emit). */
  private readonly emitting: unknown[][] = [];
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

  /**
   * Emits `event` to hookwork's own subscribers, then to the host's listeners. Each listener is
   * called on its own: one that throws (or rejects) is reported to the app's logger and the others
   * are called all the same, on both channels.
   */
  override emit<T extends keyof LifecycleEvents>(event: T, ...args: EventEmitter.EventArgs<LifecycleEvents, T>): boolean {
    // With the app's reporter attached (every app), failures go to it: no stack of them to keep.
    // Several emits per delivery take this path.
    if (this.failed) {
      const internal = this.internal.emit(event, ...args);
      return super.emit(event, ...args) || internal;
    }
    const thrown: unknown[] = [];
    this.emitting.push(thrown);
    let heard: boolean;
    try {
      const internal = this.internal.emit(event, ...args);
      heard = super.emit(event, ...args) || internal;
    } finally {
      this.emitting.pop();
    }
    // Only without the app's reporter (an emitter made by hand): as an EventEmitter would, but
    // after every listener had its turn.
    if (thrown.length > 0) throw thrown[0];
    return heard;
  }

  /**
   * @internal subscribes one of hookwork's own parts to `event`, out of the host's reach: the
   * host's off(), removeAllListeners() and listenerCount() do not see it. `name` names it in the
   * line logged when it throws (the host's listeners are called all the same).
   */
  subscribeInternal<T extends keyof LifecycleEvents>(event: T, fn: EventEmitter.EventListener<LifecycleEvents, T>, name = 'subscriber'): void {
    this.internal.on(checkedEventName('subscribeInternal', event), this.guarded(event, fn as unknown as AnyListener, `(hookwork's ${name})`) as unknown as EventEmitter.EventListener<LifecycleEvents, T>);
  }

  /** @internal where a listener's failure is reported (the app's logger, once it is resolved). */
  onListenerFailed(report: (failure: LifecycleListenerFailure) => void): void {
    this.failed = report;
  }

  /**
   * The listener wrapped so that neither its throw nor the promise an async one returns can stop
   * the event's other listeners or reject unhandled: a host's throwing metrics listener kept its
   * pager listener from hearing of a dead letter, and an `async (attempt) => notifySlack(attempt)`
   * whose request failed ended the process. One guard per listener and event, so off() finds it.
   */
  private guard<T extends keyof LifecycleEvents>(event: T, fn: EventEmitter.EventListener<LifecycleEvents, T>): EventEmitter.EventListener<LifecycleEvents, T> {
    const listener = fn as unknown as AnyListener;
    if (typeof listener !== 'function') return fn;
    let byEvent = this.guards.get(listener);
    if (!byEvent) this.guards.set(listener, (byEvent = new Map()));
    let guarded = byEvent.get(event);
    if (!guarded) {
      guarded = this.guarded(event, listener);
      Object.defineProperty(guarded, ORIGINAL, { value: listener });
      byEvent.set(event, guarded);
    }
    return guarded as unknown as EventEmitter.EventListener<LifecycleEvents, T>;
  }

  /** `listener`, calling which never throws or leaves a rejection unhandled; failures go to {@link failed}. */
  private guarded(event: keyof LifecycleEvents, listener: AnyListener, label?: string): AnyListener {
    // The label is made when a failure needs it: most listeners never fail.
    const report = (how: LifecycleListenerFailure['how'], error: unknown) => {
      if (this.failed) this.failed({ event, listener: label ?? listenerLabel(listener), how, error });
      else if (how === 'threw') this.emitting.at(-1)?.push(error);
    };
    return function (this: unknown, ...args: unknown[]) {
      let result: unknown;
      try {
        result = listener.apply(this, args);
      } catch (error) {
        report('threw', error);
        return undefined;
      }
      if (typeof (result as PromiseLike<unknown> | undefined)?.then === 'function') (result as PromiseLike<unknown>).then(undefined, (error: unknown) => report('rejected', error));
      return result;
    };
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
 * Emits lifecycle events on behalf of core's services: a listener that throws or rejects
 * (listeners must not) is logged once, naming the event and the listener, and never breaks
 * delivery or keeps the event from the other listeners; background failures are logged and
 * emitted as `backgroundError`. One per app.
 */
export class LifecycleReporter {
  /** Set by {@link LifecycleReporter.stopping}: what follows a background failure once the app stops. */
  private afterStop: string | undefined;

  constructor(
    /** The app's emitter (`app.lifecycle`). */
    readonly lifecycle: LifecycleEmitter,
    private readonly logger: Logger,
  ) {
    lifecycle.onListenerFailed(({ event, listener, how, error }) => {
      const what = how === 'threw' ? 'threw (listeners must not throw)' : "returned a promise that rejected (listeners must not throw; catch inside an async listener)";
      this.logger.error(`the ${event} lifecycle listener ${listener} ${what}: ${(error as Error)?.message ?? error}; the event's other listeners were called all the same`, { error, event, listener });
    });
  }

  /** Emits `event`; a listener that throws is logged (by the emitter's guard), not rethrown. */
  emit<E extends keyof LifecycleEvents>(event: E, ...args: Parameters<LifecycleEvents[E]>): void {
    (this.lifecycle.emit as (event: E, ...args: Parameters<LifecycleEvents[E]>) => boolean)(event, ...args);
  }

  /**
   * Work in the background failed and will be tried again: logged and emitted. Once the app
   * stops ({@link LifecycleReporter.stopping}) nothing tries it again, and the line says so.
   * `instead` is for a failure nothing tries again, whether or not the app stops: what was done
   * instead (a fallback taken at once, or the work left to another path), which the line ends
   * with in place of "it will be tried again".
   */
  backgroundError(task: string, error: unknown, instead?: string): void {
    const message = (error as Error)?.message ?? error;
    if (instead !== undefined) this.logger.error(`${task} failed: ${message}; ${instead}`, { error });
    else if (this.afterStop === undefined) this.logger.error(`${task} failed; it will be tried again: ${message}`, { error });
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
