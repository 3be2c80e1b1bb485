import { HookworkError, assertSynchronousComposition, defineCollectionExtension, enumProblem, nearestName, shownValue, type WebhookEventCollectionBuilder } from '@hookwork/core';
import type { CockpitCatalogue } from './cockpit-catalogue';
import { CockpitEventGroups, type CockpitEventGroup } from './cockpit-event-definition';
import type { CockpitEventName } from './cockpit-event-table';
import { CockpitEvents } from './cockpit-events';
import type { CockpitEventClass } from './cockpit-webhook-event';

/** The npm package that contributes addCockpit(); named by errors. */
export const COCKPIT_PACKAGE = '@hookwork/plugin-cockpit';

declare module '@hookwork/core' {
  interface WebhookEventCollectionBuilder {
    /**
     * Adds Cockpit's events (contributed by @hookwork/plugin-cockpit; compose cockpitComposer()
     * first). Without an argument: every event. With a function: the groups it picks,
     * e.g. `addCockpit(c => c.addCollections().addForms())`.
     */
    addCockpit(configure?: (cockpit: CockpitEventsBuilder) => void): this;
    /** Adds other plugins' Cockpit events (made by defineCockpitEvent) to the collection and to this app's Cockpit catalogue. */
    addCockpitEvents(...types: CockpitEventClass[]): this;
  }
}

const builtins = Object.values(CockpitEvents);
const inGroup = (group: CockpitEventGroup) => builtins.filter((type) => type.cockpitEvent.group === group);

/**
 * Picks Cockpit's events by group for `addCockpit(c => …)`, in Cockpit's order within each
 * group; the methods chain as Umbraco's `AddCms(cms => cms.AddDefault().AddContent())`.
 */
export class CockpitEventsBuilder {
  /** @internal */
  constructor(private readonly collection: WebhookEventCollectionBuilder) {}

  /** Every built-in event. */
  addAll(): this {
    this.collection.add(...builtins);
    return this;
  }

  /** System events: bootstrap, file storages, REST API, updates, cache, import/export, dashboard widgets. */
  addSystem(): this {
    return this.addGroup(CockpitEventGroups.System);
  }

  /** Media and assets: uploads, removals, renames, asset list/save/remove. */
  addMediaAndAssets(): this {
    return this.addGroup(CockpitEventGroups.MediaAndAssets);
  }

  /** Collections: definitions created/updated/removed, entries found/saved/removed. */
  addCollections(): this {
    return this.addGroup(CockpitEventGroups.Collections);
  }

  /** Singletons: definitions saved/removed, data saved/read. */
  addSingletons(): this {
    return this.addGroup(CockpitEventGroups.Singletons);
  }

  /** Forms: entries saved. */
  addForms(): this {
    return this.addGroup(CockpitEventGroups.Forms);
  }

  /** Backend-view events: triggered while Cockpit renders its admin pages. */
  addBackendViews(): this {
    return this.addGroup(CockpitEventGroups.BackendViews);
  }

  /** One group by its key (`system`, `media`, `collections`, `singletons`, `forms`, `views`). */
  addGroup(group: CockpitEventGroup): this {
    const types = inGroup(group);
    if (types.length === 0) {
      // String(group) showed an object as [object Object] and a long text whole: shown as core shows a refused value.
      throw new HookworkError('HOOKWORK_ERR_INVALID_EVENT_DECLARATION', `addCockpit(): addGroup(): there is no such Cockpit event group; group ${enumProblem(Object.values(CockpitEventGroups), group)}`);
    }
    this.collection.add(...types);
    return this;
  }

  /** Single events by name (`add('collections.save.after', 'collections.remove.after')`). */
  add(...names: CockpitEventName[]): this {
    for (const name of names) {
      if (typeof name !== 'string') {
        const got = typeof name === 'function' ? `a class (${(name as Function).name || 'anonymous'}): compose classes with webhookEvents().add(...)` : shownValue(name);
        throw new HookworkError('HOOKWORK_ERR_INVALID_EVENT_DECLARATION', `addCockpit(): add() takes event names such as "collections.save.after"; got ${got}`);
      }
      const type = Object.hasOwn(CockpitEvents, name) ? (CockpitEvents as Readonly<Record<string, CockpitEventClass>>)[name] : undefined;
      if (!type) {
        const near = nearestName(String(name), Object.keys(CockpitEvents));
        throw new HookworkError('HOOKWORK_ERR_INVALID_EVENT_DECLARATION', `addCockpit(): "${String(name)}" is not a built-in Cockpit event${near ? ` (did you mean "${near}"?)` : ''}; list them with COCKPIT_EVENT_TABLE, or add a plugin's event with addCockpitEvents()`);
      }
      this.collection.add(type);
    }
    return this;
  }
}

// Each app's Cockpit catalogue, found from the collection builder the extension methods run on
// (the builder is per app, so this holds nothing two apps could share).
const catalogues = new WeakMap<object, CockpitCatalogue>();

/** @internal links an app's collection builder to its Cockpit catalogue (cockpitComposer does). */
export function attachCatalogue(collection: WebhookEventCollectionBuilder, catalogue: CockpitCatalogue): void {
  catalogues.set(collection, catalogue);
}

/** @internal the Cockpit catalogue already attached to an app's collection builder (a second cockpitComposer() finds it). */
export function attachedCatalogue(collection: WebhookEventCollectionBuilder): CockpitCatalogue | undefined {
  return catalogues.get(collection);
}

function catalogueOf(collection: WebhookEventCollectionBuilder, method: string): CockpitCatalogue {
  const catalogue = catalogues.get(collection);
  if (!catalogue) {
    throw new HookworkError('HOOKWORK_ERR_EXTENSION_NOT_COMPOSED', `webhookEvents().${method}() needs ${COCKPIT_PACKAGE}'s composer: add cockpitComposer() to createHookwork({ composers: [...] }) instead of installing cockpitExtension by hand`);
  }
  return catalogue;
}

/** The collection builder methods of the Cockpit plugin, installed by cockpitComposer(). */
export const cockpitExtension = defineCollectionExtension(
  COCKPIT_PACKAGE,
  {
    addCockpit(configure?: (cockpit: CockpitEventsBuilder) => void) {
      catalogueOf(this, 'addCockpit');
      const builder = new CockpitEventsBuilder(this);
      if (configure === undefined) builder.addAll();
      else if (typeof configure === 'function') assertSynchronousComposition(configure(builder), 'addCockpit(configure)');
      else throw new HookworkError('HOOKWORK_ERR_INVALID_EVENT_DECLARATION', 'addCockpit() takes nothing (every event) or a function picking groups: addCockpit(c => c.addCollections())');
      return this;
    },
    addCockpitEvents(...types: CockpitEventClass[]) {
      catalogueOf(this, 'addCockpitEvents').extend(...types);
      return this.add(...types);
    },
  },
  { composerHint: 'cockpitComposer()' },
);
