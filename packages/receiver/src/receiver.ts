import { createHash } from 'node:crypto';
import { types } from 'node:util';
import { ReceiverError, isReceiverError } from './errors/receiver-error';
import { checkOptionKeys, isPlainOptions, kindOf, readOptionsOnce, shown } from './option-keys';
import type { DedupeClaim, DedupeStore } from './dedupe/dedupe-store';
import { memoryDedupeStore } from './dedupe/memory-dedupe-store';
import { isStoreUnavailable } from './dedupe/store-unavailable';
import { withinDeadline } from './dedupe/store-deadline';
import { readCloudEvent } from './cloud-event';
import { parseJsonBody } from './json-body';
import type { ReceivedEvent, WebhookEventShape, WebhookHandler, WebhookHandlers } from './event-types';
import { DEFAULT_HEADER_NAMES, MAX_WEBHOOK_ID_LENGTH, WEBHOOK_HEADERS, contentCodings, shownCodings, firstHeader, normalizeHeaders, readHeaders, shortValue, singleValuedHeaders, standardHeader, type HeaderNames, type HeadersInput } from './headers';
import { isSecretMetadata, REPLAY_WINDOW_MS, secretMetadataGiven, SignatureVerifier, TIMESTAMP_TOLERANCE_SECONDS } from './verification/signature-verifier';
import { readTimestampHeader } from './verification/timestamp-header';
import { quoted } from './errors/visible-text';
import { thrownText } from './errors/thrown-text';
import { checkAlias, checkWebhookId, joinedRepeat, readRetryCount } from './header-values';

/**
 * A request as it arrived: its headers and its body as the **raw bytes** (or the text decoded
 * from them) — never an object parsed from JSON, because the signature covers the bytes and
 * JSON re-serialised from an object rarely gives them back (key order, spacing, escapes).
 */
export interface RawWebhookRequest {
  /** The request headers as the server framework gives them (names in any case). */
  headers: HeadersInput;
  /**
   * The raw body bytes as received (a string only if it holds those bytes unchanged, as UTF-8); an
   * `ArrayBuffer` too, as a fetch-style `await request.arrayBuffer()` gives it, or any view of the
   * bytes (a `DataView`, a typed array). Decoded, when it was sent with `content-encoding`.
   */
  body: Buffer | Uint8Array | ArrayBufferView | ArrayBuffer | string;
}

/** Deduplication by `webhook-id` (a CloudEvent without one: by its `source` and `id`). */
export interface DedupeOptions {
  /** Where processed ids are kept. Default: {@link memoryDedupeStore} with its defaults. */
  store?: DedupeStore;
  /**
   * How long a claim holds while the handler runs, ms (default 5 minutes). A retry arriving
   * meanwhile is answered 503; a worker that dies mid-handler blocks the id this long. Keep it
   * above your slowest handler, or the id may be claimed again while still being processed.
   */
  leaseMs?: number;
  /**
   * How long a processed id is remembered, ms (default 24 hours). Keep it above the sender's
   * retry window: hookwork's default schedule retries for about 18 hours, and dead letters can be
   * redelivered by hand for as long as they are kept (30 days by default). A signed receiver
   * refuses less than 10 minutes, the time a signed request stays verifiable: a replay after its
   * id was forgotten would be processed again.
   */
  retainMs?: number;
  /**
   * How long the receiver waits for each call of the store — `claim`, `complete`, `release` — ms
   * (default {@link DEFAULT_DEDUPE_TIMEOUT_MS}, 5 s; a whole number from 1 to 2,147,483,647). A store
   * that hangs (Redis paused with `CLIENT PAUSE`, a PostgreSQL row lock held by another transaction,
   * a SQLite file locked by another process) would otherwise hold the sender's request until the
   * sender times out. Past it:
   * - `claim`: answered 503 RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE with Retry-After; nothing is
   *   handled, then or later, and a claim the store makes after all is released as soon as it is
   *   made, so it does not hold the id against the sender's retry for `leaseMs`;
   * - `complete`: still answered 200 (the handler ran), `onError` told RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE;
   * - `release`, after a handler failed: still answered 500 RECEIVER_ERR_HANDLER_FAILED, saying so.
   *
   * Keep it below the sender's timeout (hookwork's is 15 s) less your slowest handler. A store whose
   * methods are synchronous (better-sqlite3) blocks the process while it waits, which no timer can cut
   * short: give its database a `busy_timeout` below this instead.
   */
  timeoutMs?: number;
}

/** What a receiver does with a test send (`hookwork-test: true`). */
export type TestSendMode = 'handle' | 'acknowledge';

/** What signed and unsigned receivers' options share, beside their handlers. */
export interface ReceiverOptionsBase {
  /**
   * Test sends: `handle` (default) dispatches them like any event (`event.test` is true);
   * `acknowledge` answers 200 with outcome `test` without dispatching (its id is recorded as done,
   * so a copy replayed without the unsigned flag is a duplicate, not a real event).
   */
  testSends?: TestSendMode;
  /** Deduplication by `webhook-id`, or a CloudEvent's `source` and `id` when it has none (default: on, in memory); `false` turns it off. */
  dedupe?: DedupeOptions | false;
  /** Where the event alias and retry count are read from. Default: hookwork's, then Umbraco's names. */
  headerNames?: Partial<HeaderNames>;
  /**
   * Told of every request the receiver refuses or fails (verification failures, handler errors,
   * store failures), with the answer it sent — and of every event it answered 200 `unhandled`
   * (RECEIVER_ERR_UNHANDLED_EVENT), so that no event is dropped silently. Default: one line on
   * the console (none when NODE_ENV is `test`). May be async; what it throws or rejects with is
   * ignored.
   */
  onError?: (error: unknown, answer: ReceiverAnswer) => void;
  /**
   * The `Retry-After` (RFC 9110 §10.2.3), in seconds, sent with every 503 the receiver answers —
   * `in-progress` (another delivery of the id is being handled), RECEIVER_ERR_DEDUPE_STORE_FULL
   * (the memory dedupe store is full of ids it must not forget) and
   * RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE (the dedupe store's Redis or database is down) — default
   * {@link DEFAULT_RETRY_AFTER_SECONDS}. Senders that honour it (hookwork, Svix) wait at least that
   * long; hookwork holds every request to the webhook until then (capped by its `maxRetryAfter`),
   * so keep it short. A whole number from 1 to 86,400.
   */
  retryAfterSeconds?: number;
}

/** A handler per alias: the one way of two to give a receiver its handlers (the other is {@link HandleOption}). */
export interface HandlersOption<E extends WebhookEventShape, TId extends string | undefined> {
  /** A handler per alias, each given its event narrowed to that alias. */
  handlers: WebhookHandlers<E, TId>;
  /**
   * Events whose alias has no entry in `handlers`. Default: none — such an event is answered
   * 200 with outcome `unhandled` (retrying can't help a receiver that doesn't handle it) and
   * reported to `onError` as RECEIVER_ERR_UNHANDLED_EVENT.
   */
  unhandled?: WebhookHandler<ReceivedEvent<E, TId>>;
  /** Not with `handlers`: give one or the other. */
  handle?: undefined;
}

