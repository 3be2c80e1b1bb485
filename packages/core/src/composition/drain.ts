import { HookworkError, shownValue } from '../errors/hookwork-error';
import { unknownOption } from '../errors/nearest-name';
import { shownList } from '../errors/shown-list';
import { readOrRefuse } from '../model/caller-input';
import { checkKey } from '../model/key-rules';
import { isPlainObject, objectKind } from '../model/plain-object';
import type { QueueEngine } from '../ports/queue-engine';
import { quoted } from '../errors/visible-text';

/** Options of `app.drain()`. */
export interface DrainOptions {
  /** Give up after this many ms with HOOKWORK_ERR_DRAIN_TIMEOUT. Default 30,000 (30 s). */
  timeoutMs?: number;
  /** Wait for these requests (their `webhook-id`s) instead of this app's own. */
  requestIds?: readonly string[];
  /** Wait until this webhook has nothing pending or in flight (every process's requests). */
  webhookKey?: string;
  /** Wait until the whole queue has nothing pending or in flight (every process's requests). */
  all?: boolean;
}

/**
 * How drain() tells a key or id nothing knows from one that is done: a typo must not read as
 * "all is well", as it does in every listing.
 */
export interface DrainLookups {
  /** Throws HOOKWORK_ERR_WEBHOOK_NOT_FOUND for a key that names no webhook and nothing queued (queueCounts()' rule). */
  requireWebhook(webhookKey: string): Promise<void>;
  /** The webhook key of a request's delivery log entries, undefined when it holds none (one delivered, dropped or given up on, and gone from the queue). */
  logged(requestId: string): Promise<string | undefined>;
}

/** The default of {@link DrainOptions.timeoutMs}. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 30_000;

/** A drain spends at most about 1 / (1 + LOOK_SHARE) of its time looking at the store. */
const LOOK_SHARE = 9;

/** How many of its own unsettled requests an app remembers for `drain()`. */
export const MAX_TRACKED_REQUESTS = 100_000;

/**
 * The requests this app enqueued or redelivered and has not yet seen settled for good
 * (delivered, dead-lettered or dropped): what `drain()` waits for by default, so a run's drain
 * is not held up by requests an earlier run left in a durable store. Bounded: beyond
 * {@link MAX_TRACKED_REQUESTS} the oldest are forgotten (drain no longer waits for them).
 *
 * The oldest is found in a list of the ids in the order they came, not as the set's first
 * entry: V8 finds a set's first entry by walking over every entry deleted since the set was
 * last rebuilt, 20–30 µs per add once the bound is reached — which it is when other processes
 * sharing the store deliver this app's requests (it never sees them settled).
 */
export class OwnRequests {
  /** Each tracked id, with the number it was added under. */
  private readonly ids = new Map<string, number>();
  /** The ids as they came, and their numbers: an entry whose number is no longer the id's was settled (or re-added later). */
  private order: string[] = [];
  private numbers: number[] = [];
  /** Index in {@link order} of the oldest entry that may still be tracked. */
  private head = 0;
  private added = 0;
  /** Ids dead-lettered by this process whose settlement is still running (see {@link hold}): not forgotten by {@link prune}. */
  private readonly inHand = new Set<string>();

  add(ids: Iterable<string>): void {
    for (const id of ids) this.track(id);
    this.compact();
  }

  /** {@link add} for the `enqueued` lifecycle event's requests, at each publish: no list of their ids is made. */
  addRequests(requests: readonly { readonly requestId: string }[]): void {
    for (let i = 0; i < requests.length; i++) this.track(requests[i]!.requestId);
    this.compact();
  }

  private track(id: string): void {
    if (this.ids.has(id)) return;
    const number = this.added++;
    this.ids.set(id, number);
    this.order.push(id);
    this.numbers.push(number);
    if (this.ids.size > MAX_TRACKED_REQUESTS) this.forgetOldest();
  }

  /**
   * The list keeps an entry for every id forgotten or settled since it was last made: made again
   * from the map (filled in the same order) once those are more than the tracked ones.
   */
  private compact(): void {
    if (this.order.length > 2 * this.ids.size + 1024) {
      this.order = [...this.ids.keys()];
      this.numbers = [...this.ids.values()];
      this.head = 0;
    }
  }

