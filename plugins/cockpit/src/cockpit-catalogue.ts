import { HookworkError, WebhookEventCatalogue, createToken, getWebhookEventMetadata, shownValue, type Token } from '@hookwork/core';
import type { DependencyContainer } from 'tsyringe';
import type { CockpitEventArgument, CockpitEventDefinition } from './cockpit-event-definition';
import type { CockpitEventClass } from './cockpit-webhook-event';
import { CockpitEvents } from './cockpit-events';

/** One event as an editor's autocomplete lists it. */
export interface CockpitEventInfo {
  /** The exact event name a webhook subscribes to (`collections.save.after`). */
  name: string;
  /** Its group, one of {@link CockpitEventGroups} or a plugin's own (`collections`). */
  group: string;
  /** A short human label for an editor (`Collection entry saved`). */
  label: string;
  /** The positional arguments, in order. */
  args: readonly CockpitEventArgument[];
  /** `collections.save.after.*` when the event also fires per collection, singleton or form name. */
  pattern?: string;
}

/**
 * One app's Cockpit events: the built-in ones and those other plugins added with
 * `addCockpitEvents(...)`. It answers the trigger (which notification class an event name
 * publishes) and lists, for an editor, the events this app composed. Made by cockpitComposer()
 * for each app; nothing is shared between apps.
 */
export class CockpitCatalogue {
  private readonly classes = new Map<string, CockpitEventClass>();

  /** @internal made by cockpitComposer(). */
  constructor(private readonly container: DependencyContainer) {
    for (const type of Object.values(CockpitEvents)) this.classes.set(type.cockpitEvent.name, type);
  }

  /**
   * Adds event classes made by defineCockpitEvent to this app's catalogue. A name that another
   * class already holds is refused (the webhook could not tell them apart), unless it is the same class.
   */
  extend(...types: CockpitEventClass[]): this {
    for (const type of types) {
      const definition = (type as Partial<CockpitEventClass> | undefined)?.cockpitEvent;
      if (!definition || typeof type.notification !== 'function' || !getWebhookEventMetadata(type)) throw notACockpitEventClass(type);
      const holder = this.classes.get(definition.name);
      if (holder && holder !== type) {
        // Classes made by defineCockpitEvent are named for the event, so both names read the same: say which is which.
        const builtin = Object.values(CockpitEvents).includes(holder);
        throw new HookworkError(
          'HOOKWORK_ERR_DUPLICATE_ALIAS',
          builtin
            ? `addCockpitEvents(): "${definition.name}" is a built-in Cockpit event (${holder.name}); a plugin's event ("${definition.label}", group ${definition.group}) cannot define it again. To change its payload, replace(CockpitEvents['${definition.name}'], YourSubclass); otherwise name the plugin's event differently`
            : `addCockpitEvents(): two classes define the Cockpit event "${definition.name}" ("${holder.cockpitEvent.label}", group ${holder.cockpitEvent.group}, and "${definition.label}", group ${definition.group}), so a webhook could not tell them apart; rename one plugin's event (e.g. "${definition.group}.${definition.name}"), or compose only one of them`,
        );
      }
      this.classes.set(definition.name, type);
    }
    return this;
  }

  /** The definition of an event this app knows (composed or not), by plain name. */
  definitionOf(name: string): CockpitEventDefinition | undefined {
    return this.classes.get(name)?.cockpitEvent;
  }

  /** The class an event name belongs to (the one defineCockpitEvent made), by plain name. */
  classOf(name: string): CockpitEventClass | undefined {
    return this.classes.get(name);
  }

  /**
   * The class the app composed under an event's plain name (the built-in class, a replacement,
   * or a class that is no Cockpit event at all); undefined when the app did not compose it.
   */
  composedClassOf(name: string): Function | undefined {
    const type = this.container.resolve(WebhookEventCatalogue).entryFor(name)?.type;
    return type !== undefined && getWebhookEventMetadata(type)?.alias === name ? type : undefined;
  }

  /**
   * The class the app composed that extends an event's class under another alias (core lets a
   * subclass, which keeps the notification, take another alias), when the event's own name is not
   * composed: the trigger's notification reaches it, and it fires for its own alias only.
   */
  renamedReplacementOf(name: string): { type: Function; alias: string } | undefined {
    const type = this.classes.get(name);
    if (!type) return undefined;
    const catalogue = this.container.resolve(WebhookEventCatalogue);
    for (const { alias } of catalogue.list()) {
      const composed = catalogue.entryFor(alias)?.type;
      if (composed !== undefined && composed.prototype instanceof type) return { type: composed, alias };
    }
    return undefined;
  }

  /**
   * The Cockpit events this app composed, in collection order: what a webhook may subscribe to
   * and the trigger sends. Each is described by the class composed for it (a replacement's
   * patterns included); a name whose composed class does not extend the Cockpit event's class
   * is left out, as the trigger refuses it (HOOKWORK_ERR_COCKPIT_INVALID_REPLACEMENT).
   */
  list(): CockpitEventInfo[] {
    const composed = this.container.resolve(WebhookEventCatalogue).list();
    const infos: CockpitEventInfo[] = [];
    for (const { alias, patterns } of composed) {
      const type = this.classOf(alias);
      const composedType = type && this.composedClassOf(alias);
      if (!type || !composedType || (composedType !== type && !(composedType.prototype instanceof type))) continue;
      const definition = type.cockpitEvent;
      infos.push({
        name: definition.name,
        group: definition.group,
        label: definition.label,
        args: definition.args,
        ...(definition.namespaced && patterns.includes(`${definition.name}.*`) ? { pattern: `${definition.name}.*` } : {}),
      });
    }
    return infos;
  }
}

/** addCockpitEvents() of what is no Cockpit event class, shown as it was given (a list, a name, a class). */
function notACockpitEventClass(given: unknown): HookworkError {
  const fix = 'make it with defineCockpitEvent({ name, group, label, args })';
  if (Array.isArray(given)) return new HookworkError('HOOKWORK_ERR_NOT_A_WEBHOOK_EVENT', `addCockpitEvents(a list of ${given.length}): not a Cockpit event class; spread the list: addCockpitEvents(...events)`);
  if (typeof given === 'string') return new HookworkError('HOOKWORK_ERR_NOT_A_WEBHOOK_EVENT', `addCockpitEvents(${shownValue(given)}): not a Cockpit event class; pass the class defineCockpitEvent({ name, group, label, args }) returned, not its name`);
  const shown = typeof given === 'function' ? given.name || 'an anonymous class' : shownValue(given);
  return new HookworkError('HOOKWORK_ERR_NOT_A_WEBHOOK_EVENT', `addCockpitEvents(${shown}): not a Cockpit event class; ${fix}`);
}

/** Injection token of an app's {@link CockpitCatalogue} (registered by cockpitComposer()). */
export const CockpitCatalogueToken: Token<CockpitCatalogue> = createToken<CockpitCatalogue>('hookwork.cockpit.Catalogue');

/** What cockpitComposer() was given, for the trigger. */
export interface CockpitPluginOptions {
  /** Default true: credentials in `cockpit.api.authenticate`, `cockpit.filestorages.init` and the account events are redacted. */
  redactCredentials: boolean;
}

/** Injection token of an app's {@link CockpitPluginOptions}. */
export const CockpitOptionsToken: Token<CockpitPluginOptions> = createToken<CockpitPluginOptions>('hookwork.cockpit.Options');
