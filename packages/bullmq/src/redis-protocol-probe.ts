import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';

/** Where a probe connects: a host and port, or a Unix socket path (ioredis's own options). */
export interface ProbeTarget {
  host?: string;
  port?: number;
  path?: string | null;
}

/** How long a probe waits for the server, ms: past it, the probe says nothing (undefined). */
export const PROBE_WAIT_MS = 2_000;

/**
 * True when `target` answers a plain `PING` as Redis does (`+PONG`, or an error reply such as
 * `-NOAUTH` or `-DENIED`), false when it answered otherwise or closed the connection, undefined
 * when it said nothing within `ms`. For a `rediss://` connection that does not become ready: a
 * plain Redis reads a TLS ClientHello as the start of an inline command and waits for its end
 * (a newline the random bytes seldom hold), so the TLS handshake gets no answer until ioredis's
 * `connectTimeout` (10 s) — this probe tells why at once.
 */
export function answersPlainRedis(target: ProbeTarget, ms = PROBE_WAIT_MS): Promise<boolean | undefined> {
  return probe(
    () => (target.path ? connectTcp({ path: target.path }) : connectTcp({ host: target.host ?? '127.0.0.1', port: target.port ?? 6379 })),
    (socket) => socket.write('PING\r\n'),
    (bytes) => (bytes.length < 2 ? undefined : /^[+-][A-Z]/.test(bytes.subarray(0, 2).toString('latin1'))),
    ms,
  );
}

/**
 * True when `target` completes a TLS handshake (its certificate is not checked: this only asks
 * whether the server speaks TLS), false when it answered otherwise or closed the connection,
 * undefined when it said nothing within `ms`. For a `redis://` connection the server closed
 * (a TLS server drops a plain command at once: `Connection is closed.`, `ECONNRESET`, or a
 * TLS alert read as a `Protocol error`).
 */
export function answersTls(target: ProbeTarget, ms = PROBE_WAIT_MS): Promise<boolean | undefined> {
  return probe(
    () => {
      const host = target.host ?? '127.0.0.1';
      const socket = target.path ? connectTls({ path: target.path, rejectUnauthorized: false }) : connectTls({ host, port: target.port ?? 6379, rejectUnauthorized: false, ...(isIp(host) ? {} : { servername: host }) });
      // A handshake done is the answer; nothing is sent in it.
      socket.once('secureConnect', () => socket.emit('hookwork:answer', true));
      return socket;
    },
    () => {},
    () => undefined,
    ms,
  );
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}

/**
 * Connects with `open`, sends with `send`, and settles with what `read` makes of the bytes
 * received (undefined: not enough yet), or with a `hookwork:answer` the socket emits; false on an
 * error or a close before an answer, undefined after `ms`. The socket is always destroyed.
 */
function probe(open: () => Socket, send: (socket: Socket) => void, read: (bytes: Buffer) => boolean | undefined, ms: number): Promise<boolean | undefined> {
  return new Promise((resolve) => {
    let socket: Socket;
    let received = Buffer.alloc(0);
    const done = (answer: boolean | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => done(undefined), ms);
    try {
      socket = open();
    } catch {
      clearTimeout(timer);
      resolve(false);
      return;
    }
    socket.once('connect', () => send(socket));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const answer = read(received);
      if (answer !== undefined) done(answer);
    });
    socket.once('hookwork:answer', (answer: boolean) => done(answer));
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
  });
}
