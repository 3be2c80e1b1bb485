import { CMS_ERRORS } from '../cms-errors';
import { assertSynchronousComposition, shownList, shownValue, valueKind } from '@hookwork/core';
import type { PayloadType, WebhookEventClass, WebhookEventCollectionBuilder } from '@hookwork/core';
import { PAYLOAD_TYPES } from '../payloads/payload-variants';
import { CMS_EVENT_GROUPS as G } from './cms-event-groups';

/** Checks a payload type given to addCms(), a sub-builder or cmsComposer(). */
export function assertPayloadType(value: unknown, where: string): asserts value is PayloadType {
  if (!PAYLOAD_TYPES.includes(value as PayloadType)) {
    throw CMS_ERRORS.create('HOOKWORK_ERR_INVALID_CMS_OPTIONS', `${where}: payloadType must be one of ${PAYLOAD_TYPES.join(', ')}; got ${shownValue(value)}`);
  }
}

/**
 * What every CMS (sub-)builder shares: adding classes to the app's collection, with the payload
 * type this builder is bound to (none: the `payloadType` setting decides at fire time).
 */
export abstract class CmsGroupBuilder {
  /** @internal made by addCms(); `payloadType` undefined means "use the setting". */
  constructor(
    /** The app's event collection the events are added to. */
    protected readonly collection: WebhookEventCollectionBuilder,
    /** The payload type the added events send; undefined: the `payloadType` setting decides. */
    protected readonly boundPayloadType?: PayloadType,
  ) {}

  /**
   * The same builder, but the events it adds from now on send `payloadType` whatever the
   * setting says: `cms.withPayloadType('Legacy').addContent()`.
   */
  withPayloadType(payloadType: PayloadType): this {
    assertPayloadType(payloadType, `${this.constructor.name}.withPayloadType()`);
    return new (this.constructor as new (collection: WebhookEventCollectionBuilder, payloadType: PayloadType) => this)(this.collection, payloadType);
  }

  /** Adds `types` to the collection, with this builder's payload type when it has one. */
  protected addEvents(types: readonly WebhookEventClass[]): this {
    if (this.boundPayloadType === undefined) this.collection.add(...types);
    else this.collection.addWithOptions({ payloadType: this.boundPayloadType }, ...types);
    return this;
  }
}

/** `addContent(c => …)`: Umbraco's WebhookEventCollectionBuilderCmsContent. */
export class CmsContentEventsBuilder extends CmsGroupBuilder {
  /** Copied, Deleted, EmptiedRecycleBin, MovedToRecycleBin, Moved, Published, Saved, Sorted, Unpublished. */
  addDefault(): this {
    return this.addEvents(G.content.default);
  }
  /** DeletedBlueprint, SavedBlueprint. */
  addBlueprint(): this {
    return this.addEvents(G.content.blueprint);
  }
  /** DeletedVersions, RolledBack. */
  addVersion(): this {
    return this.addEvents(G.content.version);
  }
}

/** `addElement(e => …)`: Umbraco 18's WebhookEventCollectionBuilderCmsElement. */
export class CmsElementEventsBuilder extends CmsGroupBuilder {
  /** Copied, Deleted, EmptiedRecycleBin, MovedToRecycleBin, Moved, Published, Saved, Unpublished. */
  addDefault(): this {
    return this.addEvents(G.element.default);
  }
  /** DeletedVersions, RolledBack. */
  addVersion(): this {
    return this.addEvents(G.element.version);
  }
}

/** `addContentType(t => …)`: each kind's Changed, Deleted, Moved, Saved. */
export class CmsContentTypeEventsBuilder extends CmsGroupBuilder {
  /** DocumentTypeChanged, DocumentTypeDeleted, DocumentTypeMoved, DocumentTypeSaved. */
  addDocumentType(): this {
    return this.addEvents(G.contentType.documentType);
  }
  /** MediaTypeChanged, MediaTypeDeleted, MediaTypeMoved, MediaTypeSaved. */
  addMediaType(): this {
    return this.addEvents(G.contentType.mediaType);
  }
  /** MemberTypeChanged, MemberTypeDeleted, MemberTypeMoved, MemberTypeSaved. */
  addMemberType(): this {
    return this.addEvents(G.contentType.memberType);
  }
}

