import type { Order, Refund, Shipment } from './order';

// The payload converters: what receivers get. Plain data only (hookwork serialises it when the
// event fires), amounts as decimal strings so no receiver meets a float rounding error, and
// nothing personal: receivers that need the customer's details ask the shop's API by id.

/** `1999, 'EUR'` → `{ amount: '19.99', currency: 'EUR' }`. */
export function money(minorUnits: number, currency: string): { amount: string; currency: string } {
  return { amount: (minorUnits / 100).toFixed(2), currency };
}

/** The body of `commerce.orderPlaced`. */
export function orderPlacedPayload(order: Order) {
  const total = order.lines.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0);
  return {
    id: order.id,
    number: order.number,
    placedAt: order.placedAt.toISOString(),
    customerId: order.customer.id,
    total: money(total, order.currency),
    lines: order.lines.map((line) => ({ sku: line.sku, quantity: line.quantity, unitPrice: money(line.unitPrice, order.currency) })),
  };
}

/** The body of `commerce.orderRefunded`. */
export function orderRefundedPayload(order: Order, refund: Refund) {
  return { orderId: order.id, refundId: refund.id, refunded: money(refund.amount, order.currency), reason: refund.reason };
}

/** The body of one `commerce.orderShipped` request. */
export function orderShippedPayload(shipment: Shipment) {
  return { orderId: shipment.order.id, carrier: shipment.carrier, trackingNumber: shipment.trackingNumber };
}
