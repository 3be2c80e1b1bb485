import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHookwork, WebhookEvent, WebhookEventBase, type Hookwork, type WebhookFormat } from '@hookwork/core';
import { createNodeHandler, createReceiver, type ReceivedEvent } from '@hookwork/receiver';

// @hookwork/receiver reads the alias and payload of a CloudEvents request — from the structured
// envelope or the ce-* headers — sent by a real hookwork app over HTTP on 127.0.0.1, verified and
// deduplicated as any other request.

class PagePublished {
  constructor(readonly id: string) {}
}

@WebhookEvent('Page Published', 'Content', { alias: 'site.pagePublished', notification: PagePublished })
class PagePublishedEvent extends WebhookEventBase<PagePublished> {
  override convertNotificationToRequestPayload(notification: PagePublished) {
    return { id: notification.id, title: 'Hello "world" ✓' };
  }
}

type SiteEvent = { alias: 'site.pagePublished'; payload: { id: string; title: string } };

describe('a receiver fed CloudEvents by hookwork', () => {
  let app: Hookwork | undefined;
  let server: Server | undefined;
  afterEach(async () => {
    await app?.stop();
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    app = undefined;
    server = undefined;
  });

  it.each<WebhookFormat & { type: 'cloudevents' }>([
    { type: 'cloudevents', mode: 'structured', source: '/sites/main', subjectFrom: '/id' },
    { type: 'cloudevents', mode: 'binary', source: '/sites/main', subject: 'main site ✓' },
  ])('$mode mode: verified, dispatched by type with the data as payload and the attributes beside it', async (format) => {
    app = createHookwork({ composers: [{ compose: (b) => void b.webhookEvents().add(PagePublishedEvent) }], settings: { ssrf: { allow: ['127.0.0.1'] }, retryJitter: 0, retrySchedule: [50] } });
    await app.start();
    const seen: ReceivedEvent<SiteEvent>[] = [];
    const holder: { receiver?: ReturnType<typeof createReceiver<SiteEvent>> } = {};
    server = createServer((req, res) => createNodeHandler(holder.receiver!)(req, res));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
    const { secret, key } = await app.webhooks.create({ url, events: ['site.pagePublished'], secret: true, format });
    holder.receiver = createReceiver<SiteEvent>({ secrets: secret!, handlers: { 'site.pagePublished': (event) => void seen.push(event) } });

    await app.publish(new PagePublished('p-1'));
    await app.drain();
    const [entry] = (await app.logs(key)).items;
    expect(entry).toMatchObject({ statusCode: 200, outcome: 'delivered' });
    expect(seen).toHaveLength(1);
    const [event] = seen;
    expect(event!.alias).toBe('site.pagePublished');
    expect(event!.payload).toEqual({ id: 'p-1', title: 'Hello "world" ✓' });
    expect(event!.id).toBe(entry!.requestId);
    expect(event!.eventHeader).toBe(format.mode === 'binary' ? 'ce-type' : 'type');
    expect(event!.cloudEvent).toMatchObject({ specversion: '1.0', id: entry!.requestId, source: '/sites/main', type: 'site.pagePublished', subject: format.mode === 'binary' ? 'main site ✓' : 'p-1', datacontenttype: 'application/json' });
    expect(Date.parse(event!.cloudEvent!.time!)).not.toBeNaN();

    // A redelivery of the same request is a duplicate, CloudEvent or not.
    const redelivered = await fetch(url, { method: 'POST', headers: Object.fromEntries(Object.entries(event!.headers).filter(([name]) => !['content-length', 'connection', 'host'].includes(name))), body: event!.rawBody });
    expect(await redelivered.json()).toMatchObject({ outcome: 'duplicate' });
    expect(seen).toHaveLength(1);
  });

  it('refuses a structured request whose envelope has no type', async () => {
    const receiver = createReceiver({ unsigned: true, handle: () => {} });
    const answer = await receiver.handle({ headers: { 'content-type': 'application/cloudevents+json', 'webhook-id': 'msg_x' }, body: '{"specversion":"1.0","data":{}}' });
    expect(answer).toMatchObject({ status: 400, outcome: 'rejected' });
    expect(answer.body).toContain('RECEIVER_ERR_INVALID_JSON');
  });
});
