import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebhookEvent, createHookwork, isHookworkError, type Composer } from '@hookwork/core';
import { recordingTransport } from '@hookwork/core/testing';
import { cockpitExampleArgs } from './cockpit-examples';
import { CockpitEvents, COCKPIT_EVENT_TABLE, cockpitComposer, cockpitHost, cockpitWebhooks, defineCockpitEvent, type CockpitEventsBuilder } from './index';

// The issue's list, written out literally so the table cannot drift from it unnoticed.
const ISSUE_EVENTS = [
  'admin.dashboard.widgets', 'cockpit.filestorages.init', 'cockpit.bootstrap', 'cockpit.media.upload', 'cockpit.media.removefiles',
  'cockpit.media.rename', 'cockpit.update.before', 'cockpit.update.after', 'cockpit.clearcache', 'cockpit.export', 'cockpit.import',
  'cockpit.assets.list', 'cockpit.assets.save', 'cockpit.assets.remove', 'cockpit.rest.init', 'cockpit.api.authenticate',
  'cockpit.api.erroronrequest', 'collections.createcollection', 'collections.updatecollection', 'collections.removecollection',
  'collections.find.before', 'collections.find.after', 'collections.save.before', 'collections.save.after', 'collections.remove.before',
  'collections.remove.after', 'forms.save.before', 'forms.save.after', 'singleton.save.after', 'singleton.remove',
  'singleton.saveData.before', 'singleton.saveData.after', 'singleton.getData.after',
  'cockpit.account.editview', 'admin.dashboard.top', 'admin.dashboard.bottom', 'app.layout.header', 'cockpit.menu.aside',
  'cockpit.menu.main', 'app.layout.contentbefore', 'app.layout.contentafter', 'app.layout.footer', 'cockpit.view.settings.item',
  'cockpit.view.settings',
];

// What Cockpit's own webhook editor offers (modules/Cockpit/Controller/Webhooks.php, and the
// cockpit.webhook.events listeners of modules/{Collections,Forms,Singletons}/admin.php), written out
// literally: a webhook exported from Cockpit subscribes to these. `app.{$controller}.init` is left
// out (see docs/cockpit.md, What is missing).
const COCKPIT_EDITOR_EVENTS = [
  'admin.init', 'cockpit.account.login', 'cockpit.account.logout', 'cockpit.api.authenticate', 'cockpit.api.erroronrequest',
  'cockpit.assets.list', 'cockpit.assets.remove', 'cockpit.assets.save', 'cockpit.bootstrap', 'cockpit.clearcache', 'cockpit.export',
  'cockpit.import', 'cockpit.media.removefiles', 'cockpit.media.rename', 'cockpit.media.upload', 'cockpit.request.error',
  'cockpit.rest.init', 'cockpit.update.after', 'cockpit.update.before', 'shutdown',
  'collections.createcollection', 'collections.find.after', 'collections.find.after.{$name}', 'collections.find.before',
  'collections.find.before.{$name}', 'collections.remove.after', 'collections.remove.after.{$name}', 'collections.remove.before',
  'collections.remove.before.{$name}', 'collections.removecollection', 'collections.removecollection.{$name}', 'collections.reorder',
  'collections.reorder.{$name}', 'collections.save.after', 'collections.save.after.{$name}', 'collections.save.before',
  'collections.save.before.{$name}', 'collections.updatecollection', 'collections.updatecollection.{$name}',
  'forms.save.after', 'forms.save.after.{$name}', 'forms.save.before', 'forms.save.before.{$name}', 'forms.submit.after', 'forms.submit.before',
  'singleton.getData.after', 'singleton.getData.after.{$name}', 'singleton.remove', 'singleton.remove.{$name}', 'singleton.save.after',
  'singleton.save.after.{$name}', 'singleton.save.before', 'singleton.save.before.{$name}', 'singleton.saveData.after',
  'singleton.saveData.after.{$name}', 'singleton.saveData.before', 'singleton.saveData.before.{$name}',
];
// Triggered by Cockpit v1's sources though its editor does not list them (Controller/Auth.php, Controller/Accounts.php,
// modules/Cockpit/module/assets.php, modules/Forms/bootstrap.php, and the admin views of 0.10.0 and later: views/base/dashboard.php:61,
// views/layouts/app.php:90, 153, 157, where the issue's cockpit.menu.aside/main are no longer triggered); Cockpit's event field is
// free text, so exported webhooks use them.
const SOURCE_ONLY = [
  'cockpit.authentication.success', 'cockpit.authentication.failed', 'cockpit.accounts.save', 'cockpit.asset.save', 'cockpit.assets.updatefile',
  'forms.open.before', 'forms.open.after', 'forms.close.before', 'forms.close.after',
  'admin.dashboard.header', 'cockpit.menu.modules', 'cockpit.menu.system', 'cockpit.menu',
];
const EDITOR_ONLY = ['admin.init', 'cockpit.request.error', 'cockpit.account.login', 'cockpit.account.logout', 'shutdown', 'collections.reorder', 'forms.submit.before', 'forms.submit.after', 'singleton.save.before'];

