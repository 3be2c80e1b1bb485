import { COCKPIT_ERRORS } from './cockpit-errors';
import { HookworkError, resolveToken, type Hookwork, type PublishResult } from '@hookwork/core';
import { CockpitCatalogue, CockpitCatalogueToken, CockpitOptionsToken } from './cockpit-catalogue';
import { namespaceOf } from './cockpit-event-definition';
import type { CockpitEventName } from './cockpit-event-table';
import { COCKPIT_PACKAGE } from './add-cockpit';

/** Options of {@link cockpitHost}. */
export interface CockpitHostOptions {
  /** The envelope's `backend` (Cockpit's `COCKPIT_ADMIN`) for this host's triggers. Default 0. */
  backend?: boolean | 0 | 1;
}

/**
 * Options of one {@link CockpitHost.triggerWith} call.
 * @typeParam TTransaction the app's host transaction type (its storage backend's).
 */
export interface CockpitTriggerOptions<TTransaction = never> extends CockpitHostOptions {
  /** The host's open transaction, for storage backends that enqueue inside it. */
  transaction?: TTransaction;
}

/** An event name the trigger accepts: a built-in one (autocompleted) or a plugin's. */
export type CockpitTriggerName = CockpitEventName | (string & {});

/**
 * How a Cockpit-like host fires events: `await cockpit.trigger('collections.save.after', 'posts',
 * entry, true)` — the same call shape as Cockpit's `$app->trigger($event, $args)`. The envelope's
 * arguments are taken (and redacted) now; the requests are durably enqueued when the promise
 * resolves, and delivered by the app in the background.
 */
export interface CockpitHost<TTransaction = never> {
  /** Fires an event with its positional arguments; name-spaced variants fire by themselves. */
  trigger(event: CockpitTriggerName, ...args: unknown[]): Promise<PublishResult>;
  /** Fires an event with per-call options (backend flag, host transaction). */
  triggerWith(event: CockpitTriggerName, args: readonly unknown[], options?: CockpitTriggerOptions<TTransaction>): Promise<PublishResult>;
  /** This app's Cockpit events, for an editor's autocomplete. */
  readonly catalogue: CockpitCatalogue;
}

function backendFlag(value: unknown, where: string): 0 | 1 {
  if (value === undefined || value === false || value === 0) return 0;
  if (value === true || value === 1) return 1;
  throw COCKPIT_ERRORS.create('HOOKWORK_ERR_COCKPIT_INVALID_TRIGGER', `${where}: backend must be true/false or 1/0 (Cockpit's COCKPIT_ADMIN); got ${JSON.stringify(value)}`);
}

/**
 * The Cockpit trigger API of an app composed with cockpitComposer(). Coded errors:
 * HOOKWORK_ERR_EXTENSION_NOT_COMPOSED when the app has no Cockpit plugin,
 * HOOKWORK_ERR_COCKPIT_UNKNOWN_EVENT for a name no Cockpit event has,
 * HOOKWORK_ERR_COCKPIT_INVALID_TRIGGER for bad options or a name-spaced name.
 */
export function cockpitHost<TTransaction = never>(app: Hookwork<TTransaction>, options: CockpitHostOptions = {}): CockpitHost<TTransaction> {
  if (!app || !app.container || !app.container.isRegistered(CockpitCatalogueToken, true)) {
    throw new HookworkError('HOOKWORK_ERR_EXTENSION_NOT_COMPOSED', `cockpitHost(app): this app was not composed with ${COCKPIT_PACKAGE}; add cockpitComposer() to createHookwork({ composers: [...] })`);
  }
  const catalogue = resolveToken(app.container, CockpitCatalogueToken);
  const { redactCredentials } = resolveToken(app.container, CockpitOptionsToken);
  const hostBackend = backendFlag(options.backend, 'cockpitHost(app, options)');

  const triggerWith: CockpitHost<TTransaction>['triggerWith'] = async (event, args, callOptions = {}) => {
    if (typeof event !== 'string') throw COCKPIT_ERRORS.create('HOOKWORK_ERR_COCKPIT_UNKNOWN_EVENT', `trigger() takes an event name such as "collections.save.after"; got ${typeof event}`);
    if (!Array.isArray(args)) throw COCKPIT_ERRORS.create('HOOKWORK_ERR_COCKPIT_INVALID_TRIGGER', `triggerWith("${event}", args): args must be the list of the event's positional arguments`);
    const type = catalogue.classOf(event);
    if (!type) throw unknownEvent(catalogue, event);
    const definition = type.cockpitEvent;
    const backend = callOptions.backend === undefined ? hostBackend : backendFlag(callOptions.backend, `triggerWith("${event}")`);
    const sent = redactCredentials && definition.redact ? definition.redact(args) : [...args];
    const notification = new type.notification(event, Object.freeze(sent), backend, definition.namespaced ? namespaceOf(args) : undefined);
    return app.publish(notification, callOptions.transaction === undefined ? {} : { transaction: callOptions.transaction });
  };

  return {
    catalogue,
    trigger: (event, ...args) => triggerWith(event, args),
    triggerWith,
  };
}

function unknownEvent(catalogue: CockpitCatalogue, event: string): HookworkError {
  const dot = event.lastIndexOf('.');
  const base = dot > 0 ? event.slice(0, dot) : '';
  if (base && catalogue.definitionOf(base)?.namespaced) {
    return COCKPIT_ERRORS.create('HOOKWORK_ERR_COCKPIT_INVALID_TRIGGER',
      `trigger("${event}"): trigger the plain event — trigger("${base}", "${event.slice(dot + 1)}", …) — and "${event}" fires by itself for webhooks subscribed to it`,
    );
  }
  return COCKPIT_ERRORS.create('HOOKWORK_ERR_COCKPIT_UNKNOWN_EVENT',
    `trigger("${event}"): no Cockpit event has this name; check the spelling (e.g. "collections.save.after"), or add a plugin's event with defineCockpitEvent() and addCockpitEvents()`,
  );
}
