import net from 'node:net';

/**
 * A stand-in for a pooler's database aliases (PgBouncer's `[databases] cms = dbname=app`): a TCP
 * proxy on 127.0.0.1 that passes everything to the server, rewriting only the database named in
 * each connection's startup message by `aliases` (alias → real name). A client logs in as
 * `cms`, and is on `app`.
 */
export class AliasProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  constructor(
    private readonly aliases: Readonly<Record<string, string>>,
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.targetPort, this.targetHost);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      upstream.on('data', (chunk: Buffer) => client.write(chunk));
      let startup: Buffer | undefined = Buffer.alloc(0);
      client.on('data', (chunk: Buffer) => {
        if (startup === undefined) return void upstream.write(chunk);
        startup = Buffer.concat([startup, chunk]);
        if (startup.length < 4 || startup.length < startup.readInt32BE(0)) return;
        const length = startup.readInt32BE(0);
        const message = startup.subarray(0, length);
        const rest = startup.subarray(length);
        startup = undefined;
        upstream.write(this.rewrite(message));
        if (rest.length > 0) upstream.write(rest);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.port = (server.address() as net.AddressInfo).port;
  }

  /** The startup message (length, protocol, then name\0value\0 pairs) with its database's alias replaced. */
  private rewrite(message: Buffer): Buffer {
    // An SSLRequest (8 bytes, no pairs) goes as it is; node-postgres sends none without ssl.
    if (message.length <= 8) return message;
    const pairs = message.subarray(8).toString('utf8').split('\0');
    for (let i = 0; i + 1 < pairs.length; i += 2) {
      if (pairs[i] === 'database' && this.aliases[pairs[i + 1]!] !== undefined) pairs[i + 1] = this.aliases[pairs[i + 1]!]!;
    }
    const body = Buffer.from(pairs.join('\0'), 'utf8');
    const out = Buffer.alloc(8 + body.length);
    out.writeInt32BE(8 + body.length, 0);
    message.copy(out, 4, 4, 8);
    body.copy(out, 8);
    return out;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
