import { EventEmitter } from 'eventemitter3';
import type { NotificationType } from './notification';
import type { PublishOptions } from './webhook-event-base';

/** A notification handler; the bus awaits it. */
export type NotificationHandler<N extends object = object> = (notification: N, options: PublishOptions) => Promise<void> | void;

/** The outcome of one handler in a publish. */
export type HandlerOutcome = { ok: true } | { ok: false; error: unknown; handlerName: string };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type BusEvents = Record<symbol, (notification: any, options: PublishOptions) => unknown>;

/** The outcome of a handler that succeeded: one object, read only, for every publish. */
const OK: HandlerOutcome = Object.freeze({ ok: true });

/** The outcomes of a publish whose one handler succeeded. */
const aloneOk = (): HandlerOutcome[] => [OK];

/**
 * Routes published notifications to handlers by the notification's exact class, on an
 * eventemitter3 registry (one per app). eventemitter3's `emit()` ignores promises, so
 * {@link publish} calls the listeners itself and awaits every one.
 */
export class NotificationBus {
  private readonly emitter = new EventEmitter<BusEvents>();
  private readonly keys = new Map<Function, symbol>();
  private readonly names = new WeakMap<Function, string>();
  /**
   * Each class's handlers as {@link publish} runs them, listed again after a change (never changed
   * in place, so a publish under way keeps the list it began with): eventemitter3's `listeners()`
   * copies its list at every call, once per publish.
   */
  private readonly lists = new Map<symbol, readonly NotificationHandler[]>();

  private keyOf(type: Function): symbol {
    let key = this.keys.get(type);
    if (!key) {
      key = Symbol(type.name || 'notification');
      this.keys.set(type, key);
    }
    return key;
  }

  /** Subscribes a handler to a notification class; returns an unsubscribe function. */
  subscribe<N extends object>(type: NotificationType<N>, handler: NotificationHandler<N>, handlerName = handler.name || 'handler'): () => void {
    const key = this.keyOf(type);
    this.names.set(handler, handlerName);
    this.emitter.on(key, handler);
    this.lists.delete(key);
    return () => {
      this.emitter.off(key, handler);
      this.lists.delete(key);
    };
  }

  /** True when some handler listens to this notification class. */
  hasSubscribers(type: Function): boolean {
    const key = this.keys.get(type);
    return key !== undefined && this.emitter.listenerCount(key) > 0;
  }

  /**
   * The nearest class `type` extends that has handlers, if any: a notification of `type` reaches
   * none of them (routing is by the exact class), which the app warns about.
   */
  composedAncestor(type: Function): Function | undefined {
    for (let parent = Object.getPrototypeOf(type) as Function | null; typeof parent === 'function' && parent !== Function.prototype; parent = Object.getPrototypeOf(parent) as Function | null) {
      if (this.hasSubscribers(parent)) return parent;
    }
    return undefined;
  }

  /**
   * Runs every handler of the notification's class concurrently and waits for all of them.
   * A handler that throws does not stop the others; its error is in the outcomes.
   */
  publish(notification: object, options: PublishOptions = {}): Promise<HandlerOutcome[]> {
    const key = this.keys.get(notification.constructor);
    if (key === undefined) return Promise.resolve([]);
    let handlers = this.lists.get(key);
    if (handlers === undefined) {
      handlers = this.emitter.listeners(key) as NotificationHandler[];
      this.lists.set(key, handlers);
    }
    // One composed event per notification class is the common case: no Promise.all around it.
    if (handlers.length === 1) return this.runAlone(handlers[0]!, notification, options);
    const running: Promise<HandlerOutcome>[] = [];
    for (const handler of handlers) running.push(this.run(handler, notification, options));
    return Promise.all(running);
  }

  private async run(handler: NotificationHandler, notification: object, options: PublishOptions): Promise<HandlerOutcome> {
    try {
      await handler(notification, options);
      return OK;
    } catch (error) {
      return { ok: false, error, handlerName: this.names.get(handler) ?? 'handler' };
    }
  }

  /**
   * {@link run} for a class with one handler, its outcome listed: a reaction on the handler's
   * promise rather than an async function awaiting it, which cost 2.5 times the memory per publish.
   */
  private runAlone(handler: NotificationHandler, notification: object, options: PublishOptions): Promise<HandlerOutcome[]> {
    const failed = (error: unknown): HandlerOutcome[] => [{ ok: false, error, handlerName: this.names.get(handler) ?? 'handler' }];
    let running: Promise<void> | void;
    try {
      running = handler(notification, options);
    } catch (error) {
      return Promise.resolve(failed(error));
    }
    return Promise.resolve(running).then(aloneOk, failed);
  }

  /** Removes every handler. */
  clear(): void {
    this.emitter.removeAllListeners();
    this.lists.clear();
  }
}
