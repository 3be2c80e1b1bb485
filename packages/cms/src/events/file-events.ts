import { WebhookEventTypes } from '@hookwork/core';
import {
  PartialViewDeletedNotification,
  PartialViewSavedNotification,
  ScriptDeletedNotification,
  ScriptSavedNotification,
  StylesheetDeletedNotification,
  StylesheetSavedNotification,
  TemplateDeletedNotification,
  TemplateSavedNotification,
} from '../notifications/file-notifications';
import type { CmsFile } from '../entities/file';
import { fileMinimalShape, fileShape, templateMinimalShape, templateShape } from '../payloads/other-shapes';
import { payloadVariants, type PayloadConverter } from '../payloads/payload-variants';
import type { PlainData } from '../payloads/plain-data';
import { extend, field, many, schemas, shape, via, without } from '../payloads/shape';
import { defineCmsEvent } from './define-cms-event';
import { defineOtherListEvent } from './other-event';

// File events (partial views, scripts, stylesheets, templates): ONE request per notification,
// `[{ id }]` of the files (Umbraco's DefaultPayloadModel of each file's key). Each subscribes to
// its own notification: Umbraco 13–15 wired ScriptSaved to the script *deleted* notification.

/** A saved template with the notification it came from: Umbraco's Minimal body sends the notification's ContentTypeAlias with each. */
interface SavedTemplate {
  template: CmsFile;
  notification: Partial<TemplateSavedNotification> | undefined;
}
// Umbraco's TemplateSavedWebhookEvent: SavedEntities.Select(entity => new { Id = entity.Key, notification.ContentTypeAlias }).
const savedTemplateMinimalShape = shape<SavedTemplate>({
  ...via(templateMinimalShape.fields, (t: SavedTemplate) => t.template),
  contentTypeAlias: field(schemas.nullableString, (t) => t.notification?.contentTypeAlias),
});
const savedTemplateShape = extend(savedTemplateMinimalShape, via(without(templateShape.fields), (t: SavedTemplate) => t.template));

/** The saved templates' array, each with the notification's fields a body takes from it. */
function savedTemplates(s: typeof savedTemplateMinimalShape): PayloadConverter<readonly CmsFile[]> {
  return {
    convert: (items, notification) => items.map((template) => s.project({ template, notification: notification as SavedTemplate['notification'] }, 'camel')) as PlainData,
    schema: { type: 'array', items: s.schema('camel') },
  };
}

interface TemplateSave {
  templates: readonly CmsFile[];
  notification: Partial<TemplateSavedNotification> | undefined;
}
// Umbraco's Legacy TemplateSavedWebhookEvent: new { CreateTemplateForContentType, ContentTypeAlias, SavedEntities } (the templates as hookwork's Extended template here).
const legacyTemplateSaveShape = shape<TemplateSave>({
  createTemplateForContentType: field(schemas.boolean, (t) => t.notification?.createTemplateForContentType ?? false),
  contentTypeAlias: field(schemas.nullableString, (t) => t.notification?.contentTypeAlias),
  savedEntities: many(templateShape, (t) => t.templates),
});

/** `partialViewDeleted` (Partial View Deleted). */
export const PartialViewDeletedWebhookEvent = defineOtherListEvent('PartialViewDeletedWebhookEvent', 'Partial View Deleted', 'partialViewDeleted', PartialViewDeletedNotification, (n) => n.deletedEntities, fileMinimalShape, fileShape);
/** An instance of {@link PartialViewDeletedWebhookEvent}. */
export type PartialViewDeletedWebhookEvent = InstanceType<typeof PartialViewDeletedWebhookEvent>;

/** `partialViewSaved` (Partial View Saved). */
export const PartialViewSavedWebhookEvent = defineOtherListEvent('PartialViewSavedWebhookEvent', 'Partial View Saved', 'partialViewSaved', PartialViewSavedNotification, (n) => n.savedEntities, fileMinimalShape, fileShape);
/** An instance of {@link PartialViewSavedWebhookEvent}. */
export type PartialViewSavedWebhookEvent = InstanceType<typeof PartialViewSavedWebhookEvent>;

