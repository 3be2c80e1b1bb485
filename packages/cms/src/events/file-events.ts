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
import { fileMinimalShape, fileShape } from '../payloads/other-shapes';
import { defineOtherListEvent } from './other-event';

// File events (partial views, scripts, stylesheets, templates). Each subscribes to its own
// notification: Umbraco 13–15 wired ScriptSaved to the script *deleted* notification.

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

/** `templateDeleted` (Template Deleted). */
export const TemplateDeletedWebhookEvent = defineOtherListEvent('TemplateDeletedWebhookEvent', 'Template Deleted', 'templateDeleted', TemplateDeletedNotification, (n) => n.deletedEntities, fileMinimalShape, fileShape);
/** An instance of {@link TemplateDeletedWebhookEvent}. */
export type TemplateDeletedWebhookEvent = InstanceType<typeof TemplateDeletedWebhookEvent>;

/** `templateSaved` (Template Saved). */
export const TemplateSavedWebhookEvent = defineOtherListEvent('TemplateSavedWebhookEvent', 'Template Saved', 'templateSaved', TemplateSavedNotification, (n) => n.savedEntities, fileMinimalShape, fileShape);
/** An instance of {@link TemplateSavedWebhookEvent}. */
export type TemplateSavedWebhookEvent = InstanceType<typeof TemplateSavedWebhookEvent>;