const GROUPS: Record<string, string[]> = {
  system: ['admin.dashboard.widgets', 'cockpit.filestorages.init', 'cockpit.bootstrap', 'cockpit.update.before', 'cockpit.update.after', 'cockpit.clearcache', 'cockpit.export', 'cockpit.import', 'cockpit.rest.init', 'cockpit.api.authenticate', 'cockpit.api.erroronrequest', 'admin.init', 'cockpit.request.error', 'cockpit.account.login', 'cockpit.authentication.success', 'cockpit.authentication.failed', 'cockpit.accounts.save', 'cockpit.account.logout', 'shutdown'],
  media: ['cockpit.media.upload', 'cockpit.media.removefiles', 'cockpit.media.rename', 'cockpit.assets.list', 'cockpit.assets.save', 'cockpit.assets.remove', 'cockpit.asset.save', 'cockpit.assets.updatefile'],
  collections: ['collections.createcollection', 'collections.updatecollection', 'collections.removecollection', 'collections.find.before', 'collections.find.after', 'collections.save.before', 'collections.save.after', 'collections.remove.before', 'collections.remove.after', 'collections.reorder'],
  forms: ['forms.save.before', 'forms.save.after', 'forms.submit.before', 'forms.submit.after', 'forms.open.before', 'forms.open.after', 'forms.close.before', 'forms.close.after'],
  singletons: ['singleton.save.before', 'singleton.save.after', 'singleton.remove', 'singleton.saveData.before', 'singleton.saveData.after', 'singleton.getData.after'],
  views: ['cockpit.account.editview', 'admin.dashboard.header', 'admin.dashboard.top', 'admin.dashboard.bottom', 'app.layout.header', 'cockpit.menu.aside', 'cockpit.menu.main', 'cockpit.menu.modules', 'cockpit.menu.system', 'cockpit.menu', 'app.layout.contentbefore', 'app.layout.contentafter', 'app.layout.footer', 'cockpit.view.settings.item', 'cockpit.view.settings'],
};

const argsOf = (name: string) => COCKPIT_EVENT_TABLE.find((d) => d.name === name)?.args.map((a) => a.name);
const composing = (configure?: (c: CockpitEventsBuilder) => void): Composer => ({ name: 'app', compose: (b) => b.webhookEvents().addCockpit(configure) });
const appWith = (...composers: Composer[]) => createHookwork({ composers: [cockpitComposer(), ...composers], transport: recordingTransport() });

