import { COCKPIT_ERRORS } from './cockpit-errors';
import { HookworkError, findJsonLoss, getWebhookEventMetadata, jsonFailure, nearestName, readOrRefuse, resolveToken, shownValue, unknownOption, valueKind, type Hookwork, type PublishOptions, type PublishResult } from '@hookwork/core';
import { CockpitCatalogue, CockpitCatalogueToken, CockpitOptionsToken } from './cockpit-catalogue';
import { namespaceOf, type CockpitEventDefinition } from './cockpit-event-definition';
import { CockpitWebhookEvent, type CockpitEventClass } from './cockpit-webhook-event';
import type { CockpitEventName } from './cockpit-event-table';
import { COCKPIT_PACKAGE } from './add-cockpit';

/** Options of {@link cockpitHost}. */
export interface CockpitHostOptions {
  /**
   * The envelope's `backend` (Cockpit's `COCKPIT_ADMIN`) for this host's triggers: true as Cockpit
   * sends it for every HTTP request it serves (admin pages and REST API alike), false (0) as from
   * its CLI or embedded in another PHP site. Default 0.
   */
  backend?: boolean | 0 | 1;
}

/**
 * Options of one {@link CockpitHost.triggerWith} call.
 * @typeParam TTransaction the app's host transaction type (its storage backend's).
 */
export interface CockpitTriggerOptions<TTransaction = never> extends CockpitHostOptions {
  /** The host's open transaction, for storage backends that enqueue inside it. */
  transaction?: TTransaction;
  /**
   * The trigger's idempotency key, as `publish(…, { idempotencyKey })` takes it: a trigger made
   * again with the same key after an uncertain failure (HOOKWORK_ERR_ENQUEUE_UNCERTAIN) stores
   * nothing twice, and a receiver sees the same `webhook-id`.
   */
  idempotencyKey?: string;
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
  /**
   * Fires an event with its positional arguments; name-spaced variants fire by themselves.
   * Rejects (nothing enqueued) on a refused trigger; resolves with `failures` when the event's
   * requests could not be made (e.g. Cockpit's envelope over maxPayloadBytes): check them.
   */
  trigger(event: CockpitTriggerName, ...args: unknown[]): Promise<PublishResult>;
  /** Fires an event with per-call options (backend flag, host transaction); resolves and rejects as {@link CockpitHost.trigger}. */
  triggerWith(event: CockpitTriggerName, args: readonly unknown[], options?: CockpitTriggerOptions<TTransaction>): Promise<PublishResult>;
  /** This app's Cockpit events, for an editor's autocomplete. */
  readonly catalogue: CockpitCatalogue;
}

/**
 * `given` read once (core's readOrRefuse, keys only: what they hold — an entry, a transaction — is
 * kept as given): a getter or Proxy trap that throws is HOOKWORK_ERR_COCKPIT_INVALID_TRIGGER naming
 * it, and what is checked is what is used. `named` turns the path (`backend`, `[1]`) into words;
 * `outcome` ends the message (a trigger's: nothing was enqueued).
 */
function readOnce<T>(given: T, where: string, named: (path: string) => string, outcome = ''): T {
  return readOrRefuse(given, (path, problem) => COCKPIT_ERRORS.create('HOOKWORK_ERR_COCKPIT_INVALID_TRIGGER', `${where}: ${named(path)} ${problem}${outcome}`), 1);
}

const optionNamed = (path: string) => (path ? `options.${path}` : 'options');
const NOTHING_ENQUEUED = '. Nothing was enqueued';

/** The options object a call was given, or a coded error: not an object, or a key it does not know (a typo from plain JavaScript was ignored). */
function optionsOf<T extends object>(given: T | undefined, known: readonly string[], where: string, outcome?: string): T {
  if (given === undefined) return {} as T;
  const value = readOnce(given, where, optionNamed, outcome);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw COCKPIT_ERRORS.create('HOOKWORK_ERR_COCKPIT_INVALID_TRIGGER', `${where}: options must be an object such as { backend: true }; got ${shownValue(value)}`);
  }
  const unknown = unknownOption(value, known);
  if (unknown) throw COCKPIT_ERRORS.create('HOOKWORK_ERR_COCKPIT_INVALID_TRIGGER', `${where}: ${unknown.text}`);
  return value;
}

