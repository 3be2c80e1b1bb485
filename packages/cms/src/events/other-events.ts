import { WebhookEventTypes } from '@hookwork/core';
import {
  DataTypeDeletedNotification,
  DataTypeMovedNotification,
  DataTypeSavedNotification,
  DictionaryItemDeletedNotification,
  DictionaryItemSavedNotification,
  DomainDeletedNotification,
  DomainSavedNotification,
  HealthCheckCompletedNotification,
  ImportedPackageNotification,
  LanguageDeletedNotification,
  LanguageSavedNotification,
  PublicAccessEntryDeletedNotification,
  PublicAccessEntrySavedNotification,
  RelationDeletedNotification,
  RelationSavedNotification,
  RelationTypeDeletedNotification,
  RelationTypeSavedNotification,
} from '../notifications/other-notifications';
import { objectPayload } from '../payloads/payload-variants';
import { idShape } from '../payloads/content-shapes';
import { dataTypeMovedShape, dataTypeShape, dictionaryItemShape, domainShape, healthCheckMinimalShape, legacyHealthCheckShape, languageShape, moveMinimalShape, packageMinimalShape, packageShape, publicAccessEntryShape, relationShape, relationTypeShape } from '../payloads/other-shapes';
import { defineCmsEvent } from './define-cms-event';
import { defineOtherListEvent } from './other-event';

// Data types, dictionary, domains, languages, health checks, packages, public access, relations
// and relation types. Each subscribes to its own notification: Umbraco 13–15 wired DataTypeDeleted
// to the data type *saved* notification.

/** `dataTypeDeleted` (Data Type Deleted). */
export const DataTypeDeletedWebhookEvent = defineOtherListEvent('DataTypeDeletedWebhookEvent', 'Data Type Deleted', 'dataTypeDeleted', DataTypeDeletedNotification, (n) => n.deletedEntities, idShape, dataTypeShape);
/** An instance of {@link DataTypeDeletedWebhookEvent}. */
export type DataTypeDeletedWebhookEvent = InstanceType<typeof DataTypeDeletedWebhookEvent>;

/** `dataTypeMoved` (Data Type Moved). */
export const DataTypeMovedWebhookEvent = defineOtherListEvent('DataTypeMovedWebhookEvent', 'Data Type Moved', 'dataTypeMoved', DataTypeMovedNotification, (n) => n.moveInfos, moveMinimalShape, dataTypeMovedShape);
/** An instance of {@link DataTypeMovedWebhookEvent}. */
export type DataTypeMovedWebhookEvent = InstanceType<typeof DataTypeMovedWebhookEvent>;

/** `dataTypeSaved` (Data Type Saved). */
export const DataTypeSavedWebhookEvent = defineOtherListEvent('DataTypeSavedWebhookEvent', 'Data Type Saved', 'dataTypeSaved', DataTypeSavedNotification, (n) => n.savedEntities, idShape, dataTypeShape);
/** An instance of {@link DataTypeSavedWebhookEvent}. */
export type DataTypeSavedWebhookEvent = InstanceType<typeof DataTypeSavedWebhookEvent>;

/** `dictionaryItemDeleted` (Dictionary Item Deleted). */
export const DictionaryItemDeletedWebhookEvent = defineOtherListEvent('DictionaryItemDeletedWebhookEvent', 'Dictionary Item Deleted', 'dictionaryItemDeleted', DictionaryItemDeletedNotification, (n) => n.deletedEntities, idShape, dictionaryItemShape);
/** An instance of {@link DictionaryItemDeletedWebhookEvent}. */
export type DictionaryItemDeletedWebhookEvent = InstanceType<typeof DictionaryItemDeletedWebhookEvent>;

/** `dictionaryItemSaved` (Dictionary Item Saved). */
export const DictionaryItemSavedWebhookEvent = defineOtherListEvent('DictionaryItemSavedWebhookEvent', 'Dictionary Item Saved', 'dictionaryItemSaved', DictionaryItemSavedNotification, (n) => n.savedEntities, idShape, dictionaryItemShape);
/** An instance of {@link DictionaryItemSavedWebhookEvent}. */
export type DictionaryItemSavedWebhookEvent = InstanceType<typeof DictionaryItemSavedWebhookEvent>;

/** `domainDeleted` (Domain Deleted). */
export const DomainDeletedWebhookEvent = defineOtherListEvent('DomainDeletedWebhookEvent', 'Domain Deleted', 'domainDeleted', DomainDeletedNotification, (n) => n.deletedEntities, idShape, domainShape);
/** An instance of {@link DomainDeletedWebhookEvent}. */
export type DomainDeletedWebhookEvent = InstanceType<typeof DomainDeletedWebhookEvent>;

/** `domainSaved` (Domain Saved). */
export const DomainSavedWebhookEvent = defineOtherListEvent('DomainSavedWebhookEvent', 'Domain Saved', 'domainSaved', DomainSavedNotification, (n) => n.savedEntities, idShape, domainShape);
/** An instance of {@link DomainSavedWebhookEvent}. */
export type DomainSavedWebhookEvent = InstanceType<typeof DomainSavedWebhookEvent>;

