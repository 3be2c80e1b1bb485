import tls from 'node:tls';
import type { Dispatcher } from 'undici';
import type * as Undici from 'undici';
import { isHookworkError } from '../../errors/hookwork-error';
import type { OutgoingRequest, SendOptions, Transport, TransportResponse, TransportResult } from '../../ports/transport';
import { addReceivedHeader } from './received-header';
import type { DeliveryTlsOptions } from './http-transport';
import { BodyDecoder, wireByteCap, wireCapNote } from './body-decoder';
import { connectPort, SsrfGuard, ssrfPolicyKeepsAllowed, type HostResolver, type SsrfPolicySource } from './ssrf-guard';
import { requestTarget } from './request-target';
import { StopSignals } from './stop-signals';
import { readTransportOptions } from './transport-options';
import { transportOwnedHeaderProblem } from './transport-owned-headers';
import { memoByKey } from '../../runtime/memo';
import { bodyErrorText, DeadlineError, errorKindOf, findCause, NO_BODY_STATUSES, notAnAnswer, UNASKED_CONTINUE, UNASKED_UPGRADE } from './transport-errors';

/** Options of {@link createUndiciTransport}. */
export interface UndiciTransportOptions {
  /** Where the `ssrf` setting is read (on every connection). */
  settings: SsrfPolicySource;
  /** Host name resolution (default: `dns.lookup`); the SSRF guard judges its answers. */
  resolver?: HostResolver;
  /** Keep-alive connections kept per origin; default 256. */
  maxSockets?: number;
  /** TLS trust for https receivers (certificates are always verified). */
  tls?: DeliveryTlsOptions;
}

/** The lean {@link Transport}: undici's HTTP/1.1 client, guarded against SSRF exactly as the axios one. */
export interface UndiciTransport extends Transport {
  /**
   * The undici dispatcher new requests go through: another one after each change of the `ssrf`
   * setting that may forbid something the last one allowed; the same one after a change that only
   * allows more (see {@link createUndiciTransport}).
   */
  readonly dispatcher: Dispatcher;
}

/**
 * What the axios transport sends besides the request's own headers, sent here too so a receiver
 * sees the same request whichever transport is chosen.
 */
const ACCEPT = 'application/json, text/plain, */*';
const ACCEPT_ENCODING = 'gzip, compress, deflate, br';

/**
 * One attempt as an undici dispatch handler: the response head settles nothing by itself, the
 * status line decides, and what happens to the body afterwards is noted, never a failure — the
 * same rules as the axios transport's readBody. Written against undici's handler callbacks
 * rather than `request()`, which would add a body stream per response (the measured cost this
 * transport exists to avoid).
 */
class AttemptHandler implements Dispatcher.DispatchHandler {
  private abortFn: ((error?: Error) => void) | undefined;
  private stopReason: unknown;
  private settled = false;
  private statusCode = 0;
  private headers: Record<string, string> = {};
  private chunks: Buffer[] = [];
  private size = 0;
  private truncated = false;
  private decoder: BodyDecoder | undefined;
  private decodeError: unknown;
  private wireBytes = 0;
  /** The body was cut on the wire: the connection is given up, what arrived is still being decoded. */
  private cutOnWire = false;

  constructor(
    private readonly cap: number,
    private readonly started: number,
    private readonly sent: Record<string, string>,
    private readonly resolve: (result: TransportResult) => void,
  ) {}

  private elapsed(): number {
    return Math.round((performance.now() - this.started) * 100) / 100;
  }

  /** Stops the attempt (deadline, app stopping): before the head a failure, after it a note on the body. */
  stop(reason: unknown): void {
    if (this.settled || this.stopReason !== undefined) return;
    this.stopReason = reason;
    if (this.statusCode === 0) {
      // Settle now: undici only hands over its abort once connected, and a connect may hang.
      const message = reason instanceof DeadlineError ? reason.message : `the attempt was aborted: ${(reason as Error)?.message ?? reason}`;
      this.settle({ ok: false, errorKind: reason instanceof DeadlineError ? 'timeout' : 'aborted', message, durationMs: this.elapsed(), sentHeaders: this.sent });
    } else {
      const problem = reason instanceof DeadlineError ? `${reason.message}: the body did not end in time` : `reading stopped: ${(reason as Error)?.message ?? reason}`;
      this.finishBody(problem);
    }
    this.abortFn?.(reason instanceof Error ? reason : new Error(String(reason)));
  }

