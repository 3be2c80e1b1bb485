import { isHookworkError } from '../../errors/hookwork-error';
import type { Webhook } from '../../model/webhook';
import { sameReceiver, sameWebhook } from '../../model/webhook-identity';
import type { LifecycleReporter } from '../../observability/lifecycle-events';
import type { Logger } from '../../observability/logger';
import type { OperatorEvent } from '../../observability/operator-events';
import type { TransportResult } from '../../ports/transport';
import type { WebhookHealthRecord, WebhookHealthState, WebhookHealthStore } from '../../ports/webhook-health-store';
import type { Clock } from '../../runtime/clock';
import { OneAtATime } from '../../runtime/one-at-a-time';
import type { SettingsAccessor } from '../../settings/settings';
import { formatDuration } from '../../settings/time-span';
import type { WebhookCache } from '../webhook-cache';
import { admission, afterAttempt, attemptHealth, claimProbe, healthPolicy, isQuiet, receiverOf, retryAfterPause, stateFor, type AttemptFacts, type HealthPolicy, type HealthTransition, type HoldReason } from './health-policy';

/** Whether a request may be attempted now. */
export type DeliveryAdmission = { readonly kind: 'send'; readonly probe: boolean } | { readonly kind: 'hold'; readonly until: Date; readonly reason: HoldReason };

/** What {@link WebhookHealthMonitor} works with. */
export interface WebhookHealthMonitorDeps {
  /** The store's health, once the app is open. */
  store: () => WebhookHealthStore;
  /**
   * Changes a stored webhook as one step against the app's other changes of it (an operator's
   * edit, a secret rotation): auto-disable writes `enabled: false` through it. `change` returns
   * the replacement, or `undefined` to leave the webhook as it is; resolves with the webhook as
   * stored, HOOKWORK_ERR_WEBHOOK_NOT_FOUND when absent (see `WebhookRepository.modify`).
   */
  modifyWebhook: (webhookKey: string, change: (current: Webhook) => Webhook | undefined) => Promise<Webhook>;
  /**
   * The webhook as stored, or undefined when it is not, asked of the store's repository (not of
   * the app's webhook cache, which may still hold a deleted or changed one for a second).
   */
  storedWebhook: (webhookKey: string) => Promise<Webhook | undefined>;
  /** Ends the queue engine's hold of a webhook whose health is forgotten (see QueueEngine.endHold); absent before the app opens. */
  endHold?: (webhookKey: string) => void;
  /** The cache of webhooks, told when one was disabled. */
  webhooks: Pick<WebhookCache, 'invalidate'>;
  /** The app's settings (read `current` each time). */
  settings: SettingsAccessor;
  /** The app's clock. */
  clock: Clock;
  /** Where operator events (breaker opened, webhook disabled) are emitted. */
  reporter: LifecycleReporter;
  /** The app's logger. */
  logger: Logger;
}

const SEND: DeliveryAdmission = Object.freeze({ kind: 'send', probe: false });
const PROBE: DeliveryAdmission = Object.freeze({ kind: 'send', probe: true });

/** How often, at most, a probe in flight is checked on by the webhook's other requests, ms. */
const PROBE_POLL_MS = 1000;
/**
 * Compare-and-set rounds of a probe claim before the request waits a second, as for a probe in
 * flight elsewhere (with a store without `update`). This process claims one at a time, so only
 * other processes sharing the store can make it lose a round.
 */
const MAX_CLAIM_ROUNDS = 10;
/** The longest wait before a health write that lost to other processes (or found the store locked) tries again, ms. */
const WRITE_RETRY_MAX_MS = 1000;

/** A hold until `until` (epoch ms) for `reason`. */
function hold(until: number, reason: HoldReason, now: number): DeliveryAdmission {
  // While another process probes, look again soon: its success should not wait out its whole lease.
  const at = reason === 'probe in flight' ? Math.min(until, now + PROBE_POLL_MS) : until;
  return { kind: 'hold', until: new Date(at), reason };
}

/**
 * What a request of a webhook whose health is `state` gets at `now`, and, when it is to be the
 * probe, the state that claims the probe (to be written: by compare-and-set, or under the store's
 * lock). The one decision of both ways a probe is claimed.
 */
