import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import tls from 'node:tls';
import type { Readable } from 'node:stream';
import axios, { type AxiosInstance, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import { HookworkError, isHookworkError } from '../../errors/hookwork-error';
import { addReceivedHeader } from './received-header';
import { bodyErrorText, DeadlineError, errorKindOf, findCause, NO_BODY_STATUSES, notAnAnswer, UNASKED_UPGRADE } from './transport-errors';
import { BodyDecoder, wireByteCap, wireCapNote } from './body-decoder';
import { connectPort, SsrfGuard, type ConnectionJudgment, type HostResolver, type SsrfPolicySource } from './ssrf-guard';
import { requestTarget } from './request-target';
import { StopSignals } from './stop-signals';
import { readTransportOptions } from './transport-options';
import { TRANSPORT_OWNED_HEADERS, transportOwnedHeaderProblem, UnsendableHeaderError } from './transport-owned-headers';
import { memoByKey } from '../../runtime/memo';
export { errorKindOf } from './transport-errors';
import type { OutgoingRequest, SendOptions, Transport, TransportResponse, TransportResult } from '../../ports/transport';

/** The TCP keep-alive delay axios gives every request's socket (`socket.setKeepAlive(true, 60_000)`). */
const AXIOS_KEEP_ALIVE_MS = 60_000;

/** Options of {@link createHttpTransport}. */
export interface HttpTransportOptions {
  /** Where the `ssrf` setting is read (on every connection). */
  settings: SsrfPolicySource;
  /** Host name resolution (default: `dns.lookup`); the SSRF guard judges its answers. */
  resolver?: HostResolver;
  /** Keep-alive sockets kept per host; default 256. */
  maxSockets?: number;
  /** Called once with the axios instance, e.g. to add interceptors. */
  configureAxios?: (axios: AxiosInstance) => void;
  /** TLS trust for https receivers (certificates are always verified). */
  tls?: DeliveryTlsOptions;
}

/**
 * Whom https receivers' certificates are checked against. Verification is never turned off
 * (Cockpit sends with it off); a receiver behind an internal CA is trusted by adding the CA.
 */
export interface DeliveryTlsOptions {
  /** Extra CA certificates (PEM), trusted in addition to Node's bundled roots. */
  ca?: string | Buffer | ReadonlyArray<string | Buffer>;
}

/** The default {@link Transport}: axios over keep-alive agents, guarded against SSRF. */
export interface HttpTransport extends Transport {
  /**
   * The axios instance (interceptors may be added to it). Its `defaults.headers` keep the
   * `common` and `post` groups, and any other group `configureAxios` put headers in: the empty
   * groups of the other methods are dropped (every delivery is a POST).
   */
  readonly axios: AxiosInstance;
}

/**
 * Drops the empty header groups of methods other than POST from the instance's defaults. axios
 * merges its defaults into every request's config, copying each header group (get, delete, head,
 * options, put, patch, purge, link, unlink, query: ten empty objects), which made its config merge
 * the largest allocator of a delivery. Measured with `node bench/dist/run.js --only-e2e
 * --per-webhook 16 --events 20000`, three alternating pairs: 1-4 % more deliveries per second and
 * 3-7 µs less CPU each. A group a host filled in `configureAxios` is kept.
 */
function dropUnusedHeaderGroups(instance: AxiosInstance): void {
  const groups = instance.defaults.headers as unknown as Record<string, unknown>;
  for (const name of Object.keys(groups)) {
    const group = groups[name];
    if (name === 'common' || name === 'post' || group === null || typeof group !== 'object' || Object.keys(group).length > 0) continue;
    delete groups[name];
  }
}

/**
 * The response headers as they arrived (lower-case names, repeated ones joined with ", "), from
 * the raw list: axios deletes `content-encoding` from its copy when it decompresses.
 */
function receivedHeaders(response: AxiosResponse): Record<string, string> {
  const raw = (response.request as { res?: http.IncomingMessage } | undefined)?.res?.rawHeaders;
  if (!raw) return flatHeaders(response.headers);
  const result: Record<string, string> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    addReceivedHeader(result, raw[i]!.toLowerCase(), raw[i + 1]!);
  }
  return result;
}

function flatHeaders(headers: AxiosResponse['headers']): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined || value === null) continue;
    addReceivedHeader(result, name.toLowerCase(), Array.isArray(value) ? value.join(', ') : String(value));
  }
  return result;
}

/**
 * The request headers as Node sent them — axios' and Node's own additions (accept,
 * accept-encoding, content-length, host, connection) included — from the request object.
 */
