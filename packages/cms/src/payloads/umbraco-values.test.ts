import { isHookworkError, type PayloadType } from '@hookwork/core';
import {
  AssignedMemberRolesNotification,
  AssignedUserGroupPermissionsNotification,
  cmsComposer,
  ContentCopiedNotification,
  ContentDeletedVersionsNotification,
  ContentMovedNotification,
  ContentMovedToRecycleBinNotification,
  ContentTypeChangedNotification,
  ElementDeletedVersionsNotification,
  exampleCmsContent,
  exampleCmsElement,
  HealthCheckCompletedNotification,
  ImportedPackageNotification,
  ScriptSavedNotification,
  TemplateSavedNotification,
  UserLoginSuccessNotification,
  UserTwoFactorRequestedNotification,
  type CmsContent,
} from '../index';
import { composer, testApp } from '../test-support/apps';
import { encodeAsGuid } from './encode-as-guid';

// Request counts, value types and Umbraco's own kinds of values (int ids, DateTime defaults,
// Guid.Empty), beyond the one-entity examples of umbraco-bodies.test.ts.

const doc = (key: string, typeKey = 'ct-page'): CmsContent => ({ ...exampleCmsContent(key), contentType: { key: typeKey, alias: 'page' } });

async function send(payloadType: PayloadType, notifications: object[], events: string[], contentTypeKeys: string[] = []) {
  const { app, storage } = testApp([cmsComposer({ events: 'none' }), composer((b) => b.webhookEvents().addCms(false))], { settings: { payloadType } });
  await app.start();
  await app.webhooks.create({ url: 'https://example.com/hook', events, contentTypeKeys });
  const failures: string[] = [];
  for (const notification of notifications) for (const failure of (await app.publish(notification)).failures) failures.push((failure.error.cause as Error | undefined)?.message ?? failure.error.message);
  return { bodies: storage.enqueued.map((r) => JSON.parse(r.body) as unknown), failures };
}

/** The coded refusal a notification's constructor throws. */
function refusal(make: () => unknown): string {
  try {
    make();
  } catch (error) {
    expect(isHookworkError(error, 'HOOKWORK_ERR_INVALID_NOTIFICATION')).toBe(true);
    return (error as Error).message;
  }
  throw new Error('the notification was made');
}

describe("Umbraco's request counts", () => {
  it('sends ONE request for documents trashed or moved together, with every document in it, as Umbraco’s WebhookEventBase classes do', async () => {
    const moves = ['a', 'b', 'c'].map((key) => ({ entity: doc(key), newParentId: 'p-9' }));
    const { bodies } = await send('Minimal', [new ContentMovedToRecycleBinNotification({ moveInfos: moves }), new ContentMovedNotification({ moveInfos: moves })], ['Umbraco.ContentMovedToRecycleBin', 'Umbraco.ContentMoved']);
    expect(bodies).toEqual([
      [{ id: 'a' }, { id: 'b' }, { id: 'c' }],
      [{ id: 'a', newParentId: 'p-9' }, { id: 'b', newParentId: 'p-9' }, { id: 'c', newParentId: 'p-9' }],
    ]);
  });

  it('keeps, in that one request, only the documents the webhook’s content-type filter lets through, and sends none when none match', async () => {
    const moves = [{ entity: doc('a', 'ct-page'), newParentId: null }, { entity: doc('b', 'ct-news'), newParentId: null }];
    const kept = await send('Minimal', [new ContentMovedToRecycleBinNotification({ moveInfos: moves })], ['Umbraco.ContentMovedToRecycleBin'], ['ct-news']);
    expect(kept.bodies).toEqual([[{ id: 'b' }]]);
    const none = await send('Minimal', [new ContentMovedToRecycleBinNotification({ moveInfos: moves })], ['Umbraco.ContentMovedToRecycleBin'], ['ct-other']);
    expect(none.bodies).toEqual([]);
  });
});