function probeDecision(stored: WebhookHealthState | undefined, webhook: Webhook, policy: HealthPolicy, now: number): { admission: DeliveryAdmission; claim: WebhookHealthState | undefined } {
  const state = stateFor(stored, webhook);
  const decided = admission(state, policy, now);
  if (decided.kind === 'hold') return { admission: hold(decided.until, decided.reason, now), claim: undefined };
  if (decided.kind === 'send') return { admission: SEND, claim: undefined };
  return { admission: PROBE, claim: { ...claimProbe(state!, policy, now), receiver: receiverOf(webhook) } };
}
/** How often successes counted for the failure-rate window are written, ms. */
const SUCCESS_FLUSH_MS = 1000;

/** One attempt's outcome waiting to be written into its webhook's health. */
interface PendingFacts {
  /** The webhook as the attempt had it. */
  webhook: Webhook;
  policy: HealthPolicy;
  facts: AttemptFacts;
  /** When the attempt ended, ms. */
  now: number;
}

/** Attempts' outcomes written together, in one write. */
interface Batch {
  /** Emptied when a write before it that lost a round took them into its own (see writeBatch). */
  readonly items: PendingFacts[];
  /** Settles once they are written (or the store failed, which is reported): never rejects. */
  written: Promise<void>;
}

/** What a batch's outcomes make of a stored state: the state to write and the transitions to report once it is written. */
interface Decided {
  state: WebhookHealthState;
  transitions: { webhook: Webhook; transitions: readonly HealthTransition[] }[];
  /** The successes counted in memory that rode along. */
  buffered: number;
}

interface Cached {
  record: Promise<WebhookHealthRecord | undefined>;
  /** performance.now() after which the store is read again. */
  until: number;
  /** `record` once it resolved (undefined while it is read): what the synchronous paths decide on. */
  known?: { value: WebhookHealthRecord | undefined };
}

/**
 * The health of every webhook as delivery sees it: the circuit breaker, the failing streak and
 * auto-disable, the rate limit and a receiver's Retry-After pause, on the state the store keeps
 * (the rules are the pure functions of health-policy.ts). One per app.
 *
 * Cheap when all is well: each webhook's state is read from the store at most once a
 * second (less often than `period`), a success on a healthy webhook writes nothing, and only a
 * rate-limited webhook asks the store for each request. A breaker transition is the write of
 * one process (compare-and-set), which alone reports it, so operators hear of it once.
 *
 * Within the process, a webhook's health writes and probe claims go one at a time, and the
 * outcomes of attempts that end while one is being written are folded into the next write (as
 * each would have been written in turn): of 64 attempts failing at once each is counted, in at
 * most 64 writes (one, when they all end while the first is out), and none loses a
 * compare-and-set to another of this process. Before, each wrote on its own, all but one lost
 * each round, and after ten rounds the rest went uncounted.
 *
 * Across processes no outcome is dropped either. A write first tries a compare-and-set on the
 * state it has (one round trip when nobody else writes); once another process wrote first, it
 * writes with the store's `update` (read, decide, write under the store's lock on the webhook:
 * it cannot lose), or, with a store without one, reads again and tries again after a short,
 * jittered, growing wait, taking in the outcomes of attempts that ended meanwhile, until it wins.
 * A transition is still the write of one process (the one whose write made it), reported there
 * alone. Before, a write gave up after ten lost rounds: with several processes on one failing
 * webhook some failures went uncounted, each write with a warning, during exactly the outage. Only
 * when the app stops does a write that keeps losing (or finds the store locked) give up, once the
 * stop's budget is spent ({@link stopWithin}).
 */
export class WebhookHealthMonitor {
  private readonly cache = new Map<string, Cached>();
  /** Successes not yet counted into a failure-rate window, by webhook. */
  private readonly successes = new Map<string, { count: number; webhook: Webhook }>();
  private flushTimer: NodeJS.Timeout | undefined;
  /** Each webhook's health writes and probe claims, one at a time. */
  private readonly lanes = new OneAtATime();
  /** By webhook: the batch waiting for its turn in the lane, which attempts ending meanwhile join. */
  private readonly open = new Map<string, Batch>();
  /** Every batch not yet written (waiting or being written), for the app's stop to wait for. */
  private readonly unwritten = new Set<Promise<void>>();
  /** performance.now() after which a write that lost a round gives up (set when the app stops). */
  private giveUpAt = Infinity;
  /** The app's queue engine, once started: its name and whether it keeps FIFO order. */
  queue: { name: string; fifo: boolean } | undefined;