function backendFlag(value: unknown, where: string): 0 | 1 {
  if (value === undefined || value === false || value === 0) return 0;
  if (value === true || value === 1) return 1;
  throw COCKPIT_ERRORS.create('HOOKWORK_ERR_COCKPIT_INVALID_TRIGGER', `${where}: backend must be true/false or 1/0 (Cockpit's COCKPIT_ADMIN); got ${shownValue(value)}`);
}

/**
 * The Cockpit trigger API of an app composed with cockpitComposer(). Coded errors:
 * HOOKWORK_ERR_EXTENSION_NOT_COMPOSED when the app has no Cockpit plugin,
 * HOOKWORK_ERR_COCKPIT_UNKNOWN_EVENT for a name no Cockpit event has,
 * HOOKWORK_ERR_COCKPIT_INVALID_TRIGGER for bad options, a name-spaced name or a wrong number of
 * arguments, HOOKWORK_ERR_PAYLOAD_NOT_SERIALIZABLE for an argument JSON cannot hold or would send
 * as {} (a Map, a promise, an Error…), HOOKWORK_ERR_PAYLOAD_TOO_LARGE for arguments already over
 * maxPayloadBytes, HOOKWORK_ERR_COCKPIT_INVALID_REPLACEMENT when the class composed for the event
 * does not extend its Cockpit class. The arguments are taken (serialised) when trigger() is
 * called. Otherwise the promise resolves with core's PublishResult, whose `failures` name the
 * events whose requests could not be made (nothing of those enqueued).
 */
export function cockpitHost<TTransaction = never>(app: Hookwork<TTransaction>, options?: CockpitHostOptions): CockpitHost<TTransaction> {
  if (!app || !app.container || !app.container.isRegistered(CockpitCatalogueToken, true)) {
    throw new HookworkError('HOOKWORK_ERR_EXTENSION_NOT_COMPOSED', `cockpitHost(app): this app was not composed with ${COCKPIT_PACKAGE}; add cockpitComposer() to createHookwork({ composers: [...] })`);
  }
  const catalogue = resolveToken(app.container, CockpitCatalogueToken);
  const { redactCredentials } = resolveToken(app.container, CockpitOptionsToken);
  const hostBackend = backendFlag(optionsOf(options, ['backend'], 'cockpitHost(app, options)').backend, 'cockpitHost(app, options)');

  const triggerWith: CockpitHost<TTransaction>['triggerWith'] = async (event, givenArgs, givenOptions) => {
    if (typeof event !== 'string') throw COCKPIT_ERRORS.create('HOOKWORK_ERR_COCKPIT_UNKNOWN_EVENT', `trigger() takes an event name such as "collections.save.after"; got ${valueKind(event)}`);
    const type = catalogue.classOf(event);
    if (!type) throw unknownEvent(catalogue, event);
    const definition = type.cockpitEvent;
    // The list read once: its length and each argument a single time, so the count checked is the
    // count sent. (What an argument holds is serialised once, by snapshotArguments' JSON.stringify.)
    const args = readOnce(givenArgs, `triggerWith("${event}", args)`, (path) => (path ? argumentName(definition, Number(/^\[(\d+)\]$/.exec(path)?.[1])) : 'args'), NOTHING_ENQUEUED);
    if (!Array.isArray(args)) throw COCKPIT_ERRORS.create('HOOKWORK_ERR_COCKPIT_INVALID_TRIGGER', `triggerWith("${event}", args): args must be the list of the event's positional arguments`);
    const callOptions = optionsOf<CockpitTriggerOptions<TTransaction>>(givenOptions, ['backend', 'transaction', 'idempotencyKey'], `triggerWith("${event}", args, options)`, NOTHING_ENQUEUED);
    const backend = callOptions.backend === undefined ? hostBackend : backendFlag(callOptions.backend, `triggerWith("${event}")`);
    if (args.length !== definition.args.length) throw wrongArgumentCount(event, definition, args.length);
    // What the app composed under this name: the built-in class, a replacement extending it, or nothing.
    const composed = catalogue.composedClassOf(event);
    if (composed !== undefined && composed !== type && !(composed.prototype instanceof type)) throw notACockpitReplacement(event, type, composed);
    if (composed === undefined) {
      const renamed = catalogue.renamedReplacementOf(event);
      if (renamed) throw renamedReplacement(event, type, renamed.type, renamed.alias);
    }
    // Taken now, before the first await: a host that goes on changing its objects (Cockpit
    // passes &$entry on to other listeners) changes nothing that is sent.
    const texts = snapshotArguments(event, definition, args);
    // Cockpit's envelope holds every argument: over maxPayloadBytes already, it is too large for
    // every webhook. Refused here, before core serialises the envelope once per webhook and
    // name; a replacement class with its own payload may send less, so it decides.
    const max = app.settings.maxPayloadBytes;
    const bytes = texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0);
    if (bytes > max && (composed ?? type).prototype.convertNotificationToRequestPayload === CockpitWebhookEvent.prototype.convertNotificationToRequestPayload) {
      throw new HookworkError('HOOKWORK_ERR_PAYLOAD_TOO_LARGE',
        `trigger("${event}"): its arguments are ${bytes} bytes as JSON, over maxPayloadBytes (${max}), so Cockpit's envelope would be too large for every webhook. Nothing was enqueued; send ids instead of whole entries (replace the event class to slim its payload), or raise maxPayloadBytes`,
      );
    }
    const taken = texts.map((text) => JSON.parse(text) as unknown);
    const sent = redactCredentials && definition.redact ? redactArguments(event, definition, taken) : taken;
    // The variant fires only where the composed class declares its pattern (a replacement may drop it).
    const patterns = composed ? getWebhookEventMetadata(composed)?.patterns ?? [] : [];
    const namespace = definition.namespaced && patterns.includes(`${event}.*`) ? namespaceOf(taken) : undefined;
    const notification = new type.notification(event, Object.freeze(sent), backend, namespace);
    const publishOptions: PublishOptions<TTransaction> = {};
    if (callOptions.transaction !== undefined) publishOptions.transaction = callOptions.transaction;
    // Checked by publish(), with the rest of its options.
    if (callOptions.idempotencyKey !== undefined) publishOptions.idempotencyKey = callOptions.idempotencyKey;
    return app.publish(notification, publishOptions);
  };

  return {
    catalogue,
    trigger: (event, ...args) => triggerWith(event, args),
    triggerWith,
  };
}

