import { type AddressInfo, createServer, type Socket } from 'node:net';

/**
 * A receiver on 127.0.0.1 that answers with raw bytes, for responses node:http would never
 * write: a Content-Length the body never reaches, a reset mid-body, malformed chunking.
 */
export interface RawReceiver {
  /** `http://127.0.0.1:<port>/hook`. */
  readonly url: string;
  /** How many complete requests arrived. */
  readonly arrivals: number;
  /** Called once per complete request with its socket; writes (or withholds) the answer. */
  answer: (socket: Socket, index: number) => void;
  /** Destroys the open connections and stops listening. */
  close(): Promise<void>;
}

/** Starts a {@link RawReceiver} on a free port of 127.0.0.1. */
export async function startRawReceiver(answer: RawReceiver['answer']): Promise<RawReceiver> {
  const sockets = new Set<Socket>();
  let arrivals = 0;
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      // One request per connection is enough here: wait for the head and Content-Length bytes.
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(buffered.subarray(0, end).toString('latin1'))?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        buffered = buffered.subarray(end + 4 + length);
        receiver.answer(socket, arrivals++);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const receiver: RawReceiver = {
    url: `http://127.0.0.1:${port}/hook`,
    get arrivals() {
      return arrivals;
    },
    answer,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  return receiver;
}