/** One handler for every event: the other way to give a receiver its handlers (see {@link HandlersOption}). */
export interface HandleOption<E extends WebhookEventShape, TId extends string | undefined> {
  /** One handler for every event; `switch (event.alias)` narrows the payload. */
  handle: WebhookHandler<ReceivedEvent<E, TId>>;
  /** Not with `handle`: give one or the other. */
  handlers?: undefined;
  /** Not with `handle`, which every event already reaches. */
  unhandled?: undefined;
}

/** How a receiver hands events over: `handlers` (one per alias, with `unhandled` for the rest) or `handle` (one for all) — exactly one of them. */
export type ReceiverHandlerOptions<E extends WebhookEventShape, TId extends string | undefined> = HandlersOption<E, TId> | HandleOption<E, TId>;

/** How a receiver that verifies signatures is told its secrets. */
export interface SecretsOption {
  /**
   * The webhook's signing secret, `whsec_<base64>`; during a rotation both the old and the new one
   * (a request signed by either is accepted).
   */
  secrets: string | readonly string[];
  /** Not with `secrets`: a receiver either verifies or, explicitly, does not. */
  unsigned?: never;
}

/** How a receiver is told not to verify: `unsigned: true`, and no `secrets`. */
export interface UnsignedOption {
  /** Must be `true`: requests are not verified. */
  unsigned: true;
  /** Not with `unsigned: true`: a receiver either verifies or, explicitly, does not. */
  secrets?: never;
}

/** Options of a receiver that verifies Standard Webhooks signatures (the normal case). */
export type SignedReceiverOptions<E extends WebhookEventShape> = ReceiverOptionsBase & SecretsOption & ReceiverHandlerOptions<E, string>;

/**
 * Options of a receiver that accepts requests without verifying them — for senders that can't
 * sign (Umbraco) behind a network boundary you trust, or local development. An explicit choice:
 * anyone who can reach the endpoint can send it anything.
 */
export type UnsignedReceiverOptions<E extends WebhookEventShape> = ReceiverOptionsBase & UnsignedOption & ReceiverHandlerOptions<E, string | undefined>;

/** How a request ended. */
export type ReceiverOutcome =
  /** Verified, parsed and handled: 200. */
  | 'processed'
  /** Its webhook-id was processed (or answered `unhandled` or `test`) before: 200, the handler did not run. */
  | 'duplicate'
  /** Another worker is processing its webhook-id: 503 with Retry-After, the sender retries later. */
  | 'in-progress'
  /** No handler for its alias: 200. */
  | 'unhandled'
  /** A test send acknowledged without handling (`testSends: 'acknowledge'`): 200. */
  | 'test'
  /** Refused: not verified, not parsable, too large: 401, 400 or 413. */
  | 'rejected'
  /** The handler (or the dedupe store, or the receiver's wiring) failed: 500, the sender retries — or the memory dedupe store is full, or the dedupe store's backend is unavailable: 503 with Retry-After. */
  | 'failed';

/** The answer to send back, made by {@link Receiver.handle}; the adapters write it as it is. */
export interface ReceiverAnswer {
  /** The HTTP status. */
  status: number;
  /** Response headers: content-type, and `retry-after` on a 503 (see `retryAfterSeconds`). */
  headers: Record<string, string>;
  /** The response body: `{"outcome":…,"id":…}`, with `error` (a code and message) when refused or failed. */
  body: string;
  /** How the request ended. */
  outcome: ReceiverOutcome;
  /** The `webhook-id`, when the request had one. */
  id?: string;
  /** Why it was refused or failed. */
  error?: unknown;
}

/** A receiver, made by {@link createReceiver}: verify, parse, deduplicate and dispatch. */
export interface Receiver<E extends WebhookEventShape = WebhookEventShape, TId extends string | undefined = string> {
  /**
   * The `Retry-After` this receiver sends with every 503, in seconds (its `retryAfterSeconds`,
   * default {@link DEFAULT_RETRY_AFTER_SECONDS}) — also what the Fastify adapter adds to the 503
   * Fastify answers by itself while the server closes (`return503OnClosing`).
   */
  readonly retryAfterSeconds: number;
  /**
   * Verifies a request and parses it into a typed event, without deduplicating or dispatching —
   * for receivers that run their own flow.
   *
   * @throws ReceiverError RECEIVER_ERR_BODY_NOT_RAW, RECEIVER_ERR_HEADERS_SHAPE, RECEIVER_ERR_INVALID_HEADER
   *   (copies of a header that differ, a webhook-id or alias over 256 characters or not printable
   *   ASCII, a retry count that is no whole number from 0, a hookwork-test that is neither true nor
   *   false, an unsigned request's malformed webhook-timestamp, malformed binary-mode ce-* headers),
   *   RECEIVER_ERR_UNSUPPORTED_ENCODING (a body still marked `content-encoding` that
   *   does not verify as given and is not JSON: pass the decoded bytes), RECEIVER_ERR_MISSING_HEADER,
   *   RECEIVER_ERR_INVALID_TIMESTAMP, RECEIVER_ERR_STALE_TIMESTAMP, RECEIVER_ERR_BAD_SIGNATURE,
   *   RECEIVER_ERR_NO_EVENT_ALIAS, RECEIVER_ERR_UNSUPPORTED_CLOUDEVENT or RECEIVER_ERR_INVALID_JSON.
   */
  verify(request: RawWebhookRequest): ReceivedEvent<E, TId>;
  /**
   * The whole flow — verify, parse, claim the webhook-id, run the handler, complete or release
   * the claim — and the answer to send. Never rejects: every failure becomes an answer (and a
   * call of `onError`).
   */
  handle(request: RawWebhookRequest): Promise<ReceiverAnswer>;
  /**
   * The answer to a request an adapter could not hand over (a body over its size limit, say),
   * reported to `onError` like any refusal. A {@link ReceiverError} keeps its status; anything
   * else is answered 500.
   */
  refuse(error: unknown, headers?: HeadersInput): ReceiverAnswer;
}

/**
 * The event a body in the Standard Webhooks payload structure names — `{ "type", "timestamp",
 * "data" }`: a non-empty string `type`, a `timestamp` that reads as a date, and an object `data`.
 * All three, not `type` alone: a payload of hookwork's (or any sender's) that happens to have a
 * `type` field (an order's, a document's) would otherwise be dispatched as that event — and,
 * with no handler for it, answered 200 and dropped.
 */
function envelopeType(payload: unknown): { name: string; value: string } | undefined {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return undefined;
  const { type, timestamp, data } = payload as { type?: unknown; timestamp?: unknown; data?: unknown };
  if (typeof type !== 'string' || type === '') return undefined;
  if (typeof timestamp !== 'string' || Number.isNaN(Date.parse(timestamp))) return undefined;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return undefined;
  return { name: 'type', value: type };
}

/** Any receiver, whatever its events: what the adapters take. */
export type AnyReceiver = Receiver<WebhookEventShape, string | undefined>;

const DEFAULT_LEASE_MS = 5 * 60_000;

/**
 * How long a receiver waits for each call of its dedupe store when `dedupe.timeoutMs` is not given:
 * 5,000 ms. A store on a reachable Redis or PostgreSQL answers within milliseconds; 5 s leaves a
 * sender with a 15-second timeout (hookwork's, Svix's) 10 s for the handler, and still answers 503
 * with Retry-After — rather than nothing — when the store is blocked.
 */
