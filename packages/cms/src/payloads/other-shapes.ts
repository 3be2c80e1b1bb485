import type { CmsMoveInfo } from '../entities/common';
import type { CmsContentType, CmsContentTypeChange } from '../entities/content-type';
import type { CmsDataType } from '../entities/data-type';
import type { CmsDictionaryItem } from '../entities/dictionary-item';
import type { CmsDomain } from '../entities/domain';
import type { CmsFile } from '../entities/file';
import type { CmsHealthCheckResult } from '../entities/health-check';
import type { CmsLanguage } from '../entities/language';
import type { CmsMember, CmsMemberGroup } from '../entities/member';
import type { CmsPackageInstallation } from '../entities/package';
import type { CmsPublicAccessEntry } from '../entities/public-access-entry';
import type { CmsRelation, CmsRelationType } from '../entities/relation';
import type { CmsEntityPermission, CmsUser, CmsUserAudit, CmsUserGroup } from '../entities/user';
import { field, many, schemas, shape, via, type Fields } from './shape';

// Shapes of the "Other" events. Each entity has one table of Extended fields; Minimal is its id
// (`{ id }`, files `{ path }`). Only the listed fields are read, so a password hash or a cache
// hanging off a host's object never reaches a payload.

const id = <T extends { key: string }>() => field<T>(schemas.string, (entity) => entity.key);
const parentId = field<CmsMoveInfo<unknown>>(schemas.nullableString, (move) => move.newParentId);

/** `{ id, parentId }`, Minimal of every move. */
export const moveMinimalShape = shape<CmsMoveInfo<{ key: string }>>({ id: field(schemas.string, (move) => move.entity.key), parentId });

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
/** A moved content type, Extended (`parentId` is the new parent). */
export const contentTypeMovedShape = shape<CmsMoveInfo<CmsContentType>>({ ...via(contentTypeFields, (move) => move.entity), parentId });
/** A changed content type, Minimal. */
export const contentTypeChangeMinimalShape = shape<CmsContentTypeChange>({
  id: field(schemas.string, (change) => change.item.key),
  changeTypes: field(schemas.stringArray, (change) => change.changeTypes ?? []),
});
/** A changed content type, Extended. */
export const contentTypeChangeShape = shape<CmsContentTypeChange>({
  ...via(contentTypeFields, (change) => change.item),
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
/** A moved data type, Extended. */
export const dataTypeMovedShape = shape<CmsMoveInfo<CmsDataType>>({ ...via(dataTypeFields, (move) => move.entity), parentId });

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

/** A health check run, Minimal. */
export const healthCheckMinimalShape = shape<{ allChecksSuccessful: boolean }>({
  allChecksSuccessful: field(schemas.boolean, (run) => run.allChecksSuccessful),
});
/** A health check run, Extended: every check's outcome. */
export const healthCheckShape = shape<{ allChecksSuccessful: boolean; results: readonly CmsHealthCheckResult[] }>({
  allChecksSuccessful: field(schemas.boolean, (run) => run.allChecksSuccessful),
  results: many(
    shape<CmsHealthCheckResult>({
      name: field(schemas.string, (r) => r.name),
      group: field(schemas.nullableString, (r) => r.group),
      resultType: field(schemas.string, (r) => r.resultType),
      message: field(schemas.nullableString, (r) => r.message),
    }),
    (run) => run.results,
  ),
});

/** An imported package, Minimal. */
export const packageMinimalShape = shape<{ installationSummary: CmsPackageInstallation }>({
  packageName: field(schemas.string, (n) => n.installationSummary.packageName),
  version: field(schemas.nullableString, (n) => n.installationSummary.version),
});
/** An imported package, Extended. */
export const packageShape = shape<{ installationSummary: CmsPackageInstallation }>({
  packageName: field(schemas.string, (n) => n.installationSummary.packageName),
  version: field(schemas.nullableString, (n) => n.installationSummary.version),
  installedItems: field({ type: 'object', additionalProperties: { type: 'number' } }, (n) => n.installationSummary.installedItems ?? {}),
  warnings: field(schemas.stringArray, (n) => n.installationSummary.warnings ?? []),
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

/** A file, Minimal: `{ path }` (files are identified by their path). */
export const fileMinimalShape = shape<CmsFile>({ path: field(schemas.string, (file) => file.path) });
/** A file, Extended (never its content). */
export const fileShape = shape<CmsFile>({
  path: field(schemas.string, (file) => file.path),
  name: field(schemas.nullableString, (file) => file.name),
  alias: field(schemas.nullableString, (file) => file.alias),
});

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
/** An exported member, Minimal. */
export const exportedMemberMinimalShape = shape<{ member: CmsMember }>({ id: field(schemas.string, (n) => n.member.key) });
/** An exported member, Extended: the member and what the export contained. */
export const exportedMemberShape = shape<{ member: CmsMember; exported?: Readonly<Record<string, unknown>> }>({
  ...via(memberFields, (n) => n.member),
  exported: field(schemas.map, (n) => n.exported ?? {}),
});
/** Member roles assigned or removed, every payload type. */
export const memberRolesShape = shape<{ memberIds: readonly string[]; roles: readonly string[] }>({
  memberIds: field(schemas.stringArray, (n) => n.memberIds),
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
/** A user security notification, Minimal: who was affected and who acted. */
export const userAuditMinimalShape = shape<CmsUserAudit>({
  affectedUserId: field(schemas.nullableString, (audit) => audit.affectedUserId),
  performingUserId: field(schemas.nullableString, (audit) => audit.performingUserId),
});
/** A user security notification, Extended: also from where and when. */
export const userAuditShape = shape<CmsUserAudit>({
  affectedUserId: field(schemas.nullableString, (audit) => audit.affectedUserId),
  performingUserId: field(schemas.nullableString, (audit) => audit.performingUserId),
  ipAddress: field(schemas.nullableString, (audit) => audit.ipAddress),
  dateTimeUtc: field(schemas.nullableString, (audit) => audit.dateTimeUtc),
});
/** Permissions assigned on one entity, every payload type. */
export const entityPermissionShape = shape<CmsEntityPermission>({
  entityId: field(schemas.string, (p) => p.entityId),
  userGroupId: field(schemas.string, (p) => p.userGroupId),
  assignedPermissions: field(schemas.stringArray, (p) => p.assignedPermissions ?? []),
});
/** A user group, Extended. */
export const userGroupShape = shape<CmsUserGroup>({
  id: id(),
  alias: field(schemas.string, (group) => group.alias),
  name: field(schemas.nullableString, (group) => group.name),
  permissions: field(schemas.stringArray, (group) => group.permissions ?? []),
});