  private forgetOldest(): void {
    for (;;) {
      const id = this.order[this.head]!;
      const number = this.numbers[this.head++]!;
      if (this.ids.get(id) !== number) continue;
      this.ids.delete(id);
      return;
    }
  }

  settled(id: string): void {
    this.ids.delete(id);
    if (this.inHand.size > 0) this.inHand.delete(id);
  }

  /**
   * The request `id` is being dead-lettered by this process, and core still reads its webhook
   * again (a deletion committing meanwhile drops it instead): stored `dead` already, it is not
   * settled yet, and {@link prune} must not take it for one settled by another process — drain()
   * returned while the request was still listed dead, before it was dropped. Until {@link release}
   * (or {@link settled}).
   */
  hold(id: string): void {
    this.inHand.add(id);
  }

  /** Ends a {@link hold}. */
  release(id: string): void {
    this.inHand.delete(id);
  }

  /** Up to `count` of the tracked ids, the oldest first. */
  some(count: number): string[] {
    const ids: string[] = [];
    for (const id of this.ids.keys()) {
      if (ids.length >= count) break;
      ids.push(id);
    }
    return ids;
  }

  get size(): number {
    return this.ids.size;
  }

  /**
   * Forgets those settled by another process sharing the store (gone, or dead). Reads at most
   * `limit` of them, so a check stays cheap.
   */
  async prune(engine: Pick<QueueEngine<unknown>, 'get'>, limit = 1000): Promise<void> {
    const some = this.some(limit);
    const requests = await Promise.all(some.map((id) => engine.get(id)));
    some.forEach((id, i) => {
      const request = requests[i];
      if ((!request || request.state === 'dead') && !this.inHand.has(id)) this.ids.delete(id);
    });
  }
}

const DRAIN_KEYS = ['timeoutMs', 'requestIds', 'webhookKey', 'all'];

/** Refuses drain() options of the wrong kind: a misspelt key would otherwise be a silent no-op. */
function checkDrainOptions(options: DrainOptions): void {
  const bad = (problem: string) => new HookworkError('HOOKWORK_ERR_INVALID_ARGUMENT', `drain() ${problem}; pass { timeoutMs? } and at most one of { requestIds: [...] }, { webhookKey }, { all: true }`);
  if (!isPlainObject(options)) throw bad(`takes a plain options object${options !== null && typeof options === 'object' ? `, not ${objectKind(options)}` : ''}`);
  // Worded as publish()'s and rotateSecret()'s: `drain({ timeout })` is told timeoutMs was meant.
  const unknown = unknownOption(options, DRAIN_KEYS);
  if (unknown) throw new HookworkError('HOOKWORK_ERR_INVALID_ARGUMENT', `drain(): ${unknown.text}`);
  const { timeoutMs, requestIds, webhookKey, all } = options;
  if (timeoutMs !== undefined && (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs < 0)) throw bad(`was given timeoutMs ${shownValue(timeoutMs)}, not a number of milliseconds >= 0`);
  if (requestIds !== undefined && (!Array.isArray(requestIds) || requestIds.some((id) => typeof id !== 'string'))) throw bad('was given requestIds that are not a list of request ids (webhook-ids)');
  if (webhookKey !== undefined && typeof webhookKey !== 'string') throw bad('was given a webhookKey that is not a string');
  if (all !== undefined && typeof all !== 'boolean') throw bad('was given all that is not true or false');
  if ([requestIds, webhookKey, all || undefined].filter((v) => v !== undefined).length > 1) throw bad('was given more than one of requestIds, webhookKey and all');
  requestIds?.forEach((id, i) => checkKey('drain()', `options.requestIds[${i}]`, id, 'requestId'));
  if (webhookKey !== undefined) checkKey('drain()', 'options.webhookKey', webhookKey, 'webhookKey');
}

/**
 * Refuses a webhook key or request id that nothing knows. A request id is known while the queue
 * holds it and, once it is delivered (or dropped, or given up on) and gone from the queue, by its
 * entry in the delivery log: an id that WAS known is done, not unknown — until the retention
 * cleanup removes its log entry (keepLogsForDays).
 */
