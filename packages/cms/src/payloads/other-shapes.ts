import type { CmsMoveInfo } from '../entities/common';
import type { CmsContentType, CmsContentTypeChange } from '../entities/content-type';
import type { CmsDataType } from '../entities/data-type';
import type { CmsDictionaryItem } from '../entities/dictionary-item';
import type { CmsDomain } from '../entities/domain';
import type { CmsFile } from '../entities/file';
import type { CmsHealthCheckResult } from '../entities/health-check';
import type { CmsLanguage } from '../entities/language';
import type { CmsMember, CmsMemberGroup } from '../entities/member';
import { INSTALLED_LISTS, type CmsPackageInstallation } from '../entities/package';
import type { CmsPublicAccessEntry } from '../entities/public-access-entry';
import type { CmsRelation, CmsRelationType } from '../entities/relation';
import type { CmsEntityPermission, CmsUser, CmsUserAudit, CmsUserGroup } from '../entities/user';
import { HookworkError } from '@hookwork/core';
import type { PlainData } from './plain-data';
import { encodeAsGuid } from './encode-as-guid';
import { movedMinimalShape } from './content-shapes';
import { extend, field, GUID_EMPTY, many, nested, nullable, schemas, shape, via, without, type FieldSpec, type Fields, type Shape } from './shape';

// Shapes of the "Other" events. Minimal is Umbraco 18's body: `{ id }` (Umbraco's
// DefaultPayloadModel of the entity's key) for most, the fields its converter names for the rest.
// Extended, where Umbraco has no Extended class, is Umbraco's body with the entity's fields after
// it. Only the listed fields are read, so a password hash or a cache hanging off a host's object
// never reaches a payload.

const id = <T extends { key: string }>() => field<T>(schemas.string, (entity) => entity.key);

/** The fields of `fields` but `id`: what an Extended body adds after Umbraco's `{ id, … }`. */

/** `{ id, newParentId }`, Minimal of every move but media's (Umbraco's `{ Id = Entity.Key, NewParentId = NewParentKey }`). */
export const moveMinimalShape = movedMinimalShape;

/** Fields of a document, media or member type. */
export const contentTypeFields: Fields<CmsContentType> = {
  id: id(),
  alias: field(schemas.string, (type) => type.alias),
  name: field(schemas.nullableString, (type) => type.name),
  icon: field(schemas.nullableString, (type) => type.icon),
  description: field(schemas.nullableString, (type) => type.description),
  parentId: field(schemas.nullableString, (type) => type.parentId),
};
/** A content type, Extended. */
export const contentTypeShape = shape(contentTypeFields);
/** A moved content type, Extended: Umbraco's `{ id, newParentId }`, then the type's fields (its new parent is `newParentId`). */
export const contentTypeMovedShape = extend(
  moveMinimalShape as Shape<CmsMoveInfo<CmsContentType>>,
  via(without(contentTypeFields, 'id', 'parentId'), (move: CmsMoveInfo<CmsContentType>) => move.entity),
);
/**
 * Umbraco's `ContentTypeChange = ChangeTypes`: a flags enum, which its serializer writes as the
 * names joined by ", " (`"RefreshMain, RefreshOther"`), `"None"` for none.
 */
const contentTypeChangeField = field<CmsContentTypeChange>(schemas.string, (change) => (change.changeTypes && change.changeTypes.length > 0 ? change.changeTypes.join(', ') : 'None'));
/** A changed content type, Minimal: Umbraco's `{ Id = Item.Key, ContentTypeChange = ChangeTypes }`. */
export const contentTypeChangeMinimalShape = shape<CmsContentTypeChange>({
  id: field(schemas.string, (change) => change.item.key),
  contentTypeChange: contentTypeChangeField,
});
/** A changed content type, Extended: Umbraco's `{ id, contentTypeChange }`, then the type's fields and the change types as a list. */
export const contentTypeChangeShape = extend(contentTypeChangeMinimalShape, {
  ...via(without(contentTypeFields), (change: CmsContentTypeChange) => change.item),
  changeTypes: field(schemas.stringArray, (change) => change.changeTypes ?? []),
});

