/**
 * @hookwork/core — the composer core, webhook events, firing, delivery, management and the
 * storage and queue ports of hookwork. It loads `reflect-metadata` itself.
 *
 * Everything here is exported by name on purpose: this list is the public surface, checked
 * against the API report in `packages/core/api/core.api.md` by `npm test`.
 */
import 'reflect-metadata';

// Errors
export { nearestName, otherNameIn, unknownOption } from './errors/nearest-name';
export { CORE_ERRORS, HookworkError, defineErrorCodes, isHookworkError, messageWithoutCode, shownValue, type ErrorCatalogue, type HookworkErrorOptions, type PluginErrorCode } from './errors/hookwork-error';
export { SHOWN_ITEMS, shownList, type ShownListOptions } from './errors/shown-list';
export { ERROR_CODES, type ErrorCodeDefinition, type HookworkErrorCode } from './errors/error-codes';
export { CLI_USAGE_EXIT_CODE, cliArgumentError, printCliError } from './cli/command-line-refusal';

// Runtime: tokens, clock, server role
export { createToken, resolveToken, type Token } from './runtime/tokens';
export { ClockToken, systemClock, type Clock } from './runtime/clock';
export { ServerRoleAccessorToken, fixedServerRole, type ServerRole, type ServerRoleAccessor } from './runtime/server-role';

// Observability
export { LoggerToken, consoleLogger, guardedLogger, pinoLogger, silentLogger, type Logger, type MergingObjectLogger } from './observability/logger';
export { LifecycleEmitter, LifecycleToken, type AttemptInfo, type AuditRecord, type LifecycleEvents, type LifecycleListenerFailure, type LifecycleReporter, type RequestInfo, type WebhookDisabledInfo } from './observability/lifecycle-events';
export { OPERATOR_EVENT_TYPES, type OperatorEvent, type OperatorEventOf, type OperatorEventType } from './observability/operator-events';
export { BREAKER_STATE_VALUES, DEFERRAL_REASON_LABELS, DEFERRAL_REASONS, DROP_REASON_LABELS, DROP_REASONS, HookworkMetrics, type MetricsScrape, type MetricsSources } from './observability/metrics';
export { TRACER_NAME, TracerToken, formatTraceparent, formatTracestate, parseTraceparent, restoreTraceContext, storedTraceContext } from './observability/tracing';

// Model
export {
  REDACTED,
  type CloudEventsWebhookFormat,
  type FifoDeadLetterPolicy,
  type JsonWebhookFormat,
  type Webhook,
  type WebhookBreakerOptions,
  type WebhookFifo,
  type WebhookFormat,
  type WebhookRateLimit,
  type WebhookSecret,
  type WebhookSecretView,
  type WebhookView,
} from './model/webhook';
export { webhookInfo, type WebhookInfo, type WebhookInfoSource } from './model/webhook-info';
export { checkUrl, HEADER_NAME_RULE, HEADER_VALUE_RULE, headerNameProblem, headerValueProblem, printableField, type UrlCheck } from './model/wire-rules';
export { maskCredentials, maskUrlCredentials, misreadConnectionString } from './model/url-credentials';
export { duplicateJsonKeys } from './model/json-duplicate-keys';
export { isPlainObject, nonPlainObjects, nonPlainProblem, objectKind, valueKind, type NonPlainObject, type PlainObjectSchema } from './model/plain-object';
export { readOrRefuse } from './model/caller-input';
export type { BreakerState, WebhookHealth } from './model/webhook-health';
export type { NewWebhookRequest, RequestState, WebhookRequest } from './model/webhook-request';
export { leasedRequest } from './model/webhook-request';
export { copyWebhook } from './storage/memory/clone-data';
export { webhookFromJson, webhookToJson } from './storage/webhook-json';
export type { DeliveryErrorKind, DeliveryLogEntry, DeliveryOutcome } from './model/delivery-log-entry';
export type { CursorPageRequest, ListPosition, Page, PageRequest, PositionedPage } from './model/page';
export { invalidPositionError, positionSequence, type CursorListing } from './model/list-cursor';

export { HOOKWORK_PRODUCT, HOOKWORK_VERSION } from './runtime/version';

