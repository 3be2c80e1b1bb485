import { ORDER, PRODUCT_PAGE, runCustomEventExample } from './custom-event-example';
import { startTestReceiver, type TestReceiver } from '@hookwork/core/testing';

describe('the custom-event example', () => {
  let receiver: TestReceiver;
  beforeEach(async () => {
    receiver = await startTestReceiver();
  });
  afterEach(() => receiver.close());

  it("delivers the commerce plugin's events and the CMS event, each to its own webhook, with the plugin's payloads", async () => {
    const lines: string[] = [];
    await runCustomEventExample({ url: receiver.origin, print: (line) => lines.push(line) });

    // The catalogue has the CMS defaults and the plugin's events, in composition order.
    expect(lines.filter((l) => l.startsWith('  ')).map((l) => l.trim().split(/\s+/)[0])).toEqual([
      'Umbraco.ContentDelete',
      'Umbraco.ContentPublish',
      'Umbraco.ContentUnpublish',
      'Umbraco.MediaDelete',
      'Umbraco.MediaSave',
      'commerce.orderPlaced',
      'commerce.orderRefunded',
      'commerce.orderShipped',
    ]);

    // There is no ordering guarantee between requests: compare them as a set.
    const got = receiver.requests.map((r) => ({ path: r.path, event: r.headers['hookwork-event'], body: JSON.parse(r.text) as unknown }));
    const byEvent = (a: { event?: unknown; body: unknown }, b: { event?: unknown; body: unknown }) =>
      `${String(a.event)}${JSON.stringify(a.body)}`.localeCompare(`${String(b.event)}${JSON.stringify(b.body)}`);
    expect(got.sort(byEvent)).toEqual(
      [
        { path: '/hooks/site', event: 'Umbraco.ContentPublish', body: { id: PRODUCT_PAGE.key, cultures: [] } },
        {
          path: '/hooks/orders',
          event: 'commerce.orderPlaced',
          body: {
            id: 'order-1001',
            number: '2024-0042',
            placedAt: '2024-05-01T09:30:00.000Z',
            customerId: 'customer-7',
            total: { amount: '44.99', currency: 'EUR' },
            lines: [
              { sku: 'MUG-BLUE', quantity: 2, unitPrice: { amount: '12.50', currency: 'EUR' } },
              { sku: 'TEE-L', quantity: 1, unitPrice: { amount: '19.99', currency: 'EUR' } },
            ],
          },
        },
        { path: '/hooks/orders', event: 'commerce.orderRefunded', body: { orderId: 'order-1001', refundId: 'refund-1', refunded: { amount: '12.50', currency: 'EUR' }, reason: 'one mug arrived broken' } },
        // One request per shipped order, though the shop published one batch.
        { path: '/hooks/orders', event: 'commerce.orderShipped', body: { orderId: 'order-1001', carrier: 'DHL', trackingNumber: 'JD014600003SE' } },
        { path: '/hooks/orders', event: 'commerce.orderShipped', body: { orderId: 'order-1002', carrier: 'DHL', trackingNumber: 'JD014600004SE' } },
      ].sort(byEvent),
    );

    // The converters keep the customer's e-mail in the shop.
    for (const { text: body } of receiver.requests) expect(body).not.toContain(ORDER.customer.email);
  });
});