export const DEFAULT_DEDUPE_TIMEOUT_MS = 5_000;

/** The longest timer Node keeps: a larger delay fires after 1 ms. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * The `Retry-After` of a receiver's 503 answers when `retryAfterSeconds` is not given: 5 s, the
 * first delay of hookwork's retry schedule. hookwork holds **every** request to the webhook until a
 * Retry-After has passed — a manual redelivery too — while an `in-progress` 503 concerns one id,
 * so the default asks for no more than the sender would wait anyway; raise it for a receiver that
 * answers 503 because it is overloaded (RECEIVER_ERR_DEDUPE_STORE_FULL).
 */
export const DEFAULT_RETRY_AFTER_SECONDS = 5;
const DEFAULT_RETAIN_MS = 24 * 60 * 60_000;

/**
 * Creates a receiver for webhooks sent by hookwork (or by Umbraco, or any Standard Webhooks
 * sender). Type it with the union of the events you receive:
 *
 * ```ts
 * const receiver = createReceiver<SiteEvents>({
 *   secrets: process.env.WEBHOOK_SECRET!,
 *   handlers: {
 *     'Umbraco.ContentPublish': async (event) => index.upsert(event.payload.id),   // payload typed
 *     'Umbraco.ContentDelete': async (event) => index.remove(event.payload.id),
 *   },
 * });
 * http.createServer(createNodeHandler(receiver)).listen(3000);
 * ```
 *
 * @throws ReceiverError RECEIVER_ERR_INVALID_OPTIONS for options it can't work with: neither
 *   `secrets` nor `unsigned: true`, both, a secret that is not base64, neither or both of
 *   `handlers` and `handle`, `handlers` that are an array or empty (without `unhandled`), a bad
 *   lease or retention.
 */
export function createReceiver<E extends WebhookEventShape = WebhookEventShape>(options: SignedReceiverOptions<E>): Receiver<E, string>;
/**
 * Creates a receiver that accepts requests without verifying them (`unsigned: true`): events
 * carry `id: string | undefined`, since an unsigned sender may send no `webhook-id`.
 *
 * @throws ReceiverError RECEIVER_ERR_INVALID_OPTIONS as the signed form does.
 */