const argumentList = (definition: CockpitEventDefinition) => (definition.args.length === 0 ? 'no arguments' : `${definition.args.length} argument(s): ${definition.args.map((a) => a.name).join(', ')}`);

function wrongArgumentCount(event: string, definition: CockpitEventDefinition, given: number): HookworkError {
  return COCKPIT_ERRORS.create('HOOKWORK_ERR_COCKPIT_INVALID_TRIGGER',
    `trigger("${event}") was given ${given} argument(s); "${event}" takes ${argumentList(definition)}, in Cockpit's order (the envelope's args, and what receivers and the catalogue's JSON Schema expect). Nothing was enqueued; pass null for one you do not have`,
  );
}

function argumentName(definition: CockpitEventDefinition, index: number): string {
  const name = definition.args[index]?.name;
  return `argument ${index + 1}${name ? ` (${name})` : ''}`;
}

/**
 * The arguments as the JSON texts they will be sent as, taken at once: each is serialised now
 * (so a later change to the host's object changes nothing); the caller reads them back. What JSON
 * cannot hold (a cycle, a BigInt, nesting deeper than the stack) or would send without its contents
 * (core's findJsonLoss(): a Map or Set, a promise or an Error, a typed array, an ArrayBuffer or
 * DataView, an invalid Date, a RegExp, an instance whose data is all in getters) is
 * HOOKWORK_ERR_PAYLOAD_NOT_SERIALIZABLE naming the argument and where in it; nothing is enqueued.
 * A function or a symbol is sent as JSON sends it (left out of an object, null in a list), as
 * Cockpit's json_encode does.
 */
