import type { WebhookEventType } from '@hookwork/core';

/**
 * The groups of Cockpit's events, as `addCockpit(c => …)` composes them: the system
 * (bootstrap, REST API, updates, import/export), media and assets, collections, singletons,
 * forms, and the backend-view events that Cockpit's admin templates trigger.
 */
export const CockpitEventGroups = Object.freeze({
  System: 'system',
  MediaAndAssets: 'media',
  Collections: 'collections',
  Singletons: 'singletons',
  Forms: 'forms',
  BackendViews: 'views',
} as const);

/** One of {@link CockpitEventGroups}; a plugin's own events may name their own group. */
export type CockpitEventGroup = (typeof CockpitEventGroups)[keyof typeof CockpitEventGroups];

/** One positional argument of a Cockpit event, as an editor shows it. */
export interface CockpitEventArgument {
  /** The name Cockpit's PHP source gives it (`entry`, `isUpdate`). */
  readonly name: string;
  /** What it holds, for an editor (`the saved entry`). */
  readonly description?: string;
  /** True where the meaning is not documented by Cockpit and was read off its source. */
  readonly uncertain?: boolean;
}

/** Rewrites an event's arguments before they go into a payload (e.g. credential redaction). */
export type CockpitArgsRedactor = (args: readonly unknown[]) => unknown[];

/** What defines one Cockpit event: the table row behind its webhook event class. */
export interface CockpitEventDefinition {
  /** The exact event name a Cockpit webhook subscribes to (`collections.save.after`). */
  readonly name: string;
  /** A built-in group, or a plugin's own group name. */
  readonly group: CockpitEventGroup | (string & {});
  /** A short human label for pickers (`Collection entry saved`). */
  readonly label: string;
  /** The positional arguments, in order (the `args` of the envelope). */
  readonly args: readonly CockpitEventArgument[];
  /**
   * True when Cockpit also fires `<name>.<collection|singleton|form name>`: the first argument
   * is the name (or an object with a `name`, as singletons and collection definitions are).
   */
  readonly namespaced?: boolean;
  /**
   * Credentials Cockpit would put on the wire for this event; the plugin applies it unless
   * `cockpitComposer({ redactCredentials: false })`.
   */
  readonly redact?: CockpitArgsRedactor;
  /** Default: Content for collections, singletons and forms; Media for media; Other otherwise. */
  readonly eventType?: WebhookEventType | (string & {});
}

/**
 * The characters a name-spaced variant's name may hold, as a regular expression character
 * class: visible ASCII but `*`. Core refuses `*` in a fired variant (a pattern's own text is no
 * variant of it), and event names are visible ASCII; the trigger, the envelope's JSON Schema and
 * the docs all read this one definition.
 */
export const COCKPIT_NAMESPACE_CHARACTERS = '[\\x21-\\x29\\x2b-\\x7e]';

/** The longest name a name-spaced variant is fired under (Cockpit's admin allows far shorter ones). */
export const COCKPIT_NAMESPACE_MAX_LENGTH = 150;

const NAMESPACE = new RegExp(`^${COCKPIT_NAMESPACE_CHARACTERS}{1,${COCKPIT_NAMESPACE_MAX_LENGTH}}$`);

/**
 * The name a name-spaced event fires under, from its first argument: the string itself, or
 * the `name` of an object (a singleton or collection definition), when it is 1 to 150 visible
 * ASCII characters other than `*` ({@link COCKPIT_NAMESPACE_CHARACTERS}). Undefined otherwise —
 * then only the plain event fires, as no webhook could subscribe to the variant.
 */
export function namespaceOf(args: readonly unknown[]): string | undefined {
  const first = args[0];
  const name = typeof first === 'string' ? first : first !== null && typeof first === 'object' ? (first as { name?: unknown }).name : undefined;
  return typeof name === 'string' && NAMESPACE.test(name) ? name : undefined;
}