function sentHeaders(request: unknown): Record<string, string> | undefined {
  if (!(request instanceof http.ClientRequest)) return undefined;
  // By name, not getHeaders(): that copy is a null-prototype object, made in V8's slow
  // dictionary mode at every attempt only to be copied once more here.
  const result: Record<string, string> = {};
  for (const name of request.getHeaderNames()) {
    const value = request.getHeader(name);
    if (value !== undefined) result[name] = typeof value === 'string' ? value : Array.isArray(value) ? value.join(', ') : String(value);
  }
  // Node writes Connection itself when the request does not set it.
  if (!('connection' in result)) result.connection = (request as { shouldKeepAlive?: boolean }).shouldKeepAlive ? 'keep-alive' : 'close';
  return result;
}

/**
 * One attempt's HTTP exchange. It is the axios `transport` of that one request, so the
 * ClientRequest it makes is known here, with its first error (a parse error after the status
 * line — malformed chunking — is emitted on the request as it happens, before the response
 * reaches this code). The total deadline and an outer abort stop it through {@link stop}: before
 * the status line by destroying the request (or refusing to make it, when an interceptor still
 * runs), after it by ending the body's read. One object per attempt instead of an
 * AbortController, its signal's listeners in axios and in the body's read, and a WeakMap.
 */
class Exchange {
  clientRequest: http.ClientRequest | undefined;
  /** The first error emitted on the latest request. */
  requestError: unknown;
  /** Why the attempt was stopped (a {@link DeadlineError} at the deadline); undefined while it runs. */
  stopReason: unknown;
  /** While the body is read: ends the read (set by {@link readBody}). */
  onStop: (() => void) | undefined;
  deadline: NodeJS.Timeout | undefined;

  /** The latest request's response, once its head arrived. */
  response: http.IncomingMessage | undefined;
  /** The request goes direct with `proxy` unset rather than `false` (see {@link DirectRoute}). */
  directWithoutProxyFalse = false;

  constructor(
    private readonly guard: SsrfGuard,
    /** hookwork's own agents (their `lookup`, the guard's, goes before any a request brings), and how it asks for a direct connection. */
    private readonly route: DirectRoute,
    /** The length of the signed body: the one Content-Length that may go out. */
    private readonly bodyLength: number,
  ) {}

  /**
   * axios' `transport` hook: makes the request with Node's http or https. The SSRF guard judges
   * the connection here, as it is made, not the webhook's URL: a host's axios interceptor may
   * have changed the URL, set a proxy, a Unix socket, its own `lookup` or agents since.
   */
  request(options: http.RequestOptions, callback: (response: http.IncomingMessage) => void): http.ClientRequest {
    if (this.stopReason !== undefined) throw this.stopReason;
    // `proxy` was left unset for a direct connection, and axios found a proxy in the environment
    // after all (another agent, or an absolute-form path). Not sent; `proxy: false` from now on.
    if (this.directWithoutProxyFalse && (!this.route.owns(options.agent) || !options.path?.startsWith('/'))) {
      this.route.unsetProxyIsDirect = false;
      throw new Error(
        "axios found a proxy in the environment after hookwork had left the request's proxy unset (HTTP_PROXY, HTTPS_PROXY or ALL_PROXY set while the request was being made, or a variable hookwork does not check): the request was not sent, and this transport sets proxy: false from now on, so the retry goes direct",
      );
    }
    const refusal = this.guard.checkConnectOptions(options);
    if (refusal) throw refusal;
    const unsendable = interceptedHeaderProblem(options.headers, this.bodyLength);
    if (unsendable) throw new UnsendableHeaderError(`not sent: ${unsendable}`);
    // Names are resolved by the guard whatever agent or `lookup` an interceptor configured: a
    // request's own lookup goes before its agent's.
    // With an ssrf.allow entry limited to a port, the lookup judges the addresses on the port connected to.
    options.lookup = this.guard.portLimited() ? this.guard.lookupOnPort(connectPort(options)) : this.guard.lookup;
    // Certificates verified whatever NODE_TLS_REJECT_UNAUTHORIZED says (hookwork's agent sets it too).
    if (options.protocol === 'https:') {
      (options as https.RequestOptions).rejectUnauthorized = true;
      // An agent's options go before a request's (Node merges them over it): one of the host's
      // that turns verification off would have it off, as it did, whatever is set here.
      if (!this.route.owns(options.agent) && turnsVerificationOff(options.agent)) throw new VerificationOffError();
    }
    // A host's interceptor may send again within the attempt (axios-retry does, and a retry of a
    // 503 happens in a success interceptor, past a body nobody reads): the earlier exchange is
    // ended, so its connection is not held for ever, and what is reported is of the latest one.
    if (this.clientRequest) this.supersede();
    const request = (options.protocol === 'https:' ? https : http).request(options, (response) => {
      this.response = response;
      callback(response);
    });
    this.clientRequest = request;
    this.requestError = undefined;
    // An agent of the host's own (an interceptor's) may resolve with a lookup of its own, and an
    // ssrf.allow entry limited to a port needs the port connected to: the address is judged once
    // connected, before the request's first byte is written.
    if (!this.route.owns(options.agent) || this.guard.portLimited()) guardSocketOf(request, this.guard, options.hostname || options.host || 'localhost');
    request.on('error', (error) => {
      if (this.clientRequest === request) this.requestError ??= error;
    });
    request.on('close', () => this.onClose(request));
    return request;
  }