  constructor(private readonly deps: WebhookHealthMonitorDeps) {}

  /** The policy of `webhook` under the current settings. */
  policyOf(webhook: Pick<Webhook, 'breaker' | 'rateLimit'>): HealthPolicy {
    return healthPolicy(webhook, this.deps.settings.current);
  }

  /**
   * @internal {@link admit}'s answer when it is known at once — the webhook's health is cached
   * and read, it never failed or is quiet, and no rate limit applies — else undefined (then ask
   * {@link admit}). The delivery handler asks this first: no promise, no microtask turn per
   * delivery for the common case.
   */
  admitAtOnce(webhook: Webhook): DeliveryAdmission | undefined {
    const known = this.knownRecord(webhook.key);
    if (!known) return undefined;
    const record = known.value;
    const settings = this.deps.settings.current;
    if (!record && !webhook.rateLimit && settings.rateLimit.perSecond === 0) return SEND;
    const policy = healthPolicy(webhook, settings);
    if (policy.rate) return undefined;
    const state = record?.state;
    if (admission(state, policy, this.deps.clock.now().getTime()).kind === 'send') return SEND;
    // Held or probing only by a state left by another receiver (the webhook moved, its health not
    // forgotten): read as none. Asked only here, not of every delivery: a state that sends sends anyway.
    return stateFor(state, webhook) === undefined ? SEND : undefined;
  }

  /**
   * @internal {@link recordAttempt} done at once when it writes nothing: a success (not a probe)
   * of a webhook whose cached health is quiet (counted in memory when a failure rate is on).
   * True when done; false: call {@link recordAttempt}.
   */
  recordQuietSuccess(webhook: Webhook, result: TransportResult, probe: boolean): boolean {
    if (probe || attemptHealth(result) !== 'success') return false;
    const known = this.knownRecord(webhook.key);
    if (!known) return false;
    // No state (a webhook that never failed, the usual case) is quiet at any time: no clock read.
    const state = known.value?.state;
    // (A state left by another receiver is no state: quiet. Asked only of one that is not quiet.)
    if (state !== undefined && !isQuiet(state, this.deps.clock.now().getTime()) && stateFor(state, webhook) !== undefined) return false;
    this.countQuietSuccess(webhook);
    return true;
  }

  /**
   * Whether a request of `webhook` may be attempted now: held while the receiver's Retry-After
   * runs, while the breaker is open (until its cool-down ends) or another process probes, and
   * while the rate limit is spent; sent otherwise, as the probe when the breaker's cool-down is over.
   */
  async admit(webhook: Webhook): Promise<DeliveryAdmission> {
    const cached = this.isCached(webhook.key);
    let record = await this.read(webhook.key);
    // The common case: a webhook that never failed and has no rate limit goes without more ado.
    if (!record && !webhook.rateLimit && this.deps.settings.current.rateLimit.perSecond === 0) return SEND;
    const now = this.deps.clock.now().getTime();
    const policy = this.policyOf(webhook);
    let decided = admission(stateFor(record?.state, webhook), policy, now);
    if (decided.kind === 'hold' && cached) {
      // A hold defers the request to its end (a receiver's pause: up to maxRetryAfter), so it is
      // decided on the record as stored now, not as cached up to a second ago: another process
      // may have forgotten the health meanwhile (the webhook moved to another URL, or enabled again).
      record = await this.read(webhook.key, true);
      decided = admission(stateFor(record?.state, webhook), policy, now);
    }
    if (decided.kind === 'hold') return hold(decided.until, decided.reason, now);
    if (policy.rate) {
      const grant = await this.deps.store().takeToken(webhook.key, policy.rate, new Date(now));
      if (!grant.granted) return { kind: 'hold', until: grant.retryAt, reason: 'rate limit' };
    }
    if (decided.kind === 'probe') {
      const seen = record;
      return this.lanes.run(webhook.key, () => this.claimProbe(webhook, policy, seen));
    }
    return SEND;
  }

