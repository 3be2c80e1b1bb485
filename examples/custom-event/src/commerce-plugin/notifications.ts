import { HookworkError } from '@hookwork/core';
import type { Order, Refund, Shipment } from './order';

// The shop publishes these with `app.publish(new OrderPlacedNotification(order))`. Each is its
// own class because hookwork routes a notification by its exact class. A wrong shape is refused
// when the shop creates the notification, not later inside a webhook event.

/** What a value is, for an error message: never JSON.stringify, which throws on a cycle or a BigInt. */
function describe(value: unknown): string {
  // undefined and null said once (`${typeof value} ${value}` wrote "undefined undefined"); a function by its name, not its source.
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'function') return `a function (${value.name || 'anonymous'})`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 40))}`;
  return typeof value === 'object' ? `an object with ${Object.keys(value).slice(0, 5).join(', ') || 'no fields'}` : `a ${typeof value} ${String(value).slice(0, 40)}`;
}

const isMinorUnits = (value: unknown) => Number.isSafeInteger(value);

/** The first thing the payload converters would trip on, or undefined when the order is usable. */
function orderProblem(order: Order): string | undefined {
  if (!order || typeof order !== 'object') return `order must be an Order; got ${describe(order)}`;
  if (typeof order.id !== 'string' || order.id === '') return `order.id must be a non-empty string; got ${describe(order.id)}`;
  if (typeof order.number !== 'string') return `order.number must be a string; got ${describe(order.number)}`;
  if (typeof order.currency !== 'string' || !/^[A-Z]{3}$/.test(order.currency)) return `order.currency must be an ISO 4217 code such as "EUR"; got ${describe(order.currency)}`;
  if (!order.customer || typeof order.customer.id !== 'string') return `order.customer.id must be a string; got ${describe(order.customer?.id)}`;
  if (!(order.placedAt instanceof Date) || Number.isNaN(order.placedAt.getTime())) return `order.placedAt must be a valid Date; got ${describe(order.placedAt)}`;
  if (!Array.isArray(order.lines)) return `order.lines must be an array; got ${describe(order.lines)}`;
  for (const [index, line] of order.lines.entries()) {
    if (!line || typeof line.sku !== 'string' || !Number.isSafeInteger(line.quantity) || !isMinorUnits(line.unitPrice)) {
      return `order.lines[${index}] must be { sku: string, quantity: integer, unitPrice: integer in minor units }; got ${describe(line)}`;
    }
  }
  return undefined;
}

function requireOrder(order: Order, where: string): void {
  const problem = orderProblem(order);
  if (problem) throw new HookworkError('HOOKWORK_ERR_INVALID_NOTIFICATION', `${where}: ${problem}`);
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
    if (!refund || typeof refund.id !== 'string' || !isMinorUnits(refund.amount) || typeof refund.reason !== 'string') {
      throw new HookworkError('HOOKWORK_ERR_INVALID_NOTIFICATION', `new OrderRefundedNotification(order, refund): refund must be { id: string, amount: integer in minor units, reason: string }; got ${describe(refund)}`);
    }
  }
}

/** Orders were handed to carriers — a shop ships in batches, so one notification carries several. */
export class OrdersShippedNotification {
  constructor(readonly shipments: readonly Shipment[]) {
    if (!Array.isArray(shipments)) {
      throw new HookworkError('HOOKWORK_ERR_INVALID_NOTIFICATION', `new OrdersShippedNotification(shipments): shipments must be an array; got ${describe(shipments)}`);
    }
    for (const [index, shipment] of shipments.entries()) {
      const where = `new OrdersShippedNotification(shipments): shipments[${index}]`;
      if (!shipment || typeof shipment.carrier !== 'string' || typeof shipment.trackingNumber !== 'string') {
        throw new HookworkError('HOOKWORK_ERR_INVALID_NOTIFICATION', `${where} must be { order, carrier: string, trackingNumber: string }; got ${describe(shipment)}`);
      }
      requireOrder(shipment.order, where);
    }
  }
}