describe('the Cockpit event table', () => {
  it("has exactly the 44 events of the issue, the 9 more Cockpit's webhook editor offers and the 13 more its sources trigger, each once", () => {
    expect(ISSUE_EVENTS).toHaveLength(44);
    const names = COCKPIT_EVENT_TABLE.map((d) => d.name);
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual([...ISSUE_EVENTS, ...EDITOR_ONLY, ...SOURCE_ONLY].sort());
    expect(Object.keys(CockpitEvents).sort()).toEqual([...ISSUE_EVENTS, ...EDITOR_ONLY, ...SOURCE_ONLY].sort());
  });

  it("accepts a webhook on every event Cockpit's webhook editor offers or its sources trigger, name-spaced ones included, as a Cockpit export has them", async () => {
    const app = appWith(composing());
    await app.start();
    try {
      const refused: string[] = [];
      for (const event of [...COCKPIT_EDITOR_EVENTS, ...SOURCE_ONLY]) {
        await cockpitWebhooks(app)
          .create({ name: event, url: 'https://hooks.example.test/cockpit', events: [event.replace('{$name}', 'posts')] })
          .catch(() => refused.push(event));
      }
      expect(refused).toEqual([]);
    } finally {
      await app.stop();
    }
  });

  it("gives each event Cockpit's positional argument names", () => {
    expect(argsOf('collections.save.after')).toEqual(['name', 'entry', 'isUpdate']);
    expect(argsOf('collections.remove.after')).toEqual(['name', 'result']);
    expect(argsOf('cockpit.media.rename')).toEqual(['source', 'target']);
    expect(argsOf('cockpit.media.upload')).toEqual(['uploaded', 'failed']);
    expect(argsOf('singleton.saveData.after')).toEqual(['singleton', 'data']);
    expect(argsOf('forms.save.after')).toEqual(['name', 'entry']);
    expect(argsOf('cockpit.api.erroronrequest')).toEqual(['route', 'error']);
    expect(argsOf('cockpit.bootstrap')).toEqual([]);
    expect(argsOf('collections.reorder')).toEqual(['name', 'entries']);
    expect(argsOf('forms.submit.before')).toEqual(['form', 'data', 'frm', 'options']);
    expect(argsOf('forms.submit.after')).toEqual(['form', 'data', 'frm']);
    expect(argsOf('cockpit.request.error')).toEqual(['status']);
    expect(argsOf('cockpit.account.logout')).toEqual(['user']);
    // Controller/Auth.php: [&$user] and [$auth, 'Csrf validation failed' | 'Authentication failed']; Accounts.php: [&$data, isset($data['_id'])].
    expect(argsOf('cockpit.authentication.success')).toEqual(['user']);
    expect(argsOf('cockpit.authentication.failed')).toEqual(['auth', 'reason']);
    expect(argsOf('cockpit.accounts.save')).toEqual(['data', 'isUpdate']);
    // module/assets.php: [&$asset] and [$_asset, $asset]; Forms/bootstrap.php: [$name, &$options].
    expect(argsOf('cockpit.asset.save')).toEqual(['asset']);
    expect(argsOf('cockpit.assets.updatefile')).toEqual(['asset', 'previous']);
    for (const form of ['forms.open.before', 'forms.open.after', 'forms.close.before', 'forms.close.after']) expect(argsOf(form)).toEqual(['name', 'options']);
    // views/accounts/account.php: @trigger('cockpit.account.editview', [&$account]); the other views pass nothing.
    expect(argsOf('cockpit.account.editview')).toEqual(['account']);
    for (const view of GROUPS.views!.filter((v) => v !== 'cockpit.account.editview')) expect(argsOf(view)).toEqual([]);
  });

  it('has test-send examples with as many arguments as each event takes, so a test send is what a trigger would send', () => {
    const withExamples = COCKPIT_EVENT_TABLE.filter((d) => cockpitExampleArgs(d) !== undefined);
    for (const definition of withExamples) expect([definition.name, cockpitExampleArgs(definition)!.length]).toEqual([definition.name, definition.args.length]);
    expect(withExamples.map((d) => d.name)).toEqual(expect.arrayContaining(['collections.reorder', 'singleton.save.before', 'forms.submit.before', 'forms.submit.after']));
  });

  it('sorts every event into one of the six groups', () => {
    const grouped = Object.fromEntries(Object.keys(GROUPS).map((g) => [g, COCKPIT_EVENT_TABLE.filter((d) => d.group === g).map((d) => d.name)]));
    expect(grouped).toEqual(GROUPS);
  });

  it('makes one class per event, named for it, so replace() works by class', () => {
    const classes = Object.values(CockpitEvents);
    expect(new Set(classes).size).toBe(66);
    expect(CockpitEvents['collections.save.after'].name).toBe('CollectionsSaveAfterCockpitEvent');
    expect(CockpitEvents['singleton.saveData.after'].name).toBe('SingletonSaveDataAfterCockpitEvent');
    expect(new Set(classes.map((c) => c.notification)).size).toBe(66);
  });
});