/** `addFile(f => …)`: each kind's Deleted, Saved. */
export class CmsFileEventsBuilder extends CmsGroupBuilder {
  /** PartialViewDeleted, PartialViewSaved. */
  addPartialView(): this {
    return this.addEvents(G.file.partialView);
  }
  /** ScriptDeleted, ScriptSaved. */
  addScript(): this {
    return this.addEvents(G.file.script);
  }
  /** StylesheetDeleted, StylesheetSaved. */
  addStylesheet(): this {
    return this.addEvents(G.file.stylesheet);
  }
  /** TemplateDeleted, TemplateSaved. */
  addTemplate(): this {
    return this.addEvents(G.file.template);
  }
}

/** `addMember(m => …)`. */
export class CmsMemberEventsBuilder extends CmsGroupBuilder {
  /** ExportedMember, MemberDeleted, MemberSaved. */
  addDefault(): this {
    return this.addEvents(G.member.default);
  }
  /** AssignedMemberRoles, RemovedMemberRoles. */
  addRoles(): this {
    return this.addEvents(G.member.roles);
  }
  /** MemberGroupDeleted, MemberGroupSaved. */
  addGroup(): this {
    return this.addEvents(G.member.group);
  }
}

/** `addUser(u => …)`. */
export class CmsUserEventsBuilder extends CmsGroupBuilder {
  /** UserDeleted, UserSaved. */
  addDefault(): this {
    return this.addEvents(G.user.default);
  }
  /** ForgotPasswordRequested, PasswordChanged, PasswordReset. */
  addPassword(): this {
    return this.addEvents(G.user.password);
  }
  /** Locked, LoginFailed, LoginRequiresVerification, LoginSuccess, LogoutSuccess, TwoFactorRequested, Unlocked. */
  addLogin(): this {
    return this.addEvents(G.user.login);
  }
  /** AssignedUserGroupPermissions, UserGroupDeleted, UserGroupSaved. */
  addGroup(): this {
    return this.addEvents(G.user.group);
  }
}

/**
 * Umbraco's builder methods take a payload type (`AddMedia(WebhookPayloadType.Legacy)`, the enum's
 * 0, 1, 2, or its name); hookwork's choose it apart from the method. The arguments that look like
 * one, for the refusal to say where it goes.
 */
const UMBRACO_PAYLOAD_TYPES: readonly unknown[] = ['Minimal', 'Extended', 'Legacy', 0, 1, 2];
/** @internal the first argument that is a payload type in Umbraco's or hookwork's spelling, if any. */
export const payloadTypeGiven = (args: readonly unknown[]): unknown => args.find((arg) => UMBRACO_PAYLOAD_TYPES.includes(arg) || (typeof arg === 'string' && PAYLOAD_TYPES.some((type) => type.toLowerCase() === arg.toLowerCase())));

/** @internal the payload type's name for a value payloadTypeGiven() found (Umbraco's enum number or any casing of the name). */
export function payloadTypeName(given: unknown): PayloadType {
  return typeof given === 'number' ? (PAYLOAD_TYPES[given] ?? 'Legacy') : (PAYLOAD_TYPES.find((type) => type.toLowerCase() === String(given).toLowerCase()) ?? 'Legacy');
}

/** The refusal of a payload type given to a builder method, pointing to the ways hookwork chooses one. */
function payloadTypeArgument(method: string, args: readonly unknown[], given: unknown): Error {
  const name = payloadTypeName(given);
  const show = (list: readonly unknown[]) => shownList(list, { show: (arg) => (typeof arg === 'function' ? 'c => …' : shownValue(arg)) });
  const shown = show(args);
  const rest = show(args.filter((arg) => arg !== given));
  return CMS_ERRORS.create(
    'HOOKWORK_ERR_INVALID_CMS_OPTIONS',
    `${method}(${shown}): hookwork's builder methods take no payload type (Umbraco's ${method.charAt(0).toUpperCase()}${method.slice(1)}() takes one). ` +
      `Choose it for the events this call adds with cms.withPayloadType('${name}').${method}(${rest}), for a whole addCms() call with addCms({ payloadType: '${name}' }, cms => …), ` +
      `for the composer's events with cmsComposer({ payloadType: '${name}' }), or for every event with the payloadType setting. Nothing was added`,
  );
}

/** A sub-builder's `onlyDefault` flag or configure callback. */
export type OnlyDefaultOrConfigure<B> = boolean | ((builder: B) => void);

/**
 * `addCms(cms => …)`: Umbraco's WebhookEventCollectionBuilderCms. Every method adds its group at
 * the end of the app's collection with Umbraco's set semantics (a class already present moves
 * to the end).
 */