// Settings
export {
  HEADER_STYLES,
  SettingsToken,
  defaultSettings,
  type BreakerSettings,
  type DeepPartial,
  type DeepReadonly,
  type DurationInput,
  type HeaderStyle,
  type HookworkSettings,
  type HookworkSettingsInput,
  type PayloadType,
  type SettingsAccessor,
} from './settings/settings';
export { MAX_TIMER_MS, resolveSettings, settingsInputSchema } from './settings/resolve-settings';
export { loadSettings, type LoadSettingsOptions } from './settings/load-settings';
export { durationAdvice, parseDuration } from './settings/time-span';

// Ports
export { WebhookRepositoryToken, type WebhookListQuery, type WebhookRepository } from './ports/webhook-repository';
export { setOwn } from './runtime/own-property';
export { RequestQueueToken, claimBoundCounter, type ClaimOptions, type EnqueueClaim, type EnqueueClaimedResult, type EnqueueOptions, type EnqueueResult, type QueueCounts, type RedeliverSelector, type RequestQueue } from './ports/request-queue';
export { DeliveryLogToken, STATUS_CLASS_RANGES, statusClassCondition, statusClassOf, type DeliveryLog, type DeliveryLogListQuery, type DeliveryLogPage, type DeliveryLogQuery, type StatusClass } from './ports/delivery-log';
export type { Storage, StorageBackend, StorageCapabilities, StorageContext } from './ports/storage-backend';
export {
  WebhookHealthStoreToken,
  gcraStep,
  type HealthWindow,
  type TokenGrant,
  type TokenRate,
  type WebhookHealthRecord,
  type WebhookHealthState,
  type WebhookHealthStore,
} from './ports/webhook-health-store';
export {
  QueueEngineToken,
  type DeadLetterListQuery,
  type DeadLetterQuery,
  type DeliveryHandler,
  type DeliveryVerdict,
  type EngineEnqueueOptions,
  type LeaseLapse,
  type QueueCountsQuery,
  type QueueEngine,
  type QueueEngineCapabilities,
  type QueueEngineContext,
  type QueueEngineProvider,
  type Settlement,
} from './ports/queue-engine';
export { TransportToken, type OutgoingRequest, type SendOptions, type Transport, type TransportResponse, type TransportResult } from './ports/transport';
export { DEFAULT_MEMORY_LOG_ENTRIES, memoryStorage, MemoryWebhookHealthStore, type MemoryStorageOptions } from './storage/memory/memory-storage';

// Events
export type { NotificationType } from './events/notification';
export { WebhookEventTypes, type WebhookEventType } from './events/webhook-event-types';
export { WebhookEvent, getWebhookEventMetadata, isWebhookEventClass, type WebhookEventClass, type WebhookEventMetadata, type WebhookEventOptions } from './events/webhook-event.decorator';
export { WebhookEventDependencies } from './events/webhook-event-dependencies';
export { inject, injectable } from './events/injection-decorators';
export { SubscribedWebhooks } from './events/subscribed-webhooks';
export type { JsonSchema, PayloadDescriptionContext } from './events/payload-description';
export { WebhookEventBase, type PayloadContext, type PublishOptions, type WebhookEventOptionsBag, type WebhookSubscription } from './events/webhook-event-base';
export { WebhookEventContentBase } from './events/webhook-event-content-base';
export { WebhookEventCatalogue, type WebhookEventDescriptor, type WebhookEventEntry } from './events/webhook-event-catalogue';
export {
  BreakerClosedOperatorEvent,
  BreakerOpenedOperatorEvent,
  OPERATOR_WEBHOOK_EVENTS,
  OperatorNotification,
  OperatorWebhookEventBase,
  RequestExhaustedOperatorEvent,
  WebhookDisabledOperatorEvent,
  WebhookRecoveredOperatorEvent,
  operatorPayload,
} from './events/operator-webhook-events';

// Firing
export { WebhookFiringService, newMessageId, type FireOptions, type FireRequest } from './firing/webhook-firing-service';
export { isKeyedMessageId, keyedMessageId, MAX_IDEMPOTENCY_KEY_LENGTH } from './firing/idempotency-key';
export { jsonFailure } from './firing/json-failure';
export { findJsonLoss, type FindJsonLossOptions, type JsonLoss } from './firing/json-losses';
export { EnqueueGate } from './firing/enqueue-gate';

