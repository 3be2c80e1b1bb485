import { WebhookEvent, WebhookEventBase, WebhookEventContentBase, WebhookEventTypes, type PayloadContext } from '@hookwork/core';
import { OrderPlacedNotification, OrderRefundedNotification, OrdersShippedNotification } from './notifications';
import type { Shipment } from './order';
import { orderPlacedPayload, orderRefundedPayload, orderShippedPayload } from './payloads';

// The plugin's webhook events. Each is its own decorated class, so an app can replace one by
// class (`replace(OrderPlacedWebhookEvent, MyOrderPlacedWebhookEvent)`) as with the CMS events.

/** `commerce.orderPlaced` — one request per order. */
@WebhookEvent('Order Placed', WebhookEventTypes.Other, { alias: 'commerce.orderPlaced', notification: OrderPlacedNotification })
export class OrderPlacedWebhookEvent extends WebhookEventBase<OrderPlacedNotification> {
  override convertNotificationToRequestPayload(notification: OrderPlacedNotification, _context: PayloadContext): unknown {
    return orderPlacedPayload(notification.order);
  }
}

/** `commerce.orderRefunded` — one request per refund. */
@WebhookEvent('Order Refunded', WebhookEventTypes.Other, { alias: 'commerce.orderRefunded', notification: OrderRefundedNotification })
export class OrderRefundedWebhookEvent extends WebhookEventBase<OrderRefundedNotification> {
  override convertNotificationToRequestPayload(notification: OrderRefundedNotification, _context: PayloadContext): unknown {
    return orderRefundedPayload(notification.order, notification.refund);
  }
}

/**
 * `commerce.orderShipped` — one request per shipped order, though the shop publishes a batch:
 * receivers (a mailer, a tracking page) deal with one order at a time.
 */
@WebhookEvent('Order Shipped', WebhookEventTypes.Other, { alias: 'commerce.orderShipped', notification: OrdersShippedNotification })
export class OrderShippedWebhookEvent extends WebhookEventContentBase<OrdersShippedNotification, Shipment> {
  getEntitiesFromNotification(notification: OrdersShippedNotification): Iterable<Shipment> {
    return notification.shipments;
  }

  convertEntityToRequestPayload(shipment: Shipment, _context: PayloadContext): unknown {
    return orderShippedPayload(shipment);
  }
}
