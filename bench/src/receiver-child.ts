/**
 * The benchmark's receiver, run in a child process so its work does not share the event loop
 * (or the CPU time accounting) of the sender. It answers 200 at once, counts requests, and, when
 * a body carries `sentAt` (ms on the shared clock of ./clock), records publish → arrival.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { now } from './clock';

let count = 0;
let latencies: number[] = [];
/** With each latency, the event's `i` and the request's `webhook-id` (bench/src/latency-stages.ts matches them to its stamps). */
let ids: number[] = [];
let requestIds: string[] = [];
let recordLatency = false;

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const arrived = now();
    count++;
    if (recordLatency) {
      const { sentAt, i } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { sentAt?: number; i?: number };
      if (typeof sentAt === 'number') {
        latencies.push(arrived - sentAt);
        ids.push(i ?? -1);
        requestIds.push(String(req.headers['webhook-id'] ?? ''));
      }
    }
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
    res.end('ok');
  });
});
server.keepAliveTimeout = 30_000;

process.on('message', (message: { cmd: string; latency?: boolean }) => {
  if (message.cmd === 'reset') {
    count = 0;
    latencies = [];
    ids = [];
    requestIds = [];
    recordLatency = message.latency ?? false;
    process.send!({ cmd: 'reset' });
  } else if (message.cmd === 'stats') {
    process.send!({ cmd: 'stats', count, latencies, ids, requestIds });
  } else if (message.cmd === 'exit') {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  }
});

server.listen(0, '127.0.0.1', () => process.send!({ cmd: 'ready', port: (server.address() as AddressInfo).port }));
