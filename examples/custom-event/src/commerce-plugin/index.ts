/**
 * A small commerce plugin for hookwork, as a third party would publish it (here it lives
 * inside the example; as a package it would be `@acme/hookwork-commerce`): order notifications,
 * their webhook events and payloads, and `addCommerce()` on the collection builder. Built only on
 * @hookwork/core's public API.
 */
export * from './order';
export * from './notifications';
export * from './payloads';
export * from './events';
export * from './add-commerce';
export * from './commerce-composer';
