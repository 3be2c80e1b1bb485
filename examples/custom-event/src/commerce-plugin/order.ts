/** One line of an order. Prices are integers in the currency's minor unit (cents), as shops keep them. */
export interface OrderLine {
  sku: string;
  quantity: number;
  /** Price of one item in minor units (`1999` = 19.99). */
  unitPrice: number;
}

/**
 * An order as the commerce plugin needs it; a shop maps its own model to this. The customer's
 * e-mail is here for the shop's own use: the payload converters never send it.
 */
export interface Order {
  id: string;
  /** The number printed on the invoice (`2024-0042`). */
  number: string;
  /** ISO 4217 code (`EUR`). */
  currency: string;
  customer: { id: string; email: string };
  lines: readonly OrderLine[];
  placedAt: Date;
}

/** A refund of (part of) an order, in minor units. */
export interface Refund {
  id: string;
  amount: number;
  reason: string;
}

/** An order handed to a carrier. */
export interface Shipment {
  order: Order;
  carrier: string;
  trackingNumber: string;
}
