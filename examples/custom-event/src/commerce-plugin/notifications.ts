import { HookworkError } from '@hookwork/core';
import type { Order, Refund, Shipment } from './order';

// The shop publishes these with `app.publish(new OrderPlacedNotification(order))`. Each is its
// own class because hookwork routes a notification by its exact class. A wrong shape is refused
// when the shop creates the notification, not later inside a webhook event.

function requireOrder(order: Order, where: string): void {
  if (!order || typeof order.id !== 'string' || !Array.isArray(order.lines)) {
    throw new HookworkError('HOOKWORK_ERR_INVALID_NOTIFICATION', `${where}: order must be an Order with an id and lines; got ${JSON.stringify(order)}`);
  }
}

/** A customer placed an order. */
export class OrderPlacedNotification {
  constructor(readonly order: Order) {
    requireOrder(order, 'new OrderPlacedNotification(order)');
  }
}

/** An order was (partly) refunded. */
export class OrderRefundedNotification {
  constructor(
    readonly order: Order,
    readonly refund: Refund,
  ) {
    requireOrder(order, 'new OrderRefundedNotification(order, refund)');
  }
}

/** Orders were handed to carriers — a shop ships in batches, so one notification carries several. */
export class OrdersShippedNotification {
  constructor(readonly shipments: readonly Shipment[]) {
    if (!Array.isArray(shipments)) {
      throw new HookworkError('HOOKWORK_ERR_INVALID_NOTIFICATION', `new OrdersShippedNotification(shipments): shipments must be an array; got ${typeof shipments}`);
    }
    for (const shipment of shipments) requireOrder(shipment.order, 'new OrdersShippedNotification(shipments)');
  }
}