const dataTypeFields: Fields<CmsDataType> = {
  id: id(),
  name: field(schemas.string, (type) => type.name),
  editorAlias: field(schemas.nullableString, (type) => type.editorAlias),
  databaseType: field(schemas.nullableString, (type) => type.databaseType),
  configuration: field(schemas.map, (type) => type.configuration ?? {}),
};
/** A data type, Extended. */
export const dataTypeShape = shape(dataTypeFields);
/** A moved data type, Extended: Umbraco's `{ id, newParentId }`, then the data type's fields. */
export const dataTypeMovedShape = extend(moveMinimalShape as Shape<CmsMoveInfo<CmsDataType>>, via(without(dataTypeFields), (move: CmsMoveInfo<CmsDataType>) => move.entity));

/** A dictionary item, Extended. */
export const dictionaryItemShape = shape<CmsDictionaryItem>({
  id: id(),
  itemKey: field(schemas.string, (item) => item.itemKey),
  parentId: field(schemas.nullableString, (item) => item.parentId),
  translations: many(
    shape<{ isoCode: string; value: string }>({ isoCode: field(schemas.string, (t) => t.isoCode), value: field(schemas.string, (t) => t.value) }),
    (item) => item.translations,
  ),
});

/** A domain, Extended. */
export const domainShape = shape<CmsDomain>({
  id: id(),
  domainName: field(schemas.string, (domain) => domain.domainName),
  rootContentId: field(schemas.nullableString, (domain) => domain.rootContentId),
  isoCode: field(schemas.nullableString, (domain) => domain.isoCode),
});

/** A language, Extended. */
export const languageShape = shape<CmsLanguage>({
  id: id(),
  isoCode: field(schemas.string, (language) => language.isoCode),
  cultureName: field(schemas.nullableString, (language) => language.cultureName),
  isDefault: field(schemas.nullableBoolean, (language) => language.isDefault),
  isMandatory: field(schemas.nullableBoolean, (language) => language.isMandatory),
  fallbackIsoCode: field(schemas.nullableString, (language) => language.fallbackIsoCode),
});

type HealthCheckRun = { allChecksSuccessful: boolean; results: readonly CmsHealthCheckResult[] };
interface HealthCheckGroup {
  key: string;
  statuses: CmsHealthCheckResult[];
}

/** Umbraco's `ResultsAsDictionary`: each check's name with its statuses, in the order the checks first appear. */
function resultsByCheck(run: HealthCheckRun): HealthCheckGroup[] {
  const groups = new Map<string, HealthCheckGroup>();
  for (const result of run.results ?? []) {
    const key = typeof result?.name === 'string' ? result.name : String(result?.name);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { key, statuses: [] }));
    group.statuses.push(result);
  }
  return [...groups.values()];
}

const statusShape = shape<CmsHealthCheckResult>({
  resultType: field(schemas.string, (status) => status.resultType),
  message: field(schemas.nullableString, (status) => status.message),
});

/**
 * A health check run, Minimal: Umbraco's `{ AllChecksSuccessful, Results = ResultsAsDictionary.Select(r =>
 * new { r.Key, Statusus = r.Value.Select(x => new { ResultType, Message }) }) }`. `statusus` is
 * Umbraco's misspelling, kept for receivers that read it; `statuses` beside it carries the same.
 */
export const healthCheckMinimalShape = shape<HealthCheckRun>({
  allChecksSuccessful: field(schemas.boolean, (run) => run.allChecksSuccessful),
  results: many(
    shape<HealthCheckGroup>({
      key: field(schemas.string, (group) => group.key),
      statusus: many(statusShape, (group) => group.statuses),
      statuses: many(statusShape, (group) => group.statuses),
    }),
    resultsByCheck,
  ),
});