async function requireKnown(engine: QueueEngine<unknown>, options: DrainOptions, lookups: DrainLookups): Promise<void> {
  if (options.webhookKey !== undefined) await lookups.requireWebhook(options.webhookKey);
  const unknown: string[] = [];
  for (const id of new Set(options.requestIds ?? [])) {
    // The queue first: a request settled between the two looks is in the log by then.
    if (!(await engine.get(id)) && !(await lookups.logged(id))) unknown.push(id);
  }
  if (unknown.length > 0) {
    const shown = shownList(unknown, { show: (id) => quoted(id), max: 5 });
    throw new HookworkError(
      'HOOKWORK_ERR_REQUEST_NOT_FOUND',
      `drain() was given request id${unknown.length > 1 ? 's' : ''} ${shown} that no queued request and no delivery log entry has; pass the ids publish() returned (a request's webhook-id), or drain() with no ids for this app's own requests`,
      // The option at fault, as every coded input refusal names it; `ids`, the ids of it that name nothing.
      { details: [{ field: 'requestIds', problem: `holds ${shown}, which no queued request and no delivery log entry has; pass the ids publish() returned (a request's webhook-id)`, ids: unknown }] },
    );
  }
}

/**
 * Waits until what `options` names is settled: this app's own requests (the default), given
 * request ids, one webhook's queue, or the whole queue. Woken by each settled request and at
 * least every 250 ms (for retries coming due and other processes' work), but looks again only
 * once nine times the last look's cost has passed (see LOOK_SHARE).
 */
export async function drainQueue(engine: QueueEngine<unknown>, own: OwnRequests, given: DrainOptions = {}, stopping?: AbortSignal, lookups?: DrainLookups): Promise<void> {
  const options = readOrRefuse(given, (path, problem) => new HookworkError('HOOKWORK_ERR_INVALID_ARGUMENT', `drain() options${path ? `.${path}` : ''} ${problem}`));
  checkDrainOptions(options);
  // Only when there is something to look up: the default drain takes its first look at once.
  if (lookups && (options.webhookKey !== undefined || options.requestIds !== undefined)) await requireKnown(engine, options, lookups);
  const timeoutMs = options.timeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  const waiting = new Set(options.requestIds ?? []);
  let lastCheck = 0;
  // -1: the first look always asks the store (a drain with a short timeout may get only one).
  let sizeAtLastCheck = -1;
  const done = async (): Promise<{ done: boolean; about: string; details: unknown }> => {
    if (options.requestIds) {
      for (const id of [...waiting]) {
        const request = await engine.get(id);
        if (!request || request.state === 'dead') waiting.delete(id);
      }
      return { done: waiting.size === 0, about: `${waiting.size} of the given requests ${waiting.size === 1 ? 'is' : 'are'} not settled (${[...waiting].slice(0, 5).join(', ')})`, details: { requestIds: [...waiting] } };
    }
    if (options.all || options.webhookKey !== undefined) {
      const counts = await engine.counts(options.webhookKey !== undefined ? { webhookKey: options.webhookKey } : {});
      const scope = options.webhookKey !== undefined ? `webhook ${options.webhookKey}` : 'the queue';
      return { done: counts.pending + counts.inFlight === 0 && (options.webhookKey !== undefined || engine.active === 0), about: `${scope} has ${counts.pending} pending and ${counts.inFlight} in flight`, details: counts };
    }
    // Requests settled by another process are learnt from the store, not more often than 4 times
    // a second, and only once this app settled none of its own in the last look: while it makes
    // progress, the reads (a thousand per look, two per delivery at 2,000/s on SQLite) would
    // only slow it down, and what another process settled is still found when progress stops.
    if (own.size > 0 && Date.now() - lastCheck >= 250) {
      lastCheck = Date.now();
      if (own.size >= sizeAtLastCheck) await own.prune(engine);
      sizeAtLastCheck = own.size;
    }
    return { done: own.size === 0, about: `${own.size} of this app's requests ${own.size === 1 ? 'is' : 'are'} not settled`, details: { unsettled: own.size } };
  };
  let state: Awaited<ReturnType<typeof done>> = { done: false, about: 'nothing was looked at yet', details: {} };
  for (;;) {
    const started = performance.now();
    if (stopping?.aborted) throw stoppedWhileDraining(state);
    try {
      state = await done();
    } catch (error) {
      // stop() closed the store under this look: that is the stop, not a failing store.
      if (stopping?.aborted) throw stoppedWhileDraining(state, error);
      throw error;
    }
    const lookedAt = performance.now();
    if (state.done) return;
    const left = deadline - Date.now();
    if (left <= 0) {
      const unsettled = options.requestIds ? [...waiting] : options.all || options.webhookKey !== undefined ? [] : own.some(STUCK_SHOWN);
      throw new HookworkError(
        'HOOKWORK_ERR_DRAIN_TIMEOUT',
        `the queue was not drained within ${timeoutMs} ms: ${state.about}${await describeStuck(engine, unsettled)}; a retry may be due later than that, the webhook may be disabled or its circuit breaker open (app.health(webhookKey)), delivery may be off (settings.enabled), or pass a longer { timeoutMs }`,
        { details: state.details },
      );
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(finish, Math.min(left, 250));
      // One wake-up for all the settlements of a turn: a completion batch settles many requests at
      // once, and each queued a wake-up of its own (0.9 per delivery while the bench drained).
      let woken = false;
      const unsubscribe = engine.onSettled(() => {
        if (woken) return;
        woken = true;
        setImmediate(finish);
      });
      stopping?.addEventListener('abort', finish);
      function finish() {
        clearTimeout(timer);
        unsubscribe();
        stopping?.removeEventListener('abort', finish);
        resolve();
      }
    });
    if (stopping?.aborted) continue;
    // A look that reads the store costs more the more it holds (a webhook's counts read its
    // requests; given ids are read one by one), and while a backlog drains, settlements come back
    // to back: a look after each kept the process busy looking (a 4 ms count took all of its time).
    // So the next look waits until LOOK_SHARE times the last one's cost has passed; a cheap look
    // (under 0.1 ms) never waits.
    const pause = Math.min(lookedAt + LOOK_SHARE * (lookedAt - started) - performance.now(), deadline - Date.now());
    if (pause >= 1) await new Promise((resolve) => setTimeout(resolve, pause));
  }
}