/** `languageDeleted` (Language Deleted). */
export const LanguageDeletedWebhookEvent = defineOtherListEvent('LanguageDeletedWebhookEvent', 'Language Deleted', 'languageDeleted', LanguageDeletedNotification, (n) => n.deletedEntities, idShape, languageShape);
/** An instance of {@link LanguageDeletedWebhookEvent}. */
export type LanguageDeletedWebhookEvent = InstanceType<typeof LanguageDeletedWebhookEvent>;

/** `languageSaved` (Language Saved). */
export const LanguageSavedWebhookEvent = defineOtherListEvent('LanguageSavedWebhookEvent', 'Language Saved', 'languageSaved', LanguageSavedNotification, (n) => n.savedEntities, idShape, languageShape);
/** An instance of {@link LanguageSavedWebhookEvent}. */
export type LanguageSavedWebhookEvent = InstanceType<typeof LanguageSavedWebhookEvent>;

/** `publicAccessEntryDeleted` (Public Access Entry Deleted). */
export const PublicAccessEntryDeletedWebhookEvent = defineOtherListEvent('PublicAccessEntryDeletedWebhookEvent', 'Public Access Entry Deleted', 'publicAccessEntryDeleted', PublicAccessEntryDeletedNotification, (n) => n.deletedEntities, idShape, publicAccessEntryShape);
/** An instance of {@link PublicAccessEntryDeletedWebhookEvent}. */
export type PublicAccessEntryDeletedWebhookEvent = InstanceType<typeof PublicAccessEntryDeletedWebhookEvent>;

/** `publicAccessEntrySaved` (Public Access Entry Saved). */
export const PublicAccessEntrySavedWebhookEvent = defineOtherListEvent('PublicAccessEntrySavedWebhookEvent', 'Public Access Entry Saved', 'publicAccessEntrySaved', PublicAccessEntrySavedNotification, (n) => n.savedEntities, idShape, publicAccessEntryShape);
/** An instance of {@link PublicAccessEntrySavedWebhookEvent}. */
export type PublicAccessEntrySavedWebhookEvent = InstanceType<typeof PublicAccessEntrySavedWebhookEvent>;

/** `relationDeleted` (Relation Deleted). */
export const RelationDeletedWebhookEvent = defineOtherListEvent('RelationDeletedWebhookEvent', 'Relation Deleted', 'relationDeleted', RelationDeletedNotification, (n) => n.deletedEntities, idShape, relationShape);
/** An instance of {@link RelationDeletedWebhookEvent}. */
export type RelationDeletedWebhookEvent = InstanceType<typeof RelationDeletedWebhookEvent>;

/** `relationSaved` (Relation Saved). */
export const RelationSavedWebhookEvent = defineOtherListEvent('RelationSavedWebhookEvent', 'Relation Saved', 'relationSaved', RelationSavedNotification, (n) => n.savedEntities, idShape, relationShape);
/** An instance of {@link RelationSavedWebhookEvent}. */
export type RelationSavedWebhookEvent = InstanceType<typeof RelationSavedWebhookEvent>;

/** `relationTypeDeleted` (Relation Type Deleted). */
export const RelationTypeDeletedWebhookEvent = defineOtherListEvent('RelationTypeDeletedWebhookEvent', 'Relation Type Deleted', 'relationTypeDeleted', RelationTypeDeletedNotification, (n) => n.deletedEntities, idShape, relationTypeShape);
/** An instance of {@link RelationTypeDeletedWebhookEvent}. */
export type RelationTypeDeletedWebhookEvent = InstanceType<typeof RelationTypeDeletedWebhookEvent>;

/** `relationTypeSaved` (Relation Type Saved). */
export const RelationTypeSavedWebhookEvent = defineOtherListEvent('RelationTypeSavedWebhookEvent', 'Relation Type Saved', 'relationTypeSaved', RelationTypeSavedNotification, (n) => n.savedEntities, idShape, relationTypeShape);
/** An instance of {@link RelationTypeSavedWebhookEvent}. */
export type RelationTypeSavedWebhookEvent = InstanceType<typeof RelationTypeSavedWebhookEvent>;

/** `healthCheckCompleted` (Health Check Completed) — the outcome of a scheduled health check run. */
export const HealthCheckCompletedWebhookEvent = defineCmsEvent({
  kind: 'notification',
  className: 'HealthCheckCompletedWebhookEvent',
  name: 'Health Check Completed',
  alias: 'healthCheckCompleted',
  type: WebhookEventTypes.Other,
  notification: HealthCheckCompletedNotification,
  payload: objectPayload(healthCheckMinimalShape, healthCheckMinimalShape, legacyHealthCheckShape),
});
/** An instance of {@link HealthCheckCompletedWebhookEvent}. */
export type HealthCheckCompletedWebhookEvent = InstanceType<typeof HealthCheckCompletedWebhookEvent>;

/** `packageImported` (Package Imported) — what a package import installed. */
export const ImportedPackageWebhookEvent = defineCmsEvent({
  kind: 'notification',
  className: 'ImportedPackageWebhookEvent',
  name: 'Package Imported',
  alias: 'packageImported',
  type: WebhookEventTypes.Other,
  notification: ImportedPackageNotification,
  payload: objectPayload(packageMinimalShape, packageShape),
});
/** An instance of {@link ImportedPackageWebhookEvent}. */
export type ImportedPackageWebhookEvent = InstanceType<typeof ImportedPackageWebhookEvent>;
