import net from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP server on 127.0.0.1 that takes connections and never answers: a database or Redis that
 * hangs, so a store's connect waits out its whole timeout (for tests of what a stop does then).
 */
export interface SilentServer {
  /** The port it listens on. */
  readonly port: number;
  /** Connections open now. */
  readonly connections: number;
  /** Destroys the open connections and stops listening. */
  close(): Promise<void>;
}

/** Starts a {@link SilentServer} on a free port of 127.0.0.1. */
export async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get connections() {
      return sockets.size;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * Starts `app`, and once its store or queue has connected to `server` (which never answers),
 * stops it. Resolves with the app's state when `stop()` returned, what `start()` ended with (its
 * error, or undefined) and the order in which the two ended (`['stop ended', 'start ended']`
 * when the stop did not wait for the start).
 */
export async function stopDuringStart(
  app: { readonly state: string; start(): Promise<void>; stop(): Promise<void> },
  server: SilentServer,
): Promise<{ stateAfterStop: string; startError: unknown; order: string[] }> {
  const order: string[] = [];
  const starting = app.start().then(
    () => undefined,
    (error: unknown) => error,
  );
  void starting.then(() => order.push('start ended'));
  while (server.connections === 0) await new Promise((resolve) => setTimeout(resolve, 10));
  await app.stop();
  order.push('stop ended');
  const stateAfterStop = app.state;
  const startError = await starting;
  return { stateAfterStop, startError, order };
}
