import { HookworkError, isHookworkError } from '@hookwork/core';
import type { Socket } from 'node:net';
import { Redis, type RedisOptions } from 'ioredis';
import { finishedWithin } from './finished-within';
import { BULLMQ_ERRORS } from './bullmq-errors';
import { QUEUE_SCRIPTS, type QueueScripts } from './queue-scripts';
import { quietClient, type RedisNoticeKind } from './quiet-client';
import { answersPlainRedis, answersTls } from './redis-protocol-probe';
import { redisServerProblem } from './redis-server-problem';

/** Where Redis is: a `redis://` / `rediss://` URL, ioredis options, or an ioredis client (duplicated, never closed by hookwork). */
export type RedisConnectionInput = string | RedisOptions | Redis;

/** The Redis server of `input` for messages: `redis://host:port/db`, never a password. */
export function describeRedis(input: RedisConnectionInput): string {
  if (typeof input === 'string') {
    try {
      const url = new URL(input);
      return `${url.protocol}//${url.hostname}:${url.port || '6379'}${url.pathname && url.pathname !== '/' ? url.pathname : ''}`;
    } catch {
      return 'redis (unparsable URL)';
    }
  }
  const options = clientOptions(input) ?? (input as RedisOptions);
  if (options.path) return `redis+unix://${options.path}`;
  return `${options.tls ? 'rediss' : 'redis'}://${options.host ?? '127.0.0.1'}:${options.port ?? 6379}${options.db ? `/${options.db}` : ''}`;
}

/**
 * The options of `input` when it is an ioredis client — of this ioredis or of another copy or
 * version (a host's own ioredis dependency): its class then differs and `instanceof` says no, but
 * it still has `options` and `duplicate()`. Undefined for a URL or plain options. A Cluster is not
 * a client here (`isCluster`): bullmqQueue() refuses it.
 */
export function clientOptions(input: unknown): RedisOptions | undefined {
  if (input instanceof Redis) return input.options;
  const client = input as { options?: unknown; duplicate?: unknown; sendCommand?: unknown; isCluster?: unknown } | null;
  if (client === null || typeof client !== 'object' || client.isCluster === true) return undefined;
  return typeof client.duplicate === 'function' && typeof client.sendCommand === 'function' && typeof client.options === 'object' && client.options !== null ? (client.options as RedisOptions) : undefined;
}

/** True for an ioredis Cluster (of any copy of ioredis). */
export function isRedisCluster(input: unknown): boolean {
  return input !== null && typeof input === 'object' && (input as { isCluster?: unknown }).isCluster === true;
}

/**
 * ioredis's `disconnectTimeout`, ms: how long a disconnect() waits for the server to close the
 * socket it half-closed before destroying it. ioredis arms that timer whatever the socket's state:
 * a client cut while Redis was away (its socket long closed, or still connecting) kept a 2 s timer
 * (the default) alive past stop() for each connection — BullMQ's blocking one included, which
 * inherits this through duplicate() — so a host's process lingered after SIGTERM and jest said it
 * "did not exit". Nothing here disconnects a connection that has replies to wait for (a graceful
 * close is QUIT, see quit()): a disconnect is a cut, done at once.
 */
const CUT_AT_ONCE = 0;

/**
 * ioredis's `stringNumbers`, on every connection whatever a host's options or client say: BullMQ
 * and the engine read Redis's integer replies as numbers. A host's `stringNumbers: true` made every
 * completion fail in BullMQ (`Unknown code -1 error for 0. moveToFinished`, logged for each) and
 * queueCounts() add strings (`pending: "000"`).
 */
const NUMBERS_AS_NUMBERS = false;

/**
 * How long a connection may take to become ready before the engine asks whether the server speaks
 * the other scheme, ms: a TLS handshake and INFO take a round trip or two (milliseconds; a few
 * hundred to a distant managed Redis). Asking costs one connection: a plain one that sends `PING`,
 * or a TLS handshake.
 */
const SCHEME_PATIENCE_MS = 1_000;