describe('addCockpit()', () => {
  it('without an argument composes every event, in table order', () => {
    const app = appWith(composing());
    expect(app.events().map((e) => e.alias)).toEqual(COCKPIT_EVENT_TABLE.map((d) => d.name));
  });

  it('composes the groups a function picks', () => {
    const app = appWith(composing((c) => c.addCollections().addForms()));
    expect(app.events().map((e) => e.alias)).toEqual([...GROUPS.collections!, ...GROUPS.forms!]);
  });

  it.each(Object.entries({ addSystem: 'system', addMediaAndAssets: 'media', addCollections: 'collections', addSingletons: 'singletons', addForms: 'forms', addBackendViews: 'views' }))(
    '%s() composes the %s group',
    (method, group) => {
      const app = appWith(composing((c) => (c as unknown as Record<string, () => void>)[method]!.call(c)));
      expect(app.events().map((e) => e.alias)).toEqual(GROUPS[group]);
    },
  );

  it('composes single events by name, and refuses unknown names and groups', () => {
    expect(appWith(composing((c) => c.add('collections.save.after', 'cockpit.media.rename'))).events().map((e) => e.alias)).toEqual(['collections.save.after', 'cockpit.media.rename']);
    // @ts-expect-error not a built-in event name
    expect(() => appWith(composing((c) => c.add('collections.sav.after')))).toThrow(/"collections.sav.after" is not a built-in Cockpit event \(did you mean "collections.save.after"\?\)/);
    // @ts-expect-error not a group
    expect(() => appWith(composing((c) => c.addGroup('widgets')))).toThrow(
      'HOOKWORK_ERR_INVALID_EVENT_DECLARATION: addCockpit(): addGroup(): there is no such Cockpit event group; group must be one of "system", "media", "collections", "singletons", "forms", "views" (got "widgets")',
    );
    // A value of the wrong kind is named by its kind, as core's refusals do (not "[object Object]").
    expect(() => appWith(composing((c) => c.addGroup({ group: 'forms' } as never)))).toThrow(/group must be one of "system", .*"views" \(got an object\)$/);
    // add() said a number or an object "is not a built-in Cockpit event" as the text "42" or "[object Object]".
    // A name Object.prototype has was looked up there, and core was handed Object or toString.
    expect(() => appWith(composing((c) => c.add('constructor' as never)))).toThrow(/^HOOKWORK_ERR_INVALID_EVENT_DECLARATION: addCockpit\(\): "constructor" is not a built-in Cockpit event/);
    expect(() => appWith(composing((c) => c.add(42 as never)))).toThrow(/^HOOKWORK_ERR_INVALID_EVENT_DECLARATION: addCockpit\(\): add\(\) takes event names such as "collections.save.after"; got 42$/);
    expect(() => appWith(composing((c) => c.add(CockpitEvents['collections.save.after'] as never)))).toThrow(/add\(\) takes event names .*; got a class \(CollectionsSaveAfterCockpitEvent\): compose classes with webhookEvents\(\)\.add\(\.\.\.\)$/);
  });

  it('declares name-spaced patterns for the collection, singleton and form events', () => {
    const app = appWith(composing());
    const patterns = Object.fromEntries(app.events().map((e) => [e.alias, e.patterns]));
    expect(patterns['collections.save.after']).toEqual(['collections.save.after.*']);
    expect(patterns['singleton.saveData.after']).toEqual(['singleton.saveData.after.*']);
    expect(patterns['forms.save.after']).toEqual(['forms.save.after.*']);
    // Cockpit fires no per-name variant of these:
    expect(patterns['collections.createcollection']).toEqual([]);
    expect(patterns['cockpit.media.upload']).toEqual([]);
  });

  it('is a coded error naming the method and the fix when the plugin was not composed', () => {
    let error: unknown;
    try {
      createHookwork({ composers: [composing()] });
    } catch (e) {
      error = e;
    }
    expect(isHookworkError(error, 'HOOKWORK_ERR_EXTENSION_NOT_COMPOSED')).toBe(true);
    expect((error as Error).message).toMatch(/addCockpit\(\) comes from @hookwork\/plugin-cockpit, which this app does not compose: add cockpitComposer\(\) to createHookwork/);
  });

  it('lets an app composer replace one event by class, keeping its place', () => {
    const Base = CockpitEvents['collections.save.after'];
    // A replacement is decorated itself; alias and notification are inherited.
    @WebhookEvent('My save', 'Content')
    class Mine extends Base {}
    const app = appWith(composing((c) => c.addCollections()), { compose: (b) => b.webhookEvents().replace(Base, Mine) });
    expect(app.events().map((e) => e.eventName)[GROUPS.collections!.indexOf('collections.save.after')]).toBe('My save');
  });
});

