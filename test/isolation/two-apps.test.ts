import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContentPublishedNotification, ContentPublishedWebhookEvent, cmsComposer, type CmsContent } from '@hookwork/cms';
import { createHookwork, WebhookEvent, WebhookEventTypes, type Composer, type Hookwork, type HookworkSettingsInput, type PayloadContext } from '@hookwork/core';
import { startTestReceiver, type TestReceiver } from '@hookwork/core/testing';
import { cockpitComposer, cockpitHost } from '@hookwork/plugin-cockpit';
import { sqliteStorage } from '@hookwork/sqlite';

/**
 * "No global state": two apps in one process never see each other. Each app here is what a host
 * builds — composers, a SQLite file of its own, real HTTP to a receiver on 127.0.0.1 — and each
 * package is reached through its public entry only.
 */

@WebhookEvent('Content Published', WebhookEventTypes.Content)
class TenantContentPublished extends ContentPublishedWebhookEvent {
  override convertEntityToRequestPayload(entity: CmsContent, context: PayloadContext): unknown {
    return { tenant: 'a', content: super.convertEntityToRequestPayload(entity, context) };
  }
}

const page: CmsContent = {
  key: '6f1f2b3c-0000-4000-8000-000000000001',
  name: 'Home',
  contentType: { key: 'a1f3c1de-0000-4000-8000-000000000001', alias: 'home' },
  createDate: '2026-11-20T09:12:44.1234567',
  updateDate: '2026-11-22T08:30:00.0000000',
  publishDate: '2026-11-22T08:30:00.0000000',
  cultures: {},
  route: { path: '/', startItem: { id: '6f1f2b3c-0000-4000-8000-000000000001', path: 'home' } },
  properties: {},
};

const base: HookworkSettingsInput = { ssrf: { allowInternal: false, allow: ['127.0.0.1'] }, period: 200, stopTimeout: 2_000 };

let dir: string;
let receiver: TestReceiver;
const apps: Hookwork[] = [];
let files = 0;
function app(composers: Composer[], settings: HookworkSettingsInput = {}): Hookwork {
  const made = createHookwork({ composers, settings: { ...base, ...settings }, storage: sqliteStorage({ file: join(dir, `app-${++files}.db`) }) });
  apps.push(made);
  return made;
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hookwork-two-apps-'));
  receiver = await startTestReceiver();
});
afterEach(async () => {
  for (const each of apps.splice(0)) await each.stop();
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

const sentBy = (tenant: string) => receiver.requests.filter((request) => request.path === `/hook?tenant=${tenant}`);

describe('two apps in one process', () => {
  it("keep their own events, replacements, settings, webhooks and metrics: one app's replace() changes nothing the other sends", async () => {
    const a = app([cmsComposer(), cockpitComposer(), { compose: (b) => b.webhookEvents().replace(ContentPublishedWebhookEvent, TenantContentPublished).addCockpit() }], { payloadType: 'Legacy', headers: { style: 'umbraco' } });
    const b = app([cmsComposer()]);
    await a.start();
    await b.start();
    await a.webhooks.create({ url: `${receiver.url}?tenant=a`, events: ['Umbraco.ContentPublish', 'collections.save.after'] });
    await b.webhooks.create({ url: `${receiver.url}?tenant=b`, events: ['Umbraco.ContentPublish'] });

    expect(a.events().map((event) => event.alias)).toContain('collections.save.after');
    expect(b.events().map((event) => event.alias)).not.toContain('collections.save.after');
    await a.publish(new ContentPublishedNotification({ publishedEntities: [page] }));
    await b.publish(new ContentPublishedNotification({ publishedEntities: [page] }));
    await cockpitHost(a).trigger('collections.save.after', 'posts', { _id: 'e1' }, false);
    await a.drain({ timeoutMs: 10_000 });
    await b.drain({ timeoutMs: 10_000 });

    const [fromA, cockpitFromA] = sentBy('a');
    expect(JSON.parse(fromA!.text)).toMatchObject({ tenant: 'a', content: { id: page.key } });
    expect(fromA!.headers['umb-webhook-event']).toBe('Umbraco.ContentPublish');
    expect(JSON.parse(cockpitFromA!.text)).toMatchObject({ event: 'collections.save.after' });
    const [fromB] = sentBy('b');
    expect(JSON.parse(fromB!.text)).toMatchObject({ id: page.key });
    expect(JSON.parse(fromB!.text)).not.toHaveProperty('tenant');
    expect(fromB!.headers['umb-webhook-event']).toBeUndefined();
    expect(fromB!.headers['hookwork-event']).toBe('Umbraco.ContentPublish');
    expect(sentBy('b')).toHaveLength(1);

    a.updateSettings({ enabled: false });
    expect(b.settings.enabled).toBe(true);
    expect((await b.webhooks.list()).total).toBe(1);
    const sample = async (made: Hookwork) => /^hookwork_requests_enqueued_total (\d+)$/m.exec((await made.metrics.scrape()).text)?.[1];
    expect([await sample(a), await sample(b)]).toEqual(['2', '1']);
  });

  it("one app's stop() leaves the other delivering", async () => {
    const a = app([cmsComposer()]);
    const b = app([cmsComposer()]);
    await a.start();
    await b.start();
    await a.webhooks.create({ url: `${receiver.url}?tenant=a`, events: ['Umbraco.ContentPublish'] });
    await b.webhooks.create({ url: `${receiver.url}?tenant=b`, events: ['Umbraco.ContentPublish'] });
    await a.stop();
    await b.publish(new ContentPublishedNotification({ publishedEntities: [page] }));
    await b.drain({ timeoutMs: 10_000 });
    expect(sentBy('b')).toHaveLength(1);
    expect(b.state).toBe('started');
  });

  it('50 apps created, started, used and stopped one after another leave no process listener and no handle behind', async () => {
    const cycle = async () => {
      const made = createHookwork({ composers: [cmsComposer(), cockpitComposer()], settings: base, storage: sqliteStorage({ file: join(dir, `cycle-${++files}.db`) }) });
      await made.start();
      await made.webhooks.create({ url: `${receiver.url}?tenant=cycle`, events: ['Umbraco.ContentPublish'], secret: true });
      await made.publish(new ContentPublishedNotification({ publishedEntities: [page] }));
      await made.drain({ timeoutMs: 10_000 });
      await made.metrics.scrape();
      await made.stop();
    };
    const listeners = () => Object.fromEntries(process.eventNames().map((name) => [String(name), process.listenerCount(name)]));
    // Handles that stay open (sockets, servers, worker threads, files), not timers that end by themselves.
    const handles = () => process.getActiveResourcesInfo().filter((kind) => kind !== 'Timeout' && kind !== 'Immediate').sort().join(',');
    await cycle();
    const before = { listeners: listeners(), handles: handles() };
    for (let i = 0; i < 50; i++) await cycle();
    // A socket the receiver is closing may take a turn or two to go.
    for (let waited = 0; handles() !== before.handles && waited < 5_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    expect({ listeners: listeners(), handles: handles() }).toEqual(before);
    expect(sentBy('cycle')).toHaveLength(51);
  });
});
