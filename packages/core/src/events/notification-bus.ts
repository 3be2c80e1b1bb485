import { EventEmitter } from 'eventemitter3';
import type { NotificationType } from './notification';
import type { PublishOptions } from './webhook-event-base';

/** A notification handler; the bus awaits it. */
export type NotificationHandler<N extends object = object> = (notification: N, options: PublishOptions) => Promise<void> | void;

/** The outcome of one handler in a publish. */
export type HandlerOutcome = { ok: true } | { ok: false; error: unknown; handlerName: string };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type BusEvents = Record<symbol, (notification: any, options: PublishOptions) => unknown>;

/**
 * Routes published notifications to handlers by the notification's exact class, on an
 * eventemitter3 registry (one per app). eventemitter3's `emit()` ignores promises, so
 * {@link publish} calls the listeners itself and awaits every one.
 */
export class NotificationBus {
  private readonly emitter = new EventEmitter<BusEvents>();
  private readonly keys = new Map<Function, symbol>();
  private readonly names = new WeakMap<Function, string>();

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
    return () => this.emitter.off(key, handler);
  }

  /** True when some handler listens to this notification class. */
  hasSubscribers(type: Function): boolean {
    const key = this.keys.get(type);
    return key !== undefined && this.emitter.listenerCount(key) > 0;
  }

  /**
   * Runs every handler of the notification's class concurrently and waits for all of them.
   * A handler that throws does not stop the others; its error is in the outcomes.
   */
  async publish(notification: object, options: PublishOptions = {}): Promise<HandlerOutcome[]> {
    const key = this.keys.get(notification.constructor);
    if (key === undefined) return [];
    const handlers = this.emitter.listeners(key) as NotificationHandler[];
    return Promise.all(
      handlers.map(async (handler): Promise<HandlerOutcome> => {
        try {
          await handler(notification, options);
          return { ok: true };
        } catch (error) {
          return { ok: false, error, handlerName: this.names.get(handler) ?? 'handler' };
        }
      }),
    );
  }

  /** Removes every handler. */
  clear(): void {
    this.emitter.removeAllListeners();
  }
}