/** One status as Umbraco's HealthCheckStatus serialises (`view` and `actions` are Umbraco back-office things hookwork has none of). */
const legacyStatusShape = shape<CmsHealthCheckResult>({
  message: field(schemas.nullableString, (status) => status.message),
  description: field(schemas.nullableString, (status) => status.description),
  view: field(schemas.nullableString, () => null),
  resultType: field(schemas.string, (status) => status.resultType),
  actions: field({ type: 'array', maxItems: 0 }, () => []),
  readMoreLink: field(schemas.nullableString, (status) => status.readMoreLink),
});

/** `resultsAsDictionary`: check name → its statuses (the keys are the checks' names, as Umbraco's dictionary keys). */
const resultsAsDictionaryField: FieldSpec<HealthCheckRun> = {
  schema: (casing) => ({ type: 'object', additionalProperties: { type: 'array', items: legacyStatusShape.schema(casing) } }),
  value: (run, casing) => {
    const result: { [check: string]: PlainData } = {};
    for (const group of resultsByCheck(run)) {
      const statuses = group.statuses.map((status) => legacyStatusShape.project(status, casing));
      if (group.key === '__proto__') Object.defineProperty(result, group.key, { value: statuses, enumerable: true, writable: true, configurable: true });
      else result[group.key] = statuses;
    }
    return result;
  },
};

/** A health check run, Legacy: Umbraco's LegacyHealthCheckCompletedWebhookEvent `{ AllChecksSuccessful, ResultsAsDictionary }`. */
export const legacyHealthCheckShape = shape<HealthCheckRun>({
  allChecksSuccessful: field(schemas.boolean, (run) => run.allChecksSuccessful),
  resultsAsDictionary: resultsAsDictionaryField,
});

type PackageNotification = { installationSummary: CmsPackageInstallation };
const keys = (get: (summary: CmsPackageInstallation) => readonly string[] | undefined) => field<PackageNotification>(schemas.stringArray, (n) => get(n.installationSummary) ?? []);

/**
 * An imported package, Minimal: Umbraco's `{ PackageName, InstalledEntities = { ContentIds, … },
 * Warnings = { ConflictingStylesheetsIds, ConflictingTemplatesIds } }`, every list the keys of the items.
 */
export const packageMinimalShape = shape<PackageNotification>({
  packageName: field(schemas.string, (n) => n.installationSummary.packageName),
  installedEntities: nested(
    shape<PackageNotification>(Object.fromEntries(Object.entries(INSTALLED_LISTS).map(([list, name]) => [name, keys((s) => s[list as keyof typeof INSTALLED_LISTS])]))),
    (n) => n,
  ),
  warnings: nested(
    shape<PackageNotification>({
      conflictingStylesheetsIds: keys((s) => s.warnings?.conflictingStylesheets),
      conflictingTemplatesIds: keys((s) => s.warnings?.conflictingTemplates),
    }),
    (n) => n,
  ),
});
/** An imported package, Extended: Umbraco's body, then the version and hookwork's counts by kind. */
export const packageShape = extend(packageMinimalShape, {
  version: field(schemas.nullableString, (n) => n.installationSummary.version),
  installedItems: field({ type: 'object', additionalProperties: { type: 'number' } }, (n) => n.installationSummary.installedItems ?? {}),
});

/** A public access entry, Extended. */
export const publicAccessEntryShape = shape<CmsPublicAccessEntry>({
  id: id(),
  protectedNodeId: field(schemas.string, (entry) => entry.protectedNodeId),
  loginNodeId: field(schemas.nullableString, (entry) => entry.loginNodeId),
  noAccessNodeId: field(schemas.nullableString, (entry) => entry.noAccessNodeId),
  rules: many(
    shape<{ ruleType: string; ruleValue: string }>({ ruleType: field(schemas.string, (r) => r.ruleType), ruleValue: field(schemas.string, (r) => r.ruleValue) }),
    (entry) => entry.rules,
  ),
});