/** Error codes of a connection nothing answered (no server, no route, no such host): no probe can tell more. */
const NOTHING_ANSWERED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Reconnects after 50 ms, doubling up to 1 s: a Redis back from a restart is used within a second. */
const reconnect = (times: number) => Math.min(50 * 2 ** Math.min(times, 5), 1000);

/** Error codes and messages of a lost or refused connection, as ioredis and Node report them. */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);
const CONNECTION_MESSAGES = /Connection is closed|Stream isn't writeable|connect ETIMEDOUT|Reached the max retries per request/;

/**
 * A Redis client's failure in hookwork's words, and whether the command may have reached Redis.
 * ioredis speaks of its own options ("Reached the max retries per request limit (which is 0).
 * Refer to "maxRetriesPerRequest" option for details."): what a host needs is what happened to
 * its request. The error itself stays attached as the cause wherever this is used.
 *
 * `sent` is false when the client refused the command before writing it (not connected, and no
 * offline queue: "Stream isn't writeable") and when Redis answered with an error (a reply such as
 * OOM or EXECABORT: it refused the command or transaction whole); true otherwise — the connection
 * was lost, or closed, or Redis gave no answer in time, after the command may have been written,
 * and Redis runs what it read whatever happens to the answer.
 */
export function redisFailure(error: unknown, commandTimeoutMs?: number): { text: string; sent: boolean } {
  const message = String((error as Error)?.message ?? error);
  // Without the script's SHA and line BullMQ's refusal names ("… script: 5ab4…, on @user_script:589.").
  const oom = oomMessage(error);
  if (oom !== undefined) return { text: `${OUT_OF_MEMORY} (${firstLine(oom).replace(/\s*script: .*$/, '')})`, sent: false };
  if (/Stream isn't writeable/.test(message)) return { text: 'Redis is not connected (the connection is being made again by itself)', sent: false };
  if ((error as Error)?.name === 'ReplyError') return { text: `Redis refused it (${message})`, sent: false };
  if (/Reached the max retries per request/.test(message) || (error as Error)?.name === 'MaxRetriesPerRequestError' || /Command aborted due to connection close/.test(message)) {
    return { text: 'the connection to Redis was lost before it answered (it is being made again by itself)', sent: true };
  }
  if (/Command timed out/.test(message)) return { text: `Redis did not answer within ${commandTimeoutMs ?? 'the command deadline of'} ms`, sent: true };
  if (/Connection is closed/.test(message)) return { text: 'the connection to Redis was closed before it answered', sent: true };
  return { text: message, sent: true };
}

/** What a full Redis means, and its fix: said by every failure it causes (publish, management, the Worker's moves). */
export const OUT_OF_MEMORY =
  "Redis is full: its used memory is over `maxmemory`, and with maxmemory-policy noeviction it refuses every write — raise maxmemory (CONFIG SET maxmemory …) or free memory (fewer dead letters kept: a shorter keepDeadLettersForDays; other keys on that server)";

/**
 * True for Redis's out-of-memory refusal, also when it comes as the EXECABORT of a transaction
 * whose commands it refused as they were queued (ioredis keeps those as `previousErrors`).
 */
export function isOutOfMemory(error: unknown): boolean {
  return oomMessage(error) !== undefined;
}

/** Redis's OOM message in `error` or its transaction's `previousErrors`. */
function oomMessage(error: unknown): string | undefined {
  const errors = [error, ...((error as { previousErrors?: unknown[] })?.previousErrors ?? [])];
  return errors.map((e) => String((e as Error)?.message ?? e)).find((message) => /^OOM /.test(message));
}

/** The first line of a message, at most 300 characters: BullMQ's errors carry the Lua script they ran. */
function firstLine(message: string): string {
  return message.split('\n')[0]!.slice(0, 300);
}

/** True for an error that says Redis cannot be reached (rather than that a command failed). */
export function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return (typeof code === 'string' && CONNECTION_CODES.has(code)) || CONNECTION_MESSAGES.test(String((error as Error)?.message ?? ''));
}

/** Where {@link RedisClients} reports a lost connection and its return. */
export interface ConnectionReporter {
  /** Once when the connection is lost (a coded HOOKWORK_ERR_REDIS_UNAVAILABLE with the first error as cause). */
  lost(error: HookworkError): void;
  /** Once when both clients answer again. */
  back(message: string): void;
}

