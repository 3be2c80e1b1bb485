import { connect, createServer, type AddressInfo } from 'node:net';
import { API, PREFIX, startAdminFixture, TOKEN, type AdminFixture } from './test-support/admin-fixture';

// What a security review of the admin found holding, kept from changing unseen (docs/admin.md,
// "Security"): the page's own headers, no CORS, authentication of every way of asking for data,
// and the assets folder kept to itself. Each was checked to fail with the property taken away.

jest.setTimeout(60_000);

let fixture: AdminFixture;
beforeAll(async () => {
  fixture = await startAdminFixture({ page: true, apiReference: true });
});
afterAll(async () => {
  await fixture.close();
});

/** One request written as is on a socket (no client normalises its path), and the answer's text. */
function rawRequest(origin: string, requestLine: string): Promise<string> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(`${requestLine}\r\nHost: ${hostname}:${port}\r\nConnection: close\r\n\r\n`));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

describe('the admin, as a security review left it', () => {
  it('serves the page, the reference page and their assets with a CSP of their own origin only, no framing, no sniffing, no referrer — and no data in the page', async () => {
    const created = await fixture.app.webhooks.create({ key: 'orders-feed', name: 'Orders of the shop', url: fixture.receiver.url, events: ['Umbraco.ContentPublish'], secret: true });
    const paths = [`${PREFIX}/`, `${PREFIX}/api/reference/`, `${PREFIX}/assets/admin.js`, `${PREFIX}/assets/admin.css`, `${PREFIX}/api/reference/swagger-ui/swagger-ui-bundle.js`];
    for (const path of paths) {
      const answer = await fixture.socket({ method: 'GET', url: path, token: null });
      expect({ path, status: answer.status }).toEqual({ path, status: 200 });
      const csp = String(answer.headers['content-security-policy']);
      const directives = new Map(csp.split(/;\s*/).map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]));
      expect({ path, csp: Object.fromEntries(['default-src', 'script-src', 'connect-src', 'base-uri', 'form-action', 'frame-ancestors'].map((d) => [d, directives.get(d)])) }).toEqual({
        path,
        csp: { 'default-src': "'none'", 'script-src': "'self'", 'connect-src': "'self'", 'base-uri': "'self'", 'form-action': "'self'", 'frame-ancestors': "'none'" },
      });
      expect({ path, frame: answer.headers['x-frame-options'], sniff: answer.headers['x-content-type-options'], referrer: answer.headers['referrer-policy'] }).toEqual({ path, frame: 'DENY', sniff: 'nosniff', referrer: 'no-referrer' });
    }
    // The shells hold how to sign in, nothing of the app: not a webhook's name or key, not the token.
    for (const path of [`${PREFIX}/`, `${PREFIX}/api/reference/`]) {
      const { text } = await fixture.socket({ method: 'GET', url: path, token: null });
      for (const data of ['orders-feed', 'Orders of the shop', created.secret!, TOKEN]) expect({ path, holds: text.includes(data) }).toEqual({ path, holds: false });
    }
    await fixture.app.webhooks.delete(created.key);
  });

  it('answers no CORS: a preflight from another origin, and a read it makes with the token, get no Access-Control-Allow-* header', async () => {
    const preflight = await fixture.socket({ method: 'OPTIONS', url: `${API}/webhook`, token: null, headers: { origin: 'https://elsewhere.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });
    const read = await fixture.socket({ method: 'GET', url: `${API}/webhook`, headers: { origin: 'https://elsewhere.example' } });
    expect(read.status).toBe(200);
    for (const answer of [preflight, read]) expect(Object.keys(answer.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
  });

  it('authenticates every way of asking for data — HEAD, the OpenAPI document, the metrics — and a preflight or a path with a dot-segment reads nothing', async () => {
    for (const [method, url] of [
      ['HEAD', `${API}/webhook`],
      ['HEAD', `${API}/session`],
      ['GET', `${API}/openapi.json`],
      ['HEAD', `${API}/openapi.json`],
      ['GET', `${PREFIX}/metrics`],
      ['HEAD', `${PREFIX}/metrics`],
      ['GET', `${API}/webhook/x/../../session`],
      ['GET', `${API}/%77ebhook`],
    ] as const) {
      const answer = await fixture.socket({ method, url, token: null });
      expect({ method, url, status: answer.status }).toEqual({ method, url, status: 401 });
    }
    const options = await fixture.socket({ method: 'OPTIONS', url: `${API}/webhook`, token: null });
    expect(options.status).toBe(405);
    expect(options.text).not.toContain('"items"');
  });

  it('keeps the assets folder to itself: a dot-segment out of it, written as is or percent-encoded, is refused', async () => {
    for (const path of ['/assets/../../package.json', '/assets/%2e%2e/%2e%2e/package.json', '/assets/.%2e/.%2e/package.json', '/assets/..%5c..%5cpackage.json', '/api/reference/swagger-ui/..%2fpackage.json', '/api/reference/swagger-ui/package.json']) {
      const answer = await rawRequest(fixture.origin, `GET ${PREFIX}${path} HTTP/1.1`);
      expect({ path, status: answer.split('\r\n')[0] }).toEqual({ path, status: expect.stringMatching(/^HTTP\/1\.1 40[34] /) });
      expect(answer).not.toMatch(/"name":\s*"(@hookwork|swagger)/);
    }
  });

  it('stores a webhook to an internal address the settings do not allow, saying so, but never connects there: not in a test send, not through a redirect', async () => {
    // Another loopback address than the one the fixture's ssrf.allow lists: a listener of its own
    // counts every connection made to it. The metadata address is refused before any connect.
    let connections = 0;
    const inside = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => inside.listen(0, '127.0.0.2', resolve));
    const internal = `http://127.0.0.2:${(inside.address() as AddressInfo).port}/hook`;
    try {
      for (const [url, kind] of [
        [internal, 'loopback'],
        ['http://169.254.169.254/latest/meta-data/', 'link-local'],
      ] as const) {
        const created = await fixture.socket({ method: 'POST', url: `${API}/webhook`, body: { url, events: ['Umbraco.ContentPublish'] } });
        expect(created.status).toBe(201);
        expect(created.json.urlBlocked).toMatch(new RegExp(`was refused: it is a ${kind} address; to allow it, add .* to the ssrf\\.allow setting`));
        const sent = await fixture.socket({ method: 'POST', url: `${API}/webhook/${created.json.key}/test`, body: {} });
        expect(sent.status).toBe(200);
        expect(sent.json).toMatchObject({ ok: false, errorKind: 'ssrf' });
        expect(sent.json.statusCode).toBeUndefined();
      }
      // A receiver the settings allow answers with a redirect inward: it is not followed.
      fixture.receiver.handler = (_request, response) => void response.writeHead(307, { location: internal }).end();
      const bouncing = await fixture.socket({ method: 'POST', url: `${API}/webhook`, body: { url: fixture.receiver.url, events: ['Umbraco.ContentPublish'] } });
      const bounced = await fixture.socket({ method: 'POST', url: `${API}/webhook/${bouncing.json.key}/test`, body: {} });
      expect(bounced.json).toMatchObject({ ok: false, statusCode: 307, headers: { location: internal } });
      expect(connections).toBe(0);
    } finally {
      fixture.receiver.handler = (_request, response) => void response.end('ok');
      await new Promise((resolve) => inside.close(resolve));
    }
  });

  it('sends the metrics as text that is never sniffed as a page, and never cached', async () => {
    const answer = await fixture.socket({ method: 'GET', url: `${PREFIX}/metrics` });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^text\/plain/);
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(answer.headers['cache-control']).toBe('no-store');
  });
});