  /** Counts an attempt's outcome into the webhook's health, and reports what changed. Never throws. */
  async recordAttempt(webhook: Webhook, result: TransportResult, probe: boolean): Promise<void> {
    try {
      const now = this.deps.clock.now();
      const health = attemptHealth(result);
      if (health === 'success' && !probe) {
        const state = (await this.read(webhook.key))?.state;
        // A state left by another receiver is no state (asked only of one that is not quiet).
        if (isQuiet(state, now.getTime()) || stateFor(state, webhook) === undefined) return this.countQuietSuccess(webhook);
      }
      const pauseMs = retryAfterPause(result, this.deps.settings.current, now);
      if (health === 'ignored' && pauseMs === undefined) return;
      // An attempt that went to a URL the webhook was moved away from says nothing of the
      // receiver it has now (whose health starts afresh, see forget()): a 429 of the old one
      // would pause the new one for up to maxRetryAfter.
      // Nor does one for a webhook deleted meanwhile and created again under its key, even at the
      // same URL: the new webhook starts with no failing streak, no open breaker, no pause.
      // The store failing to answer: counted, as for a webhook that was not moved.
      // Nor does one that ends after its webhook was disabled (a 410 of another attempt, auto-disable,
      // an operator): nothing is sent to it until it is enabled again, which forgets its health.
      // Counted, the attempts still out opened the breaker of a disabled webhook — a breaker.opened
      // event promising a probe that never went, and hookwork_breaker_state at 1 until re-enabled.
      const stored = await this.deps.storedWebhook(webhook.key).catch(() => undefined);
      if (stored && (!sameReceiver(stored, webhook) || !stored.enabled)) return;
      await this.write(webhook, this.policyOf(webhook), { health, probe, ...(pauseMs !== undefined ? { pauseMs } : {}) }, now.getTime());
    } catch (error) {
      this.deps.reporter.backgroundError(`recording the health of webhook ${webhook.key}`, error);
    }
  }

  /**
   * Disables a webhook for good reason (410 Gone, or failing for `autoDisable.after`), keeping
   * its requests; reports `webhookDisabled` and the `webhook.disabled` operator event. Never throws.
   * `webhook` is the webhook as the attempt that gave the reason had it: one whose URL was changed
   * since (moved away from a receiver that is gone) is left enabled, since the reason was about a
   * URL it no longer uses; so is another webhook created under the key since, when `webhook` has
   * its `createdAt`.
   */
  async disable(webhook: Pick<Webhook, 'key' | 'url'> & Partial<Pick<Webhook, 'createdAt'>>, reason: 'gone' | 'failing', message: string, failingSince?: number): Promise<void> {
    const now = this.deps.clock.now();
    let disabled = false;
    let moved = false;
    try {
      await this.deps.modifyWebhook(webhook.key, (current) => {
        // Moved, or another webhook created under the key since (deleted and created again):
        // what the attempt's receiver said is not about it. (A caller that gives no createdAt
        // is judged by the URL alone.)
        moved = current.url !== webhook.url || (webhook.createdAt !== undefined && !sameWebhook(current, { key: webhook.key, createdAt: webhook.createdAt }));
        disabled = current.enabled && !moved;
        return disabled ? { ...current, enabled: false, updatedAt: now } : undefined;
      });
    } catch (error) {
      // Deleted meanwhile: nothing to disable.
      if (!isHookworkError(error, 'HOOKWORK_ERR_WEBHOOK_NOT_FOUND')) this.deps.reporter.backgroundError('disabling a webhook', error);
      return;
    }
    if (moved) this.deps.logger.info(`webhook ${webhook.key} was not disabled (${message}): its URL was changed, or it was deleted and created again, since that attempt`);
    if (!disabled) return;
    this.deps.webhooks.invalidate(webhook.key);
    this.deps.logger.warn(`webhook ${webhook.key} was disabled: ${message}; its requests are kept and go out once it is enabled again`);
    const since = failingSince !== undefined ? { failingSince: new Date(failingSince) } : {};
    this.deps.reporter.emit('webhookDisabled', { webhookKey: webhook.key, reason, message, ...since });
    this.emit({ type: 'webhook.disabled', timestamp: now, data: { webhookKey: webhook.key, url: webhook.url, reason, message, ...since } });
  }

  /** Reports an operator event (lifecycle `operatorEvent`). */
  emit(event: OperatorEvent): void {
    this.deps.reporter.emit('operatorEvent', event);
  }