/**
 * The two ioredis clients of one engine, each made for its job:
 * - `producer` (enqueue, counts, dead letters) fails fast: no offline queue, no retry of a
 *   command cut off by a lost connection, a command deadline. While Redis is unreachable,
 *   publish() fails at once with HOOKWORK_ERR_ENQUEUE_FAILED instead of hanging (nothing was
 *   sent), and a publish whose connection is lost before Redis answered fails with
 *   HOOKWORK_ERR_ENQUEUE_UNCERTAIN (Redis may have stored it).
 * - `worker` (given to BullMQ's Worker, which duplicates it for its blocking fetch) queues
 *   commands while reconnecting, so a completion made during a blip reaches Redis after it.
 * Both reconnect by themselves; neither needs a restart.
 *
 * Both have an `error` listener from the start, so ioredis never prints "Unhandled error event"
 * past the host's logger. A lost connection is reported once — not once per reconnect attempt,
 * which would be a line a second for as long as Redis is away — and its return once.
 */
export class RedisClients {
  readonly producer: Redis & QueueScripts;
  readonly worker: Redis;
  readonly where: string;
  private reporter: ConnectionReporter | undefined;
  /** The first connection error since the clients last answered, when they are down. */
  private down: { since: number; first: unknown; more: number } | undefined;
  /** The last error before anyone listened (for start()'s message). */
  private lastError: unknown;
  /** The last error of a client that was not about the connection (a refused login), for start()'s message. */
  private lastRefusal: unknown;
  /**
   * Holds the producer's next `commands` commands for one write (see {@link holdWrites}): a
   * publish's held check and its add.
   */
  readonly holdProducer: (commands: number) => void;
  /** Clients BullMQ made from `worker` (its blocking connection), until they end. */
  private readonly duplicates = new Set<Redis>();

  /** True when the connection asks for TLS (`rediss://` or a `tls` option). */
  private readonly tls: boolean;
  /** What ioredis would have printed, said once each (every client and reconnect says it again). */
  private readonly noticed = new Set<RedisNoticeKind>();

  /**
   * @param warn where what ioredis and BullMQ would print to the console goes instead (the app's
   * logger); a superfluous password, an ACL that denies INFO.
   */
  constructor(
    input: RedisConnectionInput,
    name: string,
    commandTimeoutMs: number,
    private readonly warn: (message: string) => void = () => {},
    /** The call whose `connection` this is, as messages name it: `bullmqQueue` or `removeBullmqQueue`. */
    private readonly caller: 'bullmqQueue' | 'removeBullmqQueue' = 'bullmqQueue',
  ) {
    this.where = describeRedis(input);
    this.tls = this.where.startsWith('rediss:');
    const producer: RedisOptions = {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      // A command whose caller was told it failed is never sent again behind its back: the caller
      // decides (publish() with an idempotencyKey), not the reconnect.
      autoResendUnfulfilledCommands: false,
      commandTimeout: commandTimeoutMs,
      connectionName: `${name}:producer`,
      retryStrategy: reconnect,
      disconnectTimeout: CUT_AT_ONCE,
      stringNumbers: NUMBERS_AS_NUMBERS,
    };
    const worker: RedisOptions = {
      lazyConnect: true,
      maxRetriesPerRequest: null,
      enableOfflineQueue: true,
      connectionName: `${name}:worker`,
      retryStrategy: reconnect,
      disconnectTimeout: CUT_AT_ONCE,
      // Deadlines a host's options or client may carry, for its own use. BullMQ's blocking fetch
      // (BZPOPMIN for up to seconds, on the duplicate that inherits these) outlasts them: with
      // commandTimeout every fetch failed ("Command timed out", logged) and the Worker fetched
      // nothing after its first job; with socketTimeout the connection was cut at every idle fetch,
      // each logged. The Worker's commands wait for Redis as its reconnects do; publish() and
      // management have commandTimeoutMs.
      commandTimeout: undefined,
      socketTimeout: undefined,
      stringNumbers: NUMBERS_AS_NUMBERS,
    };
    this.producer = quietClient(make(input, producer), this.notice) as Redis & QueueScripts;
    this.worker = quietClient(make(input, worker), this.notice);
    this.holdProducer = holdWrites(this.producer);
    coalesceWrites(this.worker);
    this.trackDuplicates(this.worker);
    for (const [command, script] of Object.entries(QUEUE_SCRIPTS)) this.producer.defineCommand(command, script);
    for (const client of [this.producer, this.worker]) {
      client.on('error', (error: unknown) => {
        // A refused AUTH (WRONGPASS, NOAUTH) is emitted here, then connect() rejects only with
        // "Connection is closed.": kept so start() can say the login was refused.
        if (!this.connectionError(error)) this.lastRefusal = error;
      });
      client.on('ready', () => this.ready());
    }
  }

