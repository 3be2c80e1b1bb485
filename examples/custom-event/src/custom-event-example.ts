import { createHookwork, type Composer } from '@hookwork/core';
import { ContentPublishedNotification, cmsComposer, type CmsContent } from '@hookwork/cms';
import {
  OrderPlacedNotification,
  OrderRefundedNotification,
  OrdersShippedNotification,
  commerceComposer,
  type Order,
} from './commerce-plugin';

/** What {@link runCustomEventExample} takes. */
export interface CustomEventExampleOptions {
  /** The receiver's base URL (`http://127.0.0.1:<port>`); the webhooks call paths under it. */
  url: string;
  /** Where the example narrates what it does. */
  print?: (line: string) => void;
}

/** The order the example's shop takes (fixed, so the example prints the same at every run). */
export const ORDER: Order = {
  id: 'order-1001',
  number: '2024-0042',
  currency: 'EUR',
  customer: { id: 'customer-7', email: 'ada@example.com' },
  lines: [
    { sku: 'MUG-BLUE', quantity: 2, unitPrice: 1250 },
    { sku: 'TEE-L', quantity: 1, unitPrice: 1999 },
  ],
  placedAt: new Date('2024-05-01T09:30:00.000Z'),
};

/** A second order, shipped in the same batch as {@link ORDER}. */
export const OTHER_ORDER: Order = { ...ORDER, id: 'order-1002', number: '2024-0043', lines: [{ sku: 'CAP', quantity: 1, unitPrice: 1500 }] };

/** The product page the shop's CMS publishes next to the orders. */
export const PRODUCT_PAGE: CmsContent = {
  key: 'c1922956-7855-4fa0-8f2c-7af149a92135',
  name: 'Blue mug',
  contentType: { key: '4b1a0c5e-0000-4000-8000-000000000001', alias: 'product' },
  publishDate: '2024-05-01T08:00:00.000Z',
};

// The app's own composer, listed after the packages' composers: it picks the commerce events
// the plugin contributes. cmsComposer() already added Umbraco's 5 default CMS events.
const AppComposer: Composer = {
  name: 'shop',
  compose: (builder) => builder.webhookEvents().addCommerce(),
};

/**
 * A shop with a CMS: the commerce plugin's events composed next to the CMS set, one webhook for
 * the orders and one for the site, then an order placed, a page published, a refund and a
 * shipment of two orders. Resolves once every request was delivered.
 */
export async function runCustomEventExample({ url, print = () => {} }: CustomEventExampleOptions): Promise<void> {
  const app = createHookwork({
    composers: [cmsComposer(), commerceComposer(), AppComposer],
    // hookwork refuses to deliver to internal addresses (loopback, private networks) so a webhook
    // URL can't be used to probe the host's network (SSRF). This example's receiver runs on
    // 127.0.0.1, so it allows that address on the receiver's port only (a bare '127.0.0.1' would
    // allow every local port, an admin server's too) — a production app leaves this out.
    settings: { ssrf: { allow: [new URL(url).host] } },
  });
  await app.start();
  try {
    print('composed events:');
    for (const event of app.events()) print(`  ${event.alias.padEnd(26)} ${event.eventName} (${event.eventType})`);

    await app.webhooks.create({
      name: 'Fulfilment',
      url: `${url}/hooks/orders`,
      events: ['commerce.orderPlaced', 'commerce.orderRefunded', 'commerce.orderShipped'],
    });
    await app.webhooks.create({ name: 'Website', url: `${url}/hooks/site`, events: ['Umbraco.ContentPublish'] });

    // Each publish resolves once its requests are durably queued; delivery runs in the background.
    await app.publish(new OrderPlacedNotification(ORDER));
    print(`published OrderPlaced ${ORDER.id}`);
    await app.publish(new ContentPublishedNotification({ publishedEntities: [PRODUCT_PAGE] }));
    print(`published ContentPublished "${PRODUCT_PAGE.name}"`);
    await app.publish(new OrderRefundedNotification(ORDER, { id: 'refund-1', amount: 1250, reason: 'one mug arrived broken' }));
    print(`published OrderRefunded ${ORDER.id}`);
    await app.publish(
      new OrdersShippedNotification([
        { order: ORDER, carrier: 'DHL', trackingNumber: 'JD014600003SE' },
        { order: OTHER_ORDER, carrier: 'DHL', trackingNumber: 'JD014600004SE' },
      ]),
    );
    print(`published OrdersShipped (${ORDER.id}, ${OTHER_ORDER.id})`);

    await app.drain({ timeoutMs: 15_000 });
  } finally {
    await app.stop();
  }
}
