import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebhookEvent, createHookwork, isHookworkError, type Composer } from '@hookwork/core';
import { recordingTransport } from '@hookwork/core/testing';
import { CockpitEvents, COCKPIT_EVENT_TABLE, cockpitComposer, cockpitHost, defineCockpitEvent, type CockpitEventsBuilder } from './index';

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

const GROUPS: Record<string, string[]> = {
  system: ['admin.dashboard.widgets', 'cockpit.filestorages.init', 'cockpit.bootstrap', 'cockpit.update.before', 'cockpit.update.after', 'cockpit.clearcache', 'cockpit.export', 'cockpit.import', 'cockpit.rest.init', 'cockpit.api.authenticate', 'cockpit.api.erroronrequest'],
  media: ['cockpit.media.upload', 'cockpit.media.removefiles', 'cockpit.media.rename', 'cockpit.assets.list', 'cockpit.assets.save', 'cockpit.assets.remove'],
  collections: ['collections.createcollection', 'collections.updatecollection', 'collections.removecollection', 'collections.find.before', 'collections.find.after', 'collections.save.before', 'collections.save.after', 'collections.remove.before', 'collections.remove.after'],
  forms: ['forms.save.before', 'forms.save.after'],
  singletons: ['singleton.save.after', 'singleton.remove', 'singleton.saveData.before', 'singleton.saveData.after', 'singleton.getData.after'],
  views: ['cockpit.account.editview', 'admin.dashboard.top', 'admin.dashboard.bottom', 'app.layout.header', 'cockpit.menu.aside', 'cockpit.menu.main', 'app.layout.contentbefore', 'app.layout.contentafter', 'app.layout.footer', 'cockpit.view.settings.item', 'cockpit.view.settings'],
};

const argsOf = (name: string) => COCKPIT_EVENT_TABLE.find((d) => d.name === name)?.args.map((a) => a.name);
const composing = (configure?: (c: CockpitEventsBuilder) => void): Composer => ({ name: 'app', compose: (b) => b.webhookEvents().addCockpit(configure) });
const appWith = (...composers: Composer[]) => createHookwork({ composers: [cockpitComposer(), ...composers], transport: recordingTransport() });

describe('the Cockpit event table', () => {
  it('has exactly the 44 events of the issue, each once', () => {
    expect(ISSUE_EVENTS).toHaveLength(44);
    const names = COCKPIT_EVENT_TABLE.map((d) => d.name);
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual([...ISSUE_EVENTS].sort());
    expect(Object.keys(CockpitEvents).sort()).toEqual([...ISSUE_EVENTS].sort());
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
    for (const view of GROUPS.views!) expect(argsOf(view)).toEqual([]);
  });

  it('sorts every event into one of the six groups', () => {
    const grouped = Object.fromEntries(Object.keys(GROUPS).map((g) => [g, COCKPIT_EVENT_TABLE.filter((d) => d.group === g).map((d) => d.name)]));
    expect(grouped).toEqual(GROUPS);
  });

  it('makes one class per event, named for it, so replace() works by class', () => {
    const classes = Object.values(CockpitEvents);
    expect(new Set(classes).size).toBe(44);
    expect(CockpitEvents['collections.save.after'].name).toBe('CollectionsSaveAfterCockpitEvent');
    expect(CockpitEvents['singleton.saveData.after'].name).toBe('SingletonSaveDataAfterCockpitEvent');
    expect(new Set(classes.map((c) => c.notification)).size).toBe(44);
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
    expect(() => appWith(composing((c) => c.add('collections.sav.after')))).toThrow(/"collections.sav.after" is not a built-in Cockpit event/);
    // @ts-expect-error not a group
    expect(() => appWith(composing((c) => c.addGroup('widgets')))).toThrow(/no Cockpit event group "widgets"/);
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
    expect((error as Error).message).toMatch(/addCockpit\(\) is not installed.*Add the composer of the package that provides addCockpit\(\)/);
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
    expect(cockpitHost(app).catalogue.list()).toEqual([
      { name: 'forms.save.before', group: 'forms', label: 'Form entry about to be saved', args: [{ name: 'name', description: 'the form name' }, { name: 'entry', description: 'the submitted entry' }], pattern: 'forms.save.before.*' },
      { name: 'forms.save.after', group: 'forms', label: 'Form entry saved', args: [{ name: 'name', description: 'the form name' }, { name: 'entry', description: 'the saved entry' }], pattern: 'forms.save.after.*' },
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
    expect(cockpitHost(extended).catalogue.list().map((e) => e.name)).toEqual(['forms.save.before', 'forms.save.after', 'shop.order.placed']);
    expect(cockpitHost(extended).catalogue.list()[2]).toEqual({ name: 'shop.order.placed', group: 'shop', label: 'Order placed', args: [{ name: 'order' }, { name: 'customer' }] });
    expect(cockpitHost(plain).catalogue.list().map((e) => e.name)).toEqual(['forms.save.before', 'forms.save.after']);
    expect(cockpitHost(plain).catalogue.classOf('shop.order.placed')).toBeUndefined();
  });

  it('refuses a second class for an existing event name and bad definitions', () => {
    const Clash = defineCockpitEvent({ name: 'collections.save.after', group: 'collections', label: 'Clash', args: [] });
    expect(() => appWith({ name: 'x', compose: (b) => b.webhookEvents().addCockpitEvents(Clash) })).toThrow(/HOOKWORK_ERR_DUPLICATE_ALIAS.*both define the Cockpit event "collections.save.after"/);
    expect(() => defineCockpitEvent({ name: 'bad name', group: 'x', label: 'x', args: [] })).toThrow(/HOOKWORK_ERR_INVALID_EVENT_DECLARATION.*dotted Cockpit event name/);
    expect(() => defineCockpitEvent({ name: 'x.y', group: '', label: 'x', args: [] })).toThrow(/group must be/);
    expect(() => defineCockpitEvent({ name: 'x.y', group: 'x', label: 'x', args: [{ name: '1st' }] })).toThrow(/args must be/);
    // @ts-expect-error not a Cockpit event class
    expect(() => appWith({ name: 'x', compose: (b) => b.webhookEvents().addCockpitEvents(Date) })).toThrow(/HOOKWORK_ERR_NOT_A_WEBHOOK_EVENT.*defineCockpitEvent/);
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
