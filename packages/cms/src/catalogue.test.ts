import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHookwork } from '@hookwork/core';
import * as cms from './index';
import { cmsComposer } from './index';
import { composer as compose, testApp } from './test-support/apps';
import { cmsExampleNotifications as sampleNotifications } from './events/example-notifications';

// Written out by hand from Umbraco's catalogue (not derived from this package's data), in
// Umbraco 18's AddCms(false) order: [class, alias, display name, type]. The element events are
// Umbraco 18's (src/Umbraco.Core/Webhooks/Events/Element/).
const CATALOGUE: readonly (readonly [string, string, string, string])[] = [
  ['ContentCopiedWebhookEvent', 'Umbraco.ContentCopied', 'Content Copied', 'Content'],
  ['ContentDeletedWebhookEvent', 'Umbraco.ContentDelete', 'Content Deleted', 'Content'],
  ['ContentEmptiedRecycleBinWebhookEvent', 'Umbraco.ContentEmptiedRecycleBin', 'Content Recycle Bin Emptied', 'Content'],
  ['ContentMovedToRecycleBinWebhookEvent', 'Umbraco.ContentMovedToRecycleBin', 'Content Moved to Recycle Bin', 'Content'],
  ['ContentMovedWebhookEvent', 'Umbraco.ContentMoved', 'Content Moved', 'Content'],
  ['ContentPublishedWebhookEvent', 'Umbraco.ContentPublish', 'Content Published', 'Content'],
  ['ContentSavedWebhookEvent', 'Umbraco.ContentSaved', 'Content Saved', 'Content'],
  ['ContentSortedWebhookEvent', 'Umbraco.ContentSorted', 'Content Sorted', 'Content'],
  ['ContentUnpublishedWebhookEvent', 'Umbraco.ContentUnpublish', 'Content Unpublished', 'Content'],
  ['ContentDeletedBlueprintWebhookEvent', 'Umbraco.ContentDeletedBlueprint', 'Content Template [Blueprint] Deleted', 'Content'],
  ['ContentSavedBlueprintWebhookEvent', 'Umbraco.ContentSavedBlueprint', 'Content Template [Blueprint] Saved', 'Content'],
  ['ContentDeletedVersionsWebhookEvent', 'Umbraco.ContentDeletedVersions', 'Content Versions Deleted', 'Content'],
  ['ContentRolledBackWebhookEvent', 'Umbraco.ContentRolledBack', 'Content Rolled Back', 'Content'],
  ['DocumentTypeChangedWebhookEvent', 'documentTypeChanged', 'Document Type Changed', 'Other'],
  ['DocumentTypeDeletedWebhookEvent', 'documentTypeDeleted', 'Document Type Deleted', 'Other'],
  ['DocumentTypeMovedWebhookEvent', 'documentTypeMoved', 'Document Type Moved', 'Other'],
  ['DocumentTypeSavedWebhookEvent', 'documentTypeSaved', 'Document Type Saved', 'Other'],
  ['MediaTypeChangedWebhookEvent', 'mediaTypeChanged', 'Media Type Changed', 'Other'],
  ['MediaTypeDeletedWebhookEvent', 'mediaTypeDeleted', 'Media Type Deleted', 'Other'],
  ['MediaTypeMovedWebhookEvent', 'mediaTypeMoved', 'Media Type Moved', 'Other'],
  ['MediaTypeSavedWebhookEvent', 'mediaTypeSaved', 'Media Type Saved', 'Other'],
  ['MemberTypeChangedWebhookEvent', 'memberTypeChanged', 'Member Type Changed', 'Other'],
  ['MemberTypeDeletedWebhookEvent', 'memberTypeDeleted', 'Member Type Deleted', 'Other'],
  ['MemberTypeMovedWebhookEvent', 'memberTypeMoved', 'Member Type Moved', 'Other'],
  ['MemberTypeSavedWebhookEvent', 'memberTypeSaved', 'Member Type Saved', 'Other'],
  ['ElementCopiedWebhookEvent', 'Umbraco.ElementCopied', 'Element Copied', 'Element'],
  ['ElementDeletedWebhookEvent', 'Umbraco.ElementDelete', 'Element Deleted', 'Element'],
  ['ElementEmptiedRecycleBinWebhookEvent', 'Umbraco.ElementEmptiedRecycleBin', 'Element Recycle Bin Emptied', 'Element'],
  ['ElementMovedToRecycleBinWebhookEvent', 'Umbraco.ElementMovedToRecycleBin', 'Element Moved to Recycle Bin', 'Element'],
  ['ElementMovedWebhookEvent', 'Umbraco.ElementMoved', 'Element Moved', 'Element'],
  ['ElementPublishedWebhookEvent', 'Umbraco.ElementPublish', 'Element Published', 'Element'],
  ['ElementSavedWebhookEvent', 'Umbraco.ElementSaved', 'Element Saved', 'Element'],
  ['ElementUnpublishedWebhookEvent', 'Umbraco.ElementUnpublish', 'Element Unpublished', 'Element'],
  ['ElementDeletedVersionsWebhookEvent', 'Umbraco.ElementDeletedVersions', 'Element Versions Deleted', 'Element'],
  ['ElementRolledBackWebhookEvent', 'Umbraco.ElementRolledBack', 'Element Rolled Back', 'Element'],
  ['DataTypeDeletedWebhookEvent', 'dataTypeDeleted', 'Data Type Deleted', 'Other'],
  ['DataTypeMovedWebhookEvent', 'dataTypeMoved', 'Data Type Moved', 'Other'],
  ['DataTypeSavedWebhookEvent', 'dataTypeSaved', 'Data Type Saved', 'Other'],
  ['DictionaryItemDeletedWebhookEvent', 'dictionaryItemDeleted', 'Dictionary Item Deleted', 'Other'],
  ['DictionaryItemSavedWebhookEvent', 'dictionaryItemSaved', 'Dictionary Item Saved', 'Other'],
  ['DomainDeletedWebhookEvent', 'domainDeleted', 'Domain Deleted', 'Other'],
  ['DomainSavedWebhookEvent', 'domainSaved', 'Domain Saved', 'Other'],
  ['PartialViewDeletedWebhookEvent', 'partialViewDeleted', 'Partial View Deleted', 'Other'],
  ['PartialViewSavedWebhookEvent', 'partialViewSaved', 'Partial View Saved', 'Other'],
  ['ScriptDeletedWebhookEvent', 'scriptDeleted', 'Script Deleted', 'Other'],
  ['ScriptSavedWebhookEvent', 'scriptSaved', 'Script Saved', 'Other'],
  ['StylesheetDeletedWebhookEvent', 'stylesheetDeleted', 'Stylesheet Deleted', 'Other'],
  ['StylesheetSavedWebhookEvent', 'stylesheetSaved', 'Stylesheet Saved', 'Other'],
  ['TemplateDeletedWebhookEvent', 'templateDeleted', 'Template Deleted', 'Other'],
  ['TemplateSavedWebhookEvent', 'templateSaved', 'Template Saved', 'Other'],
  ['HealthCheckCompletedWebhookEvent', 'healthCheckCompleted', 'Health Check Completed', 'Other'],
  ['LanguageDeletedWebhookEvent', 'languageDeleted', 'Language Deleted', 'Other'],
  ['LanguageSavedWebhookEvent', 'languageSaved', 'Language Saved', 'Other'],
  ['MediaDeletedWebhookEvent', 'Umbraco.MediaDelete', 'Media Deleted', 'Media'],
  ['MediaSavedWebhookEvent', 'Umbraco.MediaSave', 'Media Saved', 'Media'],
  ['MediaEmptiedRecycleBinWebhookEvent', 'mediaEmptiedRecycleBin', 'Media Recycle Bin Emptied', 'Media'],
  ['MediaMovedWebhookEvent', 'mediaMoved', 'Media Moved', 'Media'],
  ['MediaMovedToRecycleBinWebhookEvent', 'mediaMovedToRecycleBin', 'Media Moved to Recycle Bin', 'Media'],
  ['ExportedMemberWebhookEvent', 'exportedMember', 'Member Exported', 'Other'],
  ['MemberDeletedWebhookEvent', 'memberDeleted', 'Member Deleted', 'Other'],
  ['MemberSavedWebhookEvent', 'memberSaved', 'Member Saved', 'Other'],
  ['AssignedMemberRolesWebhookEvent', 'assignedMemberRoles', 'Member Roles Assigned', 'Other'],
  ['RemovedMemberRolesWebhookEvent', 'removedMemberRoles', 'Member Roles Removed', 'Other'],
  ['MemberGroupDeletedWebhookEvent', 'memberGroupDeleted', 'Member Group Deleted', 'Other'],
  ['MemberGroupSavedWebhookEvent', 'memberGroupSaved', 'Member Group Saved', 'Other'],
  ['ImportedPackageWebhookEvent', 'packageImported', 'Package Imported', 'Other'],
  ['PublicAccessEntryDeletedWebhookEvent', 'publicAccessEntryDeleted', 'Public Access Entry Deleted', 'Other'],
  ['PublicAccessEntrySavedWebhookEvent', 'publicAccessEntrySaved', 'Public Access Entry Saved', 'Other'],
  ['RelationDeletedWebhookEvent', 'relationDeleted', 'Relation Deleted', 'Other'],
  ['RelationSavedWebhookEvent', 'relationSaved', 'Relation Saved', 'Other'],
  ['RelationTypeDeletedWebhookEvent', 'relationTypeDeleted', 'Relation Type Deleted', 'Other'],
  ['RelationTypeSavedWebhookEvent', 'relationTypeSaved', 'Relation Type Saved', 'Other'],
  ['UserDeletedWebhookEvent', 'userDeleted', 'User Deleted', 'Other'],
  ['UserSavedWebhookEvent', 'userSaved', 'User Saved', 'Other'],
  ['UserForgotPasswordRequestedWebhookEvent', 'userForgotPasswordRequested', 'User Forgot Password Requested', 'Other'],
  ['UserPasswordChangedWebhookEvent', 'userPasswordChanged', 'User Password Changed', 'Other'],
  ['UserPasswordResetWebhookEvent', 'userPasswordReset', 'User Password Reset', 'Other'],
  ['UserLockedWebhookEvent', 'userLocked', 'User Locked', 'Other'],
  ['UserLoginFailedWebhookEvent', 'userLoginFailed', 'User Login Failed', 'Other'],
  ['UserLoginRequiresVerificationWebhookEvent', 'userLoginRequiresVerification', 'User Login Requires Verification', 'Other'],
  ['UserLoginSuccessWebhookEvent', 'userLoginSuccess', 'User Login Success', 'Other'],
  ['UserLogoutSuccessWebhookEvent', 'userLogoutSuccess', 'User Logout Success', 'Other'],
  ['UserTwoFactorRequestedWebhookEvent', 'userTwoFactorRequested', 'User Two Factor Requested', 'Other'],
  ['UserUnlockedWebhookEvent', 'userUnlocked', 'User Unlocked', 'Other'],
  ['AssignedUserGroupPermissionsWebhookEvent', 'assignedUserGroupPermissions', 'User Group Permissions Assigned', 'Other'],
  ['UserGroupDeletedWebhookEvent', 'userGroupDeleted', 'User Group Deleted', 'Other'],
  ['UserGroupSavedWebhookEvent', 'userGroupSaved', 'User Group Saved', 'Other'],
];
const ALIASES = CATALOGUE.map(([, alias]) => alias);