/** How many of the requests a drain gave up on its timeout error describes. */
const STUCK_SHOWN = 3;

/**
 * Which webhooks hold what a drain gave up on, and why, read from the store: a count alone sent an
 * operator to look at `settings.enabled` when one webhook was failing or disabled. Empty when the
 * store cannot say (its failure is not the drain's to report).
 */
async function describeStuck(engine: QueueEngine<unknown>, ids: readonly string[]): Promise<string> {
  try {
    const requests = await Promise.all(ids.slice(0, STUCK_SHOWN).map((id) => engine.get(id)));
    const lines = requests.flatMap((request) => {
      if (!request) return [];
      const when = request.state === 'inflight' ? 'in flight' : `${request.state}, attempt ${request.attempts + 1} due ${request.dueAt.toISOString()}`;
      return [`${request.id} of webhook ${request.webhookKey}: ${when}${request.lastError ? ` (last error: ${request.lastError.slice(0, 200)})` : ''}`];
    });
    return lines.length > 0 ? ` — ${lines.join('; ')}` : '';
  } catch {
    return '';
  }
}

/**
 * What a drain under way says when the app begins to stop: nothing it waits for will be settled by
 * this app any more (delivery stops), so waiting out the timeout, or failing on the store stop()
 * closes, would only mislead.
 */
function stoppedWhileDraining(last: { about: string; details: unknown }, cause?: unknown): HookworkError {
  return new HookworkError(
    'HOOKWORK_ERR_APP_STOPPED',
    `the app was stopped while drain() waited (last look: ${last.about}); what is not settled stays queued and is delivered once an app runs on the store again — stop the app after drain() resolves, not during it`,
    { details: last.details, ...(cause !== undefined ? { cause } : {}) },
  );
}
