import { HookworkError, WebhookEvent, WebhookEventTypes, enumProblem, shownValue, unknownOption } from '@hookwork/core';
import { CockpitEventGroups, type CockpitEventDefinition } from './cockpit-event-definition';
import { CockpitEventNotification } from './cockpit-event-notification';
import { CockpitWebhookEvent, type CockpitEventClass } from './cockpit-webhook-event';

const EVENT_NAME = /^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/;
const ARGUMENT_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const UNSHOWABLE = /[\p{Cc}\p{Zl}\p{Zp}\p{Cs}]/u;

/** `collections.save.after` → `CollectionsSaveAfter`: the stem of the generated class names. */
export function pascalCaseOf(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

function defaultEventType(group: string): string {
  if (group === CockpitEventGroups.Collections || group === CockpitEventGroups.Singletons || group === CockpitEventGroups.Forms) return WebhookEventTypes.Content;
  if (group === CockpitEventGroups.MediaAndAssets) return WebhookEventTypes.Media;
  return WebhookEventTypes.Other;
}

function invalid(name: unknown, problem: string): HookworkError {
  return new HookworkError('HOOKWORK_ERR_INVALID_EVENT_DECLARATION', `defineCockpitEvent(${shownValue(name)}): ${problem}`);
}

/**
 * Makes the webhook event class of one Cockpit event (and its own notification class) from a
 * definition — the factory behind the built-in table, and the way another plugin adds its
 * events to the Cockpit catalogue:
 *
 * ```ts
 * export const OrderPlacedCockpitEvent = defineCockpitEvent({
 *   name: 'shop.order.placed', group: 'shop', label: 'Order placed', args: [{ name: 'order' }],
 * });
 * // in the plugin's composer, after cockpitComposer():
 * builder.webhookEvents().addCockpitEvents(OrderPlacedCockpitEvent);
 * ```
 *
 * Nothing is registered anywhere: the class counts once an app composes it.
 */
export function defineCockpitEvent(definition: CockpitEventDefinition): CockpitEventClass {
  const { name, group, label, args } = definition ?? ({} as CockpitEventDefinition);
  if (typeof name !== 'string' || !EVENT_NAME.test(name) || name.length > 150) {
    throw invalid(name, 'name must be a dotted Cockpit event name such as "collections.save.after" (letters, digits, _ $ - between dots)');
  }
  if (typeof group !== 'string' || group.trim() === '') {
    // Said what it took but not what it got (42, undefined, "   "): the fix was a guess.
    throw invalid(name, `group ${enumProblem(Object.values(CockpitEventGroups), group)}, or your plugin's own group name such as "shop"`);
  }
  if (typeof label !== 'string' || label.trim() === '') throw invalid(name, 'label must be a short human text such as "Collection entry saved"');
  if (!Array.isArray(args) || args.some((arg) => !arg || typeof arg.name !== 'string' || !ARGUMENT_NAME.test(arg.name))) {
    throw invalid(name, 'args must be a list of { name } with identifier names such as "entry" (use [] for an event without arguments)');
  }
  if (definition.redact !== undefined && typeof definition.redact !== 'function') throw invalid(name, 'redact must be a function (args) => args');
  if (definition.namespaced !== undefined && typeof definition.namespaced !== 'boolean') throw invalid(name, `namespaced must be true or false; got ${shownValue(definition.namespaced)}`);
  // The variant is named by the first argument: an event without one declared a pattern nothing fired.
  if (definition.namespaced === true && args.length === 0) {
    throw invalid(name, `namespaced: true fires "${name}.<name>" named by the first argument, but args is empty; give the name first (args: [{ name: 'name' }, …]) or leave namespaced out`);
  }
  // A misspelt field (namespace: true) was ignored: the event never fired its name-spaced variant.
  const unknown = unknownOption(definition, ['name', 'group', 'label', 'args', 'namespaced', 'redact', 'eventType']);
  if (unknown) throw invalid(name, unknown.text.replace('unknown option', 'unknown field'));
  for (const [index, arg] of args.entries()) {
    const unknownArg = unknownOption(arg, ['name', 'description', 'uncertain']);
    if (unknownArg) throw invalid(name, `args[${index}]: ${unknownArg.text.replace('unknown option', 'unknown field')}`);
  }
  // Shown in an editor's autocomplete, the catalogue and log lines: visible text only (any language).
  const texts: [string, unknown][] = [['group', group], ['label', label], ...args.map((arg, index): [string, unknown] => [`args[${index}].description`, arg.description])];
  for (const [field, text] of texts) {
    if (text === undefined) continue;
    if (typeof text !== 'string') throw invalid(name, `${field} must be a string; got ${shownValue(text)}`);
    const bad = UNSHOWABLE.exec(text);
    if (bad) throw invalid(name, `${field} holds U+${bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} at character ${bad.index + 1}, a control character, line break or lone surrogate; use visible text (any language)`);
  }

  const stem = pascalCaseOf(name);
  const frozen: CockpitEventDefinition = Object.freeze({ ...definition, args: Object.freeze(args.map((arg) => Object.freeze({ ...arg }))) });
  const notification = class extends CockpitEventNotification {};
  Object.defineProperty(notification, 'name', { value: `${stem}CockpitNotification` });
  const type = class extends CockpitWebhookEvent {
    static readonly cockpitEvent = frozen;
    static readonly notification = notification;
  };
  Object.defineProperty(type, 'name', { value: `${stem}CockpitEvent` });
  WebhookEvent(label, definition.eventType ?? defaultEventType(group), {
    alias: name,
    notification,
    patterns: definition.namespaced ? [`${name}.*`] : [],
  })(type);
  return type;
}