export function createReceiver<E extends WebhookEventShape = WebhookEventShape>(options: UnsignedReceiverOptions<E>): Receiver<E, string | undefined>;
export function createReceiver(options: SignedReceiverOptions<WebhookEventShape> | UnsignedReceiverOptions<WebhookEventShape>): AnyReceiver {
  // From here on, the options as read once: what is checked is what the receiver runs with.
  options = readOptionsOnce('createReceiver()', options);
  const verifier = checkSigning(options);
  // Signed handlers take events whose id is a string; a signed receiver only makes those.
  const { handlers, handle, unhandled } = checkHandlers(options as Parameters<typeof checkHandlers>[0]);
  const dedupe = checkDedupe(options.dedupe, verifier !== undefined);
  const headerNames: HeaderNames = { ...DEFAULT_HEADER_NAMES, ...checkHeaderNames(options.headerNames) };
  const testSends = options.testSends ?? 'handle';
  if (testSends !== 'handle' && testSends !== 'acknowledge') {
    throw new ReceiverError('RECEIVER_ERR_INVALID_OPTIONS', `testSends is ${JSON.stringify(testSends)}; use 'handle' or 'acknowledge'`);
  }
  if (options.onError !== undefined && typeof options.onError !== 'function') {
    throw new ReceiverError('RECEIVER_ERR_INVALID_OPTIONS', `onError is ${kindOf(options.onError)}; give a function (error, answer) => void, or leave it out for one console line per refusal`);
  }
  const onError = options.onError ?? defaultOnError;
  const retryAfter = checkRetryAfter(options.retryAfterSeconds);
  /**
   * Every 503 (and 429, should one be added) goes out with Retry-After — each is answered through
   * respond(), which adds it:
   * without one, a sender retries on its own schedule — hookwork's first retry comes after 5 s —
   * into the same busy or full receiver.
   */
  const withRetryAfter = (given: ReceiverAnswer): ReceiverAnswer =>
    given.status === 503 || given.status === 429 ? { ...given, headers: { ...given.headers, 'retry-after': String(retryAfter) } } : given;
  // Every header read as one value: the Standard Webhooks ones, hookwork-test, content-type, ce-*, and these.
  const readOnce = singleValuedHeaders([...headerNames.event, ...headerNames.retryCount]);

  /**
   * The signature checked against the bytes as given. A body still marked `content-encoding` is
   * taken as it is when it verifies (code of the host's that decoded it and kept the header, as
   * NestJS's rawBody and Koa's raw-body do); when it does not, and it does not even start as JSON
   * does, it is most likely still compressed: 415 with the fix, not blame on the secret.
   */
  const verifyAsGiven = (headers: Record<string, string>, rawBody: Buffer) => {
    try {
      return verifier?.verify(headers, rawBody);
    } catch (error) {
      const codings = contentCodings(headers['content-encoding']);
      // A compressed body is no UTF-8 text either: the verifier's INVALID_JSON for it is this case too.
      const unverified = isReceiverError(error, 'RECEIVER_ERR_BAD_SIGNATURE') || isReceiverError(error, 'RECEIVER_ERR_INVALID_JSON');
      if (codings.length === 0 || !unverified || startsAsJson(rawBody)) throw error;
      throw new ReceiverError(
        'RECEIVER_ERR_UNSUPPORTED_ENCODING',
        `the body of ${standardHeader(headers, 'id') ?? 'the request'} reached the receiver with content-encoding: ${shownCodings(codings)} and no signature matches it as given: receiver.verify() and handle() take the decoded bytes, which are what is signed — use createNodeHandler, expressReceiver or fastifyReceiver, which decode gzip, deflate and br, or decode the body yourself (zlib.gunzipSync) and pass the headers without content-encoding`,
        { cause: error },
      );
    }
  };

  const verify = (request: RawWebhookRequest): ReceivedEvent<WebhookEventShape, string | undefined> => {
    if (request === null || typeof request !== 'object') {
      throw new ReceiverError('RECEIVER_ERR_BODY_NOT_RAW', `the receiver was given ${request === undefined ? 'no request' : kindOf(request)}; pass the request as { headers, body } — its headers and the raw body bytes, e.g. { headers: req.headers, body: await readRawBody(req) } — or use an adapter`);
    }
    const rawBody = rawBytes(request.body);
    const headers = readHeaders(normalizeHeaders(request.headers), readOnce);
    const headerId = standardHeader(headers, 'id');
    if (headerId !== undefined) checkWebhookId(headers['webhook-id'] ? 'webhook-id' : 'svix-id', headerId, MAX_WEBHOOK_ID_LENGTH);
    const signed = verifyAsGiven(headers, rawBody);
    const id = signed?.id ?? headerId;
    // A CloudEvent names its type itself (the structured envelope is even signed); else the event header.
    const cloud = readCloudEvent(headers, rawBody, id);
    let event = cloud ? { name: cloud.from, value: cloud.attributes.type } : firstHeader(headers, headerNames.event);
    // hookwork sends its event header beside a CloudEvent's type, naming the same alias. Naming
    // another, one of the two was changed on the way (in binary mode neither is signed): never
    // guessed at, as two event headers that disagree are not.
    const named = cloud ? firstHeader(headers, headerNames.event) : undefined;
    if (cloud && named !== undefined && named.value !== cloud.attributes.type) {
      throw new ReceiverError(
        'RECEIVER_ERR_INVALID_HEADER',
        `the request is a CloudEvent of type ${shortValue(cloud.attributes.type)} (${cloud.from === 'type' ? 'in its signed envelope' : 'its ce-type header'}) and carries ${named.name}: ${shortValue(named.value)}, which disagree; hookwork sends both naming one alias — a proxy or middleware changed one of them, or the sender sets ${named.name} itself: the request must name one event`,
      );
    }
    const noAlias = () =>
      new ReceiverError(
        'RECEIVER_ERR_NO_EVENT_ALIAS',
        `the request has none of the event headers ${headerNames.event.join(', ')}, is no CloudEvent, and its body is no Standard Webhooks envelope ({ "type", "timestamp", "data" }) naming the event; set headerNames.event to the header the sender names the event in`,
      );
    let payload: unknown;
    if (cloud) payload = cloud.data;
    else {
      try {
        payload = parseJsonBody(rawBody, `the body of ${id ?? 'the request'}${event ? ` (${event.value})` : ''}`);
      } catch (error) {
        if (!event) throw noAlias();
        throw error;
      }
      // Standard Webhooks senders that set no event header name the event in the body, as the
      // specification's payload structure does: { "type": "contact.created", "timestamp", "data" }.
      event ??= envelopeType(payload);
    }
    if (!event) throw noAlias();
    checkAlias(event.value, event.name, id);
    return {
      alias: event.value,
      payload,
      id,
      timestamp: signed?.timestamp ?? unsignedTimestamp(headers, id),
      retryCount: readRetryCount(firstHeader(headers, headerNames.retryCount), id),
      test: isTestSend(headers[WEBHOOK_HEADERS.test], id),
      eventHeader: event.name,
      headers,
      rawBody,
      cloudEvent: cloud?.attributes,
    };
  };

  const dispatch = (event: ReceivedEvent<WebhookEventShape, string | undefined>): { run: () => Promise<void> } | undefined => {
    const handler = handle ?? handlers?.get(event.alias) ?? unhandled;
    return handler ? { run: async () => void (await handler(event)) } : undefined;
  };

  const respond = (given: ReceiverAnswer): ReceiverAnswer => {
    // Before onError sees it: what it is told is what the sender gets.
    const answer = withRetryAfter(given);
    if (answer.error !== undefined) {
      try {
        // An async onError (a log shipper's send) that rejects would be an unhandled rejection,
        // which ends the process by Node's default: caught here, like a synchronous throw.
        const logged: unknown = onError(answer.error, answer);
        if (typeof (logged as PromiseLike<unknown> | undefined)?.then === 'function') (logged as PromiseLike<unknown>).then(undefined, () => {});
      } catch {
        // onError must not throw; a receiver's answer must not depend on its logging.
      }
    }
    return answer;
  };

  const handleRequest = async (request: RawWebhookRequest): Promise<ReceiverAnswer> => {
    let event: ReceivedEvent<WebhookEventShape, string | undefined>;
    try {
      event = verify(request);
    } catch (error) {
      return respond(errorAnswer(error, isReceiverError(error) && error.status < 500 ? 'rejected' : 'failed', headerIdOf(request)));
    }
    const { id } = event;
    // What the store keeps, and how messages name it: the webhook-id, else a CloudEvent's identity.
    const key = dedupeKeyOf(event);
    const named = id ?? (event.cloudEvent ? `the CloudEvent ${shortValue(event.cloudEvent.id)} of ${shortValue(event.cloudEvent.source)}` : 'a request without webhook-id');
    const acknowledged = event.test && testSends === 'acknowledge';
    const target = acknowledged ? undefined : dispatch(event);
    // Answered without a handler, its id is still recorded: the event header and hookwork-test are
    // not signed, so a captured copy replayed with another alias, or without the flag, would
    // otherwise be handled as the event it then names (a publish replayed as a delete).
    const settled: 'test' | 'unhandled' = acknowledged ? 'test' : 'unhandled';

    let token: string | undefined;
    if (dedupe && key !== undefined) {
      try {
        const call = await withinDeadline(() => dedupe.store.claim(key, dedupe.leaseMs), dedupe.timeoutMs);
        if (!call.settled) {
          const refused = respond(errorAnswer(new ReceiverError('RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE', `could not claim ${named}: the dedupe store did not answer within ${dedupe.timeoutMs} ms (dedupe.timeoutMs); answered 503 with Retry-After ${retryAfter} s, so the sender backs off and retries, and nothing was handled — check that the store's backend is up and not blocked (a Redis paused, a row lock held by another transaction, a SQLite file locked)`), 'failed', id));
          releaseLateClaim(call.late, key, named, refused);
          return refused;
        }
        const claim = checkClaim(call.value, named);
        if (claim.status === 'done') return answer(200, 'duplicate', id);
        // Through respond(), as every 503 goes, for its Retry-After.
        if (claim.status === 'in-progress') return respond(answer(503, 'in-progress', id));
        token = claim.token;
      } catch (error) {
        if (isReceiverError(error)) return respond(errorAnswer(error, 'failed', id));
        const reason = thrownText(error);
        // The backend down or busy is no bug: 503 with Retry-After, so senders back off until it is
        // back and then succeed unchanged. Anything else is the store's fault: 500, to be fixed.
        if (isStoreUnavailable(error)) {
          return respond(errorAnswer(new ReceiverError('RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE', `could not claim ${named}: the dedupe store is unavailable (${reason}); answered 503 with Retry-After ${retryAfter} s, so the sender backs off and retries — check that the store's backend is up and reachable at the address the store's client is given`, { cause: error }), 'failed', id));
        }
        return respond(errorAnswer(new ReceiverError('RECEIVER_ERR_DEDUPE_STORE', `could not claim ${named} in the dedupe store: ${reason}; this is no outage the kit recognises (a connection refused, reset or timed out, a server shutting down) but a failure of the store itself — fix it, or have it throw a ReceiverError with RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE for a backend that is only unavailable; the sender will retry`, { cause: error }), 'failed', id));
      }
    }
    if (!target) {
      if (token !== undefined) await completeClaim(key!, token, settled, id, named, event.timestamp);
      if (settled === 'test') return answer(200, settled, id);
      // Dropped for good (the sender does not retry a 200): never silently.
      return respond({
        ...answer(200, 'unhandled', id),
        error: new ReceiverError(
          'RECEIVER_ERR_UNHANDLED_EVENT',
          `no handler for ${event.alias} (from ${event.eventHeader}${event.test ? ', a test send' : ''}), so ${named} was answered 200 unhandled and will not be retried; add a handler for it (or unhandled for the rest), or unsubscribe the sender's webhook from it`,
        ),
      });
    }
    try {
      await target.run();
    } catch (error) {
      // A store's release() may be synchronous (better-sqlite3) and return nothing, or throw:
      // neither may turn the handler's failure into no answer. Not released, the id stays claimed
      // until its lease runs out — the sender's retries are answered 503 until then.
      // Said in the handler's error, so onError learns why the retries are answered in-progress.
      let unreleased = '';
      if (token !== undefined) {
        await withinDeadline(() => dedupe!.store.release(key!, token), dedupe!.timeoutMs).then(
          (call) => {
            if (!call.settled) unreleased = `; the dedupe store did not release its claim within ${dedupe!.timeoutMs} ms (dedupe.timeoutMs): unless it does so late, the sender's retries are answered 503 in-progress until the claim's lease (${dedupe!.leaseMs} ms) runs out`;
          },
          (releaseError: unknown) => {
            unreleased = `; its claim could not be released in the dedupe store (${thrownText(releaseError)}), so the sender's retries are answered 503 in-progress until the claim's lease (${dedupe!.leaseMs} ms) runs out`;
          },
        );
      }
      return respond(errorAnswer(new ReceiverError('RECEIVER_ERR_HANDLER_FAILED', `the handler of ${event.alias} failed for ${named}: ${thrownText(error)}; the sender will retry${unreleased}`, { cause: error }), 'failed', id));
    }
    if (token !== undefined) await completeClaim(key!, token, 'processed', id, named, event.timestamp);
    return answer(200, 'processed', id);
  };

  const completeClaim = async (key: string, token: string, outcome: ReceiverOutcome, id: string | undefined, named: string, timestamp: Date | undefined): Promise<void> => {
    // A signed request verifies while its timestamp is within the tolerance of the clock (whole
    // seconds, as the verifier compares): until then a captured copy could be replayed, so a store
    // that forgets for room must keep its id. An unsigned one can be sent again by anyone, any time.
    const verifiableUntil = verifier !== undefined && timestamp !== undefined ? timestamp.getTime() + (TIMESTAMP_TOLERANCE_SECONDS + 1) * 1000 : undefined;
    try {
      // An unhandled id is kept only as long as a captured copy of it verifies (the replay window):
      // long enough that it can't be replayed under another alias, short enough that a
      // redelivery after a handler for it was deployed is processed, not answered duplicate.
      const kept = outcome === 'unhandled' ? Math.min(dedupe!.retainMs, REPLAY_WINDOW_MS) : dedupe!.retainMs;
      // And never less than until a copy stops verifying: the verifier compares whole seconds, so a
      // request signed 300 s ahead verifies up to 601 s after it arrived, past REPLAY_WINDOW_MS — and
      // a store with expiry times keeps the id for retainMs from its own clock, ignoring verifiableUntil.
      const retainMs = verifiableUntil === undefined ? kept : Math.max(kept, verifiableUntil - Date.now());
      const call = await withinDeadline(() => (verifiableUntil === undefined ? dedupe!.store.complete(key, token, retainMs) : dedupe!.store.complete(key, token, retainMs, { verifiableUntil })), dedupe!.timeoutMs);
      if (!call.settled) {
        // Answered all the same: processed is processed. Marked late, or not at all — then the
        // claim runs out with its lease, after which a redelivery would be processed once more.
        respond({ ...answer(200, outcome, id), error: new ReceiverError('RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE', `${named} was ${outcome === 'processed' ? 'processed' : `answered ${outcome}`} but the dedupe store did not mark it done within ${dedupe!.timeoutMs} ms (dedupe.timeoutMs); answered 200 all the same — unless the store marks it late, a redelivery after the claim's lease (${dedupe!.leaseMs} ms) runs out is processed again`) });
      }
    } catch (error) {
      // Processed is processed: answering 500 now would have it processed again. The claim
      // runs out with its lease, after which a redelivery would be processed once more.
      // Told with the code of an outage when it is one, so alerts on onError can tell it from a bug.
      respond({ ...answer(200, outcome, id), error: new ReceiverError(isStoreUnavailable(error) ? 'RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE' : 'RECEIVER_ERR_DEDUPE_STORE', `${named} was ${outcome === 'processed' ? 'processed' : `answered ${outcome}`} but could not be marked done in the dedupe store: ${thrownText(error)}`, { cause: error }) });
    }
  };

  /**
   * A claim the store made after the receiver stopped waiting: released as soon as it is made. The
   * request was answered 503 and its handler never runs; kept, the claim would hold the id for
   * `leaseMs` and the sender's retry would be answered 503 in-progress until then.
   */
  const releaseLateClaim = (late: Promise<unknown>, key: string, named: string, sent: ReceiverAnswer): void => {
    late.then(
      (claim) => {
        if (!isClaimed(claim)) return;
        return Promise.resolve()
          .then(() => dedupe!.store.release(key, claim.token))
          .catch((error: unknown) => {
            respond({
              ...sent,
              error: new ReceiverError(
                isStoreUnavailable(error) ? 'RECEIVER_ERR_DEDUPE_STORE_UNAVAILABLE' : 'RECEIVER_ERR_DEDUPE_STORE',
                `the dedupe store claimed ${named} after the receiver had answered 503 (it took over dedupe.timeoutMs, ${dedupe!.timeoutMs} ms), and the claim could not be released: ${thrownText(error)}; the sender's retries are answered 503 in-progress until the claim's lease (${dedupe!.leaseMs} ms) runs out`,
                { cause: error },
              ),
            });
          });
      },
      // A late failure changes nothing: the request was answered, and nothing was claimed.
      () => {},
    );
  };

  return {
    retryAfterSeconds: retryAfter,
    verify,
    refuse(error, headers) {
      return respond(errorAnswer(error, isReceiverError(error) && error.status < 500 ? 'rejected' : 'failed', headerIdOf({ headers: headers ?? {}, body: '' })));
    },
    handle(request) {
      // The promise never rejects, whatever a store or handler does: an adapter's `void
      // handle().then(write)` would leave the sender without an answer and the process with an
      // unhandled rejection (which ends it, by Node's default).
      return handleRequest(request).catch((error: unknown) => respond(errorAnswer(error, 'failed', headerIdOf(request))));
    },
  };
}

