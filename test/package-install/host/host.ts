// A host project outside the hookwork workspace: compiled with its own tsconfig against the
// installed tarballs, as a user's project would be.
import 'reflect-metadata';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHookwork, WebhookEvent, WebhookEventBase, WebhookEventTypes, type Composer } from '@hookwork/core';
import { cmsComposer, ContentPublishedNotification } from '@hookwork/cms';

class OrderPlaced {
  constructor(readonly id: string, readonly total: number) {}
}

@WebhookEvent('Order Placed', WebhookEventTypes.Other, { alias: 'shop.orderPlaced', notification: OrderPlaced })
class OrderPlacedWebhookEvent extends WebhookEventBase<OrderPlaced> {
  override convertNotificationToRequestPayload(n: OrderPlaced) {
    return { id: n.id, total: n.total };
  }
}

const shop: Composer = {
  compose: (builder) => builder.webhookEvents().addCms((cms) => cms.addDefault()).add(OrderPlacedWebhookEvent),
};

async function main() {
  const received: { event: string; body: unknown }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ event: String(req.headers['hookwork-event']), body: JSON.parse(body) });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;

  const app = createHookwork({ composers: [cmsComposer(), shop], settings: { ssrf: { allow: ['127.0.0.1'] } } });
  await app.start();
  await app.webhooks.create({ url: `http://127.0.0.1:${port}/hook`, events: ['Umbraco.ContentPublish', 'shop.orderPlaced'] });
  await app.publish(new ContentPublishedNotification({ publishedEntities: [{ key: 'k-1', name: 'Home', contentType: { key: 't-1', alias: 'home' } }] }));
  await app.publish(new OrderPlaced('o-1', 42));
  await app.drain({ timeoutMs: 20_000 });
  await app.stop();
  server.close();
  received.sort((a, b) => (a.event < b.event ? -1 : 1));
  console.log(JSON.stringify({ events: app.events().length, received }));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
