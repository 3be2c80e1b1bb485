/**
 * @hookwork/plugin-cockpit — Cockpit CMS (v1) webhooks on hookwork: Cockpit's event catalogue
 * (`addCockpit()`), its trigger (`cockpitHost(app).trigger(...)`), its payload envelope
 * `{ event, hook, backend, args }` and its webhook shape (`cockpitWebhooks(app)`), delivered
 * by hookwork: durable, retried, logged, signed when a secret is set, TLS verified.
 * Built only on @hookwork/core's public API.
 */
export * from './cockpit-event-definition';
export * from './cockpit-event-notification';
export * from './cockpit-envelope';
export * from './cockpit-webhook-event';
export * from './define-cockpit-event';
export * from './redact-credentials';
export * from './cockpit-event-table';
export * from './cockpit-events';
export * from './cockpit-catalogue';
export { COCKPIT_PACKAGE, CockpitEventsBuilder, cockpitExtension } from './add-cockpit';
export * from './cockpit-composer';
export * from './cockpit-host';
export * from './cockpit-webhook-schema';
export * from './cockpit-webhooks';
export { COCKPIT_ERRORS } from './cockpit-errors';
