import { createHookwork, getWebhookEventMetadata } from '@hookwork/core';
import * as cms from '../index';
import { cmsComposer, type CmsEventsBuilder } from '../index';
import { composer } from '../test-support/apps';

// The order in which each of Umbraco's builder methods adds its events, copied by hand from
// Umbraco's source (umbraco/Umbraco-CMS, src/Umbraco.Core/Webhooks/), as Umbraco's class names.
// The order is the order of the backoffice's event picker, and hookwork lists its events in the
// same order. Files and the commits read:
//   WebhookEventCollectionBuilderExtensions.cs ........ AddCms(false)            (v16–17, payloadType overloads; see below for AddElement)
//   WebhookEventCollectionBuilderCmsExtensions.cs ..... AddDefault, AddContent, AddContentType, AddElement, AddDataType,
//                                                       AddDictionary, AddDomain, AddFile, AddHealthCheck, AddLanguage,
//                                                       AddMedia, AddMember, AddPackage, AddPublicAccess, AddRelation,
//                                                       AddRelationType, AddUser                 (14580eea, Umbraco 18)
//   WebhookEventCollectionBuilderCmsContentExtensions.cs ..... AddDefault, AddBlueprint, AddVersion (5fc37dc7 and the v16 payloadType version)
//   WebhookEventCollectionBuilderCmsContentTypeExtensions.cs . AddDocumentType, AddMediaType, AddMemberType (5fc37dc7)
//   WebhookEventCollectionBuilderCmsFileExtensions.cs ........ AddPartialView, AddScript, AddStylesheet, AddTemplate (8e7dec28)
//   WebhookEventCollectionBuilderCmsMemberExtensions.cs ...... AddDefault, AddRoles, AddGroup (c598171d)
//   WebhookEventCollectionBuilderCmsUserExtensions.cs ........ AddDefault, AddLogin, AddPassword, AddGroup (cc417c96)
//   WebhookEventCollectionBuilderCmsElementExtensions.cs ..... AddDefault, AddVersion (Umbraco 18)
// The stored copy of Umbraco 18's AddCms(false) was not available; AddElement's place in it is
// taken from WebhookEventCollectionBuilderCmsExtensions, where Umbraco 18 declares AddElement
// right after AddContentType — and every other group's place in AddCms(false) is its place there.

/**
 * WebhookEventCollectionBuilderCmsExtensions.AddDefault: the 5 of every version before 18, and
 * Umbraco 18's `_legacyDefaultTypes`. Umbraco 18's `_defaultTypes` (Minimal, its default payload
 * type) and `_extendedDefaultTypes` append ElementDeleted, ElementPublished, ElementUnpublished;
 * hookwork keeps the 5 (docs/cms-events.md, "Differences from Umbraco").
 */
const CMS_DEFAULT = ['ContentDeletedWebhookEvent', 'ContentPublishedWebhookEvent', 'ContentUnpublishedWebhookEvent', 'MediaDeletedWebhookEvent', 'MediaSavedWebhookEvent'];

/** WebhookEventCollectionBuilderCmsExtensions `_defaultTypes` (Umbraco 18, Minimal): the 5, then three element events. */
const CMS_DEFAULT_18_MINIMAL = [...CMS_DEFAULT, 'ElementDeletedWebhookEvent', 'ElementPublishedWebhookEvent', 'ElementUnpublishedWebhookEvent'];

/** WebhookEventCollectionBuilderCmsContentExtensions. */
const CONTENT = {
  AddDefault: [
    'ContentCopiedWebhookEvent',
    'ContentDeletedWebhookEvent',
    'ContentEmptiedRecycleBinWebhookEvent',
    'ContentMovedToRecycleBinWebhookEvent',
    'ContentMovedWebhookEvent',
    'ContentPublishedWebhookEvent',
    'ContentSavedWebhookEvent',
    'ContentSortedWebhookEvent',
    'ContentUnpublishedWebhookEvent',
  ],
  AddBlueprint: ['ContentDeletedBlueprintWebhookEvent', 'ContentSavedBlueprintWebhookEvent'],
  AddVersion: ['ContentDeletedVersionsWebhookEvent', 'ContentRolledBackWebhookEvent'],
};