export class CmsEventsBuilder extends CmsGroupBuilder {
  private sub<B extends CmsGroupBuilder>(type: new (collection: WebhookEventCollectionBuilder, payloadType?: PayloadType) => B, configure: (builder: B) => void, method: string): this {
    if (typeof configure !== 'function') {
      throw CMS_ERRORS.create('HOOKWORK_ERR_INVALID_CMS_OPTIONS', `${method}() takes ${method === 'addContentType' || method === 'addFile' ? 'nothing' : 'onlyDefault (a boolean)'} or a configure function; got ${valueKind(configure)}`);
    }
    assertSynchronousComposition(configure(new type(this.collection, this.boundPayloadType)), `${method}(configure)`);
    return this;
  }

  /** Umbraco's 5 defaults: ContentDeleted, ContentPublished, ContentUnpublished, MediaDeleted, MediaSaved. */
  addDefault(): this {
    return this.addEvents(G.default);
  }

  /**
   * Removes the 5 defaults {@link addDefault} adds (and `cmsComposer()` adds by itself), and
   * nothing else: `addCms(cms => cms.removeDefault().addContent())`. Umbraco's `RemoveDefault()`:
   * `clear()` for the same end also dropped every other package's events. A class that replaced
   * a default (`replace(ContentPublishedWebhookEvent, Mine)`) is the app's own and stays.
   */
  removeDefault(): this {
    for (const type of G.default) this.collection.remove(type);
    return this;
  }

  /** Content events: `addContent()` all 13, `addContent(true)` the 9 of addDefault(), or `addContent(c => c.addBlueprint())`. */
  addContent(onlyDefault: OnlyDefaultOrConfigure<CmsContentEventsBuilder> = false): this {
    if (typeof onlyDefault !== 'boolean') return this.sub(CmsContentEventsBuilder, onlyDefault, 'addContent');
    return this.sub(CmsContentEventsBuilder, (c) => (onlyDefault ? c.addDefault() : c.addDefault().addBlueprint().addVersion()), 'addContent');
  }

  /** Document, media and member type events: all 12, or `addContentType(t => t.addDocumentType())`. */
  addContentType(configure: (builder: CmsContentTypeEventsBuilder) => void = (t) => t.addDocumentType().addMediaType().addMemberType()): this {
    return this.sub(CmsContentTypeEventsBuilder, configure, 'addContentType');
  }

  /** Umbraco 18's element events: `addElement()` all 10, `addElement(true)` the 8 of addDefault(), or `addElement(e => e.addVersion())`. */
  addElement(onlyDefault: OnlyDefaultOrConfigure<CmsElementEventsBuilder> = false): this {
    if (typeof onlyDefault !== 'boolean') return this.sub(CmsElementEventsBuilder, onlyDefault, 'addElement');
    return this.sub(CmsElementEventsBuilder, (e) => (onlyDefault ? e.addDefault() : e.addDefault().addVersion()), 'addElement');
  }

  /** DataTypeDeleted, DataTypeMoved, DataTypeSaved. */
  addDataType(): this {
    return this.addEvents(G.dataType);
  }

  /** DictionaryItemDeleted, DictionaryItemSaved. */
  addDictionary(): this {
    return this.addEvents(G.dictionary);
  }

  /** DomainDeleted, DomainSaved. */
  addDomain(): this {
    return this.addEvents(G.domain);
  }

  /** Partial view, script, stylesheet and template events: all 8, or `addFile(f => f.addScript())`. */
  addFile(configure: (builder: CmsFileEventsBuilder) => void = (f) => f.addPartialView().addScript().addStylesheet().addTemplate()): this {
    return this.sub(CmsFileEventsBuilder, configure, 'addFile');
  }

  /** HealthCheckCompleted. */
  addHealthCheck(): this {
    return this.addEvents(G.healthCheck);
  }

  /** LanguageDeleted, LanguageSaved. */
  addLanguage(): this {
    return this.addEvents(G.language);
  }

  /** MediaDeleted, MediaSaved, MediaEmptiedRecycleBin, MediaMoved, MediaMovedToRecycleBin. */
  addMedia(): this {
    return this.addEvents(G.media);
  }

