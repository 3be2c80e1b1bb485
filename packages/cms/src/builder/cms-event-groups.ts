import type { WebhookEventClass } from '@hookwork/core';
import * as content from '../events/content-events';
import * as contentType from '../events/content-type-events';
import * as element from '../events/element-events';
import * as file from '../events/file-events';
import * as member from '../events/member-events';
import * as other from '../events/other-events';
import * as media from '../events/media-events';
import * as user from '../events/user-events';

type Group = readonly WebhookEventClass[];

/**
 * The event classes each builder method adds, in the order Umbraco's own builder methods add them
 * (WebhookEventCollectionBuilderCmsExtensions and the WebhookEventCollectionBuilderCms*Extensions
 * of each sub-builder). The order is what an event picker lists; umbraco-order.test.ts pins it
 * against Umbraco's source.
 */
export const CMS_EVENT_GROUPS = Object.freeze({
  /** `addCms(true)` / `addDefault()`: Umbraco's 5 default events. */
  default: [content.ContentDeletedWebhookEvent, content.ContentPublishedWebhookEvent, content.ContentUnpublishedWebhookEvent, media.MediaDeletedWebhookEvent, media.MediaSavedWebhookEvent] as Group,
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
    ] as Group,
    blueprint: [content.ContentDeletedBlueprintWebhookEvent, content.ContentSavedBlueprintWebhookEvent] as Group,
    version: [content.ContentDeletedVersionsWebhookEvent, content.ContentRolledBackWebhookEvent] as Group,
  },
  contentType: {
    documentType: [contentType.DocumentTypeChangedWebhookEvent, contentType.DocumentTypeDeletedWebhookEvent, contentType.DocumentTypeMovedWebhookEvent, contentType.DocumentTypeSavedWebhookEvent] as Group,
    mediaType: [contentType.MediaTypeChangedWebhookEvent, contentType.MediaTypeDeletedWebhookEvent, contentType.MediaTypeMovedWebhookEvent, contentType.MediaTypeSavedWebhookEvent] as Group,
    memberType: [contentType.MemberTypeChangedWebhookEvent, contentType.MemberTypeDeletedWebhookEvent, contentType.MemberTypeMovedWebhookEvent, contentType.MemberTypeSavedWebhookEvent] as Group,
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
    ] as Group,
    version: [element.ElementDeletedVersionsWebhookEvent, element.ElementRolledBackWebhookEvent] as Group,
  },
  dataType: [other.DataTypeDeletedWebhookEvent, other.DataTypeMovedWebhookEvent, other.DataTypeSavedWebhookEvent] as Group,
  dictionary: [other.DictionaryItemDeletedWebhookEvent, other.DictionaryItemSavedWebhookEvent] as Group,
  domain: [other.DomainDeletedWebhookEvent, other.DomainSavedWebhookEvent] as Group,
  file: {
    partialView: [file.PartialViewDeletedWebhookEvent, file.PartialViewSavedWebhookEvent] as Group,
    script: [file.ScriptDeletedWebhookEvent, file.ScriptSavedWebhookEvent] as Group,
    stylesheet: [file.StylesheetDeletedWebhookEvent, file.StylesheetSavedWebhookEvent] as Group,
    template: [file.TemplateDeletedWebhookEvent, file.TemplateSavedWebhookEvent] as Group,
  },
  healthCheck: [other.HealthCheckCompletedWebhookEvent] as Group,
  language: [other.LanguageDeletedWebhookEvent, other.LanguageSavedWebhookEvent] as Group,
  media: [media.MediaDeletedWebhookEvent, media.MediaSavedWebhookEvent, media.MediaEmptiedRecycleBinWebhookEvent, media.MediaMovedWebhookEvent, media.MediaMovedToRecycleBinWebhookEvent] as Group,
  member: {
    default: [member.ExportedMemberWebhookEvent, member.MemberDeletedWebhookEvent, member.MemberSavedWebhookEvent] as Group,
    roles: [member.AssignedMemberRolesWebhookEvent, member.RemovedMemberRolesWebhookEvent] as Group,
    group: [member.MemberGroupDeletedWebhookEvent, member.MemberGroupSavedWebhookEvent] as Group,
  },
  package: [other.ImportedPackageWebhookEvent] as Group,
  publicAccess: [other.PublicAccessEntryDeletedWebhookEvent, other.PublicAccessEntrySavedWebhookEvent] as Group,
  relation: [other.RelationDeletedWebhookEvent, other.RelationSavedWebhookEvent] as Group,
  relationType: [other.RelationTypeDeletedWebhookEvent, other.RelationTypeSavedWebhookEvent] as Group,
  user: {
    default: [user.UserDeletedWebhookEvent, user.UserSavedWebhookEvent] as Group,
    password: [user.UserForgotPasswordRequestedWebhookEvent, user.UserPasswordChangedWebhookEvent, user.UserPasswordResetWebhookEvent] as Group,
    login: [
      user.UserLockedWebhookEvent,
      user.UserLoginFailedWebhookEvent,
      user.UserLoginRequiresVerificationWebhookEvent,
      user.UserLoginSuccessWebhookEvent,
      user.UserLogoutSuccessWebhookEvent,
      user.UserTwoFactorRequestedWebhookEvent,
      user.UserUnlockedWebhookEvent,
    ] as Group,
    group: [user.AssignedUserGroupPermissionsWebhookEvent, user.UserGroupDeletedWebhookEvent, user.UserGroupSavedWebhookEvent] as Group,
  },
});