/** WebhookEventCollectionBuilderCmsContentTypeExtensions. */
const CONTENT_TYPE = {
  AddDocumentType: ['DocumentTypeChangedWebhookEvent', 'DocumentTypeDeletedWebhookEvent', 'DocumentTypeMovedWebhookEvent', 'DocumentTypeSavedWebhookEvent'],
  AddMediaType: ['MediaTypeChangedWebhookEvent', 'MediaTypeDeletedWebhookEvent', 'MediaTypeMovedWebhookEvent', 'MediaTypeSavedWebhookEvent'],
  AddMemberType: ['MemberTypeChangedWebhookEvent', 'MemberTypeDeletedWebhookEvent', 'MemberTypeMovedWebhookEvent', 'MemberTypeSavedWebhookEvent'],
};

/** WebhookEventCollectionBuilderCmsElementExtensions (Umbraco 18). */
const ELEMENT = {
  AddDefault: [
    'ElementCopiedWebhookEvent',
    'ElementDeletedWebhookEvent',
    'ElementEmptiedRecycleBinWebhookEvent',
    'ElementMovedToRecycleBinWebhookEvent',
    'ElementMovedWebhookEvent',
    'ElementPublishedWebhookEvent',
    'ElementSavedWebhookEvent',
    'ElementUnpublishedWebhookEvent',
  ],
  AddVersion: ['ElementDeletedVersionsWebhookEvent', 'ElementRolledBackWebhookEvent'],
};

/** WebhookEventCollectionBuilderCmsFileExtensions. */
const FILE = {
  AddPartialView: ['PartialViewDeletedWebhookEvent', 'PartialViewSavedWebhookEvent'],
  AddScript: ['ScriptDeletedWebhookEvent', 'ScriptSavedWebhookEvent'],
  AddStylesheet: ['StylesheetDeletedWebhookEvent', 'StylesheetSavedWebhookEvent'],
  AddTemplate: ['TemplateDeletedWebhookEvent', 'TemplateSavedWebhookEvent'],
};

/** WebhookEventCollectionBuilderCmsMemberExtensions. */
const MEMBER = {
  AddDefault: ['ExportedMemberWebhookEvent', 'MemberDeletedWebhookEvent', 'MemberSavedWebhookEvent'],
  AddRoles: ['AssignedMemberRolesWebhookEvent', 'RemovedMemberRolesWebhookEvent'],
  AddGroup: ['MemberGroupDeletedWebhookEvent', 'MemberGroupSavedWebhookEvent'],
};

/** WebhookEventCollectionBuilderCmsUserExtensions. */
const USER = {
  AddDefault: ['UserDeletedWebhookEvent', 'UserSavedWebhookEvent'],
  AddLogin: [
    'UserLockedWebhookEvent',
    'UserLoginFailedWebhookEvent',
    'UserLoginRequiresVerificationWebhookEvent',
    'UserLoginSuccessWebhookEvent',
    'UserLogoutSuccessWebhookEvent',
    'UserTwoFactorRequestedWebhookEvent',
    'UserUnlockedWebhookEvent',
  ],
  AddPassword: ['UserForgotPasswordRequestedWebhookEvent', 'UserPasswordChangedWebhookEvent', 'UserPasswordResetWebhookEvent'],
  AddGroup: ['AssignedUserGroupPermissionsWebhookEvent', 'UserGroupDeletedWebhookEvent', 'UserGroupSavedWebhookEvent'],
};