  /**
   * A request that closes with neither a response nor an error would leave axios waiting for
   * ever, past the deadline and `stop()`: Node does that with a 101 Switching Protocols, which it
   * hands only to an `upgrade` listener (none here) and otherwise drops with its connection.
   */
  private onClose(request: http.ClientRequest): void {
    if (this.clientRequest !== request || this.response !== undefined || this.requestError !== undefined) return;
    const head = (request as { res?: http.IncomingMessage }).res;
    request.emit('error', head?.statusCode === 101 ? new Error(UNASKED_UPGRADE) : Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
  }

  /**
   * Ends the earlier request. A body nobody read holds its connection until read: one already
   * received in full is drained (the connection goes back to the pool), one still arriving is
   * dropped with its connection.
   */
  private supersede(): void {
    const { response, clientRequest } = this;
    if (!response) clientRequest!.destroy();
    else if (!response.readableEnded) {
      if (response.complete) response.resume();
      else response.destroy();
    }
    this.response = undefined;
  }

  /** The exchange is over: its deadline cleared, and no longer stopped by the outer signal. */
  done(stopSignals: StopSignals<Exchange>, signal: AbortSignal | undefined): void {
    clearTimeout(this.deadline);
    if (signal) stopSignals.delete(signal, this);
  }

  stop(reason: unknown): void {
    if (this.stopReason !== undefined) return;
    this.stopReason = reason;
    if (this.onStop) this.onStop();
    else this.clientRequest?.destroy(reason instanceof Error ? reason : new Error(String(reason)));
  }
}

/**
 * Whether an https agent (an axios interceptor's) turns certificate verification off: Node's tls
 * verifies only when `rejectUnauthorized` is truthy, and an agent's options go before the
 * request's, so one that holds the key with a falsy value (`false`, `undefined` too) wins.
 */
function turnsVerificationOff(agent: unknown): boolean {
  const agentOptions = (agent as { options?: Record<string, unknown> } | null | undefined)?.options;
  return agentOptions !== null && typeof agentOptions === 'object' && 'rejectUnauthorized' in agentOptions && !agentOptions.rejectUnauthorized;
}

/** The refusal of an https request whose agent turns certificate verification off (error kind `tls`). */
class VerificationOffError extends Error {
  override readonly name = 'VerificationOffError';
  /** Read by errorKindOf as a TLS failure. */
  readonly code = 'ERR_TLS_VERIFICATION_OFF';

