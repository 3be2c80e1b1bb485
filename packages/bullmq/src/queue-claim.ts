import { randomUUID } from 'node:crypto';
import type { HookworkError } from '@hookwork/core';
import { BULLMQ_ERRORS } from './bullmq-errors';
import { redisFailure, type RedisClients } from './redis-connection';

/** The key recording which webhook store's apps use a queue (see {@link QueueClaim}); removeBullmqQueue() deletes it with the queue. */
export function storeMarkerKey(prefix: string, queueName: string): string {
  return `${prefix}:${queueName}:hookwork:store`;
}

/**
 * How long the claim of an app on a store without an id lasts in Redis unless renewed, ms. Its
 * apps renew it every {@link CLAIM_RENEW_MS}; a process that died without stopping (SIGKILL, a
 * crash of its machine) leaves it for at most this long — and a restart does not wait for that
 * when Redis lists the dead process's connections as gone (see {@link QueueClaim.take}).
 */
export const CLAIM_TTL_MS = 15_000;

/** How often a running app on a store without an id renews its claim, ms (a fifth of {@link CLAIM_TTL_MS}). */
export const CLAIM_RENEW_MS = 3_000;

/** How often a start looks at a claim whose holder cannot be looked up (CLIENT LIST denied) while it waits to see it renewed or lapse, ms. */
const WATCH_EVERY_MS = 250;

/**
 * How long a start watches a claim recorded while Redis ran as another server (its `run_id`, new at
 * every start of redis-server: it restarted since, its data replayed from its append-only file or
 * snapshot) before it takes it over, ms. The connection ids it names are of that run — Redis counts
 * them again from 1 — so `CLIENT LIST` cannot say whether its app runs: a new connection, the
 * starting app's own among them, may have one of its ids. A running app renews its claim as soon
 * as its connections are back (they reconnect within a second) and every {@link CLAIM_RENEW_MS}
 * anyway: not renewed within this, its app is gone.
 */
export const OTHER_RUN_WATCH_MS = CLAIM_RENEW_MS + 1_500;

/** Claims of apps on a store without an id (the memory store, SQLite's `:memory:`) start with this. */
export const EPHEMERAL = 'memory:';

/**
 * Records `ARGV[1]` in `KEYS[1]` (for `ARGV[2]` ms; `0`: for good) unless another holder is there,
 * and returns the holder there. The holder is the whole value, or for an app on a store without an
 * id its first word (`memory:<uuid>`; the rest — its connections, a beat count and the run of
 * Redis it recorded them in, see {@link ephemeralClaim} — changes at each renewal, and a value
 * recorded by an earlier version, without the run, has the same first word). `ARGV[3]` (a holder
 * found gone) and `ARGV[4..]` (the store's former ids) there are replaced. A full Redis
 * (noeviction) refuses the SET: the claim is then left unrecorded, not start() failed.
 */
const CLAIM = `
local function owner(value)
  if string.sub(value, 1, ${EPHEMERAL.length}) == '${EPHEMERAL}' then return string.match(value, '^[^ ]+') end
  return value
end
local held = redis.call('GET', KEYS[1])
if held and owner(held) ~= owner(ARGV[1]) and held ~= ARGV[3] then
  local former = false
  for i = 4, #ARGV do if ARGV[i] == held then former = true end end
  if not former then return held end
end
if ARGV[2] == '0' then redis.pcall('SET', KEYS[1], ARGV[1]) else redis.pcall('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
return ARGV[1]`;