  /**
   * BullMQ's Worker makes its blocking connection with `worker.duplicate()` and closes it with a
   * graceful QUIT. ioredis queues a QUIT sent while it reconnects behind the commands already
   * waiting there, and with Redis gone it never reconnects: the Worker's close would wait for
   * ever. The duplicates are kept here so a stop can cut those that cannot answer.
   *
   * A duplicate starts connecting as it is made (not `lazyConnect`, which it would inherit).
   * BullMQ sets a connection up once and keeps the outcome for good: handed a client still to be
   * connected, it calls `connect()`, whose promise rejects at the first lost connection (a Redis
   * restarted, a connection cut) even though ioredis goes on to reconnect by itself — and the
   * Worker then failed every fetch and every completion with "Connection is closed." for as long
   * as the process ran, its slots taken and nothing delivered. Handed a client already
   * connecting, BullMQ waits for its `ready`, which comes once Redis is back.
   */
  private trackDuplicates(client: Redis): void {
    const duplicate = client.duplicate.bind(client);
    client.duplicate = (...args: Parameters<Redis['duplicate']>) => {
      const made = quietClient(duplicate({ ...args[0], lazyConnect: false }), this.notice);
      this.duplicates.add(made);
      made.once('end', () => this.duplicates.delete(made));
      return made;
    };
  }

  /**
   * Cuts BullMQ's blocking connections that are not connected (reconnecting or connecting): all
   * they hold is the fetch of the next job, which a stopping Worker does not want, and a
   * graceful close would wait behind it. `worker` itself is left alone: it may hold completions
   * to send once Redis is back.
   */
  cutUnconnected(): void {
    for (const client of this.duplicates) if (client.status !== 'ready' && client.status !== 'end') cut(client);
  }

  /** Says once, through {@link warn}, what ioredis would have printed; with the fix. */
  private readonly notice = (kind: RedisNoticeKind, reply: string): void => {
    if (this.noticed.has(kind)) return;
    this.noticed.add(kind);
    this.warn(
      kind === 'password-not-needed'
        ? `Redis at ${this.where} needs no password, but the BullMQ queue's connection gives one (${reply}); it connected without: leave the password out of the connection, or give the server one (requirepass, or an ACL user)`
        : kind === 'auth-arguments'
          ? `Redis at ${this.where} took no user name with the password (${reply}): Redis 5 and older know no users; give the connection the password alone (redis://:password@host:port, or { password })`
          : `Redis at ${this.where} does not let this user run INFO (${reply}), so the connection's ready check was skipped; BullMQ reads the server's version with INFO: allow it in the user's ACL (+info)`,
    );
  };

  /** Starts reporting a lost connection and its return (the engine does, once it runs). */
  report(reporter: ConnectionReporter): void {
    this.reporter = reporter;
  }

  /**
   * Stops reporting (the engine does as it stops): the connections it closes or cuts then fail
   * ("Connection is closed."), which is no outage to log.
   */
  stopReporting(): void {
    this.reporter = undefined;
  }