/** WebhookEventCollectionBuilderCmsExtensions: the flat groups, and how the composite ones call their sub-builders. */
const CMS = {
  AddContent: [...CONTENT.AddDefault, ...CONTENT.AddBlueprint, ...CONTENT.AddVersion],
  AddContentType: [...CONTENT_TYPE.AddDocumentType, ...CONTENT_TYPE.AddMediaType, ...CONTENT_TYPE.AddMemberType],
  AddElement: [...ELEMENT.AddDefault, ...ELEMENT.AddVersion],
  AddDataType: ['DataTypeDeletedWebhookEvent', 'DataTypeMovedWebhookEvent', 'DataTypeSavedWebhookEvent'],
  AddDictionary: ['DictionaryItemDeletedWebhookEvent', 'DictionaryItemSavedWebhookEvent'],
  AddDomain: ['DomainDeletedWebhookEvent', 'DomainSavedWebhookEvent'],
  AddFile: [...FILE.AddPartialView, ...FILE.AddScript, ...FILE.AddStylesheet, ...FILE.AddTemplate],
  AddHealthCheck: ['HealthCheckCompletedWebhookEvent'],
  AddLanguage: ['LanguageDeletedWebhookEvent', 'LanguageSavedWebhookEvent'],
  AddMedia: ['MediaDeletedWebhookEvent', 'MediaSavedWebhookEvent', 'MediaEmptiedRecycleBinWebhookEvent', 'MediaMovedWebhookEvent', 'MediaMovedToRecycleBinWebhookEvent'],
  AddMember: [...MEMBER.AddDefault, ...MEMBER.AddRoles, ...MEMBER.AddGroup],
  AddPackage: ['ImportedPackageWebhookEvent'],
  AddPublicAccess: ['PublicAccessEntryDeletedWebhookEvent', 'PublicAccessEntrySavedWebhookEvent'],
  AddRelation: ['RelationDeletedWebhookEvent', 'RelationSavedWebhookEvent'],
  AddRelationType: ['RelationTypeDeletedWebhookEvent', 'RelationTypeSavedWebhookEvent'],
  AddUser: [...USER.AddDefault, ...USER.AddPassword, ...USER.AddLogin, ...USER.AddGroup],
};

/** WebhookEventCollectionBuilderExtensions.AddCms(false): the groups in this order. */
const ADD_CMS_ALL = [
  ...CMS.AddContent,
  ...CMS.AddContentType,
  ...CMS.AddElement,
  ...CMS.AddDataType,
  ...CMS.AddDictionary,
  ...CMS.AddDomain,
  ...CMS.AddFile,
  ...CMS.AddHealthCheck,
  ...CMS.AddLanguage,
  ...CMS.AddMedia,
  ...CMS.AddMember,
  ...CMS.AddPackage,
  ...CMS.AddPublicAccess,
  ...CMS.AddRelation,
  ...CMS.AddRelationType,
  ...CMS.AddUser,
];

/** Umbraco's class name → the alias of hookwork's class of that name. */
function aliasOf(className: string): string {
  const type = (cms as Record<string, unknown>)[className];
  const metadata = typeof type === 'function' ? getWebhookEventMetadata(type) : undefined;
  if (!metadata) throw new Error(`@hookwork/cms exports no event class ${className}`);
  return metadata.alias;
}

const composed = (configure: (cms: CmsEventsBuilder) => void) =>
  createHookwork({ composers: [cmsComposer({ events: 'none' }), composer((b) => b.webhookEvents().addCms(configure))] })
    .events()
    .map((e) => e.alias);