function snapshotArguments(event: string, definition: CockpitEventDefinition, args: readonly unknown[]): string[] {
  return args.map((arg, index) => {
    const name = argumentName(definition, index);
    let text: string | undefined;
    try {
      text = JSON.stringify(arg);
    } catch (cause) {
      throw new HookworkError('HOOKWORK_ERR_PAYLOAD_NOT_SERIALIZABLE',
        `trigger("${event}"): ${name} cannot be serialised to JSON: it holds ${jsonFailure(arg, cause, name)}; pass plain data. Nothing was enqueued`,
        { cause },
      );
    }
    // After JSON.stringify, which refused cycles and too deep a nesting: the walk ends.
    const loss = findJsonLoss(arg, { functionsAndSymbols: 'allow' });
    if (loss !== undefined) {
      throw new HookworkError('HOOKWORK_ERR_PAYLOAD_NOT_SERIALIZABLE',
        `trigger("${event}"): ${name} ${loss.path === '' ? `is ${loss.what}` : `holds ${loss.what} at ${name}${loss.path}`}. Nothing was enqueued`,
      );
    }
    // undefined, a function or a symbol is sent as null, as JSON sends it inside an array.
    return text ?? 'null';
  });
}

/** The event's redactor over the taken arguments; a failure is coded and names the event. */
function redactArguments(event: string, definition: CockpitEventDefinition, args: unknown[]): unknown[] {
  let redacted: unknown;
  try {
    redacted = definition.redact!(args);
  } catch (cause) {
    throw COCKPIT_ERRORS.create('HOOKWORK_ERR_COCKPIT_INVALID_TRIGGER',
      `trigger("${event}"): hiding the credentials in its arguments failed (${(cause as Error)?.message ?? String(cause)}), so nothing was enqueued; pass arguments nested less deeply, or fix the event's redact function`,
      { cause },
    );
  }
  if (!Array.isArray(redacted) || redacted.length !== args.length) {
    throw COCKPIT_ERRORS.create('HOOKWORK_ERR_COCKPIT_INVALID_TRIGGER',
      `trigger("${event}"): the event's redact function returned ${Array.isArray(redacted) ? `${redacted.length} argument(s) for ${args.length}` : typeof redacted}; it must return the arguments, one for one. Nothing was enqueued`,
    );
  }
  return redacted;
}

function notACockpitReplacement(event: string, type: CockpitEventClass, composed: Function): HookworkError {
  return COCKPIT_ERRORS.create('HOOKWORK_ERR_COCKPIT_INVALID_REPLACEMENT',
    `trigger("${event}"): the app composed ${composed.name || 'an anonymous class'} for "${event}", which does not extend ${type.name}, so it never handles the Cockpit trigger's notification and nothing would be sent. Nothing was enqueued; make it extend CockpitEvents['${event}'] (alias, notification and envelope are inherited), or publish its own notification with app.publish()`,
  );
}

function renamedReplacement(event: string, type: CockpitEventClass, composed: Function, alias: string): HookworkError {
  return COCKPIT_ERRORS.create('HOOKWORK_ERR_COCKPIT_INVALID_REPLACEMENT',
    `trigger("${event}"): the app composed ${composed.name || 'an anonymous class'}, which extends ${type.name}, under the alias "${alias}": it fires for "${alias}" only, which Cockpit's trigger never fires, so nothing would be sent. Nothing was enqueued; leave alias out of its @WebhookEvent (the Cockpit event's name is inherited), or publish its own notification with app.publish()`,
  );
}

function unknownEvent(catalogue: CockpitCatalogue, event: string): HookworkError {
  const dot = event.lastIndexOf('.');
  // A trailing dot names no variant (none fires under ""): a typo, answered with the nearest name.
  const base = dot > 0 && dot < event.length - 1 ? event.slice(0, dot) : '';
  if (base && catalogue.definitionOf(base)?.namespaced) {
    return COCKPIT_ERRORS.create('HOOKWORK_ERR_COCKPIT_INVALID_TRIGGER',
      `trigger("${event}"): trigger the plain event — trigger("${base}", "${event.slice(dot + 1)}", …) — and "${event}" fires by itself for webhooks subscribed to it`,
    );
  }
  const near = nearestName(event, catalogue.list().map((info) => info.name));
  return COCKPIT_ERRORS.create('HOOKWORK_ERR_COCKPIT_UNKNOWN_EVENT',
    `trigger("${event}"): no Cockpit event has this name; ${near ? `did you mean "${near}"?` : 'check the spelling (e.g. "collections.save.after")'} Or add a plugin's event with defineCockpitEvent() and addCockpitEvents()`,
  );
}