  /**
   * Takes an error of a client or of BullMQ: true when it is about the connection (reported once
   * per outage, or counted), false when the caller should report it itself.
   */
  connectionError(error: unknown): boolean {
    if (!isConnectionError(error)) return false;
    this.lastError = error;
    if (!this.reporter) return true;
    if (this.down) {
      this.down.more++;
      return true;
    }
    this.down = { since: Date.now(), first: error, more: 0 };
    this.reporter.lost(
      BULLMQ_ERRORS.create(
        'HOOKWORK_ERR_REDIS_UNAVAILABLE',
        `lost the connection to ${this.where} (${redisFailure(error).text}); reconnecting by itself, and saying so once it is back. Meanwhile publish() fails (HOOKWORK_ERR_ENQUEUE_FAILED, or HOOKWORK_ERR_ENQUEUE_UNCERTAIN for a publish the loss cut off) and queued requests wait in Redis`,
        { cause: error },
      ),
    );
    return true;
  }

  private ready(): void {
    if (!this.down || this.producer.status !== 'ready' || this.worker.status !== 'ready') return;
    const { since, more } = this.down;
    this.down = undefined;
    this.reporter?.back(`the connection to ${this.where} is back after ${Math.max(1, Math.round((Date.now() - since) / 1000))} s${more > 0 ? ` (${more} more connection error${more === 1 ? '' : 's'} while it was away, not logged one by one)` : ''}`);
  }

  /** Connects both clients; HOOKWORK_ERR_REDIS_UNAVAILABLE (and both closed) when Redis cannot be reached, HOOKWORK_ERR_INVALID_BULLMQ_OPTIONS when the server speaks the other scheme (TLS or plain). */
  async connect(): Promise<void> {
    try {
      const connecting = Promise.all([this.producer.connect(), this.worker.connect()]);
      await this.connectWatched(connecting);
    } catch (error) {
      this.disconnect();
      // The scheme watch's own finding (connectWatched).
      if (isHookworkError(error)) throw error;
      // ioredis rejects with "Connection is closed."; the error event before it says why.
      const refusal = this.lastRefusal;
      if (refusal !== undefined && /WRONGPASS|NOAUTH|NOPERM|invalid password|invalid username/i.test(String((refusal as Error)?.message))) {
        throw BULLMQ_ERRORS.create(
          'HOOKWORK_ERR_REDIS_UNAVAILABLE',
          `${this.where} refused the BullMQ queue's login (${(refusal as Error).message}); check the user and password of ${this.caller}({ connection }) (redis://user:password@host, or { username, password }) and the server's ACL`,
          { cause: refusal },
        );
      }
      const mismatch = await this.wrongScheme(this.lastError ?? refusal ?? error);
      if (mismatch) throw mismatch;
      // Something answered, but not in Redis's protocol (an HTTP server's "HTTP/1.1 400", a TLS
      // server's alert): ioredis then closes, and its next error ("Stream isn't writeable …") was
      // what start() said, as if nothing had answered.
      if (refusal !== undefined && /^Protocol error/.test(String((refusal as Error)?.message))) {
        throw BULLMQ_ERRORS.create(
          'HOOKWORK_ERR_REDIS_UNAVAILABLE',
          `the server at ${this.where} answered the BullMQ queue, but not as Redis does (${(refusal as Error).message}); check that ${this.caller}({ connection }) names the host and port of a Redis server${this.tls ? '' : ' (one that wants TLS: connect with rediss://)'}`,
          { cause: refusal },
        );
      }
      const cause = isConnectionError(this.lastError) ? this.lastError : (refusal ?? error);
      throw BULLMQ_ERRORS.create(
        'HOOKWORK_ERR_REDIS_UNAVAILABLE',
        `the BullMQ queue could not connect to ${this.where} (${(cause as Error)?.message ?? cause}); start Redis or pass ${this.caller}({ connection }) the address of one${
          this.tls ? '; the connection asks for TLS: if that server does not speak TLS, connect with redis:// (no tls option)' : ''
        }`,
        { cause },
      );
    }
    await this.refuseUnsupportedServer();
    // ioredis selects the database as it connects, and when the server refuses the index it only
    // emits an error and goes on, on database 0 — another app's queue, perhaps. Selecting it again
    // here makes a refused index fail start().
    const db = this.producer.options.db ?? 0;
    if (db !== 0) {
      try {
        await this.producer.select(db);
      } catch (error) {
        this.disconnect();
        if (isConnectionError(error)) {
          throw BULLMQ_ERRORS.create('HOOKWORK_ERR_REDIS_UNAVAILABLE', `the BullMQ queue lost ${this.where} while selecting database ${db} (${(error as Error)?.message ?? error}); start Redis or pass ${this.caller}({ connection }) the address of one`, { cause: error });
        }
        throw BULLMQ_ERRORS.create(
          'HOOKWORK_ERR_INVALID_BULLMQ_OPTIONS',
          `Redis at ${this.where} refused database ${db} (${(error as Error)?.message ?? error}); give ${this.caller}({ connection }) a database index the server has (below its \`databases\` setting, 16 by default; Redis Cluster has only 0), or keep database 0 and give the app a queueName of its own`,
          { cause: error },
        );
      }
    }
  }