/**
 * The id a request is deduplicated by: its `webhook-id`, else — a CloudEvent from a sender that
 * sets none (Knative, Azure Event Grid, any CloudEvents HTTP sender received `unsigned: true`) —
 * its `source` and `id`, which CloudEvents 1.0 makes unique per event and keeps on a re-send
 * ("consumers MAY assume that Events with identical source and id are duplicates"). Hashed: the two
 * attributes may have up to 16 KiB between them, and the store keeps a short key. Undefined for a
 * request that names itself neither way (Umbraco's): nothing to deduplicate by.
 */
function dedupeKeyOf(event: ReceivedEvent<WebhookEventShape, string | undefined>): string | undefined {
  if (event.id !== undefined) return event.id;
  const cloud = event.cloudEvent;
  if (cloud === undefined) return undefined;
  return `cloudevent_${createHash('sha256').update(JSON.stringify([cloud.source, cloud.id])).digest('hex')}`;
}

/**
 * The answer of a store's claim(), checked: anything but the three shapes of {@link DedupeClaim}
 * (`true`, `'claimed'`, a claim without its token, a status spelt otherwise) would otherwise read
 * as "claimed, nothing to complete" — the handler would run on every redelivery and nothing would
 * be remembered, with no error anywhere.
 */
/** Whether a store's answer is a claim this receiver holds: `claimed`, with the non-empty token that completes or releases it. */
function isClaimed(claim: unknown): claim is { status: 'claimed'; token: string } {
  const { status, token } = (claim ?? {}) as { status?: unknown; token?: unknown };
  return status === 'claimed' && typeof token === 'string' && token !== '';
}