/** A relation, Extended. */
export const relationShape = shape<CmsRelation>({
  id: id(),
  parentId: field(schemas.string, (relation) => relation.parentId),
  childId: field(schemas.string, (relation) => relation.childId),
  relationTypeAlias: field(schemas.string, (relation) => relation.relationType?.alias),
  comment: field(schemas.nullableString, (relation) => relation.comment),
  createDate: field(schemas.nullableString, (relation) => relation.createDate),
});

/** A relation type, Extended. */
export const relationTypeShape = shape<CmsRelationType>({
  id: id(),
  alias: field(schemas.string, (type) => type.alias),
  name: field(schemas.nullableString, (type) => type.name),
  isBidirectional: field(schemas.nullableBoolean, (type) => type.isBidirectional),
  parentObjectType: field(schemas.nullableString, (type) => type.parentObjectType),
  childObjectType: field(schemas.nullableString, (type) => type.childObjectType),
});

/**
 * A file's key, sent as `id`: the host's, else (scripts, stylesheets, partial views) the one
 * Umbraco derives from the path, `path.EncodeAsGuid()`. Templates have database keys in Umbraco,
 * which cannot be derived: none is a missing field.
 */
const fileKey = (derive: boolean) =>
  field<CmsFile>(schemas.string, (file) => {
    if (typeof file.key === 'string' || !derive) return file.key;
    return typeof file.path === 'string' && file.path.trim() !== '' ? encodeAsGuid(file.path) : undefined;
  });
const fileFields: Fields<CmsFile> = {
  path: field(schemas.string, (file) => file.path),
  name: field(schemas.nullableString, (file) => file.name),
  alias: field(schemas.nullableString, (file) => file.alias),
};
/** A partial view, script or stylesheet, Minimal: Umbraco's `DefaultPayloadModel { Id = entity.Key }`. */
export const fileMinimalShape = shape<CmsFile>({ id: fileKey(true) });
/** A partial view, script or stylesheet, Extended: `{ id }`, then its path, name and alias (never its content). */
export const fileShape = extend(fileMinimalShape, fileFields);
/** A template, Minimal (Template Deleted): Umbraco's `{ Id = entity.Key }`, the template's database key. */
export const templateMinimalShape = shape<CmsFile>({ id: fileKey(false) });
/** A template, Extended: `{ id }`, then its path, name and alias. */
export const templateShape = extend(templateMinimalShape, fileFields);

const memberFields: Fields<CmsMember> = {
  id: id(),
  name: field(schemas.nullableString, (member) => member.name),
  email: field(schemas.nullableString, (member) => member.email),
  username: field(schemas.nullableString, (member) => member.username),
  memberType: field(schemas.nullableString, (member) => member.contentType?.alias),
  createDate: field(schemas.nullableString, (member) => member.createDate),
  updateDate: field(schemas.nullableString, (member) => member.updateDate),
  properties: field(schemas.map, (member) => member.properties ?? {}),
};
/** A member, Extended. */
export const memberShape = shape(memberFields);
/**
 * A member as Umbraco's `LegacyMemberSavedWebhookEvent` / `LegacyMemberDeletedWebhookEvent` send
 * it: `{ id, key, name, contentTypeAlias, email, username, failedPasswordAttempts }` (`id` the
 * numeric database id, `key` the GUID).
 */