  /**
   * Forgets a webhook's health: it was deleted, an operator enabled it again, or its URL was
   * changed (another receiver: its breaker closes, a receiver's pause ends and a new failing
   * streak starts from nothing).
   */
  async forget(webhookKey: string): Promise<void> {
    this.cache.delete(webhookKey);
    this.successes.delete(webhookKey);
    try {
      await this.deps.store().delete(webhookKey);
    } finally {
      // The engine stopped taking its requests for what the forgotten health said (a receiver's
      // pause, an open breaker): without this, a webhook moved away from a receiver that asked for
      // an hour's pause took nothing in this process for that hour, new publishes included. Ended
      // even when the store failed to forget: a moved webhook's requests are then judged by the
      // health of its new receiver (none yet, see WebhookHealthState.receiver), not held for the old one's.
      this.deps.endHold?.(webhookKey);
    }
  }

  /**
   * The health of a webhook as stored now (the store's `get`, past every cache: this process's
   * and the store's), for management: undefined when it never failed, or when what is stored
   * judges another receiver (left by its earlier URL, or an earlier webhook of its key). Delivery's
   * cached copy is left as it is: it gates attempts, and refreshes by its own rules.
   */
  async health(webhook: Pick<Webhook, 'key' | 'url' | 'createdAt'>): Promise<WebhookHealthState | undefined> {
    return stateFor((await this.deps.store().get(webhook.key))?.state, webhook);
  }

  /** Writes the successes counted in memory for failure-rate windows (every second, and when the app stops). */
  async flush(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const now = this.deps.clock.now().getTime();
    const counted = [...this.successes.values()];
    this.successes.clear();
    // Each webhook's write in its own lane, at once: one contested webhook holds back no other's.
    await Promise.all(counted.map(({ count, webhook }) => this.write(webhook, this.policyOf(webhook), { health: 'success', probe: false, bufferedSuccesses: count - 1 }, now)));
  }

  /**
   * The app is stopping, with `withinMs` left of its `stopTimeout`: from then on, a health write
   * that loses a round to other processes (or finds the store locked) gives up, logged, rather
   * than hold the stop (and the attempt waiting for it) until it wins. Until then they go on.
   */
  stopWithin(withinMs: number): void {
    this.giveUpAt = performance.now() + withinMs;
  }

  /** Resolves once every health write asked for so far is made (or given up, see {@link stopWithin}). */
  async settled(): Promise<void> {
    while (this.unwritten.size > 0) await Promise.all(this.unwritten);
  }

  /** A healthy webhook's success changes nothing stored, unless a failure rate counts it. */
  private countQuietSuccess(webhook: Webhook): void {
    const breaker = webhook.breaker ? { ...this.deps.settings.current.breaker, ...webhook.breaker } : this.deps.settings.current.breaker;
    if (breaker.enabled && breaker.failureRate > 0) this.countSuccess(webhook);
  }

  private countSuccess(webhook: Webhook): void {
    const entry = this.successes.get(webhook.key);
    if (entry) {
      entry.count++;
      entry.webhook = webhook;
    } else this.successes.set(webhook.key, { count: 1, webhook });
    if (!this.flushTimer) {
      this.flushTimer = setTimeout(() => void this.flush(), SUCCESS_FLUSH_MS);
      this.flushTimer.unref?.();
    }
  }

  /**
   * Claims the probe of a webhook whose breaker's cool-down is over, in its lane: a claim made by
   * this process meanwhile (or a write) is in the cache, so the webhook's other requests that
   * were due at once see it and wait, without a write of their own. `seen` is the record admit()
   * decided on. Only another process can make a claim lose: then it is decided again under the
   * store's lock (`update`), where one process claims and the others see its claim. With a store
   * without `update`, after {@link MAX_CLAIM_ROUNDS} lost rounds the request waits a second, as for
   * a probe in flight elsewhere (no outcome is lost by that: it is only a request waiting).
   */
  private async claimProbe(webhook: Webhook, policy: HealthPolicy, seen: WebhookHealthRecord | undefined): Promise<DeliveryAdmission> {
    const webhookKey = webhook.key;
    const store = this.deps.store();
    const cached = await this.read(webhookKey);
    let record = cached && (!seen || cached.version > seen.version) ? cached : seen;
    let now = this.deps.clock.now().getTime();
    for (let round = 0; round < MAX_CLAIM_ROUNDS; round++) {
      const { admission: decided, claim } = probeDecision(record?.state, webhook, policy, now);
      if (!claim) return decided;
      const claimed = await store.compareAndSet(webhookKey, record!.version, claim);
      if (claimed) {
        this.remember(claimed);
        return decided;
      }
      if (store.update) return this.claimProbeLocked(store, webhook, policy);
      record = await this.read(webhookKey, true);
      now = this.deps.clock.now().getTime();
    }
    return hold(now + PROBE_POLL_MS, 'probe in flight', now);
  }

