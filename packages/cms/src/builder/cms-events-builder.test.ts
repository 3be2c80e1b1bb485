import { createHookwork, isHookworkError, WebhookEvent, WebhookEventBase, WebhookEventTypes, type WebhookEventCollectionBuilder } from '@hookwork/core';
import { ContentPublishedWebhookEvent, MediaSavedWebhookEvent, cmsComposer } from '../index';
import { composer } from '../test-support/apps';

class OrderPlaced {}

const aliasesOf = (configure: (events: WebhookEventCollectionBuilder) => void) =>
  createHookwork({ composers: [cmsComposer({ events: 'none' }), composer((b) => configure(b.webhookEvents()))] }).events().map((e) => e.alias);

/** The message of the HOOKWORK_ERR_INVALID_CMS_OPTIONS a composition is refused with; fails when it is not refused. */
function refusal(configure: (events: WebhookEventCollectionBuilder) => void): string {
  try {
    aliasesOf(configure);
  } catch (error) {
    expect(isHookworkError(error, 'HOOKWORK_ERR_INVALID_CMS_OPTIONS')).toBe(true);
    return (error as Error).message;
  }
  throw new Error('the composition was accepted: an argument was ignored');
}

const DEFAULTS = ['Umbraco.ContentDelete', 'Umbraco.ContentPublish', 'Umbraco.ContentUnpublish', 'Umbraco.MediaDelete', 'Umbraco.MediaSave'];
const CONTENT_DEFAULT = [
  'Umbraco.ContentCopied',
  'Umbraco.ContentDelete',
  'Umbraco.ContentEmptiedRecycleBin',
  'Umbraco.ContentMovedToRecycleBin',
  'Umbraco.ContentMoved',
  'Umbraco.ContentPublish',
  'Umbraco.ContentSaved',
  'Umbraco.ContentSorted',
  'Umbraco.ContentUnpublish',
];
const BLUEPRINT = ['Umbraco.ContentDeletedBlueprint', 'Umbraco.ContentSavedBlueprint'];
const VERSION = ['Umbraco.ContentDeletedVersions', 'Umbraco.ContentRolledBack'];
const ELEMENT_DEFAULT = [
  'Umbraco.ElementCopied',
  'Umbraco.ElementDelete',
  'Umbraco.ElementEmptiedRecycleBin',
  'Umbraco.ElementMovedToRecycleBin',
  'Umbraco.ElementMoved',
  'Umbraco.ElementPublish',
  'Umbraco.ElementSaved',
  'Umbraco.ElementUnpublish',
];
const ELEMENT_VERSION = ['Umbraco.ElementDeletedVersions', 'Umbraco.ElementRolledBack'];
const MEMBER_DEFAULT = ['exportedMember', 'memberDeleted', 'memberSaved'];
const MEMBER_ROLES = ['assignedMemberRoles', 'removedMemberRoles'];
const MEMBER_GROUP = ['memberGroupDeleted', 'memberGroupSaved'];
const USER_DEFAULT = ['userDeleted', 'userSaved'];
const USER_PASSWORD = ['userForgotPasswordRequested', 'userPasswordChanged', 'userPasswordReset'];
const USER_LOGIN = ['userLocked', 'userLoginFailed', 'userLoginRequiresVerification', 'userLoginSuccess', 'userLogoutSuccess', 'userTwoFactorRequested', 'userUnlocked'];
const USER_GROUP = ['assignedUserGroupPermissions', 'userGroupDeleted', 'userGroupSaved'];