export const legacyMemberShape = shape<CmsMember>({
  id: field(schemas.nullableInteger, (member) => member.id),
  key: field(schemas.string, (member) => member.key),
  name: field(schemas.nullableString, (member) => member.name),
  contentTypeAlias: field(schemas.nullableString, (member) => member.contentType?.alias),
  email: field(schemas.nullableString, (member) => member.email),
  username: field(schemas.nullableString, (member) => member.username),
  failedPasswordAttempts: field(schemas.nullableInteger, (member) => member.failedPasswordAttempts),
});
/** An exported member, Minimal: Umbraco's `{ Id = Member.Key }`. */
export const exportedMemberMinimalShape = shape<{ member: CmsMember }>({ id: field(schemas.string, (n) => n.member.key) });
/** An exported member, Legacy: Umbraco's LegacyExportedMemberWebhookEvent `new { exportedMember = notification.Exported }`. */
export const legacyExportedMemberShape = shape<{ exported?: Readonly<Record<string, unknown>> }>({
  exportedMember: field(nullable(schemas.map), (n) => n.exported),
});
/** An exported member, Extended: the member and what the export contained. */
export const exportedMemberShape = shape<{ member: CmsMember; exported?: Readonly<Record<string, unknown>> }>({
  ...via(memberFields, (n) => n.member),
  exported: field(schemas.map, (n) => n.exported ?? {}),
});
type MemberRoles = { memberIds: readonly (number | string)[]; memberKeys?: readonly string[]; roles: readonly string[] };
/** The members' keys: `memberKeys`, else `memberIds` when they are keys (Umbraco maps its int ids to keys). */
function memberKeysOf(n: MemberRoles): readonly string[] {
  if (n.memberKeys) return n.memberKeys;
  if (n.memberIds.every((memberId) => typeof memberId === 'string')) return n.memberIds as readonly string[];
  throw new HookworkError('HOOKWORK_ERR_INVALID_NOTIFICATION', `the payload's "ids" are the members' keys, and memberIds holds Umbraco's numeric ids: give the keys as memberKeys beside them`);
}
/** Member roles assigned or removed, Minimal and Extended: Umbraco's `{ Ids = MemberIds → keys, Roles }`. */
export const memberRolesShape = shape<MemberRoles>({
  ids: field(schemas.stringArray, memberKeysOf),
  roles: field(schemas.stringArray, (n) => n.roles),
});
/** Member roles assigned or removed, Legacy: Umbraco's notification, `{ MemberIds (int[]), Roles }`. */
export const legacyMemberRolesShape = shape<MemberRoles>({
  memberIds: field({ type: 'array', items: schemas.integerOrString }, (n) => n.memberIds),
  roles: field(schemas.stringArray, (n) => n.roles),
});
/** A member group, Extended. */
export const memberGroupShape = shape<CmsMemberGroup>({ id: id(), name: field(schemas.string, (group) => group.name) });

/** A user, Extended (no password, no security stamp). */
export const userShape = shape<CmsUser>({
  id: id(),
  name: field(schemas.nullableString, (user) => user.name),
  email: field(schemas.nullableString, (user) => user.email),
  username: field(schemas.nullableString, (user) => user.username),
  userGroups: field(schemas.stringArray, (user) => user.userGroups ?? []),
  createDate: field(schemas.nullableString, (user) => user.createDate),
  updateDate: field(schemas.nullableString, (user) => user.updateDate),
});
/**
 * A user as Umbraco's `LegacyUserSavedWebhookEvent` / `LegacyUserDeletedWebhookEvent` send it:
 * `{ id, key, name, language, email, username, failedPasswordAttempts }`.
 */
export const legacyUserShape = shape<CmsUser>({
  id: field(schemas.nullableInteger, (user) => user.id),
  key: field(schemas.string, (user) => user.key),
  name: field(schemas.nullableString, (user) => user.name),
  language: field(schemas.nullableString, (user) => user.language),
  email: field(schemas.nullableString, (user) => user.email),
  username: field(schemas.nullableString, (user) => user.username),
  failedPasswordAttempts: field(schemas.nullableInteger, (user) => user.failedPasswordAttempts),
});
/** A user id as Umbraco's Minimal user bodies send it: the id, or `Guid.Empty` when the notification has none (a failed login of an unknown user). */
const userIdOrEmpty = (get: (audit: CmsUserAudit) => string | null | undefined) => field<CmsUserAudit>(schemas.string, (audit) => get(audit) ?? GUID_EMPTY);

