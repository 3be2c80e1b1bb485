import type { CmsContentTypeRef } from '../entities/common';
import type { CmsContent } from '../entities/content';
import type { CmsElement } from '../entities/element';
import type { CmsMedia } from '../entities/media';
import * as n from '../notifications/index';

// The examples behind test sends (app.sendTestEvent) of the CMS events: notifications built from
// plain objects exactly as a host would publish them. The package's own tests use them too.

/** The document type of the examples' documents (a blog post). */
export const CMS_EXAMPLE_DOCUMENT_TYPE: Readonly<CmsContentTypeRef> = Object.freeze({ key: 'ct-blogpost', alias: 'blogPost' });
/** The media type of the examples' media items (an image). */
export const CMS_EXAMPLE_MEDIA_TYPE: Readonly<CmsContentTypeRef> = Object.freeze({ key: 'mt-image', alias: 'image' });

/** The element type of the examples' library elements (a promotion banner). */
export const CMS_EXAMPLE_ELEMENT_TYPE: Readonly<CmsContentTypeRef> = Object.freeze({ key: 'et-promobanner', alias: 'promoBanner' });

/** An example document (the site's root page) of the given document type. */
export function exampleCmsContent(key = 'c1922956-7855-4fa0-8f2c-7af149a92135', contentType: CmsContentTypeRef = CMS_EXAMPLE_DOCUMENT_TYPE): CmsContent {
  return {
    key,
    name: 'Root',
    contentType: { ...contentType },
    createDate: '2023-12-11T12:02:38.9979314',
    updateDate: '2023-12-11T12:02:38.9979314',
    publishDate: '2023-12-11T12:02:38.9979314',
    cultures: { 'en-US': { name: 'Root', publishDate: '2023-12-11T12:02:38.9979314', route: { path: '/', startItem: { id: key, path: 'root' } } } },
    route: { path: '/', startItem: { id: key, path: 'root' } },
    parentId: null,
    sortOrder: 0,
    properties: { title: 'Hello', tags: ['a', 'b'] },
  };
}

/** An example media item (a photo) of the given media type. */
export function exampleCmsMedia(key = 'm-1', contentType: CmsContentTypeRef = CMS_EXAMPLE_MEDIA_TYPE): CmsMedia {
  return { key, name: 'Photo', contentType: { ...contentType }, createDate: new Date('2024-01-02T03:04:05Z'), updateDate: new Date('2024-01-02T03:04:05Z'), url: '/media/photo.jpg', extension: 'jpg', width: 1200, height: 800, bytes: 245760, properties: { alt: 'A photo' } };
}

/** An example library element (a promotion banner, published in English) of the given element type. */
export function exampleCmsElement(key = '6d1a3a5e-2f7b-4c1e-9a53-0b1f4e2d8c10', contentType: CmsContentTypeRef = CMS_EXAMPLE_ELEMENT_TYPE): CmsElement {
  return { key, contentType: { ...contentType }, cultures: { 'en-US': { name: 'Spring sale', publishDate: '2024-03-01T09:00:00.000Z' } }, properties: { headline: 'Spring sale', link: '/sale/' } };
}

const move = <T>(entity: T) => ({ moveInfos: [{ entity, originalPath: '-1,1', newParentId: 'p-2' }] });

/**
 * Alias → a realistic notification of every CMS event, each about ONE entity (so each sends one
 * request per webhook); documents, media items and elements are of the given types. Built afresh on each
 * call, so a caller may change what it gets.
 */
