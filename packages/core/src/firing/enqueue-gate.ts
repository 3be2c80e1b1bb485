import { HookworkError } from '../errors/hookwork-error';

/** What a publish cut off by stop() says: nothing of `what` was stored, and `why`, when there is more to say. */
export function cutOffText(what: string, why?: string): string {
  return `publish() was cut off by stop(), which stopped waiting for it after stopTimeout: nothing of ${what} was stored${why ? ` (${why})` : ''}; publish it again on a running app`;
}

/**
 * Closes publishing's way into the store when stop() stops waiting for publishes (stopTimeout):
 * an enqueue asked for after that is refused before it reaches the store, and stop() waits for
 * those already sent to get their answer before it closes the store. So a publish cut off by
 * stop() stored each of its batches whole or not at all, and says which — where it used to
 * reach a closed store and fail with HOOKWORK_ERR_ENQUEUE_FAILED ("connection is not open").
 * One per app (a singleton of its container).
 */
export class EnqueueGate {
  private closed = false;
  private running = 0;

  /** Whether stop() closed the gate: a publish failing since was cut off by it. */
  get isClosed(): boolean {
    return this.closed;
  }
  private idle: (() => void) | undefined;

  /**
   * An enqueue begins (each is followed by one {@link leave}); refused with HOOKWORK_ERR_APP_STOPPED
   * once the gate is closed, `what()` naming what was not stored. A call, not a wrapping promise:
   * publish() pays no extra microtask for it.
   */
  enter(what: () => string): void {
    if (this.closed) throw new HookworkError('HOOKWORK_ERR_APP_STOPPED', cutOffText(what()));
    this.running++;
  }

  /** The enqueue that {@link enter} let through has its answer. */
  leave(): void {
    if (--this.running === 0) this.idle?.();
  }

  /** Refuses every later enqueue; resolves once those already sent to the store have their answer. */
  close(): Promise<void> {
    this.closed = true;
    if (this.running === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.idle = resolve;
    });
  }
}
