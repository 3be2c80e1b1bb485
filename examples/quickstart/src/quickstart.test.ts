import { execFile } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Webhook } from 'standardwebhooks';
import { runQuickstart } from './quickstart';

const run = promisify(execFile);
const main = join(__dirname, '..', 'dist', 'main.js');
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookwork-quickstart-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
jest.setTimeout(60_000);

describe('the quickstart (npm start)', () => {
  it('delivers the tour to its verifying receiver, retries the refused request and prints the log', async () => {
    const dataDir = tempDir();
    const { stdout } = await run(process.execPath, [main, '--data-dir', dataDir]);
    const table = stdout.slice(stdout.indexOf('delivery log (oldest first):')).split('\n').slice(3, 8).map((row) => row.trim().split(/\s{2,}/));
    // Row order follows attempt start; the refused unpublish comes back on attempt 2.
    expect(table.map(([event, status, attempt, , outcome]) => [event, status, attempt, outcome]).sort()).toEqual(
      [
        ['Umbraco.ContentPublish', '200', '1', 'delivered'],
        ['Umbraco.ContentUnpublish', '503', '1', 'retrying'],
        ['Umbraco.ContentDelete', '200', '1', 'delivered'],
        ['Umbraco.MediaSave', '200', '1', 'delivered'],
        ['Umbraco.ContentUnpublish', '200', '2', 'delivered'],
      ].sort(),
    );
    expect(table.every((row) => /^\d+ ms$/.test(row[3]!))).toBe(true);
    expect(stdout).toContain('4 requests enqueued, 4 delivered, 0 dead-lettered, 5 attempts logged.');
    expect(stdout).toContain('The receiver verified 4 signed requests.');
    expect(stdout).toContain('↻ Umbraco.ContentUnpublish   503 on attempt 1, retry in');

    // The store is durable: a second run on the same folder finds it and starts clean.
    const again = await run(process.execPath, [main, '--data-dir', dataDir]);
    expect(again.stdout).toContain(`store: ${join(dataDir, 'hookwork.db')}`);
    expect(again.stdout).toContain('4 requests enqueued, 4 delivered, 0 dead-lettered, 5 attempts logged.');
  });

  it('sends to a --target with the given secret: signed, filtered by content type, with the custom header', async () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const verifier = new Webhook(secret);
    const received: { headers: IncomingHttpHeaders; body: { id: string } }[] = [];
    const server: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        verifier.verify(body, req.headers as Record<string, string>); // throws (→ 500) if forged
        received.push({ headers: req.headers, body: JSON.parse(body) as { id: string } });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const target = `http://127.0.0.1:${(server.address() as AddressInfo).port}/my-hooks`;
    const lines: string[] = [];
    try {
      const result = await runQuickstart({ target, secret, dataDir: tempDir(), help: false }, (line) => lines.push(line));
      expect(result).toMatchObject({ published: 4, delivered: 4, deadLettered: 0 });
    } finally {
      server.closeAllConnections();
      server.close();
    }
    expect(received.map((r) => r.headers['hookwork-event']).sort()).toEqual(['Umbraco.ContentDelete', 'Umbraco.ContentPublish', 'Umbraco.ContentUnpublish', 'Umbraco.MediaSave']);
    expect(received.every((r) => r.headers['x-quickstart'] === 'hello from hookwork' && r.headers['hookwork-retry-count'] === '0')).toBe(true);
    const published = received.find((r) => r.headers['hookwork-event'] === 'Umbraco.ContentPublish')!;
    // Minimal payload: the id and the cultures published; the landing page was filtered out.
    expect(published.body).toEqual({ id: 'a1b2c3d4-0001-4e5f-8a9b-000000000001', cultures: expect.any(Array) });
    expect(lines.join('\n')).toContain(`→ ${target}`);
  });

  it.each([
    [['--events', 'abc'], '--events must be a whole number from 1 to 100000; got "abc"'],
    [['--target', 'ftp://example.com'], '--target must be an http: or https: URL'],
    [['--target', 'nowhere'], '--target must be an absolute URL'],
    [['--secret', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'], '--secret goes with --target'],
    [['--target', 'http://127.0.0.1:9/x', '--secret', 'hunter2'], '--secret must look like whsec_<base64>'],
    [['--frobnicate'], 'unknown option "--frobnicate"'],
  ])('refuses %j with a clear message and exit code 2', async (args, message) => {
    const error = await run(process.execPath, [main, ...args]).then(() => undefined, (e: { code: number; stderr: string }) => e);
    expect(error?.code).toBe(2);
    expect(error?.stderr).toContain(message);
  });
});