  onConnect(abort: (error?: Error) => void): void {
    this.abortFn = abort;
    if (this.stopReason !== undefined) abort(this.stopReason instanceof Error ? this.stopReason : new Error(String(this.stopReason)));
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], _resume: () => void, _statusText: string): boolean {
    if (this.settled) return true;
    // A 101 without an Upgrade header comes here (undici fails one with it as "bad upgrade"), and
    // so does a status below 100 (undici would fail an assertion at its end).
    const refused = notAnAnswer(statusCode);
    if (refused) return this.failWith(refused);
    // Other 1xx (103 Early Hints) precede the response.
    if (statusCode < 200) return true;
    this.statusCode = statusCode;
    for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
      // latin1, as Node's http decodes header values (a UTF-8 Location is recovered downstream).
      const name = rawHeaders[i]!.toString('latin1').toLowerCase();
      const value = rawHeaders[i + 1]!.toString('latin1');
      addReceivedHeader(this.headers, name, value);
    }
    if (!NO_BODY_STATUSES.has(statusCode)) {
      this.decoder = BodyDecoder.for(this.headers['content-encoding'], {
        data: (chunk) => this.keep(chunk),
        end: () => this.finishBody(),
        error: (error) => {
          this.decodeError = error;
          this.finishBody(bodyErrorText(error));
          this.abortFn?.(error);
        },
      });
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.settled) return true;
    if (!this.decoder) {
      this.keep(chunk);
      return true;
    }
    // An encoded body is also cut by its bytes on the wire (see wireByteCap), as the axios transport
    // cuts it: exactly the bytes up to that cap are decoded, and what they decode to is kept.
    if (this.cutOnWire) return true;
    const wireCap = wireByteCap(this.cap);
    this.wireBytes += chunk.length;
    if (this.wireBytes <= wireCap) {
      this.decoder.write(chunk);
      return true;
    }
    this.decoder.write(chunk.subarray(0, chunk.length - (this.wireBytes - wireCap)));
    this.cutOnWire = true;
    this.truncated = true;
    this.abortFn?.(new Error('the response body passed maxResponseBodyBytes on the wire'));
    this.decoder.settle(() => this.finishBody(wireCapNote(this.cap)));
    return true;
  }

  onComplete(): void {
    if (this.settled || this.cutOnWire) return;
    if (this.decoder) this.decoder.end();
    else this.finishBody();
  }

  onError(error: Error): void {
    // The abort of a body cut on the wire comes back here: the decoder's settle() finishes it.
    if (this.settled || this.cutOnWire) return;
    // undici's two socket errors for status lines it will not read: a 101, and a 100 Continue
    // (before a request's response, that is what its "bad response" means).
    if (this.statusCode === 0 && (error as { code?: string }).code === 'UND_ERR_SOCKET' && (error.message === 'bad upgrade' || error.message === 'bad response')) {
      this.failWith(error.message === 'bad upgrade' ? UNASKED_UPGRADE : UNASKED_CONTINUE);
      return;
    }
    if (this.statusCode === 0) {
      const kind = errorKindOf(error);
      const ssrf = kind === 'ssrf' ? findCause(error, (e) => isHookworkError(e, 'HOOKWORK_ERR_SSRF_BLOCKED')) : undefined;
      this.settle({ ok: false, errorKind: kind, message: ((ssrf ?? error) as Error)?.message ?? String(error), durationMs: this.elapsed(), sentHeaders: this.sent });
      return;
    }
    // A 204 or 304 has no body (RFC 9110 §6.4.1); undici still holds it to its Content-Length.
    if (NO_BODY_STATUSES.has(this.statusCode) && (error as { code?: string }).code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH') return this.finishBody();
    this.finishBody(bodyErrorText(this.decodeError ?? error));
  }

  /** Fails the attempt on a status line that is no answer (a 101, a status below 100), as the axios transport does, and drops the connection. */
  private failWith(message: string): boolean {
    const error = new Error(message);
    this.settle({ ok: false, errorKind: 'other', message: error.message, durationMs: this.elapsed(), sentHeaders: this.sent });
    this.abortFn?.(error);
    return false;
  }

  /** Keeps decoded body bytes up to the cap; past it, stops reading (the connection is not reused). */
  private keep(chunk: Buffer): void {
    if (this.settled) return;
    const room = this.cap - this.size;
    if (chunk.length < room) {
      this.chunks.push(chunk);
      this.size += chunk.length;
      return;
    }
    if (room > 0) this.chunks.push(chunk.subarray(0, room));
    this.size += Math.max(room, 0);
    if (chunk.length > room) {
      this.truncated = true;
      this.finishBody();
      this.abortFn?.(new Error('the response body passed maxResponseBodyBytes'));
    }
  }

  private finishBody(problem?: string): void {
    if (this.settled) return;
    this.decoder?.destroy();
    // bodyError set, not spread in: a conditional spread copies on V8's slow path, at every delivery.
    const response: TransportResponse = { statusCode: this.statusCode, headers: this.headers, body: Buffer.concat(this.chunks, this.size).toString('utf8'), bodyTruncated: this.truncated };
    if (problem) response.bodyError = `${problem} (${this.size} bytes read)`;
    this.settle({ ok: true, response, durationMs: this.elapsed(), sentHeaders: this.sent });
  }

  private settle(result: TransportResult): void {
    this.settled = true;
    this.resolve(result);
  }
}

