import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolveSettings } from '../../settings/resolve-settings';
import { createHttpTransport } from './http-transport';

/**
 * The axios transport's connection pool as `createHttpTransport` promises it: `maxSockets`
 * connections per host at most (requests beyond wait for one), kept alive and reused. The limits
 * are set on the agents rather than in their options (see sizePool), so this holds them to it.
 * Real HTTP on 127.0.0.1.
 */
describe('createHttpTransport connection pool', () => {
  it('opens at most maxSockets connections to a host and reuses them', async () => {
    const held: http.ServerResponse[] = [];
    let connections = 0;
    const server = http.createServer((request, response) => {
      request.resume();
      held.push(response);
    });
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const transport = createHttpTransport({ settings: { current: resolveSettings({ ssrf: { allowInternal: false, allow: ['127.0.0.1'] } }) }, maxSockets: 2 });
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      const send = () => transport.send({ url, headers: { 'content-type': 'application/json' }, body: Buffer.from('{}') }, { timeoutMs: 10_000, maxResponseBodyBytes: 1024 });
      const sends = Array.from({ length: 5 }, send);
      // Answered two at a time: each answer frees a connection for a waiting request.
      for (let answered = 0; answered < 5; ) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        for (const response of held.splice(0)) {
          response.end('ok');
          answered++;
        }
        expect(connections).toBeLessThanOrEqual(2);
      }
      const results = await Promise.all(sends);
      expect(results.map((result) => result.ok && result.response.statusCode)).toEqual([200, 200, 200, 200, 200]);
      expect(connections).toBe(2);
      // Kept alive: a later request goes over one of them.
      await send();
      expect(connections).toBe(2);
    } finally {
      await transport.close();
      server.close();
    }
  });
});