  /** {@link claimProbe} decided under the store's lock on the webhook; a lock not had in time makes the request wait a second. */
  private async claimProbeLocked(store: WebhookHealthStore, webhook: Webhook, policy: HealthPolicy): Promise<DeliveryAdmission> {
    const webhookKey = webhook.key;
    let decided: DeliveryAdmission = SEND;
    let record: WebhookHealthRecord | undefined;
    try {
      record = await store.update!(webhookKey, (current) => {
        const { admission: seen, claim } = probeDecision(current?.state, webhook, policy, this.deps.clock.now().getTime());
        decided = seen;
        return claim;
      });
    } catch (error) {
      if (!isHookworkError(error, 'HOOKWORK_ERR_STORAGE_LOCKED')) throw error;
      const now = this.deps.clock.now().getTime();
      return hold(now + PROBE_POLL_MS, 'probe in flight', now);
    }
    if (record) this.remember(record);
    return decided;
  }

  /**
   * Counts an attempt's outcome into its webhook's health. It joins the webhook's batch waiting
   * for its turn, if one is (of the webhook as this attempt had it: same URL, same webhook), or
   * begins one; a batch is written when the write before it in the webhook's lane is done.
   * Never rejects.
   */
  private write(webhook: Webhook, policy: HealthPolicy, facts: AttemptFacts, now: number): Promise<void> {
    const item: PendingFacts = { webhook, policy, facts, now };
    const waiting = this.open.get(webhook.key);
    if (waiting && sameReceiver(waiting.items[0]!.webhook, webhook)) {
      waiting.items.push(item);
      return waiting.written;
    }
    const batch: Batch = { items: [item], written: Promise.resolve() };
    this.open.set(webhook.key, batch);
    const written = this.lanes.run(webhook.key, async () => {
      // Its turn: later attempts begin the next batch.
      if (this.open.get(webhook.key) === batch) this.open.delete(webhook.key);
      // Taken into the write before it, which lost a round meanwhile, and written with it.
      if (batch.items.length === 0) return;
      try {
        await this.writeBatch(batch.items);
      } catch (error) {
        const attempts = batch.items.length === 1 ? '' : ` (${batch.items.length} attempts)`;
        this.deps.reporter.backgroundError(`recording the health of webhook ${webhook.key}${attempts}`, error);
      }
    });
    batch.written = written;
    this.unwritten.add(written);
    void written.then(() => this.unwritten.delete(written));
    return written;
  }