/** What a request URL comes to for undici. */
interface Target {
  origin: string;
  /** Path and query, as requested. */
  path: string;
  /** Host name and port, as the Host header carries them. */
  host: string;
  hostname: string;
  /** The port connected to (the scheme's default when the URL has none). */
  port: number;
}

/**
 * undici, loaded when the first undici transport is made rather than with core: an app on the
 * default (axios) transport does not load it (about 60 ms, a seventh of loading core, on the
 * 2-core machine the benches run on).
 */
function loadUndici(): typeof Undici {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('undici') as typeof Undici;
}

/**
 * Creates the lean transport: undici's HTTP/1.1 client with the axios transport's guarantees —
 * the SSRF guard at connect time (IP-literal hosts checked before sending, names through the
 * connector's `lookup`, on every new connection), certificates always verified (plus `tls.ca`),
 * one total deadline per attempt covering connect, head and body, the response body read up to
 * the cap, no redirects followed (a 3xx is a response like any other), no proxy, the exact bytes
 * given as the body, keep-alive connections — and the same log entry: the request headers as
 * they went out, the response headers as they came (latin1, repeated ones joined), the body
 * decoded per its Content-Encoding, the same error kinds and body notes.
 *
 * undici 7 is pure JavaScript and supports Node 20. Hosts that configure axios (interceptors)
 * keep the default transport; this one has nothing of axios.
 *
 * The options are read once, here: a getter or Proxy trap of them that throws is
 * HOOKWORK_ERR_INVALID_OPTIONS naming the option (`tls.ca`), and one answering differently later
 * changes nothing (see readTransportOptions).
 */
