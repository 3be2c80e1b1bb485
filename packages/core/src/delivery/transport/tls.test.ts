import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Hookwork } from '../../composition/hookwork-app';
import { nextLifecycle, startTestApp, ThingHappened } from '../../test-support/test-app';

// A real https receiver on 127.0.0.1 with a self-signed certificate (test-support/tls).
const cert = readFileSync(join(__dirname, '..', '..', 'test-support', 'tls', 'receiver-cert.pem'));
const key = readFileSync(join(__dirname, '..', '..', 'test-support', 'tls', 'receiver-key.pem'));

describe('https delivery verifies certificates', () => {
  let server: Server;
  let url: string;
  let bodies: string[];
  let app: Hookwork | undefined;

  beforeEach(async () => {
    bodies = [];
    server = createServer({ cert, key }, (req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        bodies.push(body);
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterEach(async () => {
    await app?.stop();
    app = undefined;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('refuses a receiver whose certificate it cannot verify (Cockpit sends with verification off)', async () => {
    app = await startTestApp({ settings: { maximumRetries: 0 } });
    const webhook = await app.webhooks.create({ url, events: ['thing.happened'] });
    const dead = nextLifecycle(app, 'deadLettered');
    await app.publish(new ThingHappened('untrusted'));
    expect(await dead).toMatchObject({ errorKind: 'tls', outcome: 'dead' });
    expect(bodies).toEqual([]);
    await app.drain(); // also writes the pending log entries
    const [entry] = (await app.logs(webhook.key)).items;
    expect(entry).toMatchObject({ errorKind: 'tls', outcome: 'dead' });
    expect(entry!.errorMessage).toMatch(/self.signed|certificate/i);
  });

  it('delivers to a receiver behind an internal CA the host trusts with delivery.tls.ca', async () => {
    app = await startTestApp({ delivery: { tls: { ca: cert } } });
    await app.webhooks.create({ url, events: ['thing.happened'] });
    await app.publish(new ThingHappened('trusted'));
    await app.drain();
    expect(bodies.map((b) => JSON.parse(b))).toEqual([{ id: 'trusted' }]);
  });
});