  /**
   * Writes a batch until it is written: decide on the state — each attempt of the batch in turn,
   * as if written one after another — write once, and report the transitions only when this
   * write made them. Successes counted in memory ride along (and are then forgotten).
   *
   * The first round is a compare-and-set on the state this process has. Only another process can
   * make it lose; then the store's `update` decides again on the state under its lock, and cannot
   * lose. A store without `update` reads again and tries again after a short jittered wait (so
   * processes that lost together do not try again in step), growing to {@link WRITE_RETRY_MAX_MS};
   * so does a lock the store could not take in time (HOOKWORK_ERR_STORAGE_LOCKED). Either way the
   * outcomes of this webhook's attempts that ended meanwhile are taken into the write, so under
   * contention writes grow rather than multiply, and no outcome is dropped. Any other failure of
   * the store rejects (the caller reports it).
   */
  private async writeBatch(items: PendingFacts[]): Promise<void> {
    const store = this.deps.store();
    const first = items[0]!;
    const key = first.webhook.key;
    let record = await this.read(key);
    for (let round = 0; ; round++) {
      let decided: Decided | undefined;
      const decide = (current: WebhookHealthRecord | undefined): WebhookHealthState => (decided = this.decide(key, current, items)).state;
      let written: WebhookHealthRecord | undefined;
      let locked = false;
      try {
        written = round > 0 && store.update ? await store.update(key, decide) : await store.compareAndSet(key, record?.version ?? 0, decide(record));
      } catch (error) {
        // Another process's lock held past the store's wait: contention too, not a failure.
        if (!isHookworkError(error, 'HOOKWORK_ERR_STORAGE_LOCKED')) throw error;
        locked = true;
      }
      if (written) {
        // What the write that was made decided (a store calls `change` again when it tries again).
        const made = decided!;
        this.remember(written);
        const counted = this.successes.get(key);
        if (counted && (counted.count -= made.buffered) <= 0) this.successes.delete(key);
        if (written.version === 1 && (await this.outlivedItsWebhook(first.webhook))) return;
        for (const { webhook, transitions } of made.transitions) this.report(webhook, transitions);
        return;
      }
      const left = this.giveUpAt - performance.now();
      // (A compare-and-set lost with an update to come: that cannot lose, so it is still made.)
      if (left <= 0 && (locked || !store.update || round > 0)) {
        const attempts = items.length === 1 ? 'one attempt' : `${items.length} attempts`;
        this.deps.logger.warn(`the health of webhook ${key} was not written before the app's stop ended (stopTimeout): ${locked ? 'the store stayed locked by another connection' : 'other processes sharing the store kept writing it first'}; ${attempts} of this process not counted`);
        return;
      }
      // Lost to another process: an update next, at once; without one, or after a refused lock, a wait first.
      if (round > 0 || !store.update || locked) await new Promise((resolve) => setTimeout(resolve, Math.min(left, Math.random() * Math.min(WRITE_RETRY_MAX_MS, 10 * 2 ** round))));
      this.takeWaiting(key, items);
      if (!store.update) record = await this.read(key, true);
    }
  }

  /**
   * What `items` make of `current`, each in turn; the successes counted in memory (for a
   * failure-rate window) ride along with the first.
   */
  private decide(key: string, current: WebhookHealthRecord | undefined, items: readonly PendingFacts[]): Decided {
    const buffered = this.successes.get(key)?.count ?? 0;
    // The batch's attempts are all of one receiver (see write()); a state left by another is not theirs.
    const receiver = items[0]!.webhook;
    let state = stateFor(current?.state, receiver);
    const transitions: Decided['transitions'] = [];
    for (const [i, { webhook, policy, facts, now }] of items.entries()) {
      const after = afterAttempt(state, { ...facts, bufferedSuccesses: (facts.bufferedSuccesses ?? 0) + (i === 0 ? buffered : 0) }, policy, now);
      state = after.state;
      if (after.transitions.length > 0) transitions.push({ webhook, transitions: after.transitions });
    }
    return { state: { ...state!, receiver: receiverOf(receiver) }, transitions, buffered };
  }

  /**
   * Takes the outcomes of the batch waiting behind a write that lost a round into that write (when
   * they are of the same webhook: same URL, same webhook): written with it, they need no write of
   * their own, and their batch, emptied, writes nothing when its turn comes (its callers' promise
   * settles then, after this write).
   */
  private takeWaiting(key: string, items: PendingFacts[]): void {
    const waiting = this.open.get(key);
    const mine = items[0]!.webhook;
    if (!waiting || !sameReceiver(waiting.items[0]!.webhook, mine)) return;
    this.open.delete(key);
    items.push(...waiting.items.splice(0));
  }

  /**
   * Whether a record just created belongs to a webhook deleted meanwhile, or moved to another URL
   * meanwhile, and is gone again. An attempt that ended after its webhook was deleted (and its
   * health forgotten) wrote a first record, which nothing deleted: the breaker gauge showed the
   * webhook for ever, and a webhook created again under its key began with its failing streak, or
   * its open breaker. Likewise an attempt at the old URL whose write came after the URL change had
   * forgotten the health (recordAttempt saw the old URL still stored): the new receiver began with
   * the old one's failure, or its Retry-After pause. A deletion or a URL change forgets the health
   * after storing the webhook, so a record created after that sees the change here, and one
   * created before it is removed by it. (A record the new receiver's own attempt wrote over this
   * one in between goes too: one attempt of the new receiver uncounted, never the old one counted.)
   */
  private async outlivedItsWebhook(webhook: Pick<Webhook, 'key' | 'url' | 'createdAt'>): Promise<boolean> {
    // The store failing to answer: keep the record and report its transitions, as for a webhook that exists.
    const stored = await this.deps.storedWebhook(webhook.key).then(
      (found) => found ?? null,
      () => undefined,
    );
    if (stored === undefined || (stored !== null && sameReceiver(stored, webhook))) return false;
    this.cache.delete(webhook.key);
    this.successes.delete(webhook.key);
    await this.deps.store().delete(webhook.key);
    return true;
  }