export function cmsExampleNotifications(types: { documentType?: CmsContentTypeRef; mediaType?: CmsContentTypeRef; elementType?: CmsContentTypeRef } = {}): Record<string, object> {
  const content = { ...(types.documentType ?? CMS_EXAMPLE_DOCUMENT_TYPE) };
  const media = { ...(types.mediaType ?? CMS_EXAMPLE_MEDIA_TYPE) };
  const doc = exampleCmsContent(undefined, content);
  const img = exampleCmsMedia(undefined, media);
  const banner = exampleCmsElement(undefined, { ...(types.elementType ?? CMS_EXAMPLE_ELEMENT_TYPE) });
  const contentType = { key: 'dt-1', alias: 'blogPost', name: 'Blog post', icon: 'icon-document' };
  const file = { path: 'footer.cshtml', name: 'footer.cshtml' };
  const audit = { affectedUserId: 'u-1', performingUserId: 'u-2', ipAddress: '127.0.0.1', dateTimeUtc: new Date('2024-05-06T07:08:09Z') };
  return {
    'Umbraco.ContentCopied': new n.ContentCopiedNotification({ original: exampleCmsContent('orig-1', content), copy: doc, parentId: 1051, parentKey: 'p-1', relateToOriginal: true }),
    'Umbraco.ContentDelete': new n.ContentDeletedNotification({ deletedEntities: [doc] }),
    'Umbraco.ContentEmptiedRecycleBin': new n.ContentEmptiedRecycleBinNotification({ deletedEntities: [doc] }),
    'Umbraco.ContentMovedToRecycleBin': new n.ContentMovedToRecycleBinNotification(move(doc)),
    'Umbraco.ContentMoved': new n.ContentMovedNotification(move(doc)),
    'Umbraco.ContentPublish': new n.ContentPublishedNotification({ publishedEntities: [doc] }),
    'Umbraco.ContentSaved': new n.ContentSavedNotification({ savedEntities: [doc] }),
    'Umbraco.ContentSorted': new n.ContentSortedNotification({ sortedEntities: [doc] }),
    'Umbraco.ContentUnpublish': new n.ContentUnpublishedNotification({ unpublishedEntities: [doc] }),
    'Umbraco.ContentSavedBlueprint': new n.ContentSavedBlueprintNotification({ savedBlueprint: doc }),
    'Umbraco.ContentDeletedBlueprint': new n.ContentDeletedBlueprintNotification({ deletedBlueprints: [doc] }),
    'Umbraco.ContentDeletedVersions': new n.ContentDeletedVersionsNotification({ entity: { ...doc, id: 1234 }, specificVersion: 3, deletePriorVersions: false }),
    'Umbraco.ContentRolledBack': new n.ContentRolledBackNotification({ entity: doc }),
    documentTypeChanged: new n.ContentTypeChangedNotification({ changes: [{ item: contentType, changeTypes: ['RefreshMain'] }] }),
    documentTypeDeleted: new n.ContentTypeDeletedNotification({ deletedEntities: [contentType] }),
    documentTypeMoved: new n.ContentTypeMovedNotification(move(contentType)),
    documentTypeSaved: new n.ContentTypeSavedNotification({ savedEntities: [contentType] }),
    mediaTypeChanged: new n.MediaTypeChangedNotification({ changes: [{ item: contentType, changeTypes: ['Create'] }] }),
    mediaTypeDeleted: new n.MediaTypeDeletedNotification({ deletedEntities: [contentType] }),
    mediaTypeMoved: new n.MediaTypeMovedNotification(move(contentType)),
    mediaTypeSaved: new n.MediaTypeSavedNotification({ savedEntities: [contentType] }),
    memberTypeChanged: new n.MemberTypeChangedNotification({ changes: [{ item: contentType, changeTypes: ['Remove'] }] }),
    memberTypeDeleted: new n.MemberTypeDeletedNotification({ deletedEntities: [contentType] }),
    memberTypeMoved: new n.MemberTypeMovedNotification(move(contentType)),
    memberTypeSaved: new n.MemberTypeSavedNotification({ savedEntities: [contentType] }),
    'Umbraco.ElementCopied': new n.ElementCopiedNotification({ original: exampleCmsElement('5b0c2e7d-8a41-4f3e-b6d2-7c9e1f0a3b21', banner.contentType), copy: banner, parentId: 'f-1', relateToOriginal: false }),
    'Umbraco.ElementDelete': new n.ElementDeletedNotification({ deletedEntities: [banner] }),
    'Umbraco.ElementEmptiedRecycleBin': new n.ElementEmptiedRecycleBinNotification({}),
    'Umbraco.ElementMovedToRecycleBin': new n.ElementMovedToRecycleBinNotification(move(banner)),
    'Umbraco.ElementMoved': new n.ElementMovedNotification(move(banner)),
    'Umbraco.ElementPublish': new n.ElementPublishedNotification({ publishedEntities: [banner] }),
    'Umbraco.ElementSaved': new n.ElementSavedNotification({ savedEntities: [banner] }),
    'Umbraco.ElementUnpublish': new n.ElementUnpublishedNotification({ unpublishedEntities: [banner] }),
    'Umbraco.ElementDeletedVersions': new n.ElementDeletedVersionsNotification({ entity: banner, specificVersion: 2, deletePriorVersions: false }),
    'Umbraco.ElementRolledBack': new n.ElementRolledBackNotification({ entity: banner }),
    dataTypeDeleted: new n.DataTypeDeletedNotification({ deletedEntities: [{ key: 'dt-9', name: 'Textstring' }] }),
    dataTypeMoved: new n.DataTypeMovedNotification(move({ key: 'dt-9', name: 'Textstring' })),
    dataTypeSaved: new n.DataTypeSavedNotification({ savedEntities: [{ key: 'dt-9', name: 'Textstring', editorAlias: 'Umbraco.TextBox', databaseType: 'Nvarchar', configuration: { maxChars: 500 } }] }),
    dictionaryItemDeleted: new n.DictionaryItemDeletedNotification({ deletedEntities: [{ key: 'di-1', itemKey: 'Footer' }] }),
    dictionaryItemSaved: new n.DictionaryItemSavedNotification({ savedEntities: [{ key: 'di-1', itemKey: 'Footer', translations: [{ isoCode: 'en-US', value: 'Footer' }] }] }),
    domainDeleted: new n.DomainDeletedNotification({ deletedEntities: [{ key: 'd-1', domainName: 'example.com' }] }),
    domainSaved: new n.DomainSavedNotification({ savedEntities: [{ key: 'd-1', domainName: 'example.com', rootContentId: 'c-1', isoCode: 'en-US' }] }),
    partialViewDeleted: new n.PartialViewDeletedNotification({ deletedEntities: [file] }),
    partialViewSaved: new n.PartialViewSavedNotification({ savedEntities: [file] }),
    scriptDeleted: new n.ScriptDeletedNotification({ deletedEntities: [{ path: 'site.js' }] }),
    scriptSaved: new n.ScriptSavedNotification({ savedEntities: [{ path: 'site.js' }] }),
    stylesheetDeleted: new n.StylesheetDeletedNotification({ deletedEntities: [{ path: 'site.css' }] }),
    stylesheetSaved: new n.StylesheetSavedNotification({ savedEntities: [{ path: 'site.css' }] }),
    templateDeleted: new n.TemplateDeletedNotification({ deletedEntities: [{ key: 't-1', path: 'home.cshtml', alias: 'home' }] }),
    templateSaved: new n.TemplateSavedNotification({ savedEntities: [{ key: 't-1', path: 'home.cshtml', alias: 'home', name: 'Home' }], contentTypeAlias: 'home', createTemplateForContentType: true }),
    healthCheckCompleted: new n.HealthCheckCompletedNotification({ allChecksSuccessful: false, results: [{ name: 'HTTPS', group: 'Security', resultType: 'Warning', message: 'Use HTTPS' }] }),
    languageDeleted: new n.LanguageDeletedNotification({ deletedEntities: [{ key: 'l-1', isoCode: 'da-DK' }] }),
    languageSaved: new n.LanguageSavedNotification({ savedEntities: [{ key: 'l-1', isoCode: 'da-DK', cultureName: 'Danish', isDefault: false, isMandatory: false, fallbackIsoCode: 'en-US' }] }),
    'Umbraco.MediaDelete': new n.MediaDeletedNotification({ deletedEntities: [img] }),
    'Umbraco.MediaSave': new n.MediaSavedNotification({ savedEntities: [img] }),
    mediaEmptiedRecycleBin: new n.MediaEmptiedRecycleBinNotification({ deletedEntities: [img] }),
    mediaMoved: new n.MediaMovedNotification(move(img)),
    mediaMovedToRecycleBin: new n.MediaMovedToRecycleBinNotification(move(img)),
    exportedMember: new n.ExportedMemberNotification({ member: { key: 'mem-1', name: 'Ann', email: 'ann@example.com' }, exported: { properties: [] } }),
    memberDeleted: new n.MemberDeletedNotification({ deletedEntities: [{ key: 'mem-1', id: 1057 }] }),
    memberSaved: new n.MemberSavedNotification({ savedEntities: [{ key: 'mem-1', name: 'Ann', contentType: { key: 'mt-member', alias: 'member' } }] }),
    assignedMemberRoles: new n.AssignedMemberRolesNotification({ memberIds: [1057], memberKeys: ['mem-1'], roles: ['Staff'] }),
    removedMemberRoles: new n.RemovedMemberRolesNotification({ memberIds: [1057], memberKeys: ['mem-1'], roles: ['Staff'] }),
    memberGroupDeleted: new n.MemberGroupDeletedNotification({ deletedEntities: [{ key: 'mg-1', name: 'Staff' }] }),
    memberGroupSaved: new n.MemberGroupSavedNotification({ savedEntities: [{ key: 'mg-1', name: 'Staff' }] }),
    packageImported: new n.ImportedPackageNotification({
      installationSummary: { packageName: 'Starter Kit', version: '1.0.0', documentTypesInstalled: ['dt-1', 'dt-2', 'dt-3'], templatesInstalled: ['t-1'], warnings: { conflictingTemplates: ['t-9'] }, installedItems: { documentTypes: 3, templates: 1 } },
    }),
    publicAccessEntryDeleted: new n.PublicAccessEntryDeletedNotification({ deletedEntities: [{ key: 'pa-1', protectedNodeId: 'c-1' }] }),
    publicAccessEntrySaved: new n.PublicAccessEntrySavedNotification({ savedEntities: [{ key: 'pa-1', protectedNodeId: 'c-1', loginNodeId: 'c-2', rules: [{ ruleType: 'MemberRole', ruleValue: 'Staff' }] }] }),
    relationDeleted: new n.RelationDeletedNotification({ deletedEntities: [{ key: 'r-1', parentId: 'c-1', childId: 'c-2', relationType: { alias: 'relateDocumentOnCopy' } }] }),
    relationSaved: new n.RelationSavedNotification({ savedEntities: [{ key: 'r-1', parentId: 'c-1', childId: 'c-2', relationType: { alias: 'relateDocumentOnCopy' } }] }),
    relationTypeDeleted: new n.RelationTypeDeletedNotification({ deletedEntities: [{ key: 'rt-1', alias: 'relateDocumentOnCopy' }] }),
    relationTypeSaved: new n.RelationTypeSavedNotification({ savedEntities: [{ key: 'rt-1', alias: 'relateDocumentOnCopy', name: 'Relate on copy', isBidirectional: false }] }),
    userDeleted: new n.UserDeletedNotification({ deletedEntities: [{ key: 'u-1' }] }),
    userSaved: new n.UserSavedNotification({ savedEntities: [{ key: 'u-1', name: 'Admin', email: 'admin@example.com', userGroups: ['admin'] }] }),
    userForgotPasswordRequested: new n.UserForgotPasswordRequestedNotification(audit),
    userPasswordChanged: new n.UserPasswordChangedNotification(audit),
    userPasswordReset: new n.UserPasswordResetNotification(audit),
    userLocked: new n.UserLockedNotification(audit),
    userLoginFailed: new n.UserLoginFailedNotification({ ipAddress: '127.0.0.1' }),
    userLoginRequiresVerification: new n.UserLoginRequiresVerificationNotification(audit),
    userLoginSuccess: new n.UserLoginSuccessNotification(audit),
    userLogoutSuccess: new n.UserLogoutSuccessNotification({ ...audit, signOutRedirectUrl: '/umbraco/login' }),
    userTwoFactorRequested: new n.UserTwoFactorRequestedNotification({ userKey: 'u-1' }),
    userUnlocked: new n.UserUnlockedNotification(audit),
    assignedUserGroupPermissions: new n.AssignedUserGroupPermissionsNotification({ entityPermissions: [{ entityId: 'c-1', userGroupId: 'ug-1', assignedPermissions: ['Umb.Document.Read'] }] }),
    userGroupDeleted: new n.UserGroupDeletedNotification({ deletedEntities: [{ key: 'ug-1', alias: 'editor' }] }),
    userGroupSaved: new n.UserGroupSavedNotification({ savedEntities: [{ key: 'ug-1', alias: 'editor', name: 'Editors', permissions: ['Umb.Document.Read'] }] }),
  };
}

/**
 * A realistic notification of the CMS event with this alias (Umbraco's spelling, as the catalogue
 * declares it), or undefined for an alias the catalogue does not have.
 */
export function createCmsExampleNotification(alias: string): object | undefined {
  const examples = cmsExampleNotifications();
  return Object.prototype.hasOwnProperty.call(examples, alias) ? examples[alias] : undefined;
}