/** `scriptDeleted` (Script Deleted). */
export const ScriptDeletedWebhookEvent = defineOtherListEvent('ScriptDeletedWebhookEvent', 'Script Deleted', 'scriptDeleted', ScriptDeletedNotification, (n) => n.deletedEntities, fileMinimalShape, fileShape);
/** An instance of {@link ScriptDeletedWebhookEvent}. */
export type ScriptDeletedWebhookEvent = InstanceType<typeof ScriptDeletedWebhookEvent>;

/** `scriptSaved` (Script Saved). */
export const ScriptSavedWebhookEvent = defineOtherListEvent('ScriptSavedWebhookEvent', 'Script Saved', 'scriptSaved', ScriptSavedNotification, (n) => n.savedEntities, fileMinimalShape, fileShape);
/** An instance of {@link ScriptSavedWebhookEvent}. */
export type ScriptSavedWebhookEvent = InstanceType<typeof ScriptSavedWebhookEvent>;

/** `stylesheetDeleted` (Stylesheet Deleted). */
export const StylesheetDeletedWebhookEvent = defineOtherListEvent('StylesheetDeletedWebhookEvent', 'Stylesheet Deleted', 'stylesheetDeleted', StylesheetDeletedNotification, (n) => n.deletedEntities, fileMinimalShape, fileShape);
/** An instance of {@link StylesheetDeletedWebhookEvent}. */
export type StylesheetDeletedWebhookEvent = InstanceType<typeof StylesheetDeletedWebhookEvent>;

/** `stylesheetSaved` (Stylesheet Saved). */
export const StylesheetSavedWebhookEvent = defineOtherListEvent('StylesheetSavedWebhookEvent', 'Stylesheet Saved', 'stylesheetSaved', StylesheetSavedNotification, (n) => n.savedEntities, fileMinimalShape, fileShape);
/** An instance of {@link StylesheetSavedWebhookEvent}. */
export type StylesheetSavedWebhookEvent = InstanceType<typeof StylesheetSavedWebhookEvent>;

/** `templateDeleted` (Template Deleted): `[{ id }]` of the templates' database keys. */
export const TemplateDeletedWebhookEvent = defineOtherListEvent('TemplateDeletedWebhookEvent', 'Template Deleted', 'templateDeleted', TemplateDeletedNotification, (n) => n.deletedEntities, templateMinimalShape, templateShape);
/** An instance of {@link TemplateDeletedWebhookEvent}. */
export type TemplateDeletedWebhookEvent = InstanceType<typeof TemplateDeletedWebhookEvent>;

/** `templateSaved` (Template Saved): `[{ id, contentTypeAlias }]`; Legacy `{ createTemplateForContentType, contentTypeAlias, savedEntities }`. */
export const TemplateSavedWebhookEvent = defineCmsEvent({
  kind: 'list',
  className: 'TemplateSavedWebhookEvent',
  name: 'Template Saved',
  alias: 'templateSaved',
  type: WebhookEventTypes.Other,
  notification: TemplateSavedNotification,
  items: (n) => n.savedEntities,
  payload: payloadVariants<readonly CmsFile[]>({
    Minimal: savedTemplates(savedTemplateMinimalShape),
    Extended: savedTemplates(savedTemplateShape),
    Legacy: {
      convert: (templates, notification) => legacyTemplateSaveShape.project({ templates, notification: notification as TemplateSave['notification'] }, 'camel'),
      schema: legacyTemplateSaveShape.schema('camel'),
    },
  }),
});
/** An instance of {@link TemplateSavedWebhookEvent}. */
export type TemplateSavedWebhookEvent = InstanceType<typeof TemplateSavedWebhookEvent>;