function checkClaim(claim: unknown, id: string): DedupeClaim {
  const status = (claim as { status?: unknown } | null)?.status;
  if (status === 'done' || status === 'in-progress' || isClaimed(claim)) return claim as DedupeClaim;
  const token = (claim as { token?: unknown } | null)?.token;
  const short = (value: unknown) => (typeof value === 'string' ? quoted(value.length > 40 ? `${value.slice(0, 40)}…` : value) : typeof value === 'boolean' || typeof value === 'number' ? String(value) : kindOf(value));
  const given = claim !== null && typeof claim === 'object' && !Array.isArray(claim)
    ? `{ status: ${status === undefined ? 'undefined' : short(status)}${status === 'claimed' ? `, token: ${token === undefined ? 'undefined' : short(token)}` : ''} }`
    : claim === undefined ? 'undefined' : short(claim);
  throw new ReceiverError(
    'RECEIVER_ERR_DEDUPE_STORE',
    `the dedupe store's claim() of ${id} resolved to ${given}; it must resolve to { status: 'claimed', token: <a non-empty string> }, { status: 'in-progress' } or { status: 'done' } (the DedupeStore contract: run describeDedupeStoreContract from @hookwork/receiver/testing against the store). Nothing was handled; the sender will retry`,
  );
}

function checkSigning(options: SignedReceiverOptions<WebhookEventShape> | UnsignedReceiverOptions<WebhookEventShape>): SignatureVerifier | undefined {
  if (!isPlainOptions(options)) throw new ReceiverError('RECEIVER_ERR_INVALID_OPTIONS', `createReceiver() needs an options object with secrets and handlers; got ${kindOf(options)}`);
  checkOptionKeys('createReceiver()', options, RECEIVER_OPTION_KEYS);
  const { secrets, unsigned } = options as { secrets?: unknown; unsigned?: unknown };
  if (unsigned !== undefined && unsigned !== true) {
    throw new ReceiverError('RECEIVER_ERR_INVALID_OPTIONS', `unsigned is ${quoted(unsigned)}; leave it out to verify signatures, or set it to true to accept unsigned requests`);
  }
  if (unsigned === true && secrets !== undefined) {
    throw new ReceiverError('RECEIVER_ERR_INVALID_OPTIONS', 'both secrets and unsigned: true were given; give secrets to verify signatures, or unsigned: true (alone) to accept unsigned requests');
  }
  if (unsigned === true) return undefined;
  if (secrets === undefined) {
    // `secrets: process.env.WEBHOOK_SECRET!` with the variable unset: the key is there, its value is not.
    const unset = Object.prototype.hasOwnProperty.call(options, 'secrets') ? ' (secrets is undefined: an environment variable that is not set?)' : '';
    throw new ReceiverError('RECEIVER_ERR_INVALID_OPTIONS', `no secrets${unset}: give the webhook's whsec_… secret (several during a rotation), or unsigned: true to accept unsigned requests on purpose`);
  }
  if (isSecretMetadata(secrets)) throw secretMetadataGiven('secrets');
  if (secrets !== null && typeof secrets === 'object' && !Array.isArray(secrets)) {
    // A Set, a Map or a config object: named by kind (never by content, which may be a secret).
    const name: unknown = (Object.getPrototypeOf(secrets) as { constructor?: { name?: unknown } } | null)?.constructor?.name;
    const kind = typeof name === 'string' && name !== '' && name !== 'Object' ? `a ${name}` : 'an object';
    throw new ReceiverError('RECEIVER_ERR_INVALID_OPTIONS', `secrets is ${kind}; give the whsec_… string, or an array of them during a rotation (e.g. [...set])`);
  }
  return new SignatureVerifier(typeof secrets === 'string' ? [secrets] : Array.isArray(secrets) ? secrets : [secrets as string]);
}

function checkHandlers(options: { handlers?: WebhookHandlers<WebhookEventShape, string | undefined>; handle?: WebhookHandler<ReceivedEvent<WebhookEventShape, string | undefined>>; unhandled?: WebhookHandler<ReceivedEvent<WebhookEventShape, string | undefined>> }) {
  const { handlers, handle, unhandled } = options;
  if ((handlers === undefined) === (handle === undefined)) {
    throw new ReceiverError(
      'RECEIVER_ERR_INVALID_OPTIONS',
      handlers === undefined ? 'no handlers: give handlers (one per alias) or handle (one for all)' : 'both handlers and handle were given; give one: handlers (one per alias) or handle (one for all)',
    );
  }
  if (handle !== undefined && typeof handle !== 'function') throw new ReceiverError('RECEIVER_ERR_INVALID_OPTIONS', 'handle must be a function (event) => …, whose promise resolves when the event is processed');
  if (handle !== undefined && unhandled !== undefined) throw new ReceiverError('RECEIVER_ERR_INVALID_OPTIONS', 'unhandled goes with handlers; with handle, every event already reaches handle');
  if (unhandled !== undefined && typeof unhandled !== 'function') throw new ReceiverError('RECEIVER_ERR_INVALID_OPTIONS', 'unhandled must be a function (event) => …, whose promise resolves when the event is processed');
  const map = new Map<string, WebhookHandler<ReceivedEvent<WebhookEventShape, string | undefined>>>();
  if (handlers !== undefined) {
    if (handlers === null || typeof handlers !== 'object' || Array.isArray(handlers)) {
      throw new ReceiverError('RECEIVER_ERR_INVALID_OPTIONS', `handlers is ${kindOf(handlers)}; give an object of alias → handler function, e.g. { 'Umbraco.ContentPublish': async (event) => … }, or handle (one function for all)`);
    }
    // No handler and no `unhandled`: every event would be answered 200 "unhandled" and dropped for good.
    if (Object.keys(handlers).length === 0 && unhandled === undefined) {
      throw new ReceiverError('RECEIVER_ERR_INVALID_OPTIONS', "handlers is empty, so every event would be answered 200 unhandled and never retried; give a handler per alias, handle (one for all), or unhandled for the rest");
    }
    for (const [alias, handler] of Object.entries(handlers)) {
      if (typeof handler !== 'function') throw new ReceiverError('RECEIVER_ERR_INVALID_OPTIONS', `the handler of ${alias} is not a function`);
      map.set(alias, handler);
    }
  }
  // A Map, not the object: an alias such as "constructor" or "__proto__" must not find Object's members.
  return { handlers: handlers === undefined ? undefined : map, handle, unhandled };
}

/** Every key createReceiver() takes: anything else is a typo, refused. */
const RECEIVER_OPTION_KEYS: readonly string[] = ['secrets', 'unsigned', 'handlers', 'handle', 'unhandled', 'testSends', 'dedupe', 'headerNames', 'onError', 'retryAfterSeconds'] satisfies readonly (keyof SignedReceiverOptions<WebhookEventShape>)[];

