// Test support (not shipped; excluded from the build): one notification per CMS event alias,
// built from plain objects exactly as a host would, each about ONE entity so that every event
// enqueues exactly one request per webhook.
import * as cms from '../index';

export const BLOG_POST = { key: 'ct-blogpost', alias: 'blogPost' };
export const IMAGE = { key: 'mt-image', alias: 'image' };

/** A document of the given content type. */
export function page(key = 'c1922956-7855-4fa0-8f2c-7af149a92135', contentType = BLOG_POST): cms.CmsContent {
  return {
    key,
    name: 'Root',
    contentType,
    createDate: '2023-12-11T12:02:38.9979314',
    updateDate: '2023-12-11T12:02:38.9979314',
    publishDate: '2023-12-11T12:02:38.9979314',
    route: { path: '/', startItem: { id: key, path: 'root' } },
    parentId: null,
    sortOrder: 0,
    properties: { title: 'Hello', tags: ['a', 'b'] },
  };
}

/** A media item of the given media type. */
export function photo(key = 'm-1', contentType = IMAGE): cms.CmsMedia {
  return { key, name: 'Photo', contentType, createDate: new Date('2024-01-02T03:04:05Z'), updateDate: new Date('2024-01-02T03:04:05Z'), url: '/media/photo.jpg', properties: { alt: 'A photo' } };
}

const contentType = { key: 'dt-1', alias: 'blogPost', name: 'Blog post', icon: 'icon-document' };
const file = { path: '/Views/Partials/footer.cshtml', name: 'footer.cshtml' };
const audit = { affectedUserId: 'u-1', performingUserId: 'u-2', ipAddress: '127.0.0.1', dateTimeUtc: new Date('2024-05-06T07:08:09Z') };
const move = <T>(entity: T) => ({ moveInfos: [{ entity, originalPath: '-1,1', newParentId: 'p-2' }] });