/** A user security notification, Minimal: Umbraco's `DefaultPayloadModel { Id = AffectedUserId ?? Guid.Empty }` (login, logout, lock, forgotten password). */
export const userAuditMinimalShape = shape<CmsUserAudit>({ id: userIdOrEmpty((audit) => audit.affectedUserId) });
/** User Password Changed and User Unlocked, Minimal: Umbraco's `{ Id = affected, PerformingId = performing }`. */
export const userAuditPerformingMinimalShape = extend(userAuditMinimalShape, { performingId: userIdOrEmpty((audit) => audit.performingUserId) });
/**
 * User Password Reset, Minimal: Umbraco's `{ Id, PerormingId }` — its misspelling, kept for receivers
 * that read it — and `performingId` beside it; both the performing user (Umbraco fills PerormingId
 * with the affected user).
 */
export const userPasswordResetMinimalShape = extend(userAuditMinimalShape, {
  perormingId: userIdOrEmpty((audit) => audit.performingUserId),
  performingId: userIdOrEmpty((audit) => audit.performingUserId),
});
/** What hookwork's Extended user security bodies add after Umbraco's: from where and when. */
export const userAuditExtraFields: Fields<CmsUserAudit> = {
  ipAddress: field(schemas.nullableString, (audit) => audit.ipAddress),
  dateTimeUtc: field(schemas.nullableString, (audit) => audit.dateTimeUtc),
};
/** Umbraco's UserNotification as its Legacy events send the notification: `{ DateTimeUtc, IpAddress, AffectedUserId, PerformingUserId }`. */
export const legacyUserAuditFields: Fields<CmsUserAudit> = {
  dateTimeUtc: field(schemas.nullableString, (audit) => audit.dateTimeUtc),
  ipAddress: field(schemas.nullableString, (audit) => audit.ipAddress),
  affectedUserId: field(schemas.nullableString, (audit) => audit.affectedUserId),
  performingUserId: field(schemas.nullableString, (audit) => audit.performingUserId),
};
/** A user security notification, Legacy: the notification as Umbraco sends it. */
export const legacyUserAuditShape = shape(legacyUserAuditFields);

/** An entity's or group's key for the Minimal permission body: the `…Key` field, else the id when it is a key. */
const permissionKey = (keyField: 'entityKey' | 'userGroupKey', idField: 'entityId' | 'userGroupId') =>
  field<CmsEntityPermission>(schemas.string, (p) => {
    const key = p[keyField];
    if (typeof key === 'string') return key;
    const value = p[idField];
    if (typeof value !== 'number') return value;
    throw new HookworkError('HOOKWORK_ERR_INVALID_NOTIFICATION', `the payload needs the key of ${idField} ${value} (Umbraco's numeric id): give it as ${keyField}`);
  });
/** Permissions assigned, Minimal: Umbraco's `{ UserId = key of EntityId, UserGroupId = key of UserGroupId }` (its name `userId` is the entity's). */
export const entityPermissionMinimalShape = shape<CmsEntityPermission>({
  userId: permissionKey('entityKey', 'entityId'),
  userGroupId: permissionKey('userGroupKey', 'userGroupId'),
});
/** Permissions assigned, Extended: Umbraco's body, then the permissions assigned. */
export const entityPermissionShape = extend(entityPermissionMinimalShape, {
  assignedPermissions: field(schemas.stringArray, (p) => p.assignedPermissions ?? []),
});
/** Permissions assigned, Legacy: Umbraco's EntityPermission `{ EntityId, UserGroupId, AssignedPermissions, IsDefaultPermissions }`. */
export const legacyEntityPermissionShape = shape<CmsEntityPermission>({
  entityId: field(schemas.integerOrString, (p) => p.entityId),
  userGroupId: field(schemas.integerOrString, (p) => p.userGroupId),
  assignedPermissions: field(schemas.stringArray, (p) => p.assignedPermissions ?? []),
  isDefaultPermissions: field(schemas.boolean, (p) => p.isDefaultPermissions ?? false),
});
/** A user group, Extended. */
export const userGroupShape = shape<CmsUserGroup>({
  id: id(),
  alias: field(schemas.string, (group) => group.alias),
  name: field(schemas.nullableString, (group) => group.name),
  permissions: field(schemas.stringArray, (group) => group.permissions ?? []),
});
