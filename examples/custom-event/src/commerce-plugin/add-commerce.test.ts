import { WebhookEvent, WebhookEventTypes, createHookwork, isHookworkError, type Composer, type WebhookEventCollectionBuilder } from '@hookwork/core';
import { capturingStorage, recordingTransport } from '@hookwork/core/testing';
import { ORDER } from '../custom-event-example';
import { OrderPlacedNotification, OrderPlacedWebhookEvent, OrderRefundedNotification, OrdersShippedNotification, commerceComposer, type AddCommerceOptions } from './index';

const app = (...composers: Composer[]) => createHookwork({ composers, transport: recordingTransport() });
const adding = (options?: AddCommerceOptions): Composer => ({ name: 'shop', compose: (b) => b.webhookEvents().addCommerce(options) });

function errorOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('the commerce plugin', () => {
  it('adds orders placed, refunds and shipping; the options leave some out', () => {
    expect(app(commerceComposer(), adding()).events().map((e) => e.alias)).toEqual(['commerce.orderPlaced', 'commerce.orderRefunded', 'commerce.orderShipped']);
    expect(app(commerceComposer(), adding({ refunds: false })).events().map((e) => e.alias)).toEqual(['commerce.orderPlaced', 'commerce.orderShipped']);
    // The composer alone adds nothing: the app decides.
    expect(app(commerceComposer()).events()).toEqual([]);
  });

  it('names the package and its composer when an app calls addCommerce() without it, or before it', () => {
    const missing = errorOf(() => app(adding()));
    expect(isHookworkError(missing, 'HOOKWORK_ERR_EXTENSION_NOT_COMPOSED')).toBe(true);
    expect((missing as Error).message).toMatch(/addCommerce\(\) comes from @acme\/hookwork-commerce, which this app does not compose: add commerceComposer\(\)/);
    expect(() => app(adding(), commerceComposer())).toThrow(/@acme\/hookwork-commerce.*commerceComposer\(\)/);
  });

  it('refuses a wrong option with a coded error', () => {
    const error = errorOf(() => app(commerceComposer(), adding({ refunds: 'no' as unknown as boolean })));
    expect(isHookworkError(error, 'HOOKWORK_ERR_INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toContain('addCommerce({ refunds }): refunds must be true or false; got "no"');
    // A value JSON cannot hold is shown, not JSON.stringify-ed into a TypeError.
    const big = errorOf(() => app(commerceComposer(), adding({ refunds: 1n as unknown as boolean })));
    expect(isHookworkError(big, 'HOOKWORK_ERR_INVALID_ARGUMENT')).toBe(true);
    expect((big as Error).message).toContain('refunds must be true or false; got 1n');
    // A misspelt option is named, not ignored (which composed the refund event anyway).
    expect(() => app(commerceComposer(), adding({ refund: false } as never))).toThrow(/addCommerce\(options\): unknown option `refund` \(did you mean `refunds`\?\)/);
  });

  it('refuses a malformed notification when the shop creates it', () => {
    expect(() => new OrderPlacedNotification({ id: 42 } as never)).toThrow(/HOOKWORK_ERR_INVALID_NOTIFICATION: new OrderPlacedNotification\(order\)/);
    expect(() => new OrdersShippedNotification('DHL' as never)).toThrow(/shipments must be an array/);
  });

  it('names the field at fault, with a coded error, for the orders a shop really gets wrong (cycles, BigInt ids, strings for dates)', () => {
    // An ORM entity points back at itself; the message must describe it, not JSON.stringify it.
    const cyclic = { ...ORDER, id: 7n } as unknown as Record<string, unknown>;
    cyclic.self = cyclic;
    const refused = (make: () => unknown, message: RegExp) => {
      const error = errorOf(make);
      expect(isHookworkError(error, 'HOOKWORK_ERR_INVALID_NOTIFICATION')).toBe(true);
      expect((error as Error).message).toMatch(message);
    };
    refused(() => new OrderPlacedNotification(cyclic as never), /new OrderPlacedNotification\(order\): order.id must be a non-empty string; got a bigint 7/);
    refused(() => new OrderPlacedNotification({ ...ORDER, placedAt: '2024-05-06' } as never), /order.placedAt must be a valid Date; got the string "2024-05-06"/);
    refused(() => new OrderPlacedNotification({ ...ORDER, lines: [{ sku: 'A', quantity: 1, unitPrice: 19.99 }] }), /order.lines\[0\] must be .*unitPrice: integer in minor units/);
    refused(() => new OrderRefundedNotification(ORDER, { id: 'r1', amount: Number.NaN, reason: 'x' }), /refund must be/);
    refused(() => new OrdersShippedNotification([null as never]), /shipments\[0\] must be \{ order, carrier: string, trackingNumber: string \}; got null/);
  });

  it('can be replaced by class, like the CMS events', async () => {
    const storage = capturingStorage();
    @WebhookEvent('Order Placed', WebhookEventTypes.Other)
    class SlimOrderPlaced extends OrderPlacedWebhookEvent {
      override convertNotificationToRequestPayload(n: OrderPlacedNotification) {
        return { id: n.order.id };
      }
    }
    const shop = createHookwork({
      composers: [commerceComposer(), { compose: (b) => b.webhookEvents().addCommerce().replace(OrderPlacedWebhookEvent, SlimOrderPlaced) }],
      storage,
      transport: recordingTransport(),
    });
    await shop.start();
    await shop.webhooks.create({ url: 'https://example.com/orders', events: ['commerce.orderPlaced'] });
    await shop.publish(new OrderPlacedNotification(ORDER));
    expect(storage.payloads()).toEqual([{ id: ORDER.id }]);
    await shop.stop();
  });

  it('types addCommerce() for callers', () => {
    const check = (events: WebhookEventCollectionBuilder) => {
      // @ts-expect-error addCommerce takes an options object, not a boolean
      events.addCommerce(true);
      // @ts-expect-error no such option
      events.addCommerce({ refund: false });
    };
    expect(typeof check).toBe('function');
  });
});