/** Alias → a notification about one entity (content and media of the given types). */
export function sampleNotifications(content = BLOG_POST, media = IMAGE): Record<string, object> {
  const doc = page(undefined, content);
  const img = photo(undefined, media);
  return {
    'Umbraco.ContentCopied': new cms.ContentCopiedNotification({ original: page('orig-1', content), copy: doc, parentId: 'p-1', relateToOriginal: true }),
    'Umbraco.ContentDelete': new cms.ContentDeletedNotification({ deletedEntities: [doc] }),
    'Umbraco.ContentEmptiedRecycleBin': new cms.ContentEmptiedRecycleBinNotification({ deletedEntities: [doc] }),
    'Umbraco.ContentMovedToRecycleBin': new cms.ContentMovedToRecycleBinNotification(move(doc)),
    'Umbraco.ContentMoved': new cms.ContentMovedNotification(move(doc)),
    'Umbraco.ContentPublish': new cms.ContentPublishedNotification({ publishedEntities: [doc] }),
    'Umbraco.ContentSaved': new cms.ContentSavedNotification({ savedEntities: [doc] }),
    'Umbraco.ContentSorted': new cms.ContentSortedNotification({ sortedEntities: [doc] }),
    'Umbraco.ContentUnpublish': new cms.ContentUnpublishedNotification({ unpublishedEntities: [doc] }),
    'Umbraco.ContentSavedBlueprint': new cms.ContentSavedBlueprintNotification({ savedBlueprint: doc }),
    'Umbraco.ContentDeletedBlueprint': new cms.ContentDeletedBlueprintNotification({ deletedBlueprints: [doc] }),
    'Umbraco.ContentDeletedVersions': new cms.ContentDeletedVersionsNotification({ entity: doc, specificVersion: 'v-3', deletePriorVersions: false, dateToRetain: null }),
    'Umbraco.ContentRolledBack': new cms.ContentRolledBackNotification({ entity: doc }),
    documentTypeChanged: new cms.ContentTypeChangedNotification({ changes: [{ item: contentType, changeTypes: ['RefreshMain'] }] }),
    documentTypeDeleted: new cms.ContentTypeDeletedNotification({ deletedEntities: [contentType] }),
    documentTypeMoved: new cms.ContentTypeMovedNotification(move(contentType)),
    documentTypeSaved: new cms.ContentTypeSavedNotification({ savedEntities: [contentType] }),
    mediaTypeChanged: new cms.MediaTypeChangedNotification({ changes: [{ item: contentType, changeTypes: ['Create'] }] }),
    mediaTypeDeleted: new cms.MediaTypeDeletedNotification({ deletedEntities: [contentType] }),
    mediaTypeMoved: new cms.MediaTypeMovedNotification(move(contentType)),
    mediaTypeSaved: new cms.MediaTypeSavedNotification({ savedEntities: [contentType] }),
    memberTypeChanged: new cms.MemberTypeChangedNotification({ changes: [{ item: contentType, changeTypes: ['Remove'] }] }),
    memberTypeDeleted: new cms.MemberTypeDeletedNotification({ deletedEntities: [contentType] }),
    memberTypeMoved: new cms.MemberTypeMovedNotification(move(contentType)),
    memberTypeSaved: new cms.MemberTypeSavedNotification({ savedEntities: [contentType] }),
    dataTypeDeleted: new cms.DataTypeDeletedNotification({ deletedEntities: [{ key: 'dt-9', name: 'Textstring' }] }),
    dataTypeMoved: new cms.DataTypeMovedNotification(move({ key: 'dt-9', name: 'Textstring' })),
    dataTypeSaved: new cms.DataTypeSavedNotification({ savedEntities: [{ key: 'dt-9', name: 'Textstring', editorAlias: 'Umbraco.TextBox', databaseType: 'Nvarchar', configuration: { maxChars: 500 } }] }),
    dictionaryItemDeleted: new cms.DictionaryItemDeletedNotification({ deletedEntities: [{ key: 'di-1', itemKey: 'Footer' }] }),
    dictionaryItemSaved: new cms.DictionaryItemSavedNotification({ savedEntities: [{ key: 'di-1', itemKey: 'Footer', translations: [{ isoCode: 'en-US', value: 'Footer' }] }] }),
    domainDeleted: new cms.DomainDeletedNotification({ deletedEntities: [{ key: 'd-1', domainName: 'example.com' }] }),
    domainSaved: new cms.DomainSavedNotification({ savedEntities: [{ key: 'd-1', domainName: 'example.com', rootContentId: 'c-1', isoCode: 'en-US' }] }),
    partialViewDeleted: new cms.PartialViewDeletedNotification({ deletedEntities: [file] }),
    partialViewSaved: new cms.PartialViewSavedNotification({ savedEntities: [file] }),
    scriptDeleted: new cms.ScriptDeletedNotification({ deletedEntities: [{ path: '/scripts/site.js' }] }),
    scriptSaved: new cms.ScriptSavedNotification({ savedEntities: [{ path: '/scripts/site.js' }] }),
    stylesheetDeleted: new cms.StylesheetDeletedNotification({ deletedEntities: [{ path: '/css/site.css' }] }),
    stylesheetSaved: new cms.StylesheetSavedNotification({ savedEntities: [{ path: '/css/site.css' }] }),
    templateDeleted: new cms.TemplateDeletedNotification({ deletedEntities: [{ path: '/Views/home.cshtml', alias: 'home' }] }),
    templateSaved: new cms.TemplateSavedNotification({ savedEntities: [{ path: '/Views/home.cshtml', alias: 'home', name: 'Home' }] }),
    healthCheckCompleted: new cms.HealthCheckCompletedNotification({ allChecksSuccessful: false, results: [{ name: 'HTTPS', group: 'Security', resultType: 'Warning', message: 'Use HTTPS' }] }),
    languageDeleted: new cms.LanguageDeletedNotification({ deletedEntities: [{ key: 'l-1', isoCode: 'da-DK' }] }),
    languageSaved: new cms.LanguageSavedNotification({ savedEntities: [{ key: 'l-1', isoCode: 'da-DK', cultureName: 'Danish', isDefault: false, isMandatory: false, fallbackIsoCode: 'en-US' }] }),
    'Umbraco.MediaDelete': new cms.MediaDeletedNotification({ deletedEntities: [img] }),
    'Umbraco.MediaSave': new cms.MediaSavedNotification({ savedEntities: [img] }),
    mediaEmptiedRecycleBin: new cms.MediaEmptiedRecycleBinNotification({ deletedEntities: [img] }),
    mediaMoved: new cms.MediaMovedNotification(move(img)),
    mediaMovedToRecycleBin: new cms.MediaMovedToRecycleBinNotification(move(img)),
    exportedMember: new cms.ExportedMemberNotification({ member: { key: 'mem-1', name: 'Ann', email: 'ann@example.com' }, exported: { properties: [] } }),
    memberDeleted: new cms.MemberDeletedNotification({ deletedEntities: [{ key: 'mem-1' }] }),
    memberSaved: new cms.MemberSavedNotification({ savedEntities: [{ key: 'mem-1', name: 'Ann', contentType: { key: 'mt-member', alias: 'member' } }] }),
    assignedMemberRoles: new cms.AssignedMemberRolesNotification({ memberIds: ['mem-1'], roles: ['Staff'] }),
    removedMemberRoles: new cms.RemovedMemberRolesNotification({ memberIds: ['mem-1'], roles: ['Staff'] }),
    memberGroupDeleted: new cms.MemberGroupDeletedNotification({ deletedEntities: [{ key: 'mg-1', name: 'Staff' }] }),
    memberGroupSaved: new cms.MemberGroupSavedNotification({ savedEntities: [{ key: 'mg-1', name: 'Staff' }] }),
    packageImported: new cms.ImportedPackageNotification({ installationSummary: { packageName: 'Starter Kit', version: '1.0.0', installedItems: { documentTypes: 3 } } }),
    publicAccessEntryDeleted: new cms.PublicAccessEntryDeletedNotification({ deletedEntities: [{ key: 'pa-1', protectedNodeId: 'c-1' }] }),
    publicAccessEntrySaved: new cms.PublicAccessEntrySavedNotification({ savedEntities: [{ key: 'pa-1', protectedNodeId: 'c-1', loginNodeId: 'c-2', rules: [{ ruleType: 'MemberRole', ruleValue: 'Staff' }] }] }),
    relationDeleted: new cms.RelationDeletedNotification({ deletedEntities: [{ key: 'r-1', parentId: 'c-1', childId: 'c-2', relationType: { alias: 'relateDocumentOnCopy' } }] }),
    relationSaved: new cms.RelationSavedNotification({ savedEntities: [{ key: 'r-1', parentId: 'c-1', childId: 'c-2', relationType: { alias: 'relateDocumentOnCopy' } }] }),
    relationTypeDeleted: new cms.RelationTypeDeletedNotification({ deletedEntities: [{ key: 'rt-1', alias: 'relateDocumentOnCopy' }] }),
    relationTypeSaved: new cms.RelationTypeSavedNotification({ savedEntities: [{ key: 'rt-1', alias: 'relateDocumentOnCopy', name: 'Relate on copy', isBidirectional: false }] }),
    userDeleted: new cms.UserDeletedNotification({ deletedEntities: [{ key: 'u-1' }] }),
    userSaved: new cms.UserSavedNotification({ savedEntities: [{ key: 'u-1', name: 'Admin', email: 'admin@example.com', userGroups: ['admin'] }] }),
    userForgotPasswordRequested: new cms.UserForgotPasswordRequestedNotification(audit),
    userPasswordChanged: new cms.UserPasswordChangedNotification(audit),
    userPasswordReset: new cms.UserPasswordResetNotification(audit),
    userLocked: new cms.UserLockedNotification(audit),
    userLoginFailed: new cms.UserLoginFailedNotification({ ipAddress: '127.0.0.1' }),
    userLoginRequiresVerification: new cms.UserLoginRequiresVerificationNotification(audit),
    userLoginSuccess: new cms.UserLoginSuccessNotification(audit),
    userLogoutSuccess: new cms.UserLogoutSuccessNotification(audit),
    userTwoFactorRequested: new cms.UserTwoFactorRequestedNotification({ affectedUserId: 'u-1' }),
    userUnlocked: new cms.UserUnlockedNotification(audit),
    assignedUserGroupPermissions: new cms.AssignedUserGroupPermissionsNotification({ entityPermissions: [{ entityId: 'c-1', userGroupId: 'ug-1', assignedPermissions: ['Umb.Document.Read'] }] }),
    userGroupDeleted: new cms.UserGroupDeletedNotification({ deletedEntities: [{ key: 'ug-1', alias: 'editor' }] }),
    userGroupSaved: new cms.UserGroupSavedNotification({ savedEntities: [{ key: 'ug-1', alias: 'editor', name: 'Editors', permissions: ['Umb.Document.Read'] }] }),
  };
}
