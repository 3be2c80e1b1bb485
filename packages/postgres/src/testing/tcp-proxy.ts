import net from 'node:net';
import { Transform } from 'node:stream';

/**
 * A TCP proxy on 127.0.0.1 in front of the test server, so a test can cut every connection and
 * refuse new ones (`down()`) and let them through again (`up()`) on the same port — the server
 * briefly unreachable, without touching the shared PostgreSQL server itself.
 */
export class TcpProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private readonly pairs = new Set<[net.Socket, net.Socket]>();
  private frozen = false;
  /** Set by {@link freezeOn}. */
  private marker: Buffer | undefined;
  /** Set by {@link loseAnswerOn}. */
  private answerMarker: Buffer | undefined;
  /** Set by {@link endAfterStartup}. */
  private endingAfterStartup = false;
  /** Connections {@link terminateUnheard} ended, whose clients have not heard of it yet. */
  private readonly terminated = new WeakSet<net.Socket>();
  /** Statements sent on connections {@link terminateUnheard} ended (answered with the FATAL). */
  sentToTerminated = 0;
  /** Connections ended as their startup ended (see {@link endAfterStartup}). */
  endedAtStartup = 0;
  port = 0;
  /** Connections taken while frozen (see {@link freeze}). */
  held = 0;
  /**
   * How much later each chunk goes through, either way, in order (ms): a server across a network
   * rather than on this machine. Applies to connections made after it is set; 0, the default,
   * passes chunks at once (and {@link freeze} and {@link freezeOn} work on those connections only).
   */
  latencyMs = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** Listens (on the same port as before, after a `down()`). */
  async up(): Promise<void> {
    this.frozen = false;
    const server = net.createServer((client) => {
      if (this.frozen) {
        // Taken and never answered, nor closed: a server gone silent.
        client.pause();
        this.held++;
        client.on('error', () => client.destroy());
        this.sockets.add(client);
        client.on('close', () => this.sockets.delete(client));
        return;
      }
      const upstream = net.connect(this.targetPort, this.targetHost);
      const pair: [net.Socket, net.Socket] = [client, upstream];
      this.pairs.add(pair);
      upstream.on('close', () => this.pairs.delete(pair));
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      // What the client sends passes a filter that holds a connection at the marker (see freezeOn).
      const toServer = new Transform({
        transform: (chunk: Buffer, _encoding, done) => {
          if (this.terminated.has(client)) {
            // The backend is gone (see terminateUnheard): the statement never reaches a server, and
            // the client reads the FATAL it would have read had it looked, then the close.
            upstream.destroy();
            // A client closing it (Terminate, 'X') finds it closed; a statement reads the FATAL.
            if (chunk[0] === 0x58) client.destroy();
            else {
              this.sentToTerminated++;
              client.end(TERMINATED);
            }
            return done();
          }
          if (this.answerMarker !== undefined && chunk.includes(this.answerMarker)) {
            // Passed on, so the server runs it; its answer is swallowed and the connection cut.
            this.held++;
            upstream.unpipe(client);
            upstream.once('data', () => {
              client.destroy();
              upstream.destroy();
            });
            // Unpiped, the socket stopped flowing: the answer must still be read to be dropped.
            upstream.resume();
            return done(null, chunk);
          }
          if (this.marker === undefined || !chunk.includes(this.marker)) return done(null, chunk);
          // Never done: this chunk and what follows it never reach the server, and nothing comes back.
          this.held++;
          upstream.unpipe(client);
          upstream.pause();
        },
      });
      if (this.endingAfterStartup) {
        client.pipe(toServer).pipe(upstream);
        upstream.pipe(endedAfterStartup(() => {
          this.endedAtStartup++;
          upstream.destroy();
          client.end();
        })).pipe(client);
        return;
      }
      if (this.latencyMs > 0) {
        client.pipe(toServer).pipe(delayed(this.latencyMs)).pipe(upstream);
        upstream.pipe(delayed(this.latencyMs)).pipe(client);
        return;
      }
      client.pipe(toServer).pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  /**
   * The server goes silent, as behind a network cut that no reset reports: every connection stays
   * open and nothing more goes through either way (nor a close); new connections are taken and
   * never answered. `down()` ends it.
   */
  freeze(): void {
    this.frozen = true;
    for (const [client, upstream] of this.pairs) {
      client.unpipe();
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
  }

  /**
   * A connection whose client sends `marker` (e.g. a statement's text) goes silent from there on,
   * as under {@link freeze} but that connection alone: the server never gets the statement, nor an
   * answer comes back (counted in {@link held}). `undefined` lets later connections through again.
   */
  freezeOn(marker: string | undefined): void {
    this.marker = marker === undefined ? undefined : Buffer.from(marker);
  }

  /**
   * A connection whose client sends `marker` has it reach the server, which runs it and answers;
   * the answer is dropped and the connection cut: a statement that committed with its answer lost
   * (counted in {@link held}). `undefined` lets later connections through again.
   */
  loseAnswerOn(marker: string | undefined): void {
    this.answerMarker = marker === undefined ? undefined : Buffer.from(marker);
  }

  /**
   * Each connection made while on has the server's FATAL 57P01 ("terminating connection due to
   * administrator command") follow the end of its startup (ReadyForQuery) in the same read, and is
   * closed: what a client reads when `pg_terminate_backend` or a fast shutdown reaches a backend as
   * its startup ends. `false` lets later connections through again.
   */
  endAfterStartup(on: boolean): void {
    this.endingAfterStartup = on;
  }

  /**
   * Every connection open now is ended as `pg_terminate_backend` ends an idle one, except that its
   * client has not read that yet (a busy process, the FATAL still in the socket's buffer): its pool
   * hands it out as idle, and the next statement sent on it gets the FATAL 57P01 as its answer,
   * having run nowhere (counted in {@link sentToTerminated}). Connections made later go through.
   */
  terminateUnheard(): void {
    for (const [client] of this.pairs) this.terminated.add(client);
  }

  /** Cuts every connection and stops listening: new connections are refused until `up()`. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** ReadyForQuery, idle: the last message of a connection's startup. */
const READY_FOR_QUERY = Buffer.from([0x5a, 0, 0, 0, 5, 0x49]);

/** An ErrorResponse as the server sends it when it terminates a backend. */
const TERMINATED = (() => {
  const fields = Buffer.concat([
    ...[
      ['S', 'FATAL'],
      ['V', 'FATAL'],
      ['C', '57P01'],
      ['M', 'terminating connection due to administrator command'],
    ].map(([code, value]) => Buffer.from(`${code}${value}\0`)),
    Buffer.from([0]),
  ]);
  const length = Buffer.alloc(4);
  length.writeInt32BE(fields.length + 4);
  return Buffer.concat([Buffer.from('E'), length, fields]);
})();

/** Passes the server's chunks on until the end of the startup, which it sends with {@link TERMINATED} in one write; then `end()`. */
function endedAfterStartup(end: () => void): Transform {
  let ended = false;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (ended) return done();
      const at = chunk.indexOf(READY_FOR_QUERY);
      if (at === -1) return done(null, chunk);
      ended = true;
      done(null, Buffer.concat([chunk.subarray(0, at + READY_FOR_QUERY.length), TERMINATED]));
      setImmediate(end);
    },
  });
}

/** A stream passing each chunk on `ms` later, in order (timers of one duration fire in the order they were set). */
function delayed(ms: number): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      setTimeout(() => this.push(chunk), ms);
      done();
    },
    // The end waits for the chunks still on their way.
    flush(done) {
      setTimeout(() => done(), ms);
    },
  });
}