describe('the catalogue for an editor', () => {
  it('lists the composed events with group, label, argument names and pattern', () => {
    const app = appWith(composing((c) => c.addForms()));
    expect(cockpitHost(app).catalogue.list().slice(0, 4)).toEqual([
      { name: 'forms.save.before', group: 'forms', label: 'Form entry about to be saved', args: [{ name: 'name', description: 'the form name' }, { name: 'entry', description: 'the submitted entry' }], pattern: 'forms.save.before.*' },
      { name: 'forms.save.after', group: 'forms', label: 'Form entry saved', args: [{ name: 'name', description: 'the form name' }, { name: 'entry', description: 'the saved entry' }], pattern: 'forms.save.after.*' },
      // Cockpit fires no per-form variant of the submit events: no pattern.
      { name: 'forms.submit.before', group: 'forms', label: 'Form about to be submitted', args: [{ name: 'form', description: 'the form name' }, { name: 'data', description: 'the submitted data' }, { name: 'frm', description: 'the form definition' }, { name: 'options', description: 'the submit options (mail subject, …)' }] },
      { name: 'forms.submit.after', group: 'forms', label: 'Form submitted', args: [{ name: 'form', description: 'the form name' }, { name: 'data', description: 'the submitted data' }, { name: 'frm', description: 'the form definition' }] },
    ]);
  });

  it('marks argument names read off the source rather than documented', () => {
    expect(COCKPIT_EVENT_TABLE.find((d) => d.name === 'collections.find.before')!.args[2]).toMatchObject({ name: 'flag', uncertain: true });
  });

  it("is extended by another plugin's events, per app", () => {
    const OrderPlaced = defineCockpitEvent({ name: 'shop.order.placed', group: 'shop', label: 'Order placed', args: [{ name: 'order' }, { name: 'customer' }] });
    const shop: Composer = { name: 'shop', compose: (b) => b.webhookEvents().addCockpitEvents(OrderPlaced) };
    const extended = appWith(composing((c) => c.addForms()), shop);
    const plain = appWith(composing((c) => c.addForms()));
    expect(cockpitHost(extended).catalogue.list().map((e) => e.name)).toEqual([...GROUPS.forms!, 'shop.order.placed']);
    expect(cockpitHost(extended).catalogue.list()[GROUPS.forms!.length]).toEqual({ name: 'shop.order.placed', group: 'shop', label: 'Order placed', args: [{ name: 'order' }, { name: 'customer' }] });
    expect(cockpitHost(plain).catalogue.list().map((e) => e.name)).toEqual(GROUPS.forms);
    expect(cockpitHost(plain).catalogue.classOf('shop.order.placed')).toBeUndefined();
  });

  it('refuses a second class for an existing event name and bad definitions', () => {
    const Clash = defineCockpitEvent({ name: 'collections.save.after', group: 'collections', label: 'Clash', args: [] });
    expect(() => appWith({ name: 'x', compose: (b) => b.webhookEvents().addCockpitEvents(Clash) })).toThrow(
      /^HOOKWORK_ERR_DUPLICATE_ALIAS: addCockpitEvents\(\): "collections.save.after" is a built-in Cockpit event .*replace\(CockpitEvents\['collections.save.after'\], YourSubclass\)/,
    );
    // Two plugins, one name: both classes are called ShopOrderPlacedCockpitEvent, so the labels tell them apart.
    const Mine = defineCockpitEvent({ name: 'shop.order.placed', group: 'shop', label: 'Order placed', args: [] });
    const Theirs = defineCockpitEvent({ name: 'shop.order.placed', group: 'billing', label: 'Invoice order placed', args: [] });
    expect(() => appWith({ name: 'a', compose: (b) => b.webhookEvents().addCockpitEvents(Mine) }, { name: 'b', compose: (b) => b.webhookEvents().addCockpitEvents(Theirs) })).toThrow(
      /^HOOKWORK_ERR_DUPLICATE_ALIAS: addCockpitEvents\(\): two classes define the Cockpit event "shop.order.placed" \("Order placed", group shop, and "Invoice order placed", group billing\).*rename one/,
    );
    expect(() => defineCockpitEvent({ name: 'bad name', group: 'x', label: 'x', args: [] })).toThrow(/HOOKWORK_ERR_INVALID_EVENT_DECLARATION.*dotted Cockpit event name/);
    expect(() => defineCockpitEvent({ name: 'x.y', group: '', label: 'x', args: [] })).toThrow(/group must be one of .* \(got ""\), or your plugin's own group name/);
    // The refusal says what was given, as core's enum refusals do.
    expect(() => defineCockpitEvent({ name: 'x.y', group: 42, label: 'x', args: [] } as never)).toThrow(
      'HOOKWORK_ERR_INVALID_EVENT_DECLARATION: defineCockpitEvent("x.y"): group must be one of "system", "media", "collections", "singletons", "forms", "views" (got a number), or your plugin\'s own group name such as "shop"',
    );
    expect(() => defineCockpitEvent({ name: 'x.y', group: 'x', label: 'x', args: [{ name: '1st' }] })).toThrow(/args must be/);
    // What an editor shows is visible text, in any language.
    expect(() => defineCockpitEvent({ name: 'x.y', group: 'shop\u0000', label: 'x', args: [] })).toThrow(/^HOOKWORK_ERR_INVALID_EVENT_DECLARATION: defineCockpitEvent\("x.y"\): group holds U\+0000 at character 5/);
    expect(() => defineCockpitEvent({ name: 'x.y', group: 'shop', label: 'Order\nplaced', args: [] })).toThrow(/label holds U\+000A at character 6/);
    expect(() => defineCockpitEvent({ name: 'x.y', group: 'shop', label: 'x', args: [{ name: 'order', description: 'the order\u0007' }] })).toThrow(/args\[0\].description holds U\+0007/);
    expect(() => defineCockpitEvent({ name: 'x.y', group: 'boutique', label: 'Commande passée', args: [{ name: 'order', description: '注文' }] })).not.toThrow();
    // A misspelt field was ignored: `namespace: true` never fired the name-spaced variant.
    expect(() => defineCockpitEvent({ name: 'x.y', group: 'shop', label: 'x', args: [], namespace: true } as never)).toThrow(/^HOOKWORK_ERR_INVALID_EVENT_DECLARATION: defineCockpitEvent\("x.y"\): unknown field `namespace` \(did you mean `namespaced`\?\)/);
    expect(() => defineCockpitEvent({ name: 'x.y', group: 'shop', label: 'x', args: [{ name: 'order', descripton: 'the order' }] } as never)).toThrow(/args\[0\]: unknown field `descripton` \(did you mean `description`\?\)/);
    expect(() => defineCockpitEvent({ name: 'x.y', group: 'shop', label: 'x', args: [], namespaced: 'yes' } as never)).toThrow(/namespaced must be true or false; got "yes"/);
    // The variant's name is the first argument: without one it never fired, though webhooks could subscribe to x.y.<anything>.
    expect(() => defineCockpitEvent({ name: 'x.y', group: 'shop', label: 'x', args: [], namespaced: true })).toThrow(
      /^HOOKWORK_ERR_INVALID_EVENT_DECLARATION: defineCockpitEvent\("x.y"\): namespaced: true fires "x.y.<name>" named by the first argument, but args is empty; .*args: \[\{ name: 'name' \}/,
    );
    // @ts-expect-error not a Cockpit event class
    expect(() => appWith({ name: 'x', compose: (b) => b.webhookEvents().addCockpitEvents(Date) })).toThrow(/HOOKWORK_ERR_NOT_A_WEBHOOK_EVENT.*defineCockpitEvent/);
    // A list (a package's exported array) was shown as the class's source text; a name unquoted.
    expect(() => appWith({ name: 'x', compose: (b) => b.webhookEvents().addCockpitEvents([Mine] as never) })).toThrow(
      /^HOOKWORK_ERR_NOT_A_WEBHOOK_EVENT: addCockpitEvents\(a list of 1\): not a Cockpit event class; spread the list: addCockpitEvents\(\.\.\.events\)$/,
    );
    expect(() => appWith({ name: 'x', compose: (b) => b.webhookEvents().addCockpitEvents('shop.order.placed' as never) })).toThrow(
      /^HOOKWORK_ERR_NOT_A_WEBHOOK_EVENT: addCockpitEvents\("shop.order.placed"\): not a Cockpit event class; pass the class defineCockpitEvent\(\{ name, group, label, args \}\) returned, not its name/,
    );
  });
});

describe('docs/cockpit.md', () => {
  it('lists every event with its argument names, so the migration guide cannot drift from the table', () => {
    const doc = readFileSync(join(__dirname, '../../../docs/cockpit.md'), 'utf8');
    for (const definition of COCKPIT_EVENT_TABLE) {
      expect(doc).toContain(`| \`${definition.name}\` | \`[${definition.args.map((a) => a.name).join(', ')}]\` |`);
    }
  });
});
