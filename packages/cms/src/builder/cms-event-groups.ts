import type { WebhookEventClass } from '@hookwork/core';
import * as content from '../events/content-events';
import * as contentType from '../events/content-type-events';
import * as element from '../events/element-events';
import * as file from '../events/file-events';
import * as member from '../events/member-events';
import * as other from '../events/other-events';
import * as media from '../events/media-events';
import * as user from '../events/user-events';

/** One group of CMS event classes, in Umbraco's order. */
export type CmsEventGroup = readonly WebhookEventClass[];

/**
 * The event classes each builder method adds, in the order Umbraco's own builder methods add them
 * (WebhookEventCollectionBuilderCmsExtensions and the WebhookEventCollectionBuilderCms*Extensions
 * of each sub-builder). The order is what an event picker lists; umbraco-order.test.ts pins it
 * against Umbraco's source.
 */
export const CMS_EVENT_GROUPS = Object.freeze({
  /** `addCms(true)` / `addDefault()`: Umbraco's 5 default events. */
  default: [content.ContentDeletedWebhookEvent, content.ContentPublishedWebhookEvent, content.ContentUnpublishedWebhookEvent, media.MediaDeletedWebhookEvent, media.MediaSavedWebhookEvent] as CmsEventGroup,
  content: {
    default: [
      content.ContentCopiedWebhookEvent,
      content.ContentDeletedWebhookEvent,
      content.ContentEmptiedRecycleBinWebhookEvent,
      content.ContentMovedToRecycleBinWebhookEvent,
      content.ContentMovedWebhookEvent,
      content.ContentPublishedWebhookEvent,
      content.ContentSavedWebhookEvent,
      content.ContentSortedWebhookEvent,
      content.ContentUnpublishedWebhookEvent,
    ] as CmsEventGroup,
    blueprint: [content.ContentDeletedBlueprintWebhookEvent, content.ContentSavedBlueprintWebhookEvent] as CmsEventGroup,
    version: [content.ContentDeletedVersionsWebhookEvent, content.ContentRolledBackWebhookEvent] as CmsEventGroup,
  },
  contentType: {
    documentType: [contentType.DocumentTypeChangedWebhookEvent, contentType.DocumentTypeDeletedWebhookEvent, contentType.DocumentTypeMovedWebhookEvent, contentType.DocumentTypeSavedWebhookEvent] as CmsEventGroup,
    mediaType: [contentType.MediaTypeChangedWebhookEvent, contentType.MediaTypeDeletedWebhookEvent, contentType.MediaTypeMovedWebhookEvent, contentType.MediaTypeSavedWebhookEvent] as CmsEventGroup,
    memberType: [contentType.MemberTypeChangedWebhookEvent, contentType.MemberTypeDeletedWebhookEvent, contentType.MemberTypeMovedWebhookEvent, contentType.MemberTypeSavedWebhookEvent] as CmsEventGroup,
  },
  element: {
    default: [
      element.ElementCopiedWebhookEvent,
      element.ElementDeletedWebhookEvent,
      element.ElementEmptiedRecycleBinWebhookEvent,
      element.ElementMovedToRecycleBinWebhookEvent,
      element.ElementMovedWebhookEvent,
      element.ElementPublishedWebhookEvent,
      element.ElementSavedWebhookEvent,
      element.ElementUnpublishedWebhookEvent,
    ] as CmsEventGroup,
    version: [element.ElementDeletedVersionsWebhookEvent, element.ElementRolledBackWebhookEvent] as CmsEventGroup,
  },
  dataType: [other.DataTypeDeletedWebhookEvent, other.DataTypeMovedWebhookEvent, other.DataTypeSavedWebhookEvent] as CmsEventGroup,
  dictionary: [other.DictionaryItemDeletedWebhookEvent, other.DictionaryItemSavedWebhookEvent] as CmsEventGroup,
  domain: [other.DomainDeletedWebhookEvent, other.DomainSavedWebhookEvent] as CmsEventGroup,
  file: {
    partialView: [file.PartialViewDeletedWebhookEvent, file.PartialViewSavedWebhookEvent] as CmsEventGroup,
    script: [file.ScriptDeletedWebhookEvent, file.ScriptSavedWebhookEvent] as CmsEventGroup,
    stylesheet: [file.StylesheetDeletedWebhookEvent, file.StylesheetSavedWebhookEvent] as CmsEventGroup,
    template: [file.TemplateDeletedWebhookEvent, file.TemplateSavedWebhookEvent] as CmsEventGroup,
  },
  healthCheck: [other.HealthCheckCompletedWebhookEvent] as CmsEventGroup,
  language: [other.LanguageDeletedWebhookEvent, other.LanguageSavedWebhookEvent] as CmsEventGroup,
  media: [media.MediaDeletedWebhookEvent, media.MediaSavedWebhookEvent, media.MediaEmptiedRecycleBinWebhookEvent, media.MediaMovedWebhookEvent, media.MediaMovedToRecycleBinWebhookEvent] as CmsEventGroup,
  member: {
    default: [member.ExportedMemberWebhookEvent, member.MemberDeletedWebhookEvent, member.MemberSavedWebhookEvent] as CmsEventGroup,
    roles: [member.AssignedMemberRolesWebhookEvent, member.RemovedMemberRolesWebhookEvent] as CmsEventGroup,
    group: [member.MemberGroupDeletedWebhookEvent, member.MemberGroupSavedWebhookEvent] as CmsEventGroup,
  },
  package: [other.ImportedPackageWebhookEvent] as CmsEventGroup,
  publicAccess: [other.PublicAccessEntryDeletedWebhookEvent, other.PublicAccessEntrySavedWebhookEvent] as CmsEventGroup,
  relation: [other.RelationDeletedWebhookEvent, other.RelationSavedWebhookEvent] as CmsEventGroup,
  relationType: [other.RelationTypeDeletedWebhookEvent, other.RelationTypeSavedWebhookEvent] as CmsEventGroup,
  user: {
    default: [user.UserDeletedWebhookEvent, user.UserSavedWebhookEvent] as CmsEventGroup,
    password: [user.UserForgotPasswordRequestedWebhookEvent, user.UserPasswordChangedWebhookEvent, user.UserPasswordResetWebhookEvent] as CmsEventGroup,
    login: [
      user.UserLockedWebhookEvent,
      user.UserLoginFailedWebhookEvent,
      user.UserLoginRequiresVerificationWebhookEvent,
      user.UserLoginSuccessWebhookEvent,
      user.UserLogoutSuccessWebhookEvent,
      user.UserTwoFactorRequestedWebhookEvent,
      user.UserUnlockedWebhookEvent,
    ] as CmsEventGroup,
    group: [user.AssignedUserGroupPermissionsWebhookEvent, user.UserGroupDeletedWebhookEvent, user.UserGroupSavedWebhookEvent] as CmsEventGroup,
  },
});
