import { createHookwork, generateSecret, type DeliveryLogEntry, type Hookwork, type HookworkSettingsInput } from '@hookwork/core';
import { cmsComposer, ContentDeletedNotification, ContentPublishedNotification, ContentUnpublishedNotification, exampleCmsContent } from '@hookwork/cms';
import type { ReceiverAnswer } from '@hookwork/receiver';
import { MemorySearchIndex, type IndexedDocument } from './search-index';
import { SITE_EVENT_ALIASES } from './site-events';
import { createSiteReceiver, serveReceiver, type Framework, type ServedReceiver } from './site-receiver';

// The example receiver against a REAL hookwork app (in-memory storage, real HTTP on 127.0.0.1):
// what a receiver team sees when hookwork sends, retries and redelivers.

const doc = (key: string, cultures?: string[]) => ({
  ...exampleCmsContent(key),
  ...(cultures ? { cultures: Object.fromEntries(cultures.map((c) => [c, { publishDate: '2024-05-01T08:00:00.000Z' }])) } : {}),
});

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const outcomeOf = (entry: DeliveryLogEntry) => (JSON.parse(entry.responseBody) as { outcome: string }).outcome;

describe('the example receiver, fed by a real hookwork app', () => {
  let app: Hookwork;
  let served: ServedReceiver | undefined;
  const answers: ReceiverAnswer[] = [];

  async function start(settings: HookworkSettingsInput = {}): Promise<Hookwork> {
    app = createHookwork({
      composers: [cmsComposer()],
      settings: { ssrf: { allow: ['127.0.0.1'] }, retrySchedule: [50], retryJitter: 0, maximumRetries: 2, ...settings },
    });
    await app.start();
    return app;
  }

  async function webhookTo(url: string, secret: string): Promise<string> {
    return (await app.webhooks.create({ url, events: [...SITE_EVENT_ALIASES], secret })).key;
  }

  afterEach(async () => {
    answers.length = 0;
    await app?.stop();
    await served?.close();
    served = undefined;
  });

  describe.each<Framework>(['node', 'express', 'fastify', 'fetch'])('served with %s', (framework) => {
    it('verifies each signed delivery and applies it to the index once, typed by alias', async () => {
      await start();
      const secret = generateSecret();
      const index = new MemorySearchIndex();
      served = await serveReceiver(createSiteReceiver({ secrets: secret, index, onAnswer: (a) => answers.push(a) }), framework);
      const key = await webhookTo(served.url, secret);

      await app.publish(new ContentPublishedNotification({ publishedEntities: [doc('doc-1', ['en-US', 'da-DK']), doc('doc-2')] }));
      await app.drain();
      await app.publish(new ContentUnpublishedNotification({ unpublishedEntities: [doc('doc-2')] }));
      await app.drain();

      expect(Object.fromEntries(index.documents)).toEqual<Record<string, IndexedDocument>>({ 'doc-1': { id: 'doc-1', cultures: ['en-US', 'da-DK'] } });
      expect([...index.writes].sort()).toEqual(['remove doc-2', 'upsert doc-1', 'upsert doc-2']);
      const { items } = await app.logs(key);
      expect(items.map((e) => [e.statusCode, outcomeOf(e)])).toEqual([
        [200, 'processed'],
        [200, 'processed'],
        [200, 'processed'],
      ]);
      expect(answers.map((a) => a.id).sort()).toEqual(items.map((e) => e.requestId).sort());
    });

    it('takes deliveries to its path with a query string (a webhook URL such as /webhooks?site=main)', async () => {
      await start({ maximumRetries: 0 });
      const secret = generateSecret();
      const index = new MemorySearchIndex();
      served = await serveReceiver(createSiteReceiver({ secrets: secret, index }), framework);
      const key = await webhookTo(`${served.url}?site=main`, secret);
      await app.publish(new ContentPublishedNotification({ publishedEntities: [doc('doc-1')] }));
      await app.drain();
      const [entry] = (await app.logs(key)).items;
      expect([entry!.statusCode, outcomeOf(entry!)]).toEqual([200, 'processed']);
      expect(index.writes).toEqual(['upsert doc-1']);
    });

    it("refuses deliveries signed with another secret (401, the sender's log says why) and handles none", async () => {
      await start({ maximumRetries: 0 });
      const index = new MemorySearchIndex();
      served = await serveReceiver(createSiteReceiver({ secrets: generateSecret(), index }), framework);
      const key = await webhookTo(served.url, generateSecret());
      await app.publish(new ContentPublishedNotification({ publishedEntities: [doc('doc-1')] }));
      await app.drain();
      const [entry] = (await app.logs(key)).items;
      expect(entry!.statusCode).toBe(401);
      expect(JSON.parse(entry!.responseBody)).toMatchObject({ outcome: 'rejected', error: { code: 'RECEIVER_ERR_BAD_SIGNATURE' } });
      expect((await app.deadLetters({ webhookKey: key })).total).toBe(1);
      expect(index.writes).toEqual([]);
    });
  });

  it('deduplicates a redelivery: the sender timed out while the handler still ran, so the id is answered in-progress, then duplicate — handled once', async () => {
    await start({ timeout: 2_000, maximumRetries: 0 });
    const secret = generateSecret();
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const index = new MemorySearchIndex();
    const slowIndex = { upsert: async (d: IndexedDocument) => gate.then(() => index.upsert(d)), remove: (id: string) => index.remove(id) };
    served = await serveReceiver(createSiteReceiver({ secrets: secret, index: slowIndex, onAnswer: (a) => answers.push(a) }), 'node');
    const key = await webhookTo(served.url, secret);
    const deadLettered: string[] = [];
    app.lifecycle.on('deadLettered', (attempt) => deadLettered.push(attempt.requestId));

    await app.publish(new ContentPublishedNotification({ publishedEntities: [doc('doc-1')] }));
    // The handler waits at the gate; hookwork gives up after its 2 s deadline.
    const [requestId] = await waitFor('the first attempt to time out', () => (deadLettered.length === 1 ? deadLettered : undefined));

    // Redelivered while the first delivery's handler still holds the id: 503, nothing handled.
    await app.redeliver({ ids: [requestId!] });
    await waitFor('the redelivery to be refused', () => deadLettered.length === 2);
    expect((await app.logs(key)).items[0]).toMatchObject({ requestId, statusCode: 503 });

    open();
    await waitFor('the first delivery to finish', () => answers.find((a) => a.outcome === 'processed'));
    await app.redeliver({ ids: [requestId!] });
    await app.drain();

    const { items } = await app.logs(key);
    expect(items.map((e) => [e.requestId, e.statusCode ?? e.errorKind])).toEqual([
      [requestId, 200],
      [requestId, 503],
      [requestId, 'timeout'],
    ]);
    expect(outcomeOf(items[0]!)).toBe('duplicate');
    expect(index.writes).toEqual(['upsert doc-1']);
    expect(answers.map((a) => a.outcome)).toEqual(['in-progress', 'processed', 'duplicate']);
  });

  it("processes the sender's retry of a delivery whose handler failed: the failure released the id", async () => {
    await start();
    const secret = generateSecret();
    const index = new MemorySearchIndex();
    let failures = 1;
    const flakyIndex = {
      upsert: async (d: IndexedDocument) => {
        if (failures-- > 0) throw new Error('search cluster unavailable');
        await index.upsert(d);
      },
      remove: (id: string) => index.remove(id),
    };
    served = await serveReceiver(createSiteReceiver({ secrets: secret, index: flakyIndex }), 'express');
    const key = await webhookTo(served.url, secret);
    await app.publish(new ContentPublishedNotification({ publishedEntities: [doc('doc-1')] }));
    await app.drain();

    const { items } = await app.logs(key);
    expect(items.map((e) => [e.retryCount, e.statusCode, outcomeOf(e)])).toEqual([
      [1, 200, 'processed'],
      [0, 500, 'failed'],
    ]);
    expect(items[0]!.requestId).toBe(items[1]!.requestId);
    expect(items[1]!.responseBody).not.toContain('search cluster');
    expect(index.writes).toEqual(['upsert doc-1']);
  });

  it("reads the alias from Umbraco's header names when the sender uses them", async () => {
    await start({ headers: { style: 'umbraco' } });
    const secret = generateSecret();
    const index = new MemorySearchIndex();
    served = await serveReceiver(createSiteReceiver({ secrets: secret, index }), 'fastify');
    const key = await webhookTo(served.url, secret);
    await app.publish(new ContentPublishedNotification({ publishedEntities: [doc('doc-1')] }));
    await app.drain();
    await app.publish(new ContentDeletedNotification({ deletedEntities: [doc('doc-1')] }));
    await app.drain();
    const { items } = await app.logs(key);
    expect(items.map((e) => e.requestHeaders['umb-webhook-event'])).toEqual(['Umbraco.ContentDelete', 'Umbraco.ContentPublish']);
    expect(items.every((e) => e.statusCode === 200 && outcomeOf(e) === 'processed')).toBe(true);
    expect(index.writes).toEqual(['upsert doc-1', 'remove doc-1']);
  });

  it('acknowledges a test send without touching the index', async () => {
    await start();
    const secret = generateSecret();
    const index = new MemorySearchIndex();
    served = await serveReceiver(createSiteReceiver({ secrets: secret, index }), 'node');
    const key = await webhookTo(served.url, secret);
    const result = await app.sendTestEvent(key, { alias: 'Umbraco.ContentPublish' });
    expect(result).toMatchObject({ ok: true, statusCode: 200 });
    expect(JSON.parse(result.body)).toEqual({ outcome: 'test', id: result.requestId });
    expect(index.writes).toEqual([]);
  });

  it('keeps verifying through a secret rotation, knowing the old secret, the new one, or both', async () => {
    await start();
    const oldSecret = generateSecret();
    const index = new MemorySearchIndex();
    const servedOld = await serveReceiver(createSiteReceiver({ secrets: oldSecret, index }), 'node');
    const key = await webhookTo(servedOld.url, oldSecret);
    const { secret: newSecret } = await app.webhooks.rotateSecret(key);
    const servedNew = await serveReceiver(createSiteReceiver({ secrets: newSecret, index }), 'node');
    served = await serveReceiver(createSiteReceiver({ secrets: [newSecret, oldSecret], index }), 'node');
    try {
      for (const [i, target] of [servedOld, servedNew, served].entries()) {
        await app.webhooks.update(key, { url: target.url });
        await app.publish(new ContentPublishedNotification({ publishedEntities: [doc(`doc-${i}`)] }));
        await app.drain();
      }
    } finally {
      await servedOld.close();
      await servedNew.close();
    }
    expect((await app.logs(key)).items.map((e) => e.statusCode)).toEqual([200, 200, 200]);
    expect(index.writes.sort()).toEqual(['upsert doc-0', 'upsert doc-1', 'upsert doc-2']);
  });
});