/** A header name: an RFC 9110 token, as the sender's header names are. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function checkHeaderNames(names: Partial<HeaderNames> | undefined): Partial<HeaderNames> {
  if (names === undefined) return {};
  if (!isPlainOptions(names)) {
    throw new ReceiverError('RECEIVER_ERR_INVALID_OPTIONS', `headerNames is ${kindOf(names)}; give an object such as { event: ['x-event'], retryCount: ['x-retry'] }`);
  }
  checkOptionKeys('headerNames', names, ['event', 'retryCount']);
  const checked: Partial<HeaderNames> = {};
  for (const key of ['event', 'retryCount'] as const) {
    const list = names[key];
    if (list === undefined) continue;
    // A string would be read letter by letter as a list of one-letter header names.
    if (!Array.isArray(list) || list.length === 0) {
      throw new ReceiverError('RECEIVER_ERR_INVALID_OPTIONS', `headerNames.${key} is ${typeof list === 'string' ? `the string ${quoted(list)}` : Array.isArray(list) ? 'empty' : kindOf(list)}; give a list of header names tried in order, e.g. ${quoted([typeof list === 'string' ? list : 'x-event'])}`);
    }
    list.forEach((name: unknown, i) => {
      if (typeof name !== 'string' || !HEADER_NAME.test(name)) {
        throw new ReceiverError('RECEIVER_ERR_INVALID_OPTIONS', `headerNames.${key}[${i}] is ${typeof name === 'string' ? quoted(name) : kindOf(name)}, not a header name (letters, digits and !#$%&'*+-.^_\`|~, an RFC 9110 token)`);
      }
    });
    checked[key] = list;
  }
  return checked;
}

/** The most `retryAfterSeconds` may be: a day. */
const MAX_RETRY_AFTER_SECONDS = 86_400;

function checkRetryAfter(seconds: unknown): number {
  if (seconds === undefined) return DEFAULT_RETRY_AFTER_SECONDS;
  if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 1 || seconds > MAX_RETRY_AFTER_SECONDS) {
    throw new ReceiverError('RECEIVER_ERR_INVALID_OPTIONS', `retryAfterSeconds is ${shown(seconds)}; use a whole number of seconds from 1 to ${MAX_RETRY_AFTER_SECONDS} (default ${DEFAULT_RETRY_AFTER_SECONDS}), sent as Retry-After with every 503`);
  }
  return seconds;
}

function checkDedupe(options: DedupeOptions | false | undefined, signed: boolean): { store: DedupeStore; leaseMs: number; retainMs: number; timeoutMs: number } | undefined {
  if (options === false) return undefined;
  options = readOptionsOnce('createReceiver() dedupe', options);
  if (options !== undefined && !isPlainOptions(options)) {
    throw new ReceiverError('RECEIVER_ERR_INVALID_OPTIONS', `dedupe is ${(options as unknown) === true ? 'true' : kindOf(options)}; leave it out (deduplication is on by default), give { store, leaseMs, retainMs, timeoutMs }, or false to turn it off`);
  }
  if (options !== undefined) checkOptionKeys('dedupe', options, ['store', 'leaseMs', 'retainMs', 'timeoutMs']);
  const { store = memoryDedupeStore(), leaseMs = DEFAULT_LEASE_MS, retainMs = DEFAULT_RETAIN_MS, timeoutMs = DEFAULT_DEDUPE_TIMEOUT_MS } = options ?? {};
  for (const [name, value] of [['leaseMs', leaseMs], ['retainMs', retainMs]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new ReceiverError('RECEIVER_ERR_INVALID_OPTIONS', `dedupe.${name} is ${shown(value)}; use a whole number of milliseconds from 1`);
  }
  // Past Node's longest timer a setTimeout fires after 1 ms: every claim would time out at once.
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_TIMER_MS) {
    throw new ReceiverError('RECEIVER_ERR_INVALID_OPTIONS', `dedupe.timeoutMs is ${shown(timeoutMs)}; use a whole number of milliseconds from 1 to ${MAX_TIMER_MS} (default ${DEFAULT_DEDUPE_TIMEOUT_MS}): how long the receiver waits for each call of the store`);
  }
  if (signed && retainMs < REPLAY_WINDOW_MS) {
    throw new ReceiverError(
      'RECEIVER_ERR_INVALID_OPTIONS',
      `dedupe.retainMs is ${retainMs}, less than the ${REPLAY_WINDOW_MS} ms (10 minutes) a signed request stays verifiable (its timestamp may be up to 5 minutes ahead of this clock, and it verifies until 5 minutes past it): a processed request replayed after its id is forgotten would be processed again. Use at least ${REPLAY_WINDOW_MS} — better, above the sender's retry window (hookwork: about 18 hours), as the default 24 hours is`,
    );
  }
  if (typeof store === 'function') {
    // `store: memoryDedupeStore` — the factory, not a store: it has no claim(), and saying only that hides the fix.
    throw new ReceiverError('RECEIVER_ERR_INVALID_OPTIONS', `dedupe.store is a function${(store as { name?: string }).name ? ` (${(store as { name?: string }).name})` : ''}, not a store; call it — store: ${(store as { name?: string }).name || 'makeStore'}(…) — so the receiver gets the DedupeStore it makes`);
  }
  for (const method of ['claim', 'complete', 'release'] as const) {
    if (typeof store?.[method] !== 'function') throw new ReceiverError('RECEIVER_ERR_INVALID_OPTIONS', `dedupe.store has no ${method}() method; give a DedupeStore (see docs/receiver.md)`);
  }
  return { store, leaseMs, retainMs, timeoutMs };
}

/**
 * The body as bytes; an object (already parsed JSON) is RECEIVER_ERR_BODY_NOT_RAW. Read by internal
 * slots, not instanceof: a Uint8Array from another realm (a vm context) is bytes like a local one,
 * and a Proxy — which instanceof sees through, and which throws on every probe once revoked — is
 * refused coded, as is any body whose probing throws, never RECEIVER_ERR_INTERNAL.
 */
function rawBytes(body: unknown): Buffer {
  if (types.isProxy(body)) {
    throw new ReceiverError(
      'RECEIVER_ERR_BODY_NOT_RAW',
      'the body reached the receiver as a Proxy, not as the raw bytes that were signed: a Proxy is not read as bytes, even one around a Buffer, and a revoked one cannot be read at all; pass the bytes themselves — a Buffer, Uint8Array, ArrayBuffer or string, e.g. `body: await readRawBody(req)`',
    );
  }
  try {
    return bytesOf(body);
  } catch (error) {
    if (isReceiverError(error)) throw error;
    throw new ReceiverError('RECEIVER_ERR_BODY_NOT_RAW', `the body reached the receiver as a value that threw when read (${thrownText(error)}), not as the raw bytes that were signed; pass the bytes themselves — a Buffer, Uint8Array, ArrayBuffer or string, e.g. \`body: await readRawBody(req)\``, { cause: error });
  }
}