export function createUndiciTransport(options: UndiciTransportOptions): UndiciTransport {
  // Read once: from here on `options` is the copy, never the caller's object.
  options = readTransportOptions(options, 'createUndiciTransport()');
  const guard = new SsrfGuard(options.settings, options.resolver);
  const extraCa = options.tls?.ca === undefined ? undefined : ([] as (string | Buffer)[]).concat(options.tls.ca as string | Buffer | (string | Buffer)[]);
  const { Agent, buildConnector } = loadUndici();
  // rejectUnauthorized set, not left to Node's default, which NODE_TLS_REJECT_UNAUTHORIZED=0 turns off.
  const connectorOptions = { timeout: 0, rejectUnauthorized: true, ...(extraCa ? { ca: [...tls.rootCertificates, ...extraCa] } : {}) };
  const connector = buildConnector({ ...connectorOptions, lookup: guard.lookup } as Undici.buildConnector.BuildOptions);
  // With an ssrf.allow entry limited to a port, a name's addresses are judged on the port
  // connected to, in the lookup, before any connection: a connector per port (a few).
  const onPort = new Map<number, Undici.buildConnector.connector>();
  const connectorFor = (port: number) => {
    let made = onPort.get(port);
    if (!made) onPort.set(port, (made = buildConnector({ ...connectorOptions, lookup: guard.lookupOnPort(port) } as Undici.buildConnector.BuildOptions)));
    return made;
  };
  const newAgent = () => new Agent({
    connections: options.maxSockets ?? 256,
    pipelining: 1,
    // The total deadline is this transport's own timer; undici's per-phase timers are off, so
    // they cannot cut an attempt short with a different error than the axios transport's.
    headersTimeout: 0,
    bodyTimeout: 0,
    // An ssrf.allow entry limited to a port is judged with the port connected to, once connected
    // (before the request's first byte): the lookup is asked without one.
    connect: (connectOptions, callback) =>
      (guard.portLimited() ? connectorFor(connectPort(connectOptions)) : connector)(connectOptions, (error, socket) => {
        if (error || !socket || !guard.portLimited() || socket.remoteAddress === undefined) return (callback as (e: Error | null, s: typeof socket) => void)(error, socket);
        const refusal = guard.check(connectOptions.hostname.replace(/^\[|\]$/g, ''), socket.remoteAddress, socket.remotePort);
        if (!refusal) return callback(null, socket);
        socket.destroy();
        callback(refusal, null);
      }),
  });
  // undici judges an address only as it connects, and has no hook where a kept-alive connection
  // is taken for another request: after a change of the ssrf setting that may forbid something
  // the pooled connections were allowed, new requests go through a new agent, whose every
  // connection is judged under it, and the old one is closed once the requests it already has are
  // done. Before, a name allowed once kept receiving deliveries over its pooled connection after
  // the setting stopped allowing it. A change that only allows more (an allow entry added,
  // allowInternal turned on) forbids no pooled connection: the agent and its connections are kept
  // (a new one per change made every endpoint connect again, TLS handshakes included, at once).
  let agent = newAgent();
  let agentPolicy = guard.policy();
  const retiring = new Set<Undici.Agent>();
  const agentNow = (): Undici.Agent => {
    const policy = guard.policy();
    if (policy === agentPolicy) return agent;
    // The settings make a new ssrf object at every update, whatever changed. Kept, the agent's
    // connections were each allowed by a policy this one allows all of (each kept step widened).
    if (!ssrfPolicyKeepsAllowed(agentPolicy, policy)) {
      const old = agent;
      retiring.add(old);
      old.close().then(
        () => retiring.delete(old),
        () => retiring.delete(old),
      );
      agent = newAgent();
    }
    agentPolicy = policy;
    return agent;
  };
  let closed = false;
  const stopSignals = new StopSignals<AttemptHandler>();
  // A webhook's URL is parsed once, not at every attempt (a few distinct URLs, many attempts).
  const targetOf = memoByKey((href): Target | string => {
    const url = requestTarget(href);
    return typeof url === 'string' ? url : { origin: url.origin, path: `${url.pathname}${url.search}`, host: url.host, hostname: url.hostname, port: connectPort(url) };
  });

  return {
    get dispatcher() {
      return agent;
    },
    send(request: OutgoingRequest, sendOptions: SendOptions): Promise<TransportResult> {
      // Read once, into locals: the deadline's message read timeoutMs again when it passed, and a
      // getter could answer otherwise then (core's own options are plain objects: this costs nothing).
      const { timeoutMs, maxResponseBodyBytes, signal } = sendOptions;
      const started = performance.now();
      const url = targetOf(request.url);
      if (typeof url === 'string') return Promise.resolve({ ok: false, errorKind: 'invalid', message: url, durationMs: 0 });
      const refusal = guard.checkLiteralHost(url.hostname, url.port);
      if (refusal) return Promise.resolve({ ok: false, errorKind: 'ssrf', message: refusal.message, durationMs: 0 });
      if (closed) return Promise.resolve({ ok: false, errorKind: 'aborted', message: 'the transport was closed (the app is stopping)', durationMs: 0 });

      // Host, Content-Length and the connection handling are this transport's own, as they are
      // the axios one's: one of the request's would go out as something else than logged.
      const unsendable = transportOwnedHeaderProblem(request.headers);
      if (unsendable) return Promise.resolve({ ok: false, errorKind: 'invalid', message: `not sent: ${unsendable}; remove it from the webhook's headers or the beforeSend hook`, durationMs: 0 });
      // The headers as they go out, in the order undici writes them: host and connection first.
      const sent: Record<string, string> = { host: url.host, connection: 'keep-alive' };
      for (const name of Object.keys(request.headers)) sent[name.toLowerCase()] = request.headers[name]!;
      sent.accept ??= ACCEPT;
      sent['accept-encoding'] ??= ACCEPT_ENCODING;
      sent['content-length'] = String(request.body.length);
      const { host: _host, connection: _connection, ...headers } = sent;

      return new Promise<TransportResult>((resolve) => {
        const deadline = setTimeout(() => handler.stop(new DeadlineError(`no complete response within ${timeoutMs} ms (the timeout setting)`)), timeoutMs);
        const handler = new AttemptHandler(maxResponseBodyBytes, started, sent, (result) => {
          clearTimeout(deadline);
          if (signal) stopSignals.delete(signal, handler);
          resolve(result);
        });
        if (signal) {
          stopSignals.add(signal, handler);
          if (signal.aborted) return;
        }
        try {
          agentNow().dispatch({ origin: url.origin, path: url.path, method: 'POST', headers, body: request.body }, handler);
        } catch (error) {
          handler.onError(error as Error);
        }
      });
    },
    async close() {
      closed = true;
      await Promise.all([agent, ...retiring].map((each) => each.destroy()));
    },
  };
}
