import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import type { Readable } from 'node:stream';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { isHookworkError } from '../../errors/hookwork-error';
import type { DeliveryErrorKind } from '../../model/delivery-log-entry';
import { SsrfGuard, type HostResolver, type SsrfPolicySource } from './ssrf-guard';
import type { OutgoingRequest, SendOptions, Transport, TransportResult } from '../../ports/transport';

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
  /** The axios instance (interceptors may be added to it). */
  readonly axios: AxiosInstance;
}

const TLS_CODES = /^(CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_TLS|ERR_SSL|EPROTO|HOSTNAME_MISMATCH|ERR_CERT)/;

/** Maps a network error (as axios wraps it) to a delivery error kind. */
export function errorKindOf(error: unknown): DeliveryErrorKind {
  for (let e = error as { code?: string; cause?: unknown; message?: string } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (isHookworkError(e, 'HOOKWORK_ERR_SSRF_BLOCKED')) return 'ssrf';
    const code = e.code ?? '';
    if (code === 'ECONNREFUSED') return 'refused';
    if (code === 'ECONNRESET' || code === 'EPIPE' || /socket hang up/i.test(e.message ?? '')) return 'reset';
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME' || code === 'EAI_FAIL') return 'dns';
    if (code === 'ETIMEDOUT' || code === 'ECONNABORTED' || code === 'UND_ERR_CONNECT_TIMEOUT') return 'timeout';
    if (TLS_CODES.test(code)) return 'tls';
  }
  return 'other';
}

function flatHeaders(headers: AxiosResponse['headers']): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined || value === null) continue;
    result[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return result;
}

/** Reads a response stream up to `cap` bytes, then stops reading (the socket is not reused). */
function readCapped(stream: Readable, cap: number, signal: AbortSignal): Promise<{ body: Buffer; truncated: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (error?: unknown, truncated = false) => {
      if (done) return;
      done = true;
      signal.removeEventListener('abort', onAbort);
      stream.off('data', onData);
      if (error) reject(error);
      else resolve({ body: Buffer.concat(chunks, size), truncated });
    };
    const onData = (chunk: Buffer) => {
      const room = cap - size;
      if (chunk.length >= room) {
        if (room > 0) chunks.push(chunk.subarray(0, room));
        size += Math.max(room, 0);
        if (chunk.length > room) {
          stream.destroy();
          finish(undefined, true);
          return;
        }
      } else {
        chunks.push(chunk);
        size += chunk.length;
      }
    };
    const onAbort = () => {
      stream.destroy();
      finish(signal.reason ?? new Error('aborted'));
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort);
    stream.on('data', onData);
    stream.once('end', () => finish());
    stream.once('error', (error) => finish(error));
    stream.once('close', () => finish(undefined, false));
  });
}

class DeadlineError extends Error {
  readonly code = 'ETIMEDOUT';
}

/**
 * Creates the default transport: one axios instance over keep-alive agents, no redirects
 * followed (a 3xx is a response like any other), no proxy from the environment, the body sent
 * as the exact bytes given, a total deadline per attempt (axios' `timeout` only bounds idle
 * time, so an abort signal bounds the whole), the response body read up to the cap.
 * Connections go through the SSRF guard: IP-literal hosts are checked before sending, names at
 * connect time through the agents' `lookup`.
 */
export function createHttpTransport(options: HttpTransportOptions): HttpTransport {
  const guard = new SsrfGuard(options.settings, options.resolver);
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 256, maxFreeSockets: 64, scheduling: 'lifo' as const, lookup: guard.lookup };
  const httpAgent = new http.Agent(agentOptions);
  const extraCa = options.tls?.ca === undefined ? undefined : ([] as (string | Buffer)[]).concat(options.tls.ca as string | Buffer | (string | Buffer)[]);
  const httpsAgent = new https.Agent({ ...agentOptions, ...(extraCa ? { ca: [...tls.rootCertificates, ...extraCa] } : {}) });
  const instance = axios.create({
    httpAgent,
    httpsAgent,
    maxRedirects: 0,
    proxy: false,
    decompress: true,
    responseType: 'stream',
    transformRequest: [(data: unknown) => data],
    transformResponse: [(data: unknown) => data],
    validateStatus: () => true,
    maxBodyLength: Infinity,
    maxContentLength: Infinity,
  });
  options.configureAxios?.(instance);
  let closed = false;

  return {
    axios: instance,
    async send(request: OutgoingRequest, sendOptions: SendOptions): Promise<TransportResult> {
      const started = performance.now();
      const elapsed = () => Math.round((performance.now() - started) * 100) / 100;
      let url: URL;
      try {
        url = new URL(request.url);
      } catch {
        return { ok: false, errorKind: 'other', message: `${request.url} is not an absolute URL`, durationMs: 0 };
      }
      const refusal = guard.checkLiteralHost(url.hostname);
      if (refusal) return { ok: false, errorKind: 'ssrf', message: refusal.message, durationMs: 0 };
      if (closed) return { ok: false, errorKind: 'aborted', message: 'the transport was closed (the app is stopping)', durationMs: 0 };

      const controller = new AbortController();
      const deadline = setTimeout(() => controller.abort(new DeadlineError(`no complete response within ${sendOptions.timeoutMs} ms (the timeout setting)`)), sendOptions.timeoutMs);
      const onOuterAbort = () => controller.abort(sendOptions.signal?.reason ?? new Error('aborted'));
      sendOptions.signal?.addEventListener('abort', onOuterAbort);
      if (sendOptions.signal?.aborted) onOuterAbort();
      try {
        const response = await instance.request<Readable>({
          method: 'POST',
          url: request.url,
          headers: request.headers,
          data: request.body,
          timeout: sendOptions.timeoutMs,
          signal: controller.signal,
        });
        const { body, truncated } = await readCapped(response.data, sendOptions.maxResponseBodyBytes, controller.signal);
        return {
          ok: true,
          response: { statusCode: response.status, headers: flatHeaders(response.headers), body: body.toString('utf8'), bodyTruncated: truncated },
          durationMs: elapsed(),
        };
      } catch (error) {
        const reason = controller.signal.reason as unknown;
        if (controller.signal.aborted && reason instanceof DeadlineError) return { ok: false, errorKind: 'timeout', message: reason.message, durationMs: elapsed() };
        if (controller.signal.aborted) return { ok: false, errorKind: 'aborted', message: `the attempt was aborted: ${(reason as Error)?.message ?? reason}`, durationMs: elapsed() };
        const kind = errorKindOf(error);
        const ssrf = kind === 'ssrf' ? findCause(error, (e) => isHookworkError(e, 'HOOKWORK_ERR_SSRF_BLOCKED')) : undefined;
        return { ok: false, errorKind: kind, message: ((ssrf ?? error) as Error)?.message ?? String(error), durationMs: elapsed() };
      } finally {
        clearTimeout(deadline);
        sendOptions.signal?.removeEventListener('abort', onOuterAbort);
      }
    },
    async close() {
      closed = true;
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

function findCause(error: unknown, test: (e: unknown) => boolean): unknown {
  for (let e = error as { cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) if (test(e)) return e;
  return undefined;
}
