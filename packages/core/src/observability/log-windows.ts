/** What a window counted since the line logged in full: `more` of them, and whatever its log sums up. */
export interface LogWindow {
  more: number;
}

/**
 * The windows of a log that tells the first of a kind of event in full and sums up the others
 * that follow within `windowMs` in one line when the window ends (or at {@link flush}), so a
 * failure that repeats thousands of times writes two lines a window, not thousands. The log keeps
 * the words and what to count; this keeps the windows, their timers (never keeping the process
 * alive) and when each closes.
 */
export class LogWindows<K, W extends LogWindow> {
  private readonly open = new Map<K, { window: W; timer: NodeJS.Timeout }>();

  constructor(
    private readonly windowMs: number,
    /** Sums up a window that closed having counted something (`more` above 0). */
    private readonly summarize: (key: K, window: W) => void,
  ) {}

  /**
   * The window open for `key`, to count the event into; or undefined, having opened one made by
   * `fresh` (nothing counted yet): the caller then logs the event in full.
   */
  counting(key: K, fresh: () => W): W | undefined {
    const open = this.open.get(key);
    if (open) return open.window;
    const timer = setTimeout(() => this.close(key, entry), this.windowMs);
    timer.unref?.();
    const entry = { window: fresh(), timer };
    this.open.set(key, entry);
    return undefined;
  }

  /** Sums up what the open windows counted and closes them (the app stops). */
  flush(): void {
    // Deleting the entry being visited is safe in a Map's iteration.
    for (const [key, entry] of this.open) this.close(key, entry);
  }

  private close(key: K, entry: { window: W; timer: NodeJS.Timeout }): void {
    clearTimeout(entry.timer);
    if (this.open.get(key) !== entry) return;
    this.open.delete(key);
    if (entry.window.more > 0) this.summarize(key, entry.window);
  }
}