  /**
   * Waits for `connecting`, but fails at once, with the fix, when the server speaks the other
   * scheme: a plain Redis leaves a TLS handshake unanswered (it reads the ClientHello as the start
   * of an inline command and waits for a newline), so ioredis alone waited for its
   * `connectTimeout` (10 s) and said `connect ETIMEDOUT`; a plain connection a TLS server neither
   * answers nor closes would wait for ever (the worker's connection has no command deadline). A
   * connection not ready within {@link SCHEME_PATIENCE_MS} is looked into ({@link wrongScheme}); a
   * server merely slow (a Redis loading its data) is waited for as before.
   */
  private async connectWatched(connecting: Promise<unknown>): Promise<void> {
    // Cut by the caller after a mismatch: its rejection ("Connection is closed.") is no news.
    connecting.catch(() => {});
    if (await finishedWithin(connecting, SCHEME_PATIENCE_MS)) return;
    // Not ready yet: the probe's answer, unless the connection settles first (its own error then).
    const mismatch = await Promise.race([this.wrongScheme(undefined), connecting.then(() => undefined)]);
    if (mismatch) throw mismatch;
    await connecting;
  }

  /**
   * A connection whose scheme does not match the server, said with the fix
   * (HOOKWORK_ERR_INVALID_BULLMQ_OPTIONS), or undefined: `rediss://` (or a `tls` option) at a
   * server that answers a plain PING as Redis, or `redis://` at one that completes a TLS handshake
   * (it drops a plain command at once: ioredis said only `Connection is closed.` or `ECONNRESET`).
   * Nothing is probed when nothing answered at all (refused, unknown host, unreachable).
   */
  private async wrongScheme(failure: unknown): Promise<HookworkError | undefined> {
    const code = (failure as { code?: unknown } | undefined)?.code;
    // Over plain TCP, ETIMEDOUT is a connection never made; over TLS it may be a handshake unanswered.
    if (typeof code === 'string' && (NOTHING_ANSWERED.has(code) || (code === 'ETIMEDOUT' && !this.tls))) return undefined;
    const { host, port, path } = this.producer.options;
    const target = { host, port, path };
    const option = `${this.caller}({ connection })`;
    if (this.tls) {
      if (!(await answersPlainRedis(target))) return undefined;
      return BULLMQ_ERRORS.create(
        'HOOKWORK_ERR_INVALID_BULLMQ_OPTIONS',
        `the server at ${this.where} speaks plain Redis, not TLS: ${option} asks for TLS (rediss://, or a tls option), and the TLS handshake ${failure === undefined ? 'got no answer' : `failed (${(failure as Error)?.message ?? failure})`} while a plain PING was answered as Redis answers; connect with redis:// (without a tls option), or give the server TLS (its tls-port) and connect there`,
        { cause: failure },
      );
    }
    if (!(await answersTls(target))) return undefined;
    return BULLMQ_ERRORS.create(
      'HOOKWORK_ERR_INVALID_BULLMQ_OPTIONS',
      `the server at ${this.where} speaks TLS: ${option} connects without TLS (redis://, no tls option), and the server ${failure === undefined ? 'did not answer the plain connection' : `closed the plain connection (${(failure as Error)?.message ?? failure})`} while it completed a TLS handshake; connect with rediss:// (or give ioredis options a tls option, e.g. { tls: {} })`,
      { cause: failure },
    );
  }