/** Deletes `KEYS[1]` when its value starts with `ARGV[1]` (this app's claim, whatever its beat). */
const RELEASE = `
local held = redis.call('GET', KEYS[1])
if held and string.sub(held, 1, #ARGV[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * The holder names of opened stores without an id, by the store object, and the engines of this
 * process that hold a claim for each, by the claim's Redis and key (one per queue): engines opened on one
 * store object — apps a host gave one opened memory store, the contract suite's engines — are one
 * holder, and a queue's claim is deleted when the last of them on that queue closes. Weak, and
 * keyed by the store itself: two apps meet here only when they share a store, which is what it
 * records (no app sees another's data through it).
 */
const ephemeralHolders = new WeakMap<object, { name: string; claims: Map<string, Set<QueueClaim>> }>();

/** What a claim's value names as its holder (see {@link CLAIM}). */
function owner(value: string): string {
  return value.startsWith(EPHEMERAL) ? value.split(' ')[0]! : value;
}

/**
 * The connections an ephemeral claim names, and the Redis run they are of:
 * `memory:<uuid> <client ids, comma-separated, or -> <beat> <run_id, or ->`. A claim recorded by a
 * version before 2026-12-04 has no run id (`memory:<uuid> <ids> <beat>`), nor one recorded where
 * INFO was denied (`-`): `run` is then undefined. The run id comes last, so a version before it
 * reads the holder and the ids where they were.
 */
export function ephemeralClaim(value: string): { ids: string[]; run: string | undefined } {
  const [, ids = '', , run] = value.split(' ');
  return { ids: ids.split(',').filter((id) => /^\d+$/.test(id)), run: run !== undefined && /^[0-9a-f]+$/.test(run) ? run : undefined };
}

/** The `run_id` of the server `client` is connected to (INFO server): new at every start of redis-server. */
async function runIdOf(client: RedisClients['producer']): Promise<string | undefined> {
  return /^run_id:([0-9a-f]+)\s*$/m.exec(await client.info('server'))?.[1];
}

/** What {@link QueueClaim} needs of the queue and the app's store. */
export interface QueueClaimOptions {
  prefix: string;
  queueName: string;
  /** The store's `id` (Storage.id); undefined for a store whose data is new at every open. */
  storeId?: string;
  /** The store's `formerIds` (Storage.formerIds): one of them recorded is replaced, not refused. */
  formerStoreIds?: readonly string[];
  /** The opened store (Storage) itself; undefined for an engine opened without one (a tool's), which claims nothing. */
  store?: object;
}

/**
 * Which webhook store's apps use a BullMQ queue, recorded in Redis beside it
 * (`<prefix>:<queue>:hookwork:store`). Each app's Worker takes any job of its queue, and a job
 * whose webhook its store lacks is dropped as one of a deleted webhook (its cleanup round, a
 * second after start, drops them all): apps of two stores on one queue dropped each other's
 * requests without a word. So an app's start records its store, and a start of another store's
 * app is refused (HOOKWORK_ERR_INVALID_BULLMQ_OPTIONS).
 *
 * A store with an id (SQLite, PostgreSQL) is recorded for good: its requests stay in the queue
 * while its apps are stopped. A store without one (the memory store, SQLite's `:memory:`) is new at
 * every open, and two apps on such stores never share their webhooks: each start records a claim
 * of its own (`memory:<uuid>`, with the app's two Redis connections), renewed every
 * {@link CLAIM_RENEW_MS} for {@link CLAIM_TTL_MS} and deleted at stop. A start that finds one asks
 * Redis whether those connections are still there (`CLIENT LIST ID`): a process that died
 * (SIGKILL) has none, and its claim is taken over at once; where CLIENT LIST is denied, the start
 * watches the claim until it is renewed (its app runs: refused) or lapses. Connection ids count
 * from 1 again at every start of redis-server, so the claim records the server's `run_id` too: one
 * recorded in an earlier run (Redis restarted with its data since) is watched instead, for
 * {@link OTHER_RUN_WATCH_MS} — a running app renews it as soon as it has reconnected.
 */
export class QueueClaim {
  /** This app's holder name: the store's id, or `memory:<uuid>` made for its opened store. */
  private readonly holder: string;
  private readonly ephemeral: boolean;
  private readonly key: string;
  private timer: NodeJS.Timeout | undefined;
  private beats = 0;
  /** Set by {@link release}: a renewal still under way records nothing more. */
  private released = false;
  /** A renewal under way (a renewal never overlaps another). */
  private renewing: Promise<void> | undefined;
  /** The holder that took the claim from this app, once said (see {@link renew}). */
  private lostTo: string | undefined;

  constructor(
    private readonly redis: RedisClients,
    private readonly options: QueueClaimOptions,
    /** Where a claim lost while running is said (coded HOOKWORK_ERR_INVALID_BULLMQ_OPTIONS). */
    private readonly onLost: (error: HookworkError) => void,
  ) {
    this.ephemeral = options.storeId === undefined;
    this.holder = options.storeId ?? `${EPHEMERAL}${randomUUID()}`;
    if (this.ephemeral && options.store !== undefined) {
      const shared = ephemeralHolders.get(options.store) ?? { name: this.holder, claims: new Map<string, Set<QueueClaim>>() };
      ephemeralHolders.set(options.store, shared);
      this.holder = shared.name;
    }
    this.key = storeMarkerKey(options.prefix, options.queueName);
  }

  /**
   * Records this app's store with the queue, or fails start() with HOOKWORK_ERR_INVALID_BULLMQ_OPTIONS
   * when another store's apps use it (HOOKWORK_ERR_REDIS_UNAVAILABLE when Redis fails meanwhile).
   * For an app on a store without an id, starts renewing the claim.
   */
  async take(): Promise<void> {
    const { storeId, store } = this.options;
    if (storeId === undefined && store === undefined) return;
    let held = await this.claim('');
    if (owner(held) !== this.holder && held.startsWith(EPHEMERAL)) {
      const runs = await this.holderRuns(held);
      if (runs === false) held = await this.claim(held);
      else if (typeof runs === 'string') held = runs;
    }
    if (owner(held) !== this.holder) throw this.refusal(held);
    if (this.ephemeral) {
      this.sharing().add(this);
      this.timer = setInterval(() => void this.renew(), CLAIM_RENEW_MS);
      this.timer.unref();
      for (const client of [this.redis.producer, this.redis.worker]) client.on('ready', this.renewNow);
    }
  }

  /**
   * Renews at once when a connection is back (Redis restarted, the network cut it): its id changed,
   * and until the next renewal the claim named the old one, which a start elsewhere finds gone
   * ({@link holderRuns}) — it took the queue over from this app, running. After a restart of Redis
   * the claim named the former run, which a start watches only for {@link OTHER_RUN_WATCH_MS}. A
   * renewal under way began before the connection was back (what it read may be of the former
   * connection or server): another follows it.
   */
  private readonly renewNow = (): void => {
    const under = this.renewing;
    if (under === undefined) void this.renew();
    else void under.finally(() => (this.timer === undefined ? undefined : this.renew()));
  };

  /** Stops renewing and deletes this app's claim of a store without an id (the app stops); a failure is left to the claim's TTL. */
  async release(): Promise<void> {
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
    for (const client of [this.redis.producer, this.redis.worker]) client.off('ready', this.renewNow);
    this.released = true;
    // The timer ran only for a claim take() counted among its store's (see {@link ephemeralHolders}).
    const sharing = this.sharing();
    sharing.delete(this);
    // Another engine on this store object still runs on the queue here: the claim stays its, and it
    // records its own connections at once — left naming this engine's, which close next, a start
    // elsewhere would find none of them listed and take the claim over from an app that runs.
    const [other] = sharing;
    if (other !== undefined) return other.renew();
    await this.redis.producer.eval(RELEASE, 1, this.key, this.holder).catch(() => {});
  }

  /** The engines of this store object holding this queue's claim (on this Redis) in this process (see {@link ephemeralHolders}). */
  private sharing(): Set<QueueClaim> {
    const { claims } = ephemeralHolders.get(this.options.store!)!;
    const queue = `${this.redis.where} ${this.key}`;
    let sharing = claims.get(queue);
    if (sharing === undefined) claims.set(queue, (sharing = new Set()));
    return sharing;
  }

  /**
   * The value this app records: its holder name, and for a store without an id its connections, a
   * beat count and the run of Redis they are of (see {@link ephemeralClaim}; `-` where INFO is denied).
   */
  private async value(): Promise<string> {
    if (!this.ephemeral) return this.holder;
    const { producer, worker } = this.redis;
    const [run, ...ids] = await Promise.all([
      producer.status === 'ready' ? runIdOf(producer).catch(() => undefined) : undefined,
      ...[producer, worker].map((client) => (client.status === 'ready' ? client.client('ID').then(String, () => '') : '')),
    ]);
    return `${this.holder} ${ids.filter(Boolean).join(',') || '-'} ${this.beats++} ${run ?? '-'}`;
  }

  /** Runs {@link CLAIM}, replacing `gone` if it is there; the holder found (this app's value when it holds the claim now). */
  private async claim(gone: string): Promise<string> {
    const { formerStoreIds = [] } = this.options;
    try {
      const value = await this.value();
      // Released meanwhile (stop() while a renewal read the connections' ids): not recorded again.
      if (this.released) return value;
      return String(await this.redis.producer.eval(CLAIM, 1, this.key, value, this.ephemeral ? String(CLAIM_TTL_MS) : '0', gone, ...formerStoreIds.filter((id) => id !== this.holder)));
    } catch (error) {
      throw this.unavailable(error);
    }
  }

  /** A failure of Redis while the claim was taken, as start() says it. */
  private unavailable(error: unknown): HookworkError {
    return BULLMQ_ERRORS.create('HOOKWORK_ERR_REDIS_UNAVAILABLE', `the BullMQ queue could not start on ${this.redis.where} (${redisFailure(error, this.redis.producer.options.commandTimeout).text})`, { cause: error });
  }

  /**
   * Whether the app of `held` (an ephemeral claim) still runs: true when Redis lists one of its
   * connections, false when none (its process ended without stopping) or when the claim lapsed
   * meanwhile; the claim as found now when it changed hands. Where CLIENT LIST is refused (an ACL),
   * the claim is watched until it is renewed (its app runs) or lapses, at most {@link CLAIM_TTL_MS}.
   * A claim recorded in another run of Redis names connection ids that may be anyone's now: it is
   * watched for {@link OTHER_RUN_WATCH_MS}. One without a run id (recorded by an earlier version,
   * or where INFO is denied), or a start that cannot read the run id, asks CLIENT LIST as before.
   */
  private async holderRuns(held: string): Promise<boolean | string> {
    const { ids, run } = ephemeralClaim(held);
    const now = run === undefined ? undefined : await runIdOf(this.redis.producer).catch((error: unknown) => ((error as Error)?.name === 'ReplyError' ? undefined : Promise.reject(this.unavailable(error))));
    if (run !== undefined && now !== undefined && run !== now) return this.watch(held, OTHER_RUN_WATCH_MS);
    try {
      if (ids.length > 0) return String(await this.redis.producer.client('LIST', 'ID', ...ids)).trim() !== '';
    } catch (error) {
      if ((error as Error)?.name !== 'ReplyError') throw this.unavailable(error);
    }
    return this.watch(held, CLAIM_TTL_MS + WATCH_EVERY_MS);
  }

  /** Watches `held` for `ms`: true once its holder renews it, false when it lapses or stays as it is, the claim found now when it changed hands. */
  private async watch(held: string, ms: number): Promise<boolean | string> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, WATCH_EVERY_MS));
      const now = await this.redis.producer.get(this.key).catch((error: unknown) => Promise.reject(this.unavailable(error)));
      if (now === null) return false;
      if (now !== held) return owner(now) === owner(held) ? true : now;
    }
    return false;
  }

  /**
   * Renews this app's claim ({@link renewOnce}), unless a renewal is under way: its promise then.
   * It is cleared once settled, by a callback — not in its own body, which runs up to its first
   * await before it is assigned here: a renewal that returned at once (the producer not ready,
   * Redis away) was left here settled, every later one returned it, and the claim was never
   * renewed again (it lapsed under a running app).
   */
  private renew(): Promise<void> {
    if (this.renewing === undefined) {
      const renewing: Promise<void> = this.renewOnce().finally(() => {
        if (this.renewing === renewing) this.renewing = undefined;
      });
      this.renewing = renewing;
    }
    return this.renewing;
  }

  /** Renews this app's claim; one taken by another app meanwhile (it had lapsed) is said once. */
  private async renewOnce(): Promise<void> {
    if (this.redis.producer.status !== 'ready') return;
    const held = await this.claim('').catch(() => undefined);
    if (held === undefined || owner(held) === this.holder) {
      this.lostTo = undefined;
      return;
    }
    if (this.lostTo === owner(held)) return;
    this.lostTo = owner(held);
    this.onLost(
      BULLMQ_ERRORS.create(
        'HOOKWORK_ERR_INVALID_BULLMQ_OPTIONS',
        `the BullMQ queue "${this.options.queueName}" (prefix "${this.options.prefix}") at ${this.redis.where} was claimed by another app (${owner(held)}) while this app's claim had lapsed (Redis lost it, or this process did not renew it for ${CLAIM_TTL_MS / 1000} s): each app now drops the other's requests as requests of webhooks its store does not have. Stop one of them, and give each a queue of its own (bullmqQueue({ queueName })) or one store they share`,
      ),
    );
  }

  /** Why this app may not use the queue `held` is recorded for, and the fix. */
  private refusal(held: string): HookworkError {
    const { queueName, prefix, storeId } = this.options;
    const queue = `the BullMQ queue "${queueName}" (prefix "${prefix}") at ${this.redis.where}`;
    const mine = storeId === undefined ? 'this app\'s webhooks are in a store of its own that has no id (the memory store — the default when only `queue` is given —, or SQLite\'s :memory:)' : `this app's is ${storeId}, as its store's line at start says`;
    const ownQueue = 'Give this app a queue of its own (bullmqQueue({ queueName }))';
    if (held.startsWith(EPHEMERAL)) {
      return BULLMQ_ERRORS.create(
        'HOOKWORK_ERR_INVALID_BULLMQ_OPTIONS',
        `${queue} is used by another running app whose webhooks are in a store of its own without an id (the memory store, or SQLite's :memory:; ${owner(held)}); ${mine}: each app's Worker would take the other's jobs and drop them as requests of webhooks its store does not have. ${ownQueue}, or give both apps one store they share (sqliteStorage({ file }), postgresStorage()); the other app's claim ends when it stops`,
      );
    }
    return BULLMQ_ERRORS.create(
      'HOOKWORK_ERR_INVALID_BULLMQ_OPTIONS',
      `${queue} holds the requests of apps on another webhook store (${held}; ${mine}): apps on two stores drop each other's requests there, as requests of webhooks their store does not have. ${ownQueue}, or the other apps' store; if this queue's apps moved to this store on purpose, remove the old queue once it is empty (removeBullmqQueue()) or delete the key ${this.key}`,
    );
  }
}
