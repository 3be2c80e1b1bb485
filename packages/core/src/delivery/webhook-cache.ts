import type { Webhook } from '../model/webhook';
import type { WebhookRepository } from '../ports/webhook-repository';

interface Entry {
  loaded: Promise<Webhook | undefined>;
  /** performance.now() after which the entry is read again. */
  until: number;
}

/**
 * The stored webhooks delivery reads. A store with `getShared` (every built-in one) keeps its own
 * answers, fresh by its own rules (see WebhookRepository.getShared), and is asked every time.
 * Otherwise each is kept here for a short time: every delivery needs its webhook (URL, secrets,
 * enabled), and reading it from the store per attempt would put a store round trip on every
 * delivery. Loads of one key in flight at once are shared. An edit made through this app
 * invalidates its entry at once; an edit made by another process sharing the store is seen within
 * `ttlMs()` (at most a second).
 *
 * A webhook found missing is not kept: its request is dropped, which cannot be undone, so a
 * webhook created again under that key (here or by another process) must be seen at once. A
 * kept miss dropped the requests published to the new webhook for up to a second.
 */
export class WebhookCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    /** The store's repository (once the store is open). */
    private readonly repository: () => Pick<WebhookRepository, 'get' | 'getShared'>,
    private readonly ttlMs: () => number,
  ) {}

  /** The stored webhook (secrets included), or undefined when it does not exist. */
  get(key: string): Promise<Webhook | undefined> {
    // A store that keeps its own answers as fresh as it can tell (every built-in one): nothing
    // kept here, so another instance's deletion, disable or secret rotation stops this one at once.
    const repository = this.repository();
    if (repository.getShared) return repository.getShared(key);
    const now = performance.now();
    const entry = this.entries.get(key);
    if (entry && entry.until > now) return entry.loaded;
    const loaded = repository.get(key);
    this.entries.set(key, { loaded, until: now + this.ttlMs() });
    // Neither a failed read nor a miss is kept: the next delivery reads again.
    const forget = () => {
      if (this.entries.get(key)?.loaded === loaded) this.entries.delete(key);
    };
    loaded.then((webhook) => (webhook === undefined ? forget() : undefined), forget);
    if (this.entries.size > 10_000) this.evictExpired(now);
    return loaded;
  }

  /** Forgets `key` (it was created, changed or deleted through this app). */
  invalidate(key: string): void {
    this.entries.delete(key);
  }

  private evictExpired(now: number): void {
    for (const [key, entry] of this.entries) if (entry.until <= now) this.entries.delete(key);
  }
}