  private report(webhook: Webhook, transitions: readonly HealthTransition[]): void {
    const timestamp = this.deps.clock.now();
    const base = { webhookKey: webhook.key, url: webhook.url };
    for (const t of transitions) {
      switch (t.kind) {
        case 'breaker.opened':
          this.deps.logger.warn(`the circuit breaker of webhook ${webhook.key} opened after ${t.trigger === 'failure rate' ? `a failure rate of ${t.failureRate}` : `${t.consecutiveFailures} failed attempts in a row`}; its requests wait (no attempts used) and one probe goes at ${new Date(t.probeAt).toISOString()}`);
          this.emit({ type: 'breaker.opened', timestamp, data: { ...base, trigger: t.trigger, consecutiveFailures: t.consecutiveFailures, ...(t.failureRate !== undefined ? { failureRate: t.failureRate } : {}), probeAt: new Date(t.probeAt) } });
          break;
        case 'breaker.closed':
          this.deps.logger.info(`the circuit breaker of webhook ${webhook.key} closed: a probe succeeded`);
          this.emit({ type: 'breaker.closed', timestamp, data: { ...base, ...(t.openedAt !== undefined ? { openedAt: new Date(t.openedAt) } : {}) } });
          break;
        case 'webhook.recovered':
          this.emit({ type: 'webhook.recovered', timestamp, data: { ...base, failingSince: new Date(t.failingSince) } });
          break;
        case 'disable': {
          // In words at any size: as days to two places, a 10-minute setting read "0 day(s)".
          void this.disable(webhook, 'failing', `every attempt failed since ${new Date(t.failingSince).toISOString()} (autoDisable.after: ${formatDuration(this.deps.settings.current.autoDisable.after)})`, t.failingSince);
          break;
        }
      }
    }
  }

  /** The record {@link read} would answer from the cache now, when it has resolved. */
  private knownRecord(webhookKey: string): { value: WebhookHealthRecord | undefined } | undefined {
    const entry = this.cache.get(webhookKey);
    return entry !== undefined && entry.until > performance.now() ? entry.known : undefined;
  }

  /** Whether {@link read} would answer `webhookKey` from the cache now. */
  private isCached(webhookKey: string): boolean {
    const entry = this.cache.get(webhookKey);
    return entry !== undefined && entry.until > performance.now();
  }

  /**
   * A webhook's record: cached for up to a second (and never longer than `period`), or read now
   * with `fresh` — through the store's `getShared` when it has one (as fresh as the store can
   * cheaply tell), so delivery's reads cost no round trip where the store keeps a copy.
   */
  private read(webhookKey: string, fresh = false): Promise<WebhookHealthRecord | undefined> {
    const now = performance.now();
    const entry = this.cache.get(webhookKey);
    if (!fresh && entry && entry.until > now) return entry.record;
    const store = this.deps.store();
    const record = store.getShared ? store.getShared(webhookKey) : store.get(webhookKey);
    const cached: Cached = { record, until: now + Math.min(1000, this.deps.settings.current.period) };
    this.cache.set(webhookKey, cached);
    record.then(
      (value) => {
        cached.known = { value };
      },
      () => {
        if (this.cache.get(webhookKey)?.record === record) this.cache.delete(webhookKey);
      },
    );
    if (this.cache.size > 10_000) for (const [key, e] of this.cache) if (e.until <= now) this.cache.delete(key);
    return record;
  }

  private remember(record: WebhookHealthRecord): void {
    this.cache.set(record.webhookKey, { record: Promise.resolve(record), until: performance.now() + Math.min(1000, this.deps.settings.current.period), known: { value: record } });
  }
}