/** {@link rawBytes}'s reading of a body that is no Proxy; it may throw where the value's own code does (caught there). */
function bytesOf(body: unknown): Buffer {
  // Any view of bytes (a Buffer, a Uint8Array of this realm or another, a DataView, another typed
  // array over the bytes read) is them; ArrayBuffer.isView reads the internal slot, not the prototype.
  if (ArrayBuffer.isView(body)) return Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (types.isAnyArrayBuffer(body)) return Buffer.from(body);
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  // A Blob (a File, a FormData entry, what `await request.blob()` gives) holds bytes it gives out
  // only asynchronously: named as such, with the read that turns it into bytes.
  const tag = Object.prototype.toString.call(body);
  if (tag === '[object Blob]' || tag === '[object File]') {
    throw new ReceiverError('RECEIVER_ERR_BODY_NOT_RAW', `the body reached the receiver as a ${tag.slice(8, -1)}, whose bytes are read asynchronously; read them first and pass those: \`body: new Uint8Array(await blob.arrayBuffer())\` (fetch-style, straight from the request: \`new Uint8Array(await request.arrayBuffer())\`)`);
  }
  // A stream (the node:http request itself, a fetch Request's body) holds the bytes but has not
  // read them: telling that user a JSON parser ran would send them looking for one that didn't.
  const stream = body !== null && typeof body === 'object' && (typeof (body as { pipe?: unknown }).pipe === 'function' || typeof (body as { getReader?: unknown }).getReader === 'function' || typeof (body as { arrayBuffer?: unknown }).arrayBuffer === 'function');
  if (stream) {
    throw new ReceiverError(
      'RECEIVER_ERR_BODY_NOT_RAW',
      'the body reached the receiver as a stream (or a request) whose bytes were not read; read them first and pass those: node:http, `body: await readRawBody(req)` (or use createNodeHandler); fetch-style, `body: new Uint8Array(await request.arrayBuffer())`',
    );
  }
  // No body at all is no parser's doing: Express 5 leaves req.body undefined when none ran, and
  // "a JSON body parser ran first" sent the user looking for one.
  if (body === undefined || body === null) {
    throw new ReceiverError(
      'RECEIVER_ERR_BODY_NOT_RAW',
      `the receiver was given no body (${String(body)}): the request's bytes were never read, or not passed (Express leaves req.body undefined when no parser ran); read them and pass those: node:http and Express, \`body: await readRawBody(req)\` (or use createNodeHandler, expressReceiver); fetch-style, \`body: new Uint8Array(await request.arrayBuffer())\``,
    );
  }
  throw new ReceiverError(
    'RECEIVER_ERR_BODY_NOT_RAW',
    `the body reached the receiver as ${kindOf(body)}, not as the raw bytes that were signed — a JSON body parser ran first, and re-serialised JSON does not verify. ` +
      'Express: mount the receiver before express.json(), or use express.raw({ type: "*/*" }) on its route, or express.json({ verify: captureRawBody }); Fastify: register fastifyReceiver; node:http: pass the bytes read from the request',
  );
}

/**
 * Whether `hookwork-test` marks a test send: `true` (any case) yes, absent or `false` no. Anything
 * else is refused rather than guessed: read as real, a test's example data would be handled as a
 * real event; read as a test, a real event could be acknowledged and dropped.
 */
function isTestSend(value: string | undefined, id: string | undefined): boolean {
  if (value === undefined || value === '') return false;
  const lower = value.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  const repeated = joinedRepeat(value);
  if (repeated) throw new ReceiverError('RECEIVER_ERR_INVALID_HEADER', `the hookwork-test header of ${id ?? 'the request'} ${repeated}`);
  throw new ReceiverError('RECEIVER_ERR_INVALID_HEADER', `the hookwork-test header of ${id ?? 'the request'} is ${shortValue(value)}; hookwork sends hookwork-test: true on a test send and no such header on a real one`);
}

/**
 * An unsigned request's timestamp: the header read as a signed request's must be (so both modes
 * agree on what a timestamp is), undefined when absent. One of another form is refused 400 (not
 * 401: nothing is verified), never read as `undefined` — which a handler can't tell from a sender
 * that sends none — nor as an Invalid Date that throws in the handler.
 *
 * @throws ReceiverError RECEIVER_ERR_INVALID_HEADER naming the header and its form.
 */
function unsignedTimestamp(headers: Readonly<Record<string, string>>, id: string | undefined): Date | undefined {
  const header = standardHeader(headers, 'timestamp');
  if (header === undefined) return undefined;
  const reading = readTimestampHeader(header);
  if ('seconds' in reading) return new Date(reading.seconds * 1000);
  throw new ReceiverError('RECEIVER_ERR_INVALID_HEADER', `the ${headers['webhook-timestamp'] ? 'webhook-timestamp' : 'svix-timestamp'} header of ${id ?? 'the request'} is not a whole number of Unix seconds: ${reading.why}`);
}

/** The standard single-valued headers (the id among them), for reading an id off a request that failed. */
const STANDARD_SINGLE_VALUED = singleValuedHeaders();

/** The webhook-id of a refused request for its answer, when it has one that can be read: never a long or garbled one, echoed back. */
function headerIdOf(request: RawWebhookRequest): string | undefined {
  try {
    const id = standardHeader(readHeaders(normalizeHeaders(request?.headers), STANDARD_SINGLE_VALUED), 'id');
    if (id === undefined) return undefined;
    checkWebhookId('webhook-id', id, MAX_WEBHOOK_ID_LENGTH);
    return id;
  } catch {
    return undefined;
  }
}

function answer(status: number, outcome: ReceiverOutcome, id: string | undefined): ReceiverAnswer {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ outcome, ...(id !== undefined ? { id } : {}) }), outcome, ...(id !== undefined ? { id } : {}) };
}

function errorAnswer(error: unknown, outcome: 'rejected' | 'failed', id: string | undefined): ReceiverAnswer {
  // Anything but a ReceiverError is a fault of the receiver itself (a bug, a broken dependency):
  // its own code, so it is not mistaken for the handler's failure or the request's.
  const known = isReceiverError(error) ? error : new ReceiverError('RECEIVER_ERR_INTERNAL', `unexpected failure inside the receiver: ${thrownText(error)}; the sender will retry`, { cause: error });
  // The sender's delivery log shows this body. A refusal says why (its message names no secret
  // and no body); a failure gives only the code: a handler's error is the receiver's business.
  const detail = known.status < 500 ? { code: known.code, message: known.message } : { code: known.code };
  const body = JSON.stringify({ outcome, ...(id !== undefined ? { id } : {}), error: detail });
  return { status: known.status, headers: { 'content-type': 'application/json' }, body, outcome, ...(id !== undefined ? { id } : {}), error: known };
}

function defaultOnError(error: unknown, answer: ReceiverAnswer): void {
  if (process.env.NODE_ENV === 'test') return;
  console.error(`@hookwork/receiver: answered ${answer.status} (${answer.outcome}): ${thrownText(error)}`);
}

/** Whether a body starts as a JSON object or array does (after whitespace): decoded, not compressed. */
function startsAsJson(body: Buffer): boolean {
  for (const byte of body) {
    if (byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d) continue;
    return byte === 0x7b || byte === 0x5b;
  }
  return false;
}
