import { HookworkError, defineCollectionExtension, shownValue, unknownOption } from '@hookwork/core';
import { OrderPlacedWebhookEvent, OrderRefundedWebhookEvent, OrderShippedWebhookEvent } from './events';

/** The plugin's npm name, as errors name it. */
export const COMMERCE_PACKAGE = '@acme/hookwork-commerce';

/** Options of `addCommerce()`. Orders placed are always added. */
export interface AddCommerceOptions {
  /** Add `commerce.orderRefunded` (default true). */
  refunds?: boolean;
  /** Add `commerce.orderShipped` (default true). */
  shipping?: boolean;
}

// The type of the contributed method: module augmentation of core's builder, the TypeScript
// analogue of a C# extension method. The method itself exists only on the builder of an app
// that composed commerceComposer(): a type-only import can't make it appear anywhere else.
declare module '@hookwork/core' {
  interface WebhookEventCollectionBuilder {
    /**
     * Adds the commerce events (contributed by @acme/hookwork-commerce; compose
     * commerceComposer() first): orders placed, and unless turned off refunds and shipping.
     */
    addCommerce(options?: AddCommerceOptions): this;
  }
}

function flag(options: AddCommerceOptions, key: keyof AddCommerceOptions): boolean {
  const value = options[key];
  if (value === undefined) return true;
  if (typeof value !== 'boolean') {
    throw new HookworkError('HOOKWORK_ERR_INVALID_ARGUMENT', `addCommerce({ ${key} }): ${key} must be true or false; got ${shownValue(value)}`);
  }
  return value;
}

/** The `addCommerce()` builder method; installed on an app's builder by commerceComposer(). */
export const commerceExtension = defineCollectionExtension(
  COMMERCE_PACKAGE,
  {
    addCommerce(options: AddCommerceOptions = {}) {
      if (options === null || typeof options !== 'object') {
        throw new HookworkError('HOOKWORK_ERR_INVALID_ARGUMENT', `addCommerce(options) takes an options object such as { refunds: false }; got ${shownValue(options)}`);
      }
      // A misspelt option from plain JavaScript ({ refund: false }) would be ignored: name it instead.
      const unknown = unknownOption(options, ['refunds', 'shipping']);
      if (unknown) throw new HookworkError('HOOKWORK_ERR_INVALID_ARGUMENT', `addCommerce(options): ${unknown.text}`);
      const refunds = flag(options, 'refunds');
      const shipping = flag(options, 'shipping');
      this.add(OrderPlacedWebhookEvent);
      if (refunds) this.add(OrderRefundedWebhookEvent);
      if (shipping) this.add(OrderShippedWebhookEvent);
      return this;
    },
  },
  { composerHint: 'commerceComposer()' },
);