describe("Umbraco's value types", () => {
  it('takes a version delete’s specificVersion as Umbraco’s int and dateToRetain as a date, and sends Umbraco’s 0 and DateTime.MinValue for none', async () => {
    const { bodies } = await send(
      'Minimal',
      [
        new ContentDeletedVersionsNotification({ entity: doc('a'), specificVersion: 42, deletePriorVersions: true }),
        new ContentDeletedVersionsNotification({ entity: doc('a'), deletePriorVersions: false, dateToRetain: new Date('2024-01-01T00:00:00Z') }),
        new ElementDeletedVersionsNotification({ entity: exampleCmsElement('e'), specificVersion: 7, deletePriorVersions: false, dateToRetain: null }),
      ],
      ['Umbraco.ContentDeletedVersions', 'Umbraco.ElementDeletedVersions'],
    );
    expect(bodies).toEqual([
      { id: 'a', deletePriorVersions: true, specificVersion: 42, dateToRetain: '0001-01-01T00:00:00' },
      { id: 'a', deletePriorVersions: false, specificVersion: 0, dateToRetain: '2024-01-01T00:00:00.000Z' },
      { id: 'e', deletePriorVersions: false, specificVersion: 7, dateToRetain: '0001-01-01T00:00:00' },
    ]);
  });

  it('refuses, where the notification is made, a field of another type than Umbraco’s, naming the field and the type', () => {
    expect(refusal(() => new ContentDeletedVersionsNotification({ entity: doc('a'), specificVersion: 'v-3' as never, deletePriorVersions: false }))).toBe(
      "HOOKWORK_ERR_INVALID_NOTIFICATION: new ContentDeletedVersionsNotification(data): data.specificVersion must be a whole number (Umbraco's int), null or absent; got a string \"v-3\"",
    );
    expect(refusal(() => new ElementDeletedVersionsNotification({ entity: exampleCmsElement(), specificVersion: 1.5, deletePriorVersions: false }))).toMatch(/data\.specificVersion must be a whole number .*; got a number 1\.5$/);
    expect(refusal(() => new ContentDeletedVersionsNotification({ entity: doc('a'), deletePriorVersions: false, dateToRetain: 20240101 as never }))).toMatch(/data\.dateToRetain must be a Date or a date string, null or absent/);
    expect(refusal(() => new AssignedMemberRolesNotification({ memberIds: [1057, { id: 1 } as never], roles: ['Staff'] }))).toMatch(
      /data\.memberIds must be an array of Umbraco's numeric ids \(whole numbers\) or keys \(strings\); got an array .*\(item 1 is an object\)$/,
    );
    expect(refusal(() => new ContentCopiedNotification({ original: doc('o'), copy: doc('c'), parentId: true as never, relateToOriginal: false }))).toMatch(/data\.parentId must be Umbraco's numeric id .* or a key/);
    expect(refusal(() => new UserLoginSuccessNotification({ affectedUserId: 7 as never }))).toMatch(/data\.affectedUserId must be a string, null or absent; got a number 7/);
    expect(refusal(() => new UserTwoFactorRequestedNotification({ affectedUserId: 'u-1' } as never))).toMatch(/data\.userKey must be a string; got undefined/);
    expect(refusal(() => new TemplateSavedNotification({ savedEntities: [], createTemplateForContentType: 'yes' as never }))).toMatch(/data\.createTemplateForContentType must be true or false, null or absent/);
    expect(refusal(() => new ImportedPackageNotification({ installationSummary: { packageName: 'Kit', warnings: ['a template conflicted'] as never } }))).toMatch(
      /data\.installationSummary\.warnings must be Umbraco's \{ conflictingStylesheets, conflictingTemplates \}/,
    );
    expect(refusal(() => new ImportedPackageNotification({ installationSummary: { packageName: 'Kit', documentTypesInstalled: [3] as never } }))).toMatch(/data\.installationSummary\.documentTypesInstalled must be an array of keys/);
  });

  it('sends Umbraco’s int ids in the Legacy bodies that carry them, and the keys in Minimal', async () => {
    const roles = new AssignedMemberRolesNotification({ memberIds: [1057, 1058], memberKeys: ['mem-1', 'mem-2'], roles: ['Staff'] });
    const permissions = new AssignedUserGroupPermissionsNotification({ entityPermissions: [{ entityId: 1051, entityKey: 'c-1', userGroupId: 3, userGroupKey: 'ug-1', assignedPermissions: ['F'], isDefaultPermissions: true }] });
    const copied = new ContentCopiedNotification({ original: doc('o'), copy: doc('c'), parentId: 1051, parentKey: 'p-1', relateToOriginal: false });
    const events = ['assignedMemberRoles', 'assignedUserGroupPermissions', 'Umbraco.ContentCopied'];
    expect((await send('Minimal', [roles, permissions, copied], events)).bodies).toEqual([
      { ids: ['mem-1', 'mem-2'], roles: ['Staff'] },
      [{ userId: 'c-1', userGroupId: 'ug-1' }],
      { id: 'c', original: 'o', parent: 'p-1', relateToOriginal: false },
    ]);
    const legacy = (await send('Legacy', [roles, permissions, copied], events)).bodies as [unknown, unknown, Record<string, unknown>];
    expect(legacy.slice(0, 2)).toEqual([{ memberIds: [1057, 1058], roles: ['Staff'] }, [{ entityId: 1051, userGroupId: 3, assignedPermissions: ['F'], isDefaultPermissions: true }]]);
    expect(legacy[2].parentId).toBe(1051);
  });

  it('names the key a Minimal body needs when the host gave only Umbraco’s int id, and sends the other events of the publish', async () => {
    const { bodies, failures } = await send(
      'Minimal',
      [
        new AssignedMemberRolesNotification({ memberIds: [1057], roles: ['Staff'] }),
        new AssignedUserGroupPermissionsNotification({ entityPermissions: [{ entityId: 1051, userGroupId: 'ug-1', assignedPermissions: [] }] }),
        new ContentCopiedNotification({ original: doc('o'), copy: doc('c'), parentId: 1051, relateToOriginal: false }),
        new AssignedMemberRolesNotification({ memberIds: ['mem-1'], roles: ['Staff'] }),
      ],
      ['assignedMemberRoles', 'assignedUserGroupPermissions', 'Umbraco.ContentCopied'],
    );
    expect(failures).toEqual([
      'HOOKWORK_ERR_INVALID_NOTIFICATION: AssignedMemberRolesWebhookEvent (assignedMemberRoles, Minimal): the payload\'s "ids" are the members\' keys, and memberIds holds Umbraco\'s numeric ids: give the keys as memberKeys beside them',
      "HOOKWORK_ERR_INVALID_NOTIFICATION: AssignedUserGroupPermissionsWebhookEvent (assignedUserGroupPermissions, Minimal): the payload needs the key of entityId 1051 (Umbraco's numeric id): give it as entityKey",
      'HOOKWORK_ERR_INVALID_NOTIFICATION: ContentCopiedWebhookEvent (Umbraco.ContentCopied, Minimal): the payload\'s "parent" is the parent\'s key, and parentId 1051 is Umbraco\'s numeric id: give the key as parentKey beside it',
    ]);
    expect(bodies).toEqual([{ ids: ['mem-1'], roles: ['Staff'] }]);
  });

  it('sends no Legacy Content Versions Deleted for a document without its int id, as Umbraco’s LegacyContentDeletedVersionsWebhookEvent, and the Minimal one still', async () => {
    const versions = new ContentDeletedVersionsNotification({ entity: doc('a'), specificVersion: 3, deletePriorVersions: false });
    expect((await send('Legacy', [versions], ['Umbraco.ContentDeletedVersions'])).bodies).toEqual([]);
    expect((await send('Minimal', [versions], ['Umbraco.ContentDeletedVersions'])).bodies).toEqual([{ id: 'a', deletePriorVersions: false, specificVersion: 3, dateToRetain: '0001-01-01T00:00:00' }]);
  });
});

describe("Umbraco's bodies for what the examples leave out", () => {
  it('groups health check statuses by check, as Umbraco’s ResultsAsDictionary, in the Minimal and the Legacy body', async () => {
    const run = new HealthCheckCompletedNotification({
      allChecksSuccessful: false,
      results: [
        { name: 'HTTPS', resultType: 'Error', message: 'No HTTPS', readMoreLink: 'https://example.com/https' },
        { name: 'SMTP', resultType: 'Success', message: 'SMTP works' },
        { name: 'HTTPS', resultType: 'Warning', message: 'No HSTS', description: 'Add the header' },
      ],
    });
    const https = [{ resultType: 'Error', message: 'No HTTPS' }, { resultType: 'Warning', message: 'No HSTS' }];
    expect((await send('Minimal', [run], ['healthCheckCompleted'])).bodies).toEqual([
      { allChecksSuccessful: false, results: [{ key: 'HTTPS', statusus: https, statuses: https }, { key: 'SMTP', statusus: [{ resultType: 'Success', message: 'SMTP works' }], statuses: [{ resultType: 'Success', message: 'SMTP works' }] }] },
    ]);
    expect((await send('Legacy', [run], ['healthCheckCompleted'])).bodies).toEqual([
      {
        allChecksSuccessful: false,
        resultsAsDictionary: {
          HTTPS: [
            { message: 'No HTTPS', description: null, view: null, resultType: 'Error', actions: [], readMoreLink: 'https://example.com/https' },
            { message: 'No HSTS', description: 'Add the header', view: null, resultType: 'Warning', actions: [], readMoreLink: null },
          ],
          SMTP: [{ message: 'SMTP works', description: null, view: null, resultType: 'Success', actions: [], readMoreLink: null }],
        },
      },
    ]);
  });

  it('writes a content type change’s flags as Umbraco’s enum serializer does: names joined by ", ", None for none', async () => {
    const item = { key: 'dt-1', alias: 'page' };
    const { bodies } = await send('Minimal', [new ContentTypeChangedNotification({ changes: [{ item, changeTypes: ['RefreshMain', 'RefreshOther'] }, { item, changeTypes: [] }] })], ['documentTypeChanged']);
    expect(bodies).toEqual([[{ id: 'dt-1', contentTypeChange: 'RefreshMain, RefreshOther' }, { id: 'dt-1', contentTypeChange: 'None' }]]);
  });

  it('sends a file’s own key when the host gives one, Umbraco’s path-derived key when not, and refuses a template without its key', async () => {
    const { bodies, failures } = await send(
      'Minimal',
      [new ScriptSavedNotification({ savedEntities: [{ key: '4a3b2c1d-0000-4000-8000-000000000001', path: 'site.js' }, { path: 'site.js' }] }), new TemplateSavedNotification({ savedEntities: [{ path: 'home.cshtml' }] })],
      ['scriptSaved', 'templateSaved'],
    );
    expect(bodies).toEqual([[{ id: '4a3b2c1d-0000-4000-8000-000000000001' }, { id: '00000000-0000-0000-0073-6974652e6a73' }]]);
    expect(failures).toEqual(['HOOKWORK_ERR_INVALID_NOTIFICATION: TemplateSavedWebhookEvent (templateSaved, Minimal): the payload needs "id" but the entity has no value for it; map your host model to the documented Cms* entity interface']);
  });

  it('derives a file key as Umbraco’s EncodeAsGuid: the first 32 hex digits of the characters’ codes, padded on the left', () => {
    expect(encodeAsGuid('site.js')).toBe('00000000-0000-0000-0073-6974652e6a73');
    // Longer paths are cut after 16 characters' codes; a character above U+00FF writes its code in full ({0:x2} is a minimum).
    expect(encodeAsGuid('folder/sub/deeper/site.js')).toBe('666f6c64-6572-2f73-7562-2f6465657065');
    expect(encodeAsGuid('café.css')).toBe('00000000-0000-0000-6361-66e92e637373');
    expect(encodeAsGuid('€.js')).toBe('00000000-0000-0000-0000-0020ac2e6a73');
  });
});