const allEventsApp = () => testApp([cmsComposer(), compose((b) => b.webhookEvents().clear().addCms(false))]);

describe('the CMS event catalogue', () => {
  it('has 87 distinct aliases in the literal table', () => {
    expect(CATALOGUE).toHaveLength(87);
    expect(new Set(ALIASES).size).toBe(87);
  });

  it('composes every event with Umbraco’s alias, display name and type, in AddCms(false) order', () => {
    const { app } = allEventsApp();
    expect(app.events().map((e) => [e.alias, e.eventName, e.eventType])).toEqual(CATALOGUE.map(([, alias, name, type]) => [alias, name, type]));
  });

  it.each(CATALOGUE)('exports %s as its own named class (alias %s)', (className, alias) => {
    const type = (cms as Record<string, unknown>)[className] as Function;
    expect(typeof type).toBe('function');
    expect(type.name).toBe(className);
    const app = createHookwork({ composers: [compose((b) => b.webhookEvents().add(type as never))] });
    expect(app.events().map((e) => e.alias)).toEqual([alias]);
  });

  it('is documented in docs/cms-events.md: one table row per event, in collection order', () => {
    const docs = readFileSync(join(__dirname, '../../../docs/cms-events.md'), 'utf8');
    const rows = docs.split('\n').filter((line) => /^\| \d+ \| `/.test(line));
    expect(rows.map((row) => /^\| \d+ \| `([^`]+)`/.exec(row)![1])).toEqual(ALIASES);
    for (const [index, [className, , name, type]] of CATALOGUE.entries()) {
      expect(rows[index]).toContain(`| ${name} | ${type} | \`${className}\` |`);
    }
  });

  it('accepts Umbraco’s spelling UserGroupDeleted as a synonym of userGroupDeleted', async () => {
    const { app, storage } = allEventsApp();
    await app.start();
    expect(app.events().find((e) => e.alias === 'userGroupDeleted')?.synonyms).toEqual(['UserGroupDeleted']);
    await app.webhooks.create({ url: 'https://example.com/hook', events: ['UserGroupDeleted'] });
    await app.publish(sampleNotifications().userGroupDeleted!);
    expect(storage.enqueued.map((r) => r.eventAlias)).toEqual(['UserGroupDeleted']);
    await app.stop();
  });

  it('enqueues exactly one request per notification, carrying its own alias, for one webhook subscribed to all 87', async () => {
    const { app, storage } = allEventsApp();
    await app.start();
    const webhook = await app.webhooks.create({ url: 'https://example.com/hook', events: [...ALIASES] });
    const samples = sampleNotifications();
    expect(Object.keys(samples).sort()).toEqual([...ALIASES].sort());
    const seen: string[] = [];
    app.lifecycle.on('enqueued', (requests) => seen.push(...requests.map((r) => r.eventAlias)));
    for (const alias of ALIASES) {
      const before = storage.enqueued.length;
      const result = await app.publish(samples[alias]!);
      expect(result.failures).toEqual([]);
      const produced = storage.enqueued.slice(before);
      expect({ alias, fired: produced.map((r) => r.eventAlias) }).toEqual({ alias, fired: [alias] });
      expect(produced[0]!.webhookKey).toBe(webhook.key);
    }
    expect(seen).toEqual(ALIASES);
    await app.stop();
  });
});