  /** Member events: all 7, `addMember(true)` the 3 of addDefault(), or `addMember(m => m.addRoles())`. */
  addMember(onlyDefault: OnlyDefaultOrConfigure<CmsMemberEventsBuilder> = false): this {
    if (typeof onlyDefault !== 'boolean') return this.sub(CmsMemberEventsBuilder, onlyDefault, 'addMember');
    return this.sub(CmsMemberEventsBuilder, (m) => (onlyDefault ? m.addDefault() : m.addDefault().addRoles().addGroup()), 'addMember');
  }

  /** ImportedPackage (`packageImported`). */
  addPackage(): this {
    return this.addEvents(G.package);
  }

  /** PublicAccessEntryDeleted, PublicAccessEntrySaved. */
  addPublicAccess(): this {
    return this.addEvents(G.publicAccess);
  }

  /** RelationDeleted, RelationSaved. */
  addRelation(): this {
    return this.addEvents(G.relation);
  }

  /** RelationTypeDeleted, RelationTypeSaved. */
  addRelationType(): this {
    return this.addEvents(G.relationType);
  }

  /** User events: all 15, `addUser(true)` the 2 of addDefault(), or `addUser(u => u.addLogin())`. */
  addUser(onlyDefault: OnlyDefaultOrConfigure<CmsUserEventsBuilder> = false): this {
    if (typeof onlyDefault !== 'boolean') return this.sub(CmsUserEventsBuilder, onlyDefault, 'addUser');
    return this.sub(CmsUserEventsBuilder, (u) => (onlyDefault ? u.addDefault() : u.addDefault().addPassword().addLogin().addGroup()), 'addUser');
  }

  /** Every CMS event (87), in Umbraco 18's AddCms(false) order. */
  addAll(): this {
    return this.addContent()
      .addContentType()
      .addElement()
      .addDataType()
      .addDictionary()
      .addDomain()
      .addFile()
      .addHealthCheck()
      .addLanguage()
      .addMedia()
      .addMember()
      .addPackage()
      .addPublicAccess()
      .addRelation()
      .addRelationType()
      .addUser();
  }
}

/**
 * The methods of the CMS builders that take an argument (an onlyDefault flag, a configure function
 * or a payload type); every other method takes none. From plain JavaScript (or through `as never`),
 * an argument a method does not read was dropped in silence: `cms.addMedia(true)`,
 * `cms.addContent(true, c => …)` (the function's selection lost), `c.addBlueprint(c2 => …)`.
 */
const ONE_ARGUMENT = new Set(['withPayloadType', 'addContent', 'addContentType', 'addElement', 'addFile', 'addMember', 'addUser']);

/** Wraps each public method of `type` so that an argument it would drop is refused, naming the call and what it takes. */
function refuseDroppedArguments(type: abstract new (...args: never[]) => CmsGroupBuilder): void {
  const prototype = type.prototype as unknown as Record<string, unknown>;
  for (const method of Object.getOwnPropertyNames(prototype)) {
    const original = prototype[method];
    if (method === 'constructor' || method === 'sub' || method === 'addEvents' || typeof original !== 'function') continue;
    const takes = ONE_ARGUMENT.has(method) ? 1 : 0;
    Object.defineProperty(prototype, method, {
      configurable: true,
      writable: true,
      value: function (this: CmsGroupBuilder, ...args: unknown[]): unknown {
        const payloadType = method === 'withPayloadType' ? undefined : payloadTypeGiven(args);
        if (payloadType !== undefined) throw payloadTypeArgument(method, args, payloadType);
        if (args.length > takes) {
          const given = shownList(args, { show: (arg) => (typeof arg === 'function' ? 'a function' : shownValue(arg)) });
          const form = takes === 0 ? 'takes no argument' : `takes one argument (${method === 'withPayloadType' ? 'a payload type' : method === 'addContentType' || method === 'addFile' ? 'a configure function' : 'onlyDefault or a configure function, not both'})`;
          throw CMS_ERRORS.create('HOOKWORK_ERR_INVALID_CMS_OPTIONS', `${method}(${given}): ${form}, and the rest would be ignored; drop it, or call the methods that add what it meant inside a configure function. Nothing was added`);
        }
        return (original as (...a: unknown[]) => unknown).apply(this, args);
      },
    });
  }
}

for (const type of [CmsGroupBuilder, CmsContentEventsBuilder, CmsElementEventsBuilder, CmsContentTypeEventsBuilder, CmsFileEventsBuilder, CmsMemberEventsBuilder, CmsUserEventsBuilder, CmsEventsBuilder]) refuseDroppedArguments(type);