  constructor() {
    super(
      "not sent: the https agent an axios interceptor gave the request sets rejectUnauthorized to false, which turns certificate verification off, and hookwork always verifies; trust the receiver's CA with delivery.tls.ca (or the agent's ca option) instead of turning verification off",
    );
  }
}

/**
 * What of the headers axios hands to Node (after the host's interceptors, with axios' own
 * Content-Length) would send another request than the one signed and logged: a Host,
 * Transfer-Encoding or connection header an interceptor or the instance's defaults set, or a
 * Content-Length other than the signed body's (axios keeps one already set rather than its own).
 */
function interceptedHeaderProblem(headers: http.OutgoingHttpHeaders | readonly string[] | undefined, bodyLength: number): string | undefined {
  if (!headers || Array.isArray(headers)) return undefined;
  for (const name of Object.keys(headers)) {
    const lower = name.toLowerCase();
    if (!TRANSPORT_OWNED_HEADERS.has(lower)) continue;
    const value = (headers as http.OutgoingHttpHeaders)[name];
    if (lower === 'content-length' && String(value) === String(bodyLength)) continue;
    return `an axios interceptor (or the instance's default headers) set ${name}: ${String(value)}, which is the transport's own (it writes the Host, the length of the signed body (${bodyLength} bytes) and the connection handling itself); remove it in the interceptor`;
  }
  return undefined;
}

/**
 * Judges the address and port a request's socket connected to, and destroys the socket when the guard
 * refuses it. Listening from the request's `socket` event puts this `connect` listener before
 * the one Node's http adds to write the request once connected: nothing of it is sent.
 */
function guardSocketOf(request: http.ClientRequest, guard: SsrfGuard, host: string): void {
  request.once('socket', (socket) => {
    const judge = () => {
      const refusal = socket.remoteAddress === undefined ? undefined : guard.check(host.replace(/^\[|\]$/g, ''), socket.remoteAddress, socket.remotePort);
      if (refusal) socket.destroy(refusal);
    };
    if (socket.connecting) socket.once('connect', judge);
    else judge();
  });
}

/** A socket of hookwork's own agents, with the judgment that let it be made. */
const JUDGMENT = Symbol('hookwork.ssrfJudgment');
type JudgedSocket = net.Socket & { [JUDGMENT]?: ConnectionJudgment };

/** The refusal for `socket` to carry another request, when the `ssrf` setting changed since it was judged (see {@link SsrfGuard.recheck}). */
function recheckSocket(socket: JudgedSocket, guard: SsrfGuard): HookworkError | undefined {
  const judged = socket[JUDGMENT];
  return judged && guard.recheck(judged, socket.remoteAddress, socket.remotePort);
}

/**
 * Guards the connections of one of hookwork's agents beyond its `lookup`:
 *
 * - With an `ssrf.allow` entry limited to a port, a new connection's host is resolved with a
 *   lookup that knows the port connected to, so a name's addresses are refused before any
 *   connection to another port is made. An agent's own options (its port-less `lookup`) go
 *   before a request's, so the port is put in here, where the connection is made.
 * - A kept-alive socket taken from the pool (`reuseSocket`) is judged again when the `ssrf`
 *   setting changed since it was judged; refused, it is destroyed with the refusal as the request
 *   gets it, before anything is written (as {@link guardSocketOf} does), and the request fails with
 *   the refusal. Before, a name allowed once kept receiving deliveries over its pooled connection
 *   after the setting stopped allowing it. A socket the agent hands straight to a request that
 *   was waiting for one is not judged again: that request was made before the change, as the
 *   undici transport's requests already dispatched are.
 */
function guardAgent(agent: http.Agent, guard: SsrfGuard): void {
  const createConnection = agent.createConnection.bind(agent);
  agent.createConnection = (options, callback) => {
    const socket = createConnection(guard.portLimited() ? { ...options, lookup: guard.lookupOnPort(connectPort(options)) } : options, callback) as JudgedSocket | undefined;
    // The setting read before the lookup judges the address: a change in between only costs a second judgment.
    if (socket) socket[JUDGMENT] = { policy: guard.policy(), host: String(options.host ?? 'localhost') };
    return socket;
  };
  const reuseSocket = agent.reuseSocket.bind(agent);
  agent.reuseSocket = (socket, request) => {
    const refusal = recheckSocket(socket as JudgedSocket, guard);
    if (refusal) request.once('socket', (given) => given.destroy(refusal));
    reuseSocket(socket, request);
  };
}

/** The refusal of a request sent other than through hookwork's guarded connection. */
function offGuardedPath(what: string): HookworkError {
  return new HookworkError(
    'HOOKWORK_ERR_SSRF_BLOCKED',
    `delivery was refused: ${what}: an axios interceptor replaced hookwork's transport or adapter, or asked for HTTP/2, and the SSRF guard cannot judge what those connect to; leave config.adapter, config.transport and config.httpVersion as they are (a changed URL, proxy or agent is guarded)`,
  );
}

/**
 * Whether the environment names a proxy axios would send through when a request's `proxy` is
 * unset: the variables `proxy-from-env` (axios' reader) looks up for http and https URLs. Read
 * once per turn of the event loop, not per request: each `process.env` read is a call into
 * Node's C++ (six of them were 3 µs of CPU per delivery on BullMQ, where a Redis reply starts
 * many attempts in one turn), and a variable set within a turn is still caught — by the
 * {@link Exchange}, which refuses a request axios would send through a proxy after all.
 */
let proxyInEnvironmentThisTurn: boolean | undefined;
function forgetProxyInEnvironment(): void {
  proxyInEnvironmentThisTurn = undefined;
}
function proxyInEnvironment(): boolean {
  if (proxyInEnvironmentThisTurn === undefined) {
    const env = process.env;
    proxyInEnvironmentThisTurn = Boolean(env.http_proxy || env.HTTP_PROXY || env.https_proxy || env.HTTPS_PROXY || env.all_proxy || env.ALL_PROXY);
    // Unref'd: a cache never holds the process open.
    setImmediate(forgetProxyInEnvironment).unref();
  }
  return proxyInEnvironmentThisTurn;
}

/**
 * How the transport asks axios for a direct connection, never through a proxy from the
 * environment. `proxy: false` does it, but axios 1.21 then makes a closure per request that holds
 * the request's whole state (config, body, response stream) and makes it outlive young-generation
 * collections: 15–20 % of CPU per delivery on the axios path (docs/performance-log.md, 2026-12-01 18:15). So `proxy` is
 * left unset when no proxy variable is in the environment and the request keeps hookwork's own
 * agents: axios reads the same variables, finds none and connects direct. Should axios find a
 * proxy after all, the {@link Exchange} refuses the connection and this transport goes back to
 * `proxy: false` for good.
 */
class DirectRoute {
  /** False once axios found a proxy the check did not see. */
  unsetProxyIsDirect = true;

