import { valueKind } from '@hookwork/core';
import type { CmsMoveInfo } from '../entities/common';
import type { CmsDataType } from '../entities/data-type';
import type { CmsDictionaryItem } from '../entities/dictionary-item';
import type { CmsDomain } from '../entities/domain';
import type { CmsHealthCheckResult } from '../entities/health-check';
import type { CmsLanguage } from '../entities/language';
import { INSTALLED_LISTS, type CmsPackageInstallation } from '../entities/package';
import type { CmsPublicAccessEntry } from '../entities/public-access-entry';
import type { CmsRelation, CmsRelationType } from '../entities/relation';
import { defineNotification } from './define-notification';

/** Data types were deleted. */
export const DataTypeDeletedNotification = defineNotification<{ deletedEntities: readonly CmsDataType[] }>('DataTypeDeletedNotification', { deletedEntities: 'array' });
/** An instance of {@link DataTypeDeletedNotification}. */
export type DataTypeDeletedNotification = InstanceType<typeof DataTypeDeletedNotification>;

/** Data types were moved under a new parent. */
export const DataTypeMovedNotification = defineNotification<{ moveInfos: readonly CmsMoveInfo<CmsDataType>[] }>('DataTypeMovedNotification', { moveInfos: 'array' });
/** An instance of {@link DataTypeMovedNotification}. */
export type DataTypeMovedNotification = InstanceType<typeof DataTypeMovedNotification>;

/** Data types were saved. */
export const DataTypeSavedNotification = defineNotification<{ savedEntities: readonly CmsDataType[] }>('DataTypeSavedNotification', { savedEntities: 'array' });
/** An instance of {@link DataTypeSavedNotification}. */
export type DataTypeSavedNotification = InstanceType<typeof DataTypeSavedNotification>;

/** Dictionary items were deleted. */
export const DictionaryItemDeletedNotification = defineNotification<{ deletedEntities: readonly CmsDictionaryItem[] }>('DictionaryItemDeletedNotification', { deletedEntities: 'array' });
/** An instance of {@link DictionaryItemDeletedNotification}. */
export type DictionaryItemDeletedNotification = InstanceType<typeof DictionaryItemDeletedNotification>;

/** Dictionary items were saved. */
export const DictionaryItemSavedNotification = defineNotification<{ savedEntities: readonly CmsDictionaryItem[] }>('DictionaryItemSavedNotification', { savedEntities: 'array' });
/** An instance of {@link DictionaryItemSavedNotification}. */
export type DictionaryItemSavedNotification = InstanceType<typeof DictionaryItemSavedNotification>;

/** Domains were deleted. */
export const DomainDeletedNotification = defineNotification<{ deletedEntities: readonly CmsDomain[] }>('DomainDeletedNotification', { deletedEntities: 'array' });
/** An instance of {@link DomainDeletedNotification}. */
export type DomainDeletedNotification = InstanceType<typeof DomainDeletedNotification>;

/** Domains were saved. */
export const DomainSavedNotification = defineNotification<{ savedEntities: readonly CmsDomain[] }>('DomainSavedNotification', { savedEntities: 'array' });
/** An instance of {@link DomainSavedNotification}. */
export type DomainSavedNotification = InstanceType<typeof DomainSavedNotification>;

/** Languages were deleted. */
export const LanguageDeletedNotification = defineNotification<{ deletedEntities: readonly CmsLanguage[] }>('LanguageDeletedNotification', { deletedEntities: 'array' });
/** An instance of {@link LanguageDeletedNotification}. */
export type LanguageDeletedNotification = InstanceType<typeof LanguageDeletedNotification>;

/** Languages were saved. */
export const LanguageSavedNotification = defineNotification<{ savedEntities: readonly CmsLanguage[] }>('LanguageSavedNotification', { savedEntities: 'array' });
/** An instance of {@link LanguageSavedNotification}. */
export type LanguageSavedNotification = InstanceType<typeof LanguageSavedNotification>;

/** A scheduled health check run finished; `results` are the statuses of every check (several for a check that reports several). */
export const HealthCheckCompletedNotification = defineNotification<{ allChecksSuccessful: boolean; results: readonly CmsHealthCheckResult[] }>('HealthCheckCompletedNotification', { allChecksSuccessful: 'boolean', results: 'array' });
/** An instance of {@link HealthCheckCompletedNotification}. */
export type HealthCheckCompletedNotification = InstanceType<typeof HealthCheckCompletedNotification>;

