import type { CmsFile } from '../entities/file';
import { defineNotification } from './define-notification';

/** Partial views were deleted. */
export const PartialViewDeletedNotification = defineNotification<{ deletedEntities: readonly CmsFile[] }>('PartialViewDeletedNotification', { deletedEntities: 'array' });
/** An instance of {@link PartialViewDeletedNotification}. */
export type PartialViewDeletedNotification = InstanceType<typeof PartialViewDeletedNotification>;

/** Partial views were saved. */
export const PartialViewSavedNotification = defineNotification<{ savedEntities: readonly CmsFile[] }>('PartialViewSavedNotification', { savedEntities: 'array' });
/** An instance of {@link PartialViewSavedNotification}. */
export type PartialViewSavedNotification = InstanceType<typeof PartialViewSavedNotification>;

/** Scripts were deleted. */
export const ScriptDeletedNotification = defineNotification<{ deletedEntities: readonly CmsFile[] }>('ScriptDeletedNotification', { deletedEntities: 'array' });
/** An instance of {@link ScriptDeletedNotification}. */
export type ScriptDeletedNotification = InstanceType<typeof ScriptDeletedNotification>;

/** Scripts were saved. */
export const ScriptSavedNotification = defineNotification<{ savedEntities: readonly CmsFile[] }>('ScriptSavedNotification', { savedEntities: 'array' });
/** An instance of {@link ScriptSavedNotification}. */
export type ScriptSavedNotification = InstanceType<typeof ScriptSavedNotification>;

/** Stylesheets were deleted. */
export const StylesheetDeletedNotification = defineNotification<{ deletedEntities: readonly CmsFile[] }>('StylesheetDeletedNotification', { deletedEntities: 'array' });
/** An instance of {@link StylesheetDeletedNotification}. */
export type StylesheetDeletedNotification = InstanceType<typeof StylesheetDeletedNotification>;

/** Stylesheets were saved. */
export const StylesheetSavedNotification = defineNotification<{ savedEntities: readonly CmsFile[] }>('StylesheetSavedNotification', { savedEntities: 'array' });
/** An instance of {@link StylesheetSavedNotification}. */
export type StylesheetSavedNotification = InstanceType<typeof StylesheetSavedNotification>;

/** Templates were deleted. */
export const TemplateDeletedNotification = defineNotification<{ deletedEntities: readonly CmsFile[] }>('TemplateDeletedNotification', { deletedEntities: 'array' });
/** An instance of {@link TemplateDeletedNotification}. */
export type TemplateDeletedNotification = InstanceType<typeof TemplateDeletedNotification>;

/**
 * Templates were saved. `contentTypeAlias` and `createTemplateForContentType` are Umbraco's: set
 * when the template was made for a document type (the Minimal body sends the alias with each template).
 */
export const TemplateSavedNotification = defineNotification<{ savedEntities: readonly CmsFile[]; contentTypeAlias?: string | null; createTemplateForContentType?: boolean }>('TemplateSavedNotification', {
  savedEntities: 'array',
  contentTypeAlias: 'string?',
  createTemplateForContentType: 'boolean?',
});
/** An instance of {@link TemplateSavedNotification}. */
export type TemplateSavedNotification = InstanceType<typeof TemplateSavedNotification>;