  /**
   * Fails start() (and removeBullmqQueue()) with HOOKWORK_ERR_INVALID_BULLMQ_OPTIONS when the server
   * cannot run the queue: a Redis Cluster node, a replica, or a version too old ({@link redisServerProblem}).
   * Where Redis refuses INFO (an ACL) the check is skipped: BullMQ's own INFO then fails start(), naming the ACL.
   */
  private async refuseUnsupportedServer(): Promise<void> {
    let info: string;
    try {
      // INFO's default sections hold `server`, `replication` and `cluster`: one round trip (several sections in one INFO need Redis 7).
      info = await this.producer.info();
    } catch (error) {
      // Refused (an ACL without INFO, INFO renamed): not checked. Lost, or no answer in time: start() fails.
      if ((error as Error)?.name === 'ReplyError') return;
      this.disconnect();
      throw BULLMQ_ERRORS.create('HOOKWORK_ERR_REDIS_UNAVAILABLE', `the BullMQ queue could not read what server ${this.where} is (${redisFailure(error, this.producer.options.commandTimeout).text}); start Redis or pass ${this.caller}({ connection }) the address of one`, { cause: error });
    }
    const problem = redisServerProblem(info, this.where, this.caller);
    if (problem === undefined) return;
    this.disconnect();
    throw BULLMQ_ERRORS.create('HOOKWORK_ERR_INVALID_BULLMQ_OPTIONS', problem);
  }

  /**
   * Runs a Redis operation, turning a failure into HOOKWORK_ERR_STORAGE that says what was being
   * done. The producer sends nothing again by itself (see the options above): the message says the
   * call is not made again — it used to say "it is retried by itself", and an operator's failed
   * redelivery or count was never made again.
   */
  async run<T>(doing: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (isHookworkError(error)) throw error;
      throw new HookworkError('HOOKWORK_ERR_STORAGE', `Redis at ${this.where} failed while ${doing} (${redisFailure(error, this.producer.options.commandTimeout).text}); this call is not made again: make it again once Redis answers`, { cause: error });
    }
  }

  /** Closes both clients, waiting for replies already on their way. */
  async close(): Promise<void> {
    await Promise.all([quit(this.producer), quit(this.worker)]);
  }

  /** Cuts every connection at once, BullMQ's duplicates included. */
  disconnect(): void {
    cut(this.producer);
    cut(this.worker);
    for (const client of this.duplicates) cut(client);
  }
}

/**
 * Sends the commands `client` is given in one turn of the event loop in one write: the first
 * corks its socket, and the socket is uncorked once the turn's I/O callbacks have run
 * (setImmediate). BullMQ's Worker sends a job's completion (and with it the fetch of the next
 * job) as the job's processor ends, which is when its HTTP response arrived: responses read in
 * the same turn then reach Redis in one system call, and Redis answers them in one, instead of
 * one each (a write to a local socket costs tens of µs of CPU here, on each side). Order is
 * kept, nothing waits longer than the turn, and a socket closed meanwhile is left as it is.
 */
function coalesceWrites(client: Redis): void {
  let corked: Socket | undefined;
  const uncork = () => {
    const socket = corked;
    corked = undefined;
    if (socket && !socket.destroyed) socket.uncork();
  };
  const send = client.sendCommand;
  // Its two parameters named, not a rest list: no array made and spread per command (a delivery sends about twenty).
  client.sendCommand = function sendCoalesced(this: Redis, command: Parameters<Redis['sendCommand']>[0], stream?: Parameters<Redis['sendCommand']>[1]) {
    const socket = (this as unknown as { stream?: Socket }).stream;
    if (corked === undefined && socket && stream === undefined && this.status === 'ready') {
      socket.cork();
      corked = socket;
      setImmediate(uncork);
    }
    return send.call(this, command, stream);
  };
}

/**
 * Returns `hold(commands)`, which sends `client`'s next `commands` commands in one write: the
 * socket is corked and uncorked as soon as the last of them was written, or when the turn's I/O
 * callbacks have run (setImmediate), whichever comes first. A publish sends two commands on the
 * producer (the held check, then BullMQ's add a few promise steps later): one write, not two.
 *
 * Not {@link coalesceWrites}: the producer's commands are a caller's publish, which waits for
 * the answer. Held to the end of the turn, a publish made while the worker's responses were
 * being read waited for all of them to be handled first; a caller awaiting each publish in turn
 * then published slower than the worker delivered, the Worker ran out of jobs and blocked on
 * Redis, and hookwork on BullMQ fell from about 0.9 × to 0.63 × the plain BullMQ worker
 * (docs/performance-log.md, 2026-12-03 22:20).
 */
