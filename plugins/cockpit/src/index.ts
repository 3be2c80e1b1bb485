/**
 * @hookwork/plugin-cockpit — Cockpit CMS (v1) webhooks on hookwork: Cockpit's event catalogue
 * (`addCockpit()`), its trigger (`cockpitHost(app).trigger(...)`), its payload envelope
 * `{ event, hook, backend, args }` and its webhook shape (`cockpitWebhooks(app)`), delivered
 * by hookwork: durable, retried, logged, signed when a secret is set, TLS verified.
 * Built only on @hookwork/core's public API.
 */
export {
  type CockpitArgsRedactor,
  type CockpitEventArgument,
  type CockpitEventDefinition,
  type CockpitEventGroup,
  CockpitEventGroups,
  namespaceOf,
} from './cockpit-event-definition';
export { CockpitEventNotification, type CockpitEventNotificationType } from './cockpit-event-notification';
export { type CockpitEnvelope } from './cockpit-envelope';
export { type CockpitEventClass, CockpitWebhookEvent } from './cockpit-webhook-event';
export { defineCockpitEvent, pascalCaseOf } from './define-cockpit-event';
export { redactCredentials, redactDeep, SENSITIVE_KEY } from './redact-credentials';
export { COCKPIT_EVENT_TABLE, type CockpitEventName } from './cockpit-event-table';
export {
  CockpitAssetsSaveCockpitEvent,
  CockpitEvents,
  CockpitMediaUploadCockpitEvent,
  CollectionsRemoveAfterCockpitEvent,
  CollectionsSaveAfterCockpitEvent,
  FormsSaveAfterCockpitEvent,
  SingletonSaveDataAfterCockpitEvent,
} from './cockpit-events';
export {
  CockpitCatalogue,
  CockpitCatalogueToken,
  type CockpitEventInfo,
  CockpitOptionsToken,
  type CockpitPluginOptions,
} from './cockpit-catalogue';
export { COCKPIT_PACKAGE, CockpitEventsBuilder, cockpitExtension } from './add-cockpit';
export { cockpitComposer, type CockpitComposerOptions } from './cockpit-composer';
export {
  cockpitHost,
  type CockpitHost,
  type CockpitHostOptions,
  type CockpitTriggerName,
  type CockpitTriggerOptions,
} from './cockpit-host';
export { type CockpitHeader, type CockpitWebhookInput, cockpitWebhookInputSchema } from './cockpit-webhook-schema';
export { cockpitWebhooks, type CockpitWebhooks, type CockpitWebhookView, toCockpitWebhook } from './cockpit-webhooks';
export { COCKPIT_ERRORS } from './cockpit-errors';