// Delivery
export { generateSecret, signingSecretProblem, signPayload, signatureHeader } from './delivery/signing';
export { BODY_HEADERS, CLOUD_EVENTS_HEADERS, FRAMEWORK_HEADERS, MAX_CUSTOM_HEADER_BYTES, SIGNATURE_HEADERS, TEST_EVENT_HEADER } from './model/framework-headers';
export { CLOUD_EVENTS_CONTENT_TYPE, CLOUD_EVENTS_MAX_ENVELOPE_BYTES, CLOUD_EVENTS_SPEC_VERSION, MAX_CLOUD_EVENTS_SUBJECT_LENGTH } from './delivery/cloud-events';
export { parseRetryAfter, retryDelay, nextAttemptDelay } from './delivery/backoff';
export { decideRetry, isRetryableStatus, type RetryDecision, type RetryPolicyInput, type RetryPolicySettings } from './delivery/retry-policy';
export { DeliveryOptionsToken, type BeforeSendContext, type BeforeSendHook, type BeforeSendRequest, type DeliveryOptions } from './delivery/delivery-options';
export { createHttpTransport, type DeliveryTlsOptions, type HttpTransport, type HttpTransportOptions } from './delivery/transport/http-transport';
export { createUndiciTransport, type UndiciTransport, type UndiciTransportOptions } from './delivery/transport/undici-transport';
export type { TransportChoice, TransportContext, TransportFactory, TransportName } from './delivery/transport/transport-choice';
export type { HostResolver, ResolvedAddress, SsrfPolicySource } from './delivery/transport/ssrf-guard';
export type { CleanupResult } from './delivery/log-cleanup';
export { pollingQueue } from './delivery/engine/polling-engine';
export type { WebhookHealthMonitor, WebhookHealthMonitorDeps, DeliveryAdmission } from './delivery/health/webhook-health-monitor';
export type { HealthPolicy, HoldReason } from './delivery/health/health-policy';

// Management
export type { Management, RedeliverResult } from './management/management-service';
export type { CreatedWebhook, RotatedSecret, WebhookInputProblem, Webhooks } from './management/webhook-service';
export { isEntityTag, webhookEtag, type WebhookChangedDetails, type WebhookPrecondition } from './management/webhook-precondition';
export { invalidWebhookError, MAX_NAMED_PROBLEMS } from './management/webhook-refusal';
export { STORABLE_TEXT_PATTERN, WEBHOOK_HEADERS_INPUT, WEBHOOK_KEY_PATTERN, WEBHOOK_SECRET_INPUT, webhookInputSchema, type WebhookBreakerInput, type WebhookHeaderInput, type WebhookInput, type WebhookPatch } from './management/webhook-input-schema';
export { patternProblem } from './management/pattern-problem';
export { enumProblem } from './management/enum-problem';
export { headerInputProblem } from './management/header-input-problem';
export {
  DELIVERY_ERROR_KINDS,
  DELIVERY_OUTCOMES,
  STATUS_CLASSES,
  cleanupResultSchema,
  createdWebhookSchema,
  deliveryLogEntrySchema,
  pageSchema,
  queueCountsSchema,
  rotatedSecretSchema,
  testEventResultSchema,
  webhookEventDescriptorSchema,
  webhookHealthSchema,
  webhookRequestSchema,
  webhookSecretViewSchema,
  webhookViewSchema,
} from './management/view-schemas';
export type { TestEventResult } from './management/test-send';
export {
  CATALOGUE_PAYLOAD_PREFIX,
  createCatalogueDocument,
  type CatalogueDocument,
  type CatalogueDocumentOptions,
  type CatalogueEventInfo,
  type CatalogueOperation,
  type CatalogueSource,
} from './management/catalogue-document';

// Composition
export type { Composer, ComposerLike } from './composition/composer';
export { defineCollectionExtension, type CollectionExtension, type CollectionExtensionMethod } from './composition/collection-extension';
export { assertSynchronousComposition } from './composition/synchronous-composition';
export { WebhookEventCollectionBuilder, type ExtensionOwner } from './composition/webhook-event-collection-builder';
export { SettingsBuilder, WebhooksBuilder } from './composition/webhooks-builder';
export { createHookwork, type HookworkOptions } from './composition/create-hookwork';
export { operatorEventsComposer } from './composition/operator-events-composer';
export type { Hookwork, HookworkState, PublishResult } from './composition/hookwork-app';
export { DEFAULT_DRAIN_TIMEOUT_MS, type DrainOptions } from './composition/drain';
