/**
 * @hookwork/core — the composer core, webhook events, firing service, delivery engine and
 * storage ports of hookwork. Hosts import `reflect-metadata` once at their entry point.
 */
export * from './errors/error-codes';
export * from './errors/hookwork-error';

export * from './runtime/tokens';
export * from './observability/logger';
export * from './runtime/clock';
export * from './runtime/server-role';
export * from './observability/lifecycle-events';
export * from './observability/lifecycle-token';

export * from './model/page';
export * from './model/webhook-request';
export * from './model/delivery-log-entry';

export * from './settings/settings';
export * from './settings/time-span';
export * from './settings/resolve-settings';
export * from './settings/load-settings';

export * from './events/notification';
export * from './events/webhook-event-types';
export * from './events/webhook-event.decorator';
export * from './events/webhook-event-dependencies';
export * from './events/webhook-event-base';
export * from './events/webhook-event-content-base';
export * from './events/notification-bus';

export * from './composition/composer';
export * from './composition/collection-extension';
export { WebhookEventCollectionBuilder, type ExtensionOwner } from './composition/webhook-event-collection-builder';
export * from './composition/webhooks-builder';
export * from './events/webhook-event-catalogue';
export * from './composition/create-hookwork';

export * from './firing/webhook-firing-service';

export * from './model/webhook';
export * from './management/webhook-input-schema';
export * from './management/webhook-service';

export * from './ports/webhook-repository';
export * from './ports/request-queue';
export * from './ports/delivery-log';
export * from './ports/storage-backend';
export * from './storage/memory/memory-storage';

export * from './ports/transport';
export * from './delivery/signing';
export * from './delivery/delivery-engine';
export * from './delivery/delivery-options';
export * from './delivery/transport/ssrf-guard';
export * from './delivery/transport/http-transport';
export * from './delivery/backoff';
export { buildRequestHeaders, redactHeaders, SIGNATURE_HEADERS } from './delivery/request-headers';
export { endpointOf } from './delivery/engine/dispatcher';
export type { CleanupResult } from './delivery/log-cleanup';
export { TEST_EVENT_HEADER } from './delivery/request-headers';
export * from './events/webhook-event-resolver';