  constructor(
    readonly httpAgent: http.Agent,
    readonly httpsAgent: https.Agent,
  ) {}

  /** Whether `agent` is one of hookwork's own (guarded) agents. */
  owns(agent: unknown): boolean {
    return agent === this.httpAgent || agent === this.httpsAgent;
  }
}

/**
 * The last request interceptor: refuses a request that would not go through the {@link Exchange}
 * (another adapter, another `transport`, HTTP/2, which axios sends through its own transport), and
 * asks for a direct connection the cheap way when it can ({@link DirectRoute}).
 */
function keepOnGuardedPath(route: DirectRoute) {
  return (config: InternalAxiosRequestConfig): InternalAxiosRequestConfig => {
    const exchange = config.transport;
    if (config.adapter !== 'http' || !(exchange instanceof Exchange) || String(config.httpVersion ?? 1) === '2') throw offGuardedPath('the request would not go through its guarded connection');
    // A proxy an interceptor set (or unset itself, asking for the environment's) is left as it is.
    const direct = config.proxy === false || (exchange.directWithoutProxyFalse && config.proxy === undefined);
    exchange.directWithoutProxyFalse =
      direct && route.unsetProxyIsDirect && config.httpAgent === route.httpAgent && config.httpsAgent === route.httpsAgent && !proxyInEnvironment();
    if (exchange.directWithoutProxyFalse) config.proxy = undefined;
    else if (direct) config.proxy = false;
    return config;
  };
}

/**
 * Sets an agent's pool settings on the agent, where Node reads them, rather than in its options.
 * Node copies an agent's options into every request's (a null-prototype object, so a hash table)
 * as it hands out a socket, then adds the TLS server name to the copy; with `keepAliveMsecs`,
 * `maxSockets`, `maxFreeSockets` and `scheduling` in them that copy outgrew its table and
 * allocated 1.6 KB more per delivery (`--only-bullmq` heap sampling: the agent's addRequest and
 * normalizeServerName 5.1 KB, the plain worker's 3.5 KB; with only `keepAliveMsecs` left in, the
 * growth moved from the one to the other). LIFO, the free socket used last goes out first, is
 * Node's default scheduling.
 */
function sizePool<A extends http.Agent>(agent: A, maxSockets: number): A {
  agent.maxSockets = maxSockets;
  agent.maxFreeSockets = 64;
  // axios' own TCP keep-alive delay, which Node's keepSocketAlive() sets as a socket goes back to
  // the pool: axios sets 60 s on the socket of every request, and the agent's default 1 s set it
  // back at every release, two setsockopt calls per delivery.
  (agent as A & { keepAliveMsecs: number }).keepAliveMsecs = AXIOS_KEEP_ALIVE_MS;
  return agent;
}

/** Milliseconds since `started` (a performance.now()), to two places. */
function elapsedSince(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}

function stopAtDeadline(exchange: Exchange, timeoutMs: number): void {
  exchange.stop(new DeadlineError(`no complete response within ${timeoutMs} ms (the timeout setting)`));
}

/** What was read of a response body: the bytes up to the cap, and why reading ended early, if it did. */
interface BodyRead {
  body: Buffer;
  truncated: boolean;
  /** The body broke off (closed connection, reset, bad encoding, deadline): what happened. */
  problem?: string;
}

/** Why the body's read was stopped (see {@link Exchange.stop}): the deadline, or an outer abort. */
function stoppedText(exchange: Exchange): string {
  const reason = exchange.stopReason;
  return reason instanceof DeadlineError ? `${reason.message}: the body did not end in time` : `reading stopped: ${(reason as Error)?.message ?? reason}`;
}

/** A stop also breaks the stream: the stop is named, not the broken stream (`problem`) it caused. */
function stoppedOr(exchange: Exchange, problem: () => string): string {
  return exchange.stopReason !== undefined ? stoppedText(exchange) : problem();
}

/**
 * Reads a response body up to `cap` bytes of it decoded (per `encoding`, the Content-Encoding),
 * then stops reading (the socket is not reused). Never rejects: the status line has arrived,
 * and it decides the attempt, so a body that breaks off afterwards — the connection closed
 * before Content-Length was reached, a reset mid-body, a body the Content-Encoding cannot decode
 * or whose compressed data stops short, malformed chunking, the deadline or a stop while it
 * trickles in — is reported as `problem` with what arrived until then.
 */
function readBody(stream: Readable, encoding: string | undefined, cap: number, exchange: Exchange): Promise<BodyRead> {
  return new Promise((resolve) => {
    // The first chunk alone, an array only from a second one on: most bodies come in one chunk.
    let first: Buffer | undefined;
    let more: Buffer[] | undefined;
    let size = 0;
    let done = false;
    let arrived = false;
    const finish = (truncated: boolean, problem?: string) => {
      if (done) return;
      done = true;
      exchange.onStop = undefined;
      stream.off('data', onArrival);
      decoder?.destroy();
      // A body that came in one chunk (most do) is used as it is, not copied into a new buffer.
      const body = more ? Buffer.concat(more, size) : first !== undefined && first.length === size ? first : Buffer.concat(first ? [first] : [], size);
      const read: BodyRead = { body, truncated };
      if (problem) read.problem = `${problem} (${size} bytes read)`;
      resolve(read);
    };
    const keep = (chunk: Buffer) => {
      const room = cap - size;
      const part = chunk.length >= room ? (room > 0 ? chunk.subarray(0, room) : undefined) : chunk;
      if (part) {
        if (first === undefined) first = part;
        else (more ??= [first]).push(part);
        size += part.length;
      }
      if (chunk.length > room) {
        stream.destroy();
        finish(true);
      }
    };
    // Decoded here, not by axios (decompress: false), as the undici transport does: axios' decoder
    // ends quietly where the compressed data stops short, so a cut body read as a whole one.
    // (Its sink is made only for an encoded body: most bodies are not.)
    const decoder =
      encoding === undefined
        ? undefined
        : BodyDecoder.for(encoding, {
            data: keep,
            end: () => finish(false),
            error: (error) => {
              finish(false, stoppedOr(exchange, () => bodyErrorText(error)));
              stream.destroy();
            },
          });
    // An encoded body is also cut by its bytes on the wire: one that decodes to little or nothing
    // (empty deflate blocks without end) would otherwise be read and decompressed until the deadline.
    // Exactly the bytes up to that cap are decoded, and what they decode to is kept (up to the cap).
    const wireCap = wireByteCap(cap);
    let wire = 0;
    let cutOnWire = false;
    const onArrival = decoder
      ? (chunk: Buffer) => {
          wire += chunk.length;
          if (wire <= wireCap) return decoder.write(chunk);
          decoder.write(chunk.subarray(0, chunk.length - (wire - wireCap)));
          cutOnWire = true;
          stream.off('data', onArrival);
          stream.destroy();
          decoder.settle(() => finish(true, wireCapNote(cap)));
        }
      : keep;
    const onStop = () => {
      finish(false, stoppedText(exchange));
      stream.destroy();
    };
    if (exchange.stopReason !== undefined) return onStop();
    exchange.onStop = onStop;
    stream.on('data', onArrival);
    // on, not once (finish runs once either way): no wrapper made per listener and attempt.
    stream.on('end', () => {
      arrived = true;
      if (decoder) decoder.end();
      else finish(false);
    });
    // A reset or a parse error (malformed chunking) is reported on the request; the body stream
    // only sees the connection go away: the request's error names the cause.
    // (Cut on the wire, the stream was destroyed here, and what arrived is still being decoded.)
    stream.on('error', (error) => cutOnWire || finish(false, stoppedOr(exchange, () => bodyErrorText(exchange.requestError ?? error))));
    // A close after the whole body arrived is the connection's business (the decoder may still be finishing).
    stream.on('close', () => arrived || cutOnWire || finish(false, stoppedOr(exchange, () => (exchange.requestError ? bodyErrorText(exchange.requestError) : 'the connection closed before the body ended'))));
  });
}

/**
 * Creates the default transport: one axios instance over keep-alive agents, no redirects
 * followed (a 3xx is a response like any other), no proxy from the environment, the body sent
 * as the exact bytes given, a total deadline per attempt (one timer that stops the attempt's
 * {@link Exchange}, whatever phase it is in; axios' `timeout` would only bound idle time, and
 * the deadline always comes first), the response body read up to the cap.
 * Connections go through the SSRF guard: IP-literal hosts are checked before sending, names at
 * connect time through the agents' `lookup`.
 *
 * The options are read once, here: a getter or Proxy trap of them that throws is
 * HOOKWORK_ERR_INVALID_OPTIONS naming the option (`tls.ca`), and one answering differently later
 * changes nothing (see readTransportOptions).
 */
export function createHttpTransport(options: HttpTransportOptions): HttpTransport {
  // Read once: from here on `options` is the copy, never the caller's object.
  options = readTransportOptions(options, 'createHttpTransport()');
  const guard = new SsrfGuard(options.settings, options.resolver);
  const agentOptions = { keepAlive: true, lookup: guard.lookup };
  const httpAgent = sizePool(new http.Agent(agentOptions), options.maxSockets ?? 256);
  const extraCa = options.tls?.ca === undefined ? undefined : ([] as (string | Buffer)[]).concat(options.tls.ca as string | Buffer | (string | Buffer)[]);
  // rejectUnauthorized set, not left to Node's default: NODE_TLS_REJECT_UNAUTHORIZED=0 in the
  // environment would turn that default off (docs/transport.md: certificates are always verified).
  const httpsAgent = sizePool(new https.Agent({ ...agentOptions, rejectUnauthorized: true, ...(extraCa ? { ca: [...tls.rootCertificates, ...extraCa] } : {}) }), options.maxSockets ?? 256);
  guardAgent(httpAgent, guard);
  guardAgent(httpsAgent, guard);
  const instance = axios.create({
    httpAgent,
    httpsAgent,
    // Named, not axios' default list (xhr, http, fetch): keepOnGuardedPath refuses any other.
    adapter: 'http',
    maxRedirects: 0,
    proxy: false,
    // hookwork decodes the body itself (readBody), as the undici transport does.
    decompress: false,
    responseType: 'stream',
    // No transforms (the body goes out as the bytes given, the response stays a stream): an
    // empty list, not an identity function, as axios normalizes the headers once more for
    // every function it runs (4.8 KB allocated and two passes over the headers per request).
    transformRequest: [],
    transformResponse: [],
    validateStatus: () => true,
    maxBodyLength: Infinity,
    // -1, not Infinity: any limit makes axios wrap a streamed body in an async iterator; the
    // body is cut at maxResponseBodyBytes by readBody.
    maxContentLength: -1,
  });
  // Registered before the host's interceptors, so it runs after them (axios runs request
  // interceptors last-registered first): it sees the config as it will be sent.
  const route = new DirectRoute(httpAgent, httpsAgent);
  // Synchronous: with no other interceptor (or only synchronous ones), axios runs the chain in the
  // caller's turn and dispatches at once, rather than through a promise per interceptor step. A
  // host's asynchronous interceptor (axios' default) puts the whole chain back on promises.
  instance.interceptors.request.use(keepOnGuardedPath(route), undefined, { synchronous: true });
  options.configureAxios?.(instance);
  dropUnusedHeaderGroups(instance);
  let closed = false;
  const stopSignals = new StopSignals<Exchange>();
  // A webhook's URL is parsed once, not at every attempt (a few distinct URLs, many attempts).
  const targetOf = memoByKey((href): { href: string; hostname: string; port: number } | string => {
    const url = requestTarget(href);
    return typeof url === 'string' ? url : { href: url.href, hostname: url.hostname, port: connectPort(url) };
  });

  return {
    axios: instance,
    async send(request: OutgoingRequest, sendOptions: SendOptions): Promise<TransportResult> {
      // Read once, into locals: a second read of a getter could answer otherwise (core's own
      // options are plain objects, so this costs nothing).
      const { timeoutMs, maxResponseBodyBytes, signal } = sendOptions;
      const started = performance.now();
      const url = targetOf(request.url);
      if (typeof url === 'string') return { ok: false, errorKind: 'invalid', message: url, durationMs: 0 };
      const refusal = guard.checkLiteralHost(url.hostname, url.port);
      if (refusal) return { ok: false, errorKind: 'ssrf', message: refusal.message, durationMs: 0 };
      if (closed) return { ok: false, errorKind: 'aborted', message: 'the transport was closed (the app is stopping)', durationMs: 0 };
      // Host, Content-Length and the connection handling are this transport's own, as they are
      // the undici one's: axios would send a Content-Length of the request's rather than the body's.
      const unsendable = transportOwnedHeaderProblem(request.headers);
      if (unsendable) return { ok: false, errorKind: 'invalid', message: `not sent: ${unsendable}; remove it from the webhook's headers or the beforeSend hook`, durationMs: 0 };

      const exchange = new Exchange(guard, route, request.body.length);
      exchange.deadline = setTimeout(stopAtDeadline, timeoutMs, exchange, timeoutMs);
      if (signal) stopSignals.add(signal, exchange);
      let response: AxiosResponse<Readable>;
      try {
        response = await instance.request<Readable>({ method: 'POST', url: url.href, headers: request.headers, data: request.body, transport: exchange });
      } catch (error) {
        exchange.done(stopSignals, signal);
        const sent = sentHeaders((error as { request?: unknown })?.request);
        const withSent = sent ? { sentHeaders: sent } : {};
        const reason = exchange.stopReason;
        if (reason instanceof DeadlineError) return { ok: false, errorKind: 'timeout', message: reason.message, durationMs: elapsedSince(started), ...withSent };
        if (reason !== undefined) return { ok: false, errorKind: 'aborted', message: `the attempt was aborted: ${(reason as Error)?.message ?? reason}`, durationMs: elapsedSince(started), ...withSent };
        const kind = errorKindOf(error);
        const cause =
          kind === 'ssrf'
            ? findCause(error, (e) => isHookworkError(e, 'HOOKWORK_ERR_SSRF_BLOCKED'))
            : kind === 'invalid'
              ? findCause(error, (e) => e instanceof UnsendableHeaderError)
              : kind === 'tls'
                ? findCause(error, (e) => e instanceof VerificationOffError)
                : undefined;
        return { ok: false, errorKind: kind, message: ((cause ?? error) as Error)?.message ?? String(error), durationMs: elapsedSince(started), ...withSent };
      }
      // No request went through the exchange: an interceptor that ran after keepOnGuardedPath
      // (or removed it) sent the request by other means, past the guard. Its answer is not taken.
      if (exchange.clientRequest === undefined) {
        exchange.done(stopSignals, signal);
        (response.data as Partial<Readable> | undefined)?.destroy?.();
        return { ok: false, errorKind: 'ssrf', message: offGuardedPath('the response did not come through its guarded connection').message, durationMs: elapsedSince(started) };
      }
      // A 101 without an Upgrade header, and a status below 100, reach here as a response: they
      // are failures, as undici reports them, and their connection is given up.
      const refused = notAnAnswer(response.status);
      if (refused) {
        exchange.done(stopSignals, signal);
        response.data.destroy();
        const result: TransportResult = { ok: false, errorKind: 'other', message: refused, durationMs: elapsedSince(started) };
        const sent = sentHeaders(response.request);
        if (sent) result.sentHeaders = sent;
        return result;
      }
      // The status line arrived: it decides the attempt. Whatever happens to the body from here
      // on is noted with the response, never turned into a failure.
      try {
        const read = await readBody(response.data, NO_BODY_STATUSES.has(response.status) ? undefined : exchange.response?.headers['content-encoding'], maxResponseBodyBytes, exchange);
        const sent = sentHeaders(response.request);
        // Optional fields set, not spread in: a conditional spread copies on V8's slow path, at every delivery.
        const received: TransportResponse = { statusCode: response.status, headers: receivedHeaders(response), body: read.body.toString('utf8'), bodyTruncated: read.truncated };
        if (read.problem) received.bodyError = read.problem;
        const result: TransportResult = { ok: true, response: received, durationMs: elapsedSince(started) };
        if (sent) result.sentHeaders = sent;
        return result;
      } finally {
        exchange.done(stopSignals, signal);
      }
    },
    async close() {
      closed = true;
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
