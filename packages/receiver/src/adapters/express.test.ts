import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runInNewContext } from 'node:vm';
import express from 'express';
import { createReceiver, type ReceiverAnswer } from '../receiver';
import { post } from '../test-support/post';
import { newSecret, signedRequest } from '../test-support/signed-request';
import { captureRawBody, expressReceiver } from './express';

describe('expressReceiver (Express 5)', () => {
  const secret = newSecret();
  const handled: unknown[] = [];
  const errors: { error: unknown; answer: ReceiverAnswer }[] = [];
  const receiver = createReceiver({ secrets: secret, handle: async (event) => void handled.push(event.payload), onError: (error, answer) => errors.push({ error, answer }) });
  const servers: Server[] = [];

  async function serve(configure: (app: express.Express) => void): Promise<string> {
    const app = express();
    configure(app);
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    servers.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  afterEach(async () => {
    handled.length = 0;
    errors.length = 0;
    await Promise.all(
      servers.splice(0).map(
        (s) =>
          new Promise<void>((resolve) => {
            s.closeAllConnections();
            s.close(() => resolve());
          }),
      ),
    );
  });

  // Spacing and an escape that JSON.stringify(JSON.parse(body)) would change: only the raw bytes verify.
  const request = () => signedRequest({ secrets: [secret], body: '{"id": "doc-1", "title": "caf\\u00e9"}' });

  it('reads a request paused by a middleware before it, and refuses one a middleware took part of the body from 500 BODY_NOT_RAW, not 401 blaming the secret', async () => {
    const url = await serve((app) => {
      app.post('/paused', (req, _res, next) => {
        req.pause();
        setImmediate(next);
      }, expressReceiver(receiver));
      app.post('/peeked', (req, _res, next) => void req.once('data', () => next()), expressReceiver(receiver));
    });
    const paused = request();
    expect(await post(`${url}/paused`, paused)).toMatchObject({ status: 200, body: { outcome: 'processed', id: paused.id } });
    const peeked = signedRequest({ secrets: [secret], payload: { id: 'doc-peeked', text: 'x'.repeat(300) } });
    expect(await post(`${url}/peeked`, { headers: peeked.headers, chunks: [peeked.body.slice(0, 100), peeked.body.slice(100)] })).toMatchObject({ status: 500, body: { outcome: 'failed', error: { code: 'RECEIVER_ERR_BODY_NOT_RAW' } } });
    expect(handled).toEqual([{ id: 'doc-1', title: 'café' }]);
    expect((errors[0]?.error as Error).message).toContain('a request whose body was partly read already');
  });

  it('refuses a request whose body a middleware drained and left nothing of 500 BODY_NOT_RAW saying it was already read, not that it reached the receiver "as undefined"', async () => {
    const url = await serve((app) => {
      app.post('/drained', (req, _res, next) => void req.resume().on('end', () => next()), expressReceiver(receiver));
    });
    expect(await post(`${url}/drained`, request())).toMatchObject({ status: 500, body: { outcome: 'failed', error: { code: 'RECEIVER_ERR_BODY_NOT_RAW' } } });
    expect((errors[0]?.error as Error).message).toContain('a request whose body was already read');
    expect((errors[0]?.error as Error).message).not.toContain('as undefined');
  });

  it('says to pass the receiver itself when given { receiver }, the Fastify plugin options shape', () => {
    expect(() => expressReceiver({ receiver } as never)).toThrow(expect.objectContaining({ code: 'RECEIVER_ERR_INVALID_OPTIONS', message: expect.stringContaining('expressReceiver() needs a receiver made by createReceiver(); got an object holding one as its receiver: pass the receiver itself, expressReceiver(receiver)') }));
  });

  it('answers 405 to anything but POST when mounted with app.use() or app.all(), as createNodeHandler does', async () => {
    const url = await serve((app) => {
      app.use('/webhooks', expressReceiver(receiver));
    });
    const answered = await post(`${url}/webhooks`, { headers: {}, method: 'GET' });
    expect(answered.status).toBe(405);
    expect(answered.headers.allow).toBe('POST');
    expect(answered.body).toEqual({ error: { code: 'RECEIVER_ERR_METHOD_NOT_ALLOWED', message: 'RECEIVER_ERR_METHOD_NOT_ALLOWED: GET is not how webhooks arrive: they are received with POST; send the request as a POST (Allow: POST)' } });
    expect(await post(`${url}/webhooks`, request())).toMatchObject({ status: 200, body: { outcome: 'processed' } });
    expect(errors).toEqual([]);
  });

  it('reads the raw body itself when mounted with no body parser in front (the easy way)', async () => {
    const url = await serve((app) => {
      app.post('/webhooks', expressReceiver(receiver));
      app.use(express.json()); // the app's own routes may parse JSON after it
      app.post('/api/echo', (req, res) => res.json(req.body));
    });
    const r = request();
    expect(await post(`${url}/webhooks`, r)).toMatchObject({ status: 200, body: { outcome: 'processed', id: r.id } });
    expect(await post(`${url}/webhooks`, r)).toMatchObject({ status: 200, body: { outcome: 'duplicate' } });
    expect(handled).toEqual([{ id: 'doc-1', title: 'café' }]);
    expect((await post(`${url}/api/echo`, { headers: { 'content-type': 'application/json' }, body: '{"a":1}' })).body).toEqual({ a: 1 });
  });

  it('takes the bytes express.raw() leaves in req.body', async () => {
    const url = await serve((app) => app.post('/webhooks', express.raw({ type: '*/*' }), expressReceiver(receiver)));
    expect(await post(`${url}/webhooks`, request())).toMatchObject({ status: 200, body: { outcome: 'processed' } });
  });

  it('takes the bytes captureRawBody keeps when express.json() must run first', async () => {
    const url = await serve((app) => {
      app.use(express.json({ verify: captureRawBody }));
      app.post('/webhooks', expressReceiver(receiver));
    });
    expect(await post(`${url}/webhooks`, request())).toMatchObject({ status: 200, body: { outcome: 'processed' } });
  });

  it("takes the text a verify of the app's own keeps in req.rawBody (buf.toString(), the pattern many guides show)", async () => {
    const url = await serve((app) => {
      app.use(express.json({ verify: (req, _res, buf) => void ((req as { rawBody?: string }).rawBody = buf.toString()) }));
      app.post('/webhooks', expressReceiver(receiver));
    });
    const r = request();
    const answered = await post(`${url}/webhooks`, r);
    expect(errors).toEqual([]);
    expect(answered).toMatchObject({ status: 200, body: { outcome: 'processed', id: r.id } });
    expect(handled).toEqual([{ id: 'doc-1', title: 'café' }]);
  });

  describe('behind express.text() given every type, whose text is the bytes decoded', () => {
    const textApp = (app: express.Express) => app.post('/webhooks', express.text({ type: '*/*' }), expressReceiver(receiver));

    it('takes a UTF-8 body as it is, and one whose byte order mark the parser dropped (a .NET writer puts one first) with it', async () => {
      const url = await serve(textApp);
      const plain = request();
      expect(await post(`${url}/webhooks`, plain)).toMatchObject({ status: 200, body: { outcome: 'processed' } });
      // Signed over its bytes, the mark among them: the text body-parser leaves has lost it.
      const marked = signedRequest({ secrets: [secret], body: '\ufeff{"id": "doc-bom"}' });
      expect(await post(`${url}/webhooks`, marked)).toMatchObject({ status: 200, body: { outcome: 'processed', id: marked.id } });
      expect(handled).toEqual([{ id: 'doc-1', title: 'café' }, { id: 'doc-bom' }]);
      expect(errors).toEqual([]);
    });

    it('refuses a body it decoded from another charset 500 BODY_NOT_RAW with the fix, not 401 blaming the secret; one that still verifies is taken', async () => {
      const url = await serve(textApp);
      const latin1 = signedRequest({ secrets: [secret], body: '{"id": "doc-é"}' });
      const answered = await post(`${url}/webhooks`, { ...latin1, headers: { ...latin1.headers, 'content-type': 'application/json; charset=iso-8859-1' } });
      expect(answered).toMatchObject({ status: 500, body: { outcome: 'failed', error: { code: 'RECEIVER_ERR_BODY_NOT_RAW' } } });
      expect((errors[0]!.error as Error).message).toContain("a body parser (express.text()) decoded from iso-8859-1, as its content-type says, and the bytes that were signed can't be had back from that text; give the adapter the bytes: express.raw({ type: '*/*' })");
      // ASCII reads the same in either charset: verified as it is.
      const ascii = signedRequest({ secrets: [secret], body: '{"id": "doc-a"}' });
      expect(await post(`${url}/webhooks`, { ...ascii, headers: { ...ascii.headers, 'content-type': 'application/json; charset=iso-8859-1' } })).toMatchObject({ status: 200, body: { outcome: 'processed' } });
      // A forgery is still one: 401, whatever the parser did.
      expect(await post(`${url}/webhooks`, signedRequest({ secrets: [newSecret()] }))).toMatchObject({ status: 401, body: { error: { code: 'RECEIVER_ERR_BAD_SIGNATURE' } } });
      expect(handled).toEqual([{ id: 'doc-a' }]);
    });
  });

  it('detects the classic bug — express.json() parsed the body first — and says how to fix it (500, so the sender retries after the fix)', async () => {
    const url = await serve((app) => {
      app.use(express.json());
      app.post('/webhooks', expressReceiver(receiver));
    });
    const answered = await post(`${url}/webhooks`, request());
    expect(answered).toMatchObject({ status: 500, body: { outcome: 'failed', error: { code: 'RECEIVER_ERR_BODY_NOT_RAW' } } });
    expect(handled).toEqual([]);
    expect(errors).toHaveLength(1);
    expect((errors[0]!.error as Error).message).toMatch(/RECEIVER_ERR_BODY_NOT_RAW: the body reached the receiver as an object.*mount the receiver before express\.json\(\)/);
  });

  it('answers 413 to a body over maxBodyBytes', async () => {
    const url = await serve((app) => app.post('/webhooks', expressReceiver(receiver, { maxBodyBytes: 100 })));
    const big = signedRequest({ secrets: [secret], payload: { text: 'x'.repeat(500) } });
    expect(await post(`${url}/webhooks`, big)).toMatchObject({ status: 413, body: { error: { code: 'RECEIVER_ERR_BODY_TOO_LARGE' } } });
    expect(handled).toEqual([]);
  });

  it('answers 413 to a body over maxBodyBytes that a body parser read first, with a limit of its own (express.raw(), captureRawBody, req.rawBody text)', async () => {
    const big = () => signedRequest({ secrets: [secret], payload: { text: 'x'.repeat(500) } });
    const parsers: [string, (app: express.Express) => void][] = [
      ['express.raw()', (app) => app.use(express.raw({ type: '*/*', limit: '1mb' }))],
      ['captureRawBody', (app) => app.use(express.json({ limit: '1mb', verify: captureRawBody }))],
      ['req.rawBody text', (app) => app.use(express.json({ limit: '1mb', verify: (req, _res, buf) => void ((req as { rawBody?: string }).rawBody = buf.toString()) }))],
    ];
    for (const [name, parser] of parsers) {
      const url = await serve((app) => {
        parser(app);
        app.post('/webhooks', expressReceiver(receiver, { maxBodyBytes: 100 }));
      });
      const answered = await post(`${url}/webhooks`, big());
      expect([name, answered.status, answered.body.error?.code]).toEqual([name, 413, 'RECEIVER_ERR_BODY_TOO_LARGE']);
      expect(answered.body.error?.message).toMatch(/the body is 5\d\d bytes, more than the 100 bytes this receiver accepts \(maxBodyBytes\); raise maxBodyBytes/);
    }
    expect(handled).toEqual([]);
  });

  describe('bytes from another realm, and a revoked Proxy, left by a middleware', () => {
    // A Uint8Array made in a vm context: instanceof Uint8Array is false for it, and Buffer.isBuffer too.
    const ForeignUint8Array = runInNewContext('Uint8Array') as Uint8ArrayConstructor;
    const foreignCopy = (bytes: Buffer) => new ForeignUint8Array(bytes);
    const revoked = () => {
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      return proxy;
    };

    it("verifies another realm's Uint8Array in req.body or req.rawBody as it does the Buffer of the same bytes: 200, 401 for a forgery, 413 over maxBodyBytes", async () => {
      expect(foreignCopy(Buffer.from('x')) instanceof Uint8Array).toBe(false);
      const url = await serve((app) => {
        const adapter = expressReceiver(receiver, { maxBodyBytes: 200 });
        app.post('/raw-buffer', express.raw({ type: '*/*' }), adapter);
        app.post('/raw-foreign', express.raw({ type: '*/*' }), (req, _res, next) => void ((req.body = foreignCopy(req.body as Buffer)), next()), adapter);
        app.post('/captured-foreign', express.json({ verify: (req, _res, buf) => void ((req as { rawBody?: unknown }).rawBody = foreignCopy(buf)) }), adapter);
      });
      const verdicts = async (route: string) => {
        const good = await post(`${url}/${route}`, request());
        const forged = await post(`${url}/${route}`, signedRequest({ secrets: [newSecret()] }));
        const big = await post(`${url}/${route}`, signedRequest({ secrets: [secret], payload: { text: 'x'.repeat(500) } }));
        return [good, forged, big].map((answered) => [answered.status, answered.body.outcome, answered.body.error?.code]);
      };
      const expected = [
        [200, 'processed', undefined],
        [401, 'rejected', 'RECEIVER_ERR_BAD_SIGNATURE'],
        [413, 'rejected', 'RECEIVER_ERR_BODY_TOO_LARGE'],
      ];
      expect(await verdicts('raw-buffer')).toEqual(expected);
      expect(await verdicts('raw-foreign')).toEqual(expected);
      expect(await verdicts('captured-foreign')).toEqual(expected);
      expect(handled).toEqual([0, 1, 2].map(() => ({ id: 'doc-1', title: 'café' })));
    });

    it('refuses a revoked Proxy left in req.body or req.rawBody 500 RECEIVER_ERR_BODY_NOT_RAW naming it and the fix, not with Express’s own error page', async () => {
      const url = await serve((app) => {
        app.post('/body', express.raw({ type: '*/*' }), (req, _res, next) => void ((req.body = revoked()), next()), expressReceiver(receiver));
        app.post('/raw-body', express.json({ verify: (req) => void ((req as { rawBody?: unknown }).rawBody = revoked()) }), expressReceiver(receiver));
      });
      for (const route of ['body', 'raw-body']) {
        const r = request();
        expect([route, await post(`${url}/${route}`, r)]).toMatchObject([route, { status: 500, body: { outcome: 'failed', id: r.id, error: { code: 'RECEIVER_ERR_BODY_NOT_RAW' } } }]);
      }
      expect(handled).toEqual([]);
      expect(errors.map(({ error }) => (error as Error).message)).toEqual([0, 1].map(() => expect.stringContaining('the body reached the receiver as a Proxy, not as the raw bytes that were signed')));
      expect((errors[0]!.error as Error).message).toContain('pass the bytes themselves');
    });
  });
});