describe('addCms() and its sub-builders', () => {
  it('cmsComposer() adds Umbraco’s 5 defaults, in order, like Umbraco’s core', () => {
    expect(createHookwork({ composers: [cmsComposer()] }).events().map((e) => e.alias)).toEqual(DEFAULTS);
  });

  it("removeDefault() removes the 5 defaults and nothing else: another package's events, and a class that replaced a default, stay", () => {
    @WebhookEvent('Order Placed', WebhookEventTypes.Other, { alias: 'shop.orderPlaced', notification: OrderPlaced })
    class OrderPlacedWebhookEvent extends WebhookEventBase<OrderPlaced> {}
    @WebhookEvent('My Media Saved', WebhookEventTypes.Media)
    class MyMediaSavedWebhookEvent extends MediaSavedWebhookEvent {}
    const compose = (configure: (events: WebhookEventCollectionBuilder) => void) =>
      createHookwork({ composers: [cmsComposer(), composer((b) => void b.webhookEvents().add(OrderPlacedWebhookEvent)), composer((b) => configure(b.webhookEvents()))] })
        .events()
        .map((e) => e.eventName);
    // clear() for "only the content events" dropped the other package's event with the defaults.
    expect(compose((e) => e.clear().addCms((cms) => cms.addContent(true)))).not.toContain('Order Placed');
    const kept = compose((e) => e.addCms((cms) => cms.removeDefault().addContent(true)));
    expect(kept[0]).toBe('Order Placed');
    expect(kept).toHaveLength(1 + CONTENT_DEFAULT.length);
    expect(kept).not.toContain('Media Saved');
    expect(compose((e) => e.replace(MediaSavedWebhookEvent, MyMediaSavedWebhookEvent).addCms((cms) => cms.removeDefault()))).toEqual(['My Media Saved', 'Order Placed']);
    // Nothing to remove is no error, as remove() is not.
    expect(aliasesOf((e) => e.addCms((cms) => cms.removeDefault()))).toEqual([]);
  });

  it('addCms(true) adds the 5 defaults in order; addCms() and addCms(false) add all 87', () => {
    expect(aliasesOf((e) => e.addCms(true))).toEqual(DEFAULTS);
    const all = aliasesOf((e) => e.addCms(false));
    expect(all).toHaveLength(87);
    expect(new Set(all).size).toBe(87);
    expect(aliasesOf((e) => e.addCms())).toEqual(all);
    expect(all.slice(0, 13)).toEqual([...CONTENT_DEFAULT, ...BLUEPRINT, ...VERSION]);
    expect(all.slice(25, 35)).toEqual([...ELEMENT_DEFAULT, ...ELEMENT_VERSION]);
    expect(all.slice(-15)).toEqual([...USER_DEFAULT, ...USER_PASSWORD, ...USER_LOGIN, ...USER_GROUP]);
  });

  it('lets an app composer listed after cmsComposer() clear or remove the defaults', () => {
    expect(createHookwork({ composers: [cmsComposer(), composer((b) => b.webhookEvents().clear())] }).events()).toEqual([]);
    const removed = createHookwork({ composers: [cmsComposer(), composer((b) => b.webhookEvents().remove(MediaSavedWebhookEvent))] });
    expect(removed.events().map((e) => e.alias)).toEqual(DEFAULTS.slice(0, 4));
  });

  it('warns at composition end when a remove() listed before cmsComposer() is undone by it, naming both composers and the order; listed after, it is silent', () => {
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (m: string) => void warnings.push(m), error() {} };
    // Umbraco's semantics are kept: remove() of an absent class does nothing, so the event stays composed.
    const early = createHookwork({ composers: [{ compose: (b) => b.webhookEvents().remove(ContentPublishedWebhookEvent) }, cmsComposer()], logger });
    expect(early.events().map((e) => e.alias)).toContain('Umbraco.ContentPublish');
    expect(warnings).toEqual([
      'webhookEvents(): composers[0] removed ContentPublishedWebhookEvent, but @hookwork/cms (composers[1]), listed after it, added it again, so ContentPublishedWebhookEvent is composed: remove() takes out only what is in the collection when it runs (as Umbraco\'s does). To leave it out, list composers[0] after @hookwork/cms (composers[1]) in createHookwork({ composers: [...] })',
    ]);
    warnings.length = 0;
    // Removed by an app composer, added again by a later one through an extension (addCms(cms => cms.addMedia())).
    const readded = createHookwork({
      composers: [cmsComposer(), composer((b) => b.webhookEvents().remove(MediaSavedWebhookEvent), 'TrimComposer'), composer((b) => b.webhookEvents().addCms((cms) => cms.addMedia()), 'MediaComposer')],
      logger,
    });
    expect(readded.events().map((e) => e.alias)).toContain('Umbraco.MediaSave');
    expect(warnings).toEqual([expect.stringMatching(/^webhookEvents\(\): TrimComposer \(composers\[1\]\) removed MediaSavedWebhookEvent, but MediaComposer \(composers\[2\]\), listed after it, added it again/)]);
    warnings.length = 0;
    // In the right order, or removed and added again by one composer (moved to the end): nothing to say.
    createHookwork({ composers: [cmsComposer(), { compose: (b) => b.webhookEvents().remove(ContentPublishedWebhookEvent) }], logger });
    createHookwork({ composers: [cmsComposer(), { compose: (b) => b.webhookEvents().remove(ContentPublishedWebhookEvent).add(ContentPublishedWebhookEvent) }], logger });
    // Removed again by a third composer: not composed at the end, so nothing to say either.
    createHookwork({ composers: [{ compose: (b) => b.webhookEvents().remove(ContentPublishedWebhookEvent) }, cmsComposer(), { compose: (b) => b.webhookEvents().remove(ContentPublishedWebhookEvent) }], logger });
    expect(warnings).toEqual([]);
  });

  it('does not warn when a removal was undone by its own composer, or for a class a composer adds after its own clear()', () => {
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (m: string) => void warnings.push(m), error() {} };
    const X = ContentPublishedWebhookEvent;
    const Y = MediaSavedWebhookEvent;
    const provider = composer((b) => b.webhookEvents().add(X, Y), 'P');
    // A undid its own remove(): X was composed throughout, so B's add(X) undoes nobody's removal.
    const undone = createHookwork({ composers: [cmsComposer({ events: 'none' }), provider, composer((b) => b.webhookEvents().remove(X).add(X), 'A'), composer((b) => b.webhookEvents().add(X), 'B')], logger });
    expect(undone.events().map((e) => e.alias)).toEqual(['Umbraco.MediaSave', 'Umbraco.ContentPublish']);
    // B's clear() then add(X) is B's own set, chosen explicitly; a later add(X) only moves it.
    const cleared = createHookwork({ composers: [cmsComposer({ events: 'none' }), provider, composer((b) => b.webhookEvents().remove(X), 'A'), composer((b) => b.webhookEvents().clear().add(X), 'B'), composer((b) => b.webhookEvents().add(Y, X), 'C')], logger });
    expect(cleared.events().map((e) => e.alias)).toEqual(['Umbraco.MediaSave', 'Umbraco.ContentPublish']);
    // Added before its clear() and again after it: still B's choice.
    createHookwork({ composers: [cmsComposer({ events: 'none' }), composer((b) => b.webhookEvents().remove(X), 'A'), composer((b) => b.webhookEvents().add(X).clear().add(X), 'B')], logger });
    expect(warnings).toEqual([]);
    // The intended case still warns: A removed X, a later composer without a clear() of its own adds it.
    createHookwork({ composers: [cmsComposer({ events: 'none' }), provider, composer((b) => b.webhookEvents().remove(X), 'A'), composer((b) => b.webhookEvents().add(X), 'B')], logger });
    createHookwork({ composers: [cmsComposer({ events: 'none' }), provider, composer((b) => b.webhookEvents().remove(X).add(X).remove(X), 'A'), composer((b) => b.webhookEvents().add(X), 'B')], logger });
    expect(warnings).toEqual([
      expect.stringMatching(/^webhookEvents\(\): A \(composers\[2\]\) removed ContentPublishedWebhookEvent, but B \(composers\[3\]\), listed after it, added it again/),
      expect.stringMatching(/^webhookEvents\(\): A \(composers\[2\]\) removed ContentPublishedWebhookEvent, but B \(composers\[3\]\), listed after it, added it again/),
    ]);
  });

  it('compiles and composes the issue’s full selection; re-added classes move to the end', () => {
    const aliases = aliasesOf((e) =>
      e.clear().addCms((cms) =>
        cms
          .addDefault()
          .addContent()
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
          .addUser(),
      ),
    );
    expect(aliases).toHaveLength(87);
    expect(aliases.slice(0, 9)).toEqual(CONTENT_DEFAULT);
    expect(aliases).toEqual(aliasesOf((e) => e.addCms(false)));
  });

  it('addContent: onlyDefault and each sub-builder group', () => {
    expect(aliasesOf((e) => e.addCms((cms) => cms.addContent(true)))).toEqual(CONTENT_DEFAULT);
    expect(aliasesOf((e) => e.addCms((cms) => cms.addContent()))).toEqual([...CONTENT_DEFAULT, ...BLUEPRINT, ...VERSION]);
    expect(aliasesOf((e) => e.addCms((cms) => cms.addContent((c) => c.addBlueprint())))).toEqual(BLUEPRINT);
    expect(aliasesOf((e) => e.addCms((cms) => cms.addContent((c) => c.addVersion().addDefault())))).toEqual([...VERSION, ...CONTENT_DEFAULT]);
  });

  it('addElement: onlyDefault, all, and each sub-builder group', () => {
    expect(aliasesOf((e) => e.addCms((cms) => cms.addElement(true)))).toEqual(ELEMENT_DEFAULT);
    expect(aliasesOf((e) => e.addCms((cms) => cms.addElement()))).toEqual([...ELEMENT_DEFAULT, ...ELEMENT_VERSION]);
    expect(aliasesOf((e) => e.addCms((cms) => cms.addElement((x) => x.addVersion())))).toEqual(ELEMENT_VERSION);
    expect(aliasesOf((e) => e.addCms((cms) => cms.addElement((x) => x.addVersion().addDefault())))).toEqual([...ELEMENT_VERSION, ...ELEMENT_DEFAULT]);
    // Umbraco's own test composer for the element events (PR #21697): the defaults, then every element event.
    expect(aliasesOf((e) => e.clear().addCms((cms) => cms.addDefault().addElement()))).toEqual([...DEFAULTS, ...ELEMENT_DEFAULT, ...ELEMENT_VERSION]);
  });

  it('addContentType and addFile: all, or one kind', () => {
    expect(aliasesOf((e) => e.addCms((cms) => cms.addContentType()))).toEqual(
      ['document', 'media', 'member'].flatMap((kind) => ['Changed', 'Deleted', 'Moved', 'Saved'].map((what) => `${kind}Type${what}`)),
    );
    expect(aliasesOf((e) => e.addCms((cms) => cms.addContentType((t) => t.addMediaType())))).toEqual(['mediaTypeChanged', 'mediaTypeDeleted', 'mediaTypeMoved', 'mediaTypeSaved']);
    expect(aliasesOf((e) => e.addCms((cms) => cms.addFile()))).toEqual(
      ['partialView', 'script', 'stylesheet', 'template'].flatMap((kind) => [`${kind}Deleted`, `${kind}Saved`]),
    );
    expect(aliasesOf((e) => e.addCms((cms) => cms.addFile((f) => f.addScript().addTemplate())))).toEqual(['scriptDeleted', 'scriptSaved', 'templateDeleted', 'templateSaved']);
  });

  it('addMember and addUser: onlyDefault, all, and each group', () => {
    expect(aliasesOf((e) => e.addCms((cms) => cms.addMember(true)))).toEqual(MEMBER_DEFAULT);
    expect(aliasesOf((e) => e.addCms((cms) => cms.addMember()))).toEqual([...MEMBER_DEFAULT, ...MEMBER_ROLES, ...MEMBER_GROUP]);
    expect(aliasesOf((e) => e.addCms((cms) => cms.addMember((m) => m.addGroup().addRoles())))).toEqual([...MEMBER_GROUP, ...MEMBER_ROLES]);
    expect(aliasesOf((e) => e.addCms((cms) => cms.addUser(true)))).toEqual(USER_DEFAULT);
    expect(aliasesOf((e) => e.addCms((cms) => cms.addUser(false)))).toEqual([...USER_DEFAULT, ...USER_PASSWORD, ...USER_LOGIN, ...USER_GROUP]);
    expect(aliasesOf((e) => e.addCms((cms) => cms.addUser((u) => u.addLogin())))).toEqual(USER_LOGIN);
    expect(aliasesOf((e) => e.addCms((cms) => cms.addUser((u) => u.addPassword().addGroup())))).toEqual([...USER_PASSWORD, ...USER_GROUP]);
  });

  it('the flat groups add exactly their events', () => {
    expect(aliasesOf((e) => e.addCms((cms) => cms.addMedia()))).toEqual(['Umbraco.MediaDelete', 'Umbraco.MediaSave', 'mediaEmptiedRecycleBin', 'mediaMoved', 'mediaMovedToRecycleBin']);
    expect(aliasesOf((e) => e.addCms((cms) => cms.addDataType().addDictionary().addDomain()))).toEqual(['dataTypeDeleted', 'dataTypeMoved', 'dataTypeSaved', 'dictionaryItemDeleted', 'dictionaryItemSaved', 'domainDeleted', 'domainSaved']);
    expect(aliasesOf((e) => e.addCms((cms) => cms.addHealthCheck().addLanguage().addPackage()))).toEqual(['healthCheckCompleted', 'languageDeleted', 'languageSaved', 'packageImported']);
    expect(aliasesOf((e) => e.addCms((cms) => cms.addPublicAccess().addRelation().addRelationType()))).toEqual([
      'publicAccessEntryDeleted',
      'publicAccessEntrySaved',
      'relationDeleted',
      'relationSaved',
      'relationTypeDeleted',
      'relationTypeSaved',
    ]);
  });

  it('is a coded error naming addCms() and the fix when addCms() is called without cmsComposer()', () => {
    let error: unknown;
    try {
      createHookwork({ composers: [composer((b) => b.webhookEvents().addCms(true))] });
    } catch (e) {
      error = e;
    }
    expect(isHookworkError(error, 'HOOKWORK_ERR_EXTENSION_NOT_COMPOSED')).toBe(true);
    // The package is loaded (this file imports it), so its declaration names it and its composer.
    expect((error as Error).message).toBe(
      'HOOKWORK_ERR_EXTENSION_NOT_COMPOSED: webhookEvents().addCms() comes from @hookwork/cms, which this app does not compose: add cmsComposer() to createHookwork({ composers: [...] }), before the composer that calls addCms()',
    );
  });

  it('installs addCms() only on the app that composed the package', () => {
    const withCms = createHookwork({ composers: [cmsComposer()] });
    expect(withCms.events()).toHaveLength(5);
    expect(() => createHookwork({ composers: [composer((b) => b.webhookEvents().addCms())] })).toThrow(/HOOKWORK_ERR_EXTENSION_NOT_COMPOSED/);
  });

  it('refuses options it does not understand with a coded error', () => {
    const bad = [
      () => aliasesOf((e) => e.addCms({ payloadType: 'Fancy' as never })),
      () => aliasesOf((e) => e.addCms('all' as never)),
      () => aliasesOf((e) => e.addCms({}, 'x' as never)),
      () => aliasesOf((e) => e.addCms((cms) => cms.withPayloadType('json' as never))),
      () => aliasesOf((e) => e.addCms((cms) => cms.addMember('yes' as never))),
      () => aliasesOf((e) => e.addCms((cms) => cms.addElement(1 as never))),
      () => cmsComposer({ events: 'some' as never }),
      () => cmsComposer({ payloadType: 'minimal' as never }),
      // Values JSON cannot show (the message used JSON.stringify, which threw a TypeError on them).
      () => cmsComposer({ payloadType: 1n as never }),
      () => cmsComposer({ events: { cms: 1n } as never }),
      () => aliasesOf((e) => e.addCms({ payloadType: 2n as never })),
      // Misspelt or misplaced options from plain JavaScript were ignored (all events, the setting's shape).
      () => cmsComposer(null as never),
      () => cmsComposer('all' as never),
      () => cmsComposer({ payloadTyp: 'Legacy' } as never),
      () => aliasesOf((e) => e.addCms({ payloadTyp: 'Legacy' } as never)),
      () => aliasesOf((e) => e.addCms({ onlyDefault: 'yes' } as never)),
      () => aliasesOf((e) => e.addCms([] as never)),
    ];
    for (const attempt of bad) {
      let error: unknown;
      try {
        attempt();
      } catch (e) {
        error = e;
      }
      expect(isHookworkError(error, 'HOOKWORK_ERR_INVALID_CMS_OPTIONS')).toBe(true);
    }
    expect(() => cmsComposer({ payloadTyp: 'Legacy' } as never)).toThrow(/cmsComposer\(options\): unknown option `payloadTyp` \(did you mean `payloadType`\?\)/);
    expect(() => aliasesOf((e) => e.addCms({ onlyDefalt: true } as never))).toThrow(/addCms\(options\): unknown option `onlyDefalt` \(did you mean `onlyDefault`\?\)/);
  });

  // Read as given, again at compose time: a getter that threw escaped bare, and one answering differently composed what was not checked.
  it('cmsComposer() reads its options once: a getter or Proxy trap that throws is refused naming it, and the payloadType checked is the one composed', () => {
    const sealed = () => {
      throw new Error('vault sealed');
    };
    expect(() => cmsComposer({ get payloadType(): 'Legacy' { return sealed(); } })).toThrow(/^HOOKWORK_ERR_INVALID_CMS_OPTIONS: cmsComposer\(options\): options\.payloadType could not be read: its getter threw \(vault sealed\)/);
    expect(() => cmsComposer(new Proxy({}, { ownKeys: sealed }))).toThrow(/^HOOKWORK_ERR_INVALID_CMS_OPTIONS: cmsComposer\(options\): options could not be read: listing its keys threw \(vault sealed\)/);
    let reads = 0;
    const composed = cmsComposer({ events: 'default', get payloadType() { return reads++ === 0 ? 'Legacy' : ('Nonsense' as 'Legacy'); } });
    expect(createHookwork({ composers: [composed] }).events().map((e) => e.alias)).toEqual(DEFAULTS);
    expect(reads).toBe(1);
  });

  // Only addCms(options, configure) reads a second argument: the others dropped it silently.
  it('refuses an argument addCms() would ignore, with the form that reads it', () => {
    // Swapped: the events came in the setting's shape, not Legacy.
    expect(refusal((e) => e.addCms(((cms: { addMedia(): void }) => cms.addMedia()) as never, { payloadType: 'Legacy' } as never))).toBe(
      "HOOKWORK_ERR_INVALID_CMS_OPTIONS: addCms(a function, {\"payloadType\":\"Legacy\"}): only addCms(options, configure) takes a second argument, and it would be ignored; the options come first: addCms({ payloadType: 'Legacy' }, cms => …). Nothing was added",
    );
    // The function's selection was dropped and every default added.
    expect(refusal((e) => e.addCms(true as never, ((cms: { addMedia(): void }) => cms.addMedia()) as never))).toMatch(/^HOOKWORK_ERR_INVALID_CMS_OPTIONS: addCms\(true, a function\): .*pass addCms\(cms => …\) \(call cms.addDefault\(\) in it for Umbraco's defaults\), or addCms\(true\) alone/);
    expect(refusal((e) => (e.addCms as (...args: unknown[]) => unknown)({}, () => undefined, true))).toMatch(/takes at most two arguments, got 3/);
    // The arguments are named ten at most: a spread of a thousand made a message that long.
    expect(refusal((e) => (e.addCms as (...args: unknown[]) => unknown)(...Array.from({ length: 1_000 }, (_, i) => ({ i }))))).toMatch(/^HOOKWORK_ERR_INVALID_CMS_OPTIONS: addCms\(\{"i":0\}, .*\{"i":9\} and 990 more\): takes at most two arguments, got 1000/);
    expect(refusal((e) => (e.addCms as (...args: unknown[]) => unknown)(undefined, () => undefined))).toMatch(/pass addCms\(onlyDefault\), addCms\(configure\) or addCms\(options, configure\)/);
    // The forms that read both still do.
    expect(aliasesOf((e) => e.addCms({ payloadType: 'Legacy' }, (cms) => cms.addMember(true)))).toEqual(aliasesOf((e) => e.addCms((cms) => cms.addMember(true))));
    expect(aliasesOf((e) => e.addCms({ onlyDefault: true }, undefined))).toEqual(DEFAULTS);
  });

  // Every group method read at most its one argument: the rest was dropped in silence.
  it('refuses an argument a group method would ignore, on every builder', () => {
    const loose = <T>(builder: T) => builder as unknown as Record<string, (...args: unknown[]) => unknown>;
    // The function's selection was dropped and all 9 defaults added.
    expect(refusal((e) => e.addCms((cms) => loose(cms).addContent!(true, (c: { addBlueprint(): void }) => c.addBlueprint())))).toMatch(
      /^HOOKWORK_ERR_INVALID_CMS_OPTIONS: addContent\(true, a function\): takes one argument \(onlyDefault or a configure function, not both\)/,
    );
    expect(refusal((e) => e.addCms((cms) => loose(cms).addMedia!(true)))).toMatch(/^HOOKWORK_ERR_INVALID_CMS_OPTIONS: addMedia\(true\): takes no argument/);
    expect(refusal((e) => e.addCms((cms) => loose(cms).addDefault!('all')))).toMatch(/addDefault\("all"\): takes no argument/);
    expect(refusal((e) => e.addCms((cms) => cms.addContent((c) => loose(c).addBlueprint!(() => undefined))))).toMatch(/addBlueprint\(a function\): takes no argument/);
    expect(refusal((e) => e.addCms((cms) => cms.addUser((u) => loose(u).addLogin!(false))))).toMatch(/addLogin\(false\)/);
    expect(refusal((e) => e.addCms((cms) => cms.addFile((f) => loose(f).addScript!(1))))).toMatch(/addScript\(1\)/);
    expect(refusal((e) => e.addCms((cms) => loose(cms).addFile!(() => undefined, true)))).toMatch(/addFile\(a function, true\): takes one argument \(a configure function\)/);
    expect(refusal((e) => e.addCms((cms) => loose(cms).withPayloadType!('Legacy', true)))).toMatch(/withPayloadType\("Legacy", true\): takes one argument \(a payload type\)/);
    // What each reads still works.
    expect(aliasesOf((e) => e.addCms((cms) => cms.addContent(true).addMedia().withPayloadType('Legacy').addUser((u) => u.addLogin())))).toEqual(
      aliasesOf((e) => e.addCms((cms) => cms.addContent(true).addMedia().addUser((u) => u.addLogin()))),
    );
  });

  // Umbraco's builder methods take a payload type (`AddMedia(WebhookPayloadType.Legacy)`,
  // `AddCms(false, payloadType)`); hookwork's choose it apart, and the refusal says where.
  it('refuses a payload type given as Umbraco passes it, naming the ways hookwork takes one, and adds nothing', () => {
    const loose = <T>(builder: T) => builder as unknown as Record<string, (...args: unknown[]) => unknown>;
    expect(refusal((e) => e.addCms((cms) => loose(cms).addMedia!('Legacy')))).toBe(
      "HOOKWORK_ERR_INVALID_CMS_OPTIONS: addMedia(\"Legacy\"): hookwork's builder methods take no payload type (Umbraco's AddMedia() takes one). Choose it for the events this call adds with cms.withPayloadType('Legacy').addMedia(), " +
        "for a whole addCms() call with addCms({ payloadType: 'Legacy' }, cms => …), for the composer's events with cmsComposer({ payloadType: 'Legacy' }), or for every event with the payloadType setting. Nothing was added",
    );
    // Umbraco's enum value (WebhookPayloadType.Legacy is 2) and the onlyDefault methods, which keep their flag in the hint.
    expect(refusal((e) => e.addCms((cms) => loose(cms).addDataType!(2)))).toMatch(/^HOOKWORK_ERR_INVALID_CMS_OPTIONS: addDataType\(2\): .*cms\.withPayloadType\('Legacy'\)\.addDataType\(\)/);
    expect(refusal((e) => e.addCms((cms) => loose(cms).addContent!(true, 'Extended')))).toMatch(/addContent\(true, "Extended"\): .*cms\.withPayloadType\('Extended'\)\.addContent\(true\)/);
    expect(refusal((e) => e.addCms((cms) => loose(cms).addMember!('legacy')))).toMatch(/addMember\("legacy"\): .*withPayloadType\('Legacy'\)/);
    expect(refusal((e) => e.addCms((cms) => cms.addContent((c) => loose(c).addBlueprint!('Minimal'))))).toMatch(/addBlueprint\("Minimal"\): hookwork's builder methods take no payload type/);
    expect(refusal((e) => (e.addCms as (...args: unknown[]) => unknown)(false, 'Legacy'))).toBe(
      "HOOKWORK_ERR_INVALID_CMS_OPTIONS: addCms(false, \"Legacy\"): the payload type goes in addCms()'s options (Umbraco's AddCms(onlyDefault, payloadType) takes it as an argument): addCms({ onlyDefault: false, payloadType: 'Legacy' }), or addCms({ payloadType: 'Legacy' }, cms => …). Nothing was added",
    );
    expect(refusal((e) => (e.addCms as (...args: unknown[]) => unknown)('Extended'))).toMatch(/addCms\("Extended"\): the payload type goes in addCms\(\)'s options/);
    // The ways it names work.
    expect(aliasesOf((e) => e.addCms((cms) => cms.withPayloadType('Legacy').addMedia()))).toEqual(aliasesOf((e) => e.addCms((cms) => cms.addMedia())));
  });

  // `addCms(async (cms) => …)` compiles (a promise where void is expected); what it added after an
  // await came once the app was built, as an unhandled HOOKWORK_ERR_COLLECTION_FROZEN.
  it('refuses an async configure callback, of addCms() and of a group, naming the call', () => {
    const later = async () => undefined;
    expect(() => aliasesOf((e) => e.addCms(async (cms) => { await later(); cms.addMedia(); }))).toThrow(/^HOOKWORK_ERR_ASYNC_COMPOSITION: addCms\(configure\) returned a promise/);
    expect(() => aliasesOf((e) => e.addCms({ payloadType: 'Legacy' }, async (cms) => void cms))).toThrow(/HOOKWORK_ERR_ASYNC_COMPOSITION: addCms\(configure\)/);
    expect(() => aliasesOf((e) => e.addCms((cms) => cms.addContent(async (c) => { await later(); c.addBlueprint(); })))).toThrow(/HOOKWORK_ERR_ASYNC_COMPOSITION: addContent\(configure\) returned a promise/);
    expect(() => aliasesOf((e) => e.addCms((cms) => cms.addFile(async (f) => void f)))).toThrow(/HOOKWORK_ERR_ASYNC_COMPOSITION: addFile\(configure\)/);
  });

  it('types addCms() and replace() for callers', () => {
    const check = (events: WebhookEventCollectionBuilder) => {
      // @ts-expect-error addCms takes a boolean, a configure function or options
      events.addCms(42);
      // @ts-expect-error the payload type is one of Minimal, Extended, Legacy
      events.addCms({ payloadType: 'Json' });
      // @ts-expect-error sub-builders have no addBlueprint at the top level
      events.addCms((cms) => cms.addBlueprint());
      // @ts-expect-error a CMS event can only be replaced by a webhook event class
      events.replace(ContentPublishedWebhookEvent, Date);
      events.addCms({ payloadType: 'Legacy' }, (cms) => cms.addContent((c) => c.withPayloadType('Extended').addDefault()));
    };
    expect(typeof check).toBe('function');
  });
});