function holdWrites(client: Redis): (commands: number) => void {
  let corked: Socket | undefined;
  let left = 0;
  const release = () => {
    const socket = corked;
    corked = undefined;
    left = 0;
    if (socket && !socket.destroyed) socket.uncork();
  };
  const send = client.sendCommand;
  client.sendCommand = function sendHeld(this: Redis, command: Parameters<Redis['sendCommand']>[0], stream?: Parameters<Redis['sendCommand']>[1]) {
    const result = send.call(this, command, stream);
    if (corked !== undefined && --left === 0) release();
    return result;
  };
  return (commands) => {
    if (corked === undefined) {
      const socket = (client as unknown as { stream?: Socket }).stream;
      if (!socket || client.status !== 'ready') return;
      socket.cork();
      corked = socket;
      setImmediate(release);
    }
    left += commands;
  };
}

/**
 * Makes a client of `input` (not connected: `overrides` has lazyConnect), and refuses one whose
 * database ioredis read as anything but a whole number from 0 — whatever way it got in, checked
 * by bullmqQueue() or not. ioredis selects a database that is NaN (`db: ''`, `?db=x`: its
 * parseInt) with a SELECT whose failure nobody can catch (its ready handler's own, sent because
 * NaN !== NaN) and which ended the process as an unhandled rejection after start() had failed.
 */
function make(input: RedisConnectionInput, overrides: RedisOptions): Redis {
  let client: Redis;
  if (input instanceof Redis) client = input.duplicate(overrides);
  else if (typeof input === 'string') client = new Redis(input, overrides);
  // A client of another copy of ioredis: made as its duplicate() would be, but of this copy (its
  // own fields spread as options would connect to the default 127.0.0.1:6379 instead).
  else client = new Redis({ ...(clientOptions(input) ?? input), ...overrides });
  const db = client.options.db ?? 0;
  if (!Number.isSafeInteger(db) || db < 0) {
    client.disconnect();
    throw BULLMQ_ERRORS.create('HOOKWORK_ERR_INVALID_BULLMQ_OPTIONS', `the BullMQ queue's connection selects database ${String(db)}; the database must be a whole number from 0 (redis://127.0.0.1:6379/0, or { db: 0 })`);
  }
  return client;
}

/**
 * Cuts `client`'s connection, its waiting commands failing ("Connection is closed."). ioredis's
 * disconnect() of a client between two reconnect attempts (status `reconnecting`: its socket
 * already closed, the next attempt on a timer) only clears the timer: the client then stays
 * `reconnecting` for good and the commands in its offline queue (a job's completion, a blocking
 * fetch, a QUIT) never settle — a stop that cut the connections while Redis was away waited for
 * ever. That client is ended here as ioredis ends one whose socket closes after disconnect().
 */
function cut(client: Redis): void {
  const between = client.status === 'reconnecting';
  client.disconnect();
  if (!between || client.status !== 'reconnecting') return;
  const internals = client as unknown as { setStatus?(status: string): void; flushQueue?(error: Error): void };
  internals.setStatus?.('end');
  internals.flushQueue?.(new Error('Connection is closed.'));
}

async function quit(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  if (client.status !== 'ready') return cut(client);
  try {
    // The worker client has no command deadline: a QUIT that Redis never answers (the connection
    // lost as it was sent, and queued to be sent again) must not hold the close.
    const quitting = client.quit();
    // Cut after the wait, it then rejects ("Connection is closed"): nobody is left to hear it.
    quitting.catch(() => {});
    if (!(await finishedWithin(quitting, QUIT_WAIT_MS))) cut(client);
  } catch {
    cut(client);
  }
}

/** How long a close waits for Redis to answer QUIT before it cuts the connection, ms. */
const QUIT_WAIT_MS = 2_000;