// [Umbraco's method, hookwork's call, Umbraco's order]
const CASES: readonly (readonly [string, (cms: CmsEventsBuilder) => void, readonly string[]])[] = [
  ['Cms.AddDefault', (c) => c.addDefault(), CMS_DEFAULT],
  ['CmsContent.AddDefault', (c) => c.addContent((x) => x.addDefault()), CONTENT.AddDefault],
  ['CmsContent.AddBlueprint', (c) => c.addContent((x) => x.addBlueprint()), CONTENT.AddBlueprint],
  ['CmsContent.AddVersion', (c) => c.addContent((x) => x.addVersion()), CONTENT.AddVersion],
  ['Cms.AddContent(onlyDefault: true)', (c) => c.addContent(true), CONTENT.AddDefault],
  ['Cms.AddContent()', (c) => c.addContent(), CMS.AddContent],
  ['CmsContentType.AddDocumentType', (c) => c.addContentType((x) => x.addDocumentType()), CONTENT_TYPE.AddDocumentType],
  ['CmsContentType.AddMediaType', (c) => c.addContentType((x) => x.addMediaType()), CONTENT_TYPE.AddMediaType],
  ['CmsContentType.AddMemberType', (c) => c.addContentType((x) => x.addMemberType()), CONTENT_TYPE.AddMemberType],
  ['Cms.AddContentType()', (c) => c.addContentType(), CMS.AddContentType],
  ['CmsElement.AddDefault', (c) => c.addElement((x) => x.addDefault()), ELEMENT.AddDefault],
  ['CmsElement.AddVersion', (c) => c.addElement((x) => x.addVersion()), ELEMENT.AddVersion],
  ['Cms.AddElement(onlyDefault: true)', (c) => c.addElement(true), ELEMENT.AddDefault],
  ['Cms.AddElement()', (c) => c.addElement(), CMS.AddElement],
  ['Cms.AddDataType', (c) => c.addDataType(), CMS.AddDataType],
  ['Cms.AddDictionary', (c) => c.addDictionary(), CMS.AddDictionary],
  ['Cms.AddDomain', (c) => c.addDomain(), CMS.AddDomain],
  ['CmsFile.AddPartialView', (c) => c.addFile((x) => x.addPartialView()), FILE.AddPartialView],
  ['CmsFile.AddScript', (c) => c.addFile((x) => x.addScript()), FILE.AddScript],
  ['CmsFile.AddStylesheet', (c) => c.addFile((x) => x.addStylesheet()), FILE.AddStylesheet],
  ['CmsFile.AddTemplate', (c) => c.addFile((x) => x.addTemplate()), FILE.AddTemplate],
  ['Cms.AddFile()', (c) => c.addFile(), CMS.AddFile],
  ['Cms.AddHealthCheck', (c) => c.addHealthCheck(), CMS.AddHealthCheck],
  ['Cms.AddLanguage', (c) => c.addLanguage(), CMS.AddLanguage],
  ['Cms.AddMedia', (c) => c.addMedia(), CMS.AddMedia],
  ['CmsMember.AddDefault', (c) => c.addMember((x) => x.addDefault()), MEMBER.AddDefault],
  ['CmsMember.AddRoles', (c) => c.addMember((x) => x.addRoles()), MEMBER.AddRoles],
  ['CmsMember.AddGroup', (c) => c.addMember((x) => x.addGroup()), MEMBER.AddGroup],
  ['Cms.AddMember(onlyDefault: true)', (c) => c.addMember(true), MEMBER.AddDefault],
  ['Cms.AddMember()', (c) => c.addMember(), CMS.AddMember],
  ['Cms.AddPackage', (c) => c.addPackage(), CMS.AddPackage],
  ['Cms.AddPublicAccess', (c) => c.addPublicAccess(), CMS.AddPublicAccess],
  ['Cms.AddRelation', (c) => c.addRelation(), CMS.AddRelation],
  ['Cms.AddRelationType', (c) => c.addRelationType(), CMS.AddRelationType],
  ['CmsUser.AddDefault', (c) => c.addUser((x) => x.addDefault()), USER.AddDefault],
  ['CmsUser.AddLogin', (c) => c.addUser((x) => x.addLogin()), USER.AddLogin],
  ['CmsUser.AddPassword', (c) => c.addUser((x) => x.addPassword()), USER.AddPassword],
  ['CmsUser.AddGroup', (c) => c.addUser((x) => x.addGroup()), USER.AddGroup],
  ['Cms.AddUser(onlyDefault: true)', (c) => c.addUser(true), USER.AddDefault],
  ['Cms.AddUser()', (c) => c.addUser(), CMS.AddUser],
];

describe("the order of every builder method is Umbraco's", () => {
  it.each(CASES)('%s', (_method, call, umbraco) => {
    expect(composed(call)).toEqual(umbraco.map(aliasOf));
  });

  it('AddCms(false): every group, in the order Umbraco adds them', () => {
    const all = createHookwork({ composers: [cmsComposer({ events: 'none' }), composer((b) => b.webhookEvents().addCms(false))] }).events();
    expect(all.map((e) => e.alias)).toEqual(ADD_CMS_ALL.map(aliasOf));
    expect(composed((c) => c.addAll())).toEqual(ADD_CMS_ALL.map(aliasOf));
  });

  it('AddCms(true): the defaults', () => {
    expect(createHookwork({ composers: [cmsComposer()] }).events().map((e) => e.alias)).toEqual(CMS_DEFAULT.map(aliasOf));
  });

  it('AddCms(true) of Umbraco 18 with Minimal payloads: the defaults and three element events, composed as docs/cms-events.md says', () => {
    const app = createHookwork({
      composers: [cmsComposer(), composer((b) => b.webhookEvents().add(cms.ElementDeletedWebhookEvent, cms.ElementPublishedWebhookEvent, cms.ElementUnpublishedWebhookEvent))],
    });
    expect(app.events().map((e) => e.alias)).toEqual(CMS_DEFAULT_18_MINIMAL.map(aliasOf));
  });
});