const isKeyList = (value: unknown) => value === undefined || value === null || (Array.isArray(value) && value.every((item) => typeof item === 'string'));

/** What is wrong with an installation summary's lists of keys and its warnings, for the notification's constructor. */
function installationProblem({ installationSummary: summary }: { installationSummary: CmsPackageInstallation }): string | undefined {
  if (typeof summary.packageName !== 'string') return `data.installationSummary.packageName must be a string; got ${valueKind(summary.packageName)}`;
  for (const list of Object.keys(INSTALLED_LISTS) as (keyof typeof INSTALLED_LISTS)[]) {
    if (!isKeyList(summary[list])) return `data.installationSummary.${list} must be an array of keys (strings) or absent`;
  }
  const warnings = summary.warnings as unknown;
  if (warnings === undefined || warnings === null) return undefined;
  if (typeof warnings !== 'object' || Array.isArray(warnings)) {
    return 'data.installationSummary.warnings must be Umbraco\'s { conflictingStylesheets, conflictingTemplates } (arrays of keys) or absent; a list of messages is no longer taken';
  }
  const { conflictingStylesheets, conflictingTemplates } = warnings as Record<string, unknown>;
  if (!isKeyList(conflictingStylesheets) || !isKeyList(conflictingTemplates)) return 'data.installationSummary.warnings.conflictingStylesheets and .conflictingTemplates must be arrays of keys (strings) or absent';
  return undefined;
}

/** A package was imported; `installationSummary` lists the keys of what it installed (Umbraco's InstallationSummary). */
export const ImportedPackageNotification = defineNotification<{ installationSummary: CmsPackageInstallation }>('ImportedPackageNotification', { installationSummary: 'object' }, installationProblem);
/** An instance of {@link ImportedPackageNotification}. */
export type ImportedPackageNotification = InstanceType<typeof ImportedPackageNotification>;

/** Public access entries were deleted. */
export const PublicAccessEntryDeletedNotification = defineNotification<{ deletedEntities: readonly CmsPublicAccessEntry[] }>('PublicAccessEntryDeletedNotification', { deletedEntities: 'array' });
/** An instance of {@link PublicAccessEntryDeletedNotification}. */
export type PublicAccessEntryDeletedNotification = InstanceType<typeof PublicAccessEntryDeletedNotification>;

/** Public access entries were saved. */
export const PublicAccessEntrySavedNotification = defineNotification<{ savedEntities: readonly CmsPublicAccessEntry[] }>('PublicAccessEntrySavedNotification', { savedEntities: 'array' });
/** An instance of {@link PublicAccessEntrySavedNotification}. */
export type PublicAccessEntrySavedNotification = InstanceType<typeof PublicAccessEntrySavedNotification>;

/** Relations were deleted. */
export const RelationDeletedNotification = defineNotification<{ deletedEntities: readonly CmsRelation[] }>('RelationDeletedNotification', { deletedEntities: 'array' });
/** An instance of {@link RelationDeletedNotification}. */
export type RelationDeletedNotification = InstanceType<typeof RelationDeletedNotification>;

/** Relations were saved. */
export const RelationSavedNotification = defineNotification<{ savedEntities: readonly CmsRelation[] }>('RelationSavedNotification', { savedEntities: 'array' });
/** An instance of {@link RelationSavedNotification}. */
export type RelationSavedNotification = InstanceType<typeof RelationSavedNotification>;

/** Relation types were deleted. */
export const RelationTypeDeletedNotification = defineNotification<{ deletedEntities: readonly CmsRelationType[] }>('RelationTypeDeletedNotification', { deletedEntities: 'array' });
/** An instance of {@link RelationTypeDeletedNotification}. */
export type RelationTypeDeletedNotification = InstanceType<typeof RelationTypeDeletedNotification>;

/** Relation types were saved. */
export const RelationTypeSavedNotification = defineNotification<{ savedEntities: readonly CmsRelationType[] }>('RelationTypeSavedNotification', { savedEntities: 'array' });
/** An instance of {@link RelationTypeSavedNotification}. */
export type RelationTypeSavedNotification = InstanceType<typeof RelationTypeSavedNotification>;
