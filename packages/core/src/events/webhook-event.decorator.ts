/// <reference types="reflect-metadata" />
import { injectable } from 'tsyringe';
import { HookworkError, shownValue } from '../errors/hookwork-error';
import { shownList } from '../errors/shown-list';
import { nearestName } from '../errors/nearest-name';
import { printableField } from '../model/wire-rules';
import type { NotificationType } from './notification';
import { WebhookEventTypes, type WebhookEventType } from './webhook-event-types';
import type { WebhookEventBase } from './webhook-event-base';

/**
 * A class that can be composed as a webhook event: a (possibly abstract) subclass of
 * WebhookEventBase. The collection builder also checks at run time that the class itself
 * carries @WebhookEvent.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type WebhookEventClass<T extends WebhookEventBase<any> = WebhookEventBase<any>> = abstract new (...args: any[]) => T;

/** What @WebhookEvent takes besides the display name and type. */
export interface WebhookEventOptions<N extends object = object> {
  /**
   * The alias webhooks subscribe to and the event header carries (`Umbraco.ContentPublish`):
   * 1–200 visible ASCII characters, no spaces and no `*` (that marks a pattern). Default: the alias of the nearest decorated parent class, else the name in camelCase.
   */
  alias?: string;
  /** The notification class this event handles. Default: the nearest decorated parent's. */
  notification?: NotificationType<N>;
  /** Other spellings of the alias that subscribe to the same event (`UserGroupDeleted`); each once, none the alias itself, no `*`. */
  synonyms?: readonly string[];
  /**
   * Name-spaced variants a webhook may subscribe to, with `*` for the variable part
   * (`collections.save.after.*`). The event decides which variants fire (getAliasesForNotification).
   */
  patterns?: readonly string[];
}

/** The declaration @WebhookEvent stores on a class. */
export interface WebhookEventMetadata {
  /** The display name given to @WebhookEvent. */
  readonly eventName: string;
  /** The group given to @WebhookEvent. */
  readonly eventType: WebhookEventType | string;
  /** The alias (the option, or one derived from the name). */
  readonly alias: string;
  /** The notification class the event handles. */
  readonly notification: NotificationType;
  /** Other accepted spellings of the alias. */
  readonly synonyms: readonly string[];
  /** Name-spaced variants (`collections.save.after.*`). */
  readonly patterns: readonly string[];
}

const METADATA_KEY = Symbol.for('hookwork:webhook-event');
/**
 * @internal set on WebhookEventBase.prototype: what @WebhookEvent decorates must inherit it. A
 * registered symbol, not `instanceof`, so a class built on another copy of @hookwork/core counts.
 */
export const WEBHOOK_EVENT_BASE_MARK = Symbol.for('hookwork:webhook-event-base');
/**
 * @internal set on WebhookEventContentBase.prototype: its processWebhooks() sends one request per
 * entity through convertEntityToRequestPayload() and never calls convertNotificationToRequestPayload().
 */
export const PER_ENTITY_BASE_MARK = Symbol.for('hookwork:per-entity-event-base');
const STANDARD_DECORATORS_KEY = Symbol.for('hookwork:standard-decorators');
const ALIAS_SHAPE = /^[\x21-\x7e]{1,200}$/;

/** Combining marks left by NFD: `Café` → `Cafe` + U+0301, so a derived alias keeps the letter. */
const COMBINING_MARKS = /\p{M}+/gu;
/** A letter or digit (applied to what is left of a name outside ASCII: an alias cannot hold it). */
const WORD_CHARACTER = /[\p{L}\p{N}]/u;

const camelCase = (name: string) =>
  name
    .normalize('NFD')
    .replace(COMBINING_MARKS, '')
    .trim()
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word, i) => (i === 0 ? word.charAt(0).toLowerCase() + word.slice(1) : word.charAt(0).toUpperCase() + word.slice(1)))
    .join('');

function invalid(target: Function, problem: string): HookworkError {
  return new HookworkError('HOOKWORK_ERR_INVALID_EVENT_DECLARATION', `@WebhookEvent on ${typeof target === 'function' ? target.name || 'an anonymous class' : shownValue(target)}: ${problem}`);
}

/**
 * Built-in classes that cannot be an event's notification: publish() refuses their instances
 * (a plain object, an array, a promise, a primitive's wrapper), so the event would never fire.
 * `notification: Object` read as "every notification", and handled none.
 */
const BUILT_IN_NOTIFICATIONS: ReadonlySet<unknown> = new Set([Object, Array, Function, Promise, String, Number, Boolean, Symbol, BigInt]);

/**
 * Refuses what is no webhook event class: a value that is not a class, an arrow function or
 * method (no prototype), or a class that does not extend WebhookEventBase. Decorated, each used to
 * be accepted and to fail later, at add() or at the first publish, with an unrelated TypeError.
 */
function checkTarget(target: unknown): void {
  if (typeof target !== 'function') {
    throw invalid(target as Function, `decorates a class; got ${typeof target === 'object' && target !== null ? 'an object' : typeof target}. Declare class MyEvent extends WebhookEventBase<MyNotification> and decorate it`);
  }
  const prototype = (target as { prototype?: Record<symbol, unknown> }).prototype;
  if (typeof prototype !== 'object' || prototype === null) {
    throw invalid(target, 'is an arrow function or a method, not a class; declare class MyEvent extends WebhookEventBase<MyNotification> and decorate it');
  }
  if (prototype[WEBHOOK_EVENT_BASE_MARK] !== true) {
    throw invalid(target, `${target.name || 'the class'} does not extend WebhookEventBase; a webhook event is a class extending WebhookEventBase (or WebhookEventContentBase for one request per entity): class ${target.name || 'MyEvent'} extends WebhookEventBase<MyNotification>`);
  }
}

/**
 * Refuses a method written in Umbraco's C# casing (`ConvertNotificationToRequestPayload`,
 * `ShouldFireWebhookForNotification`) beside the base class's camelCase one: it is never called, so
 * the event sent the base's default (the notification object itself, or every notification) without
 * a word — TypeScript catches it only with `override` (or `noImplicitOverride`), JavaScript never.
 */
function refuseCSharpCasing(target: Function): void {
  const prototype = target.prototype as Record<string, unknown>;
  const wrong: string[] = [];
  for (let level: object | null = prototype; level !== null && level !== Object.prototype; level = Object.getPrototypeOf(level) as object | null) {
    for (const name of Object.getOwnPropertyNames(level)) {
      if (!/^[A-Z][a-z]/.test(name)) continue;
      const meant = `${name[0]!.toLowerCase()}${name.slice(1)}`;
      if (typeof Object.getOwnPropertyDescriptor(level, name)?.value === 'function' && typeof prototype[meant] === 'function' && !wrong.includes(name)) wrong.push(name);
    }
  }
  if (wrong.length > 0) {
    const renames = wrong.map((name) => `${name}() → ${name[0]!.toLowerCase()}${name.slice(1)}()`).join(', ');
    throw invalid(target, `${shownList(wrong)} ${wrong.length > 1 ? 'are' : 'is'} written in C#'s casing, and hookwork never calls ${wrong.length > 1 ? 'them' : 'it'}: its methods are camelCase. Rename: ${renames}`);
  }
}

/**
 * Refuses a per-entity event (under WebhookEventContentBase) with a convertNotificationToRequestPayload()
 * of its own that nothing calls: the base's processWebhooks() converts each entity instead. A host
 * replacing a plugin's per-entity event to change its payload wrote that method, as the docs' first
 * example does, and every request kept the old payload without a word. A class that takes over
 * processWebhooks() below the base may call it, and is let through.
 */
function refuseUncalledNotificationConverter(target: Function): void {
  let converter: object | undefined;
  for (let level: object | null = target.prototype as object; level !== null; level = Object.getPrototypeOf(level) as object | null) {
    if (Object.prototype.hasOwnProperty.call(level, PER_ENTITY_BASE_MARK)) break;
    if (Object.prototype.hasOwnProperty.call(level, 'processWebhooks')) return;
    if (converter === undefined && Object.prototype.hasOwnProperty.call(level, 'convertNotificationToRequestPayload')) converter = level;
    if (Object.getPrototypeOf(level) === null) return;
  }
  if (converter === undefined) return;
  const owner = (converter as { constructor: Function }).constructor.name || 'an anonymous class';
  throw invalid(
    target,
    `${owner} extends WebhookEventContentBase, which sends one request per entity and never calls its convertNotificationToRequestPayload(): override convertEntityToRequestPayload(entity, context) instead (it gets each entity getEntitiesFromNotification() returns), or extend WebhookEventBase for one request per notification`,
  );
}

const OPTION_KEYS: readonly string[] = ['alias', 'notification', 'synonyms', 'patterns'] satisfies (keyof WebhookEventOptions)[];

/**
 * Refuses options of the wrong kind and keys it does not know, naming each: a misspelt key
 * (`notificaton`) on a subclass would otherwise keep the parent's notification silently, and an
 * alias given as a number would pass the alias check as its digits.
 */
function checkOptions(target: Function, options: unknown): void {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw invalid(target, `the third argument must be an options object such as { alias: 'shop.orderPlaced', notification: OrderPlaced }; got ${shownValue(options)}`);
  }
  const problems: string[] = [];
  for (const [key, value] of Object.entries(options)) {
    if (!OPTION_KEYS.includes(key)) {
      const near = nearestName(key, OPTION_KEYS);
      problems.push(`${key} is not an option${near ? ` (did you mean ${near}?)` : ''}; the options are ${OPTION_KEYS.join(', ')}`);
    } else if (value === undefined) {
      continue;
    } else if (key === 'alias' && typeof value !== 'string') {
      problems.push(`alias must be a string such as "shop.orderPlaced"; got ${shownValue(value)}`);
    } else if (key === 'notification' && typeof value !== 'function') {
      problems.push(`notification must be the notification class itself (notification: OrderPlaced), not an instance or a name; got ${shownValue(value)}`);
    } else if (key === 'notification' && (typeof (value as { prototype?: unknown }).prototype !== 'object' || (value as { prototype?: unknown }).prototype === null)) {
      problems.push(`notification must be a class (notification: OrderPlaced); got an arrow function or method, which publish() can never be given an instance of`);
    } else if (key === 'notification' && BUILT_IN_NOTIFICATIONS.has(value)) {
      problems.push(`notification: ${(value as Function).name} is a built-in class; publish() routes a notification by its own class and refuses plain objects, arrays, promises and primitives, so this event would never fire. Declare a notification class of your own (class OrderPlaced { … }) and publish its instances`);
    } else if ((key === 'synonyms' || key === 'patterns') && (!Array.isArray(value) || value.some((item) => typeof item !== 'string'))) {
      problems.push(`${key} must be an array of strings, e.g. ${key === 'synonyms' ? '["OrderPlaced"]' : '["shop.order.*"]'}; got ${shownValue(value)}`);
    }
  }
  if (problems.length > 0) throw invalid(target, shownList(problems, { show: (problem) => problem, separator: '; ' }));
}

/**
 * Refuses a second @WebhookEvent on one class. Decorators run from the class outwards, so the
 * outer one used to overwrite the inner one's declaration silently: the class fired under an
 * alias its author may not have meant, and webhooks subscribed to the other never matched.
 */
function refuseSecondDeclaration(target: Function, name: string): void {
  const first = Reflect.getOwnMetadata(METADATA_KEY, target) as WebhookEventMetadata | undefined;
  if (first === undefined) return;
  throw invalid(
    target,
    `it is applied twice, as "${first.eventName}" (alias ${first.alias}) and as "${name}"; a class declares one event: keep one @WebhookEvent, and declare the other event as a class of its own (a decorated subclass may keep the notification)`,
  );
}

/**
 * What an event's name or type cannot hold: control characters, line or paragraph separators,
 * lone surrogates, and the bidirectional embeddings, overrides and isolates (U+202A–U+202E,
 * U+2066–U+2069) that reorder the text after them in a picker or a log line. The marks U+200E and
 * U+200F, and joiners, which right-to-left and joined scripts use, are kept.
 */
const UNSHOWABLE = /[\p{Cc}\p{Zl}\p{Zp}\p{Cs}\u202a-\u202e\u2066-\u2069]/u;
/** Characters that show nothing: a name of only these (a zero-width space) reads as empty. */
const INVISIBLE = /^[\p{White_Space}\p{Default_Ignorable_Code_Point}]*$/u;
/** The longest name and type: as long as a webhook's name, what pickers and the catalogue show in one line. */
const MAX_NAME_LENGTH = 200;
const MAX_TYPE_LENGTH = 100;

/**
 * Refuses a name or type a reader could not see or tell apart: empty or invisible, too long, or
 * holding a character that breaks or reorders the line it is shown in.
 */
function checkShownText(target: Function, what: 'name' | 'type', text: unknown): void {
  const example = what === 'name' ? 'such as "Content Published"' : `such as ${Object.values(WebhookEventTypes).join(', ')} (or your own string)`;
  if (typeof text !== 'string' || INVISIBLE.test(text)) {
    throw invalid(target, `the ${what} must be a string with visible text, ${example}; got ${typeof text === 'string' && text !== '' ? `"${printableField(text)}", which shows nothing` : shownValue(text)}`);
  }
  const limit = what === 'name' ? MAX_NAME_LENGTH : MAX_TYPE_LENGTH;
  if ([...text].length > limit) throw invalid(target, `the ${what} ${shownValue(text)} is ${[...text].length} characters long; keep it to ${limit}, as pickers and the catalogue show it in one line`);
  const bad = UNSHOWABLE.exec(text);
  // Names are shown in pickers, the catalogue, OpenAPI and log lines: a line break or a control character would break them.
  if (bad) {
    throw invalid(target, `the ${what} "${printableField(text)}" holds U+${bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} at character ${bad.index + 1}, a control character, line break, lone surrogate or bidirectional override; use visible text (any language)`);
  }
}

/**
 * The alias derived from a name given none: its words in camelCase, accents dropped (`Café
 * Publié` → `cafePublie`). A name with letters or digits outside ASCII (`注文完了`, `Заказ`) gives
 * none: they used to be dropped silently (`Café` gave `caf`, `注文` the message `alias ""`).
 */
function derivedAlias(target: Function, name: string): string {
  const stripped = name.normalize('NFD').replace(COMBINING_MARKS, '');
  const foreign = WORD_CHARACTER.exec(stripped.replace(/\p{ASCII}+/gu, ''));
  const alias = camelCase(name);
  if (foreign || alias === '') {
    throw invalid(target, `no alias can be made from the name ${shownValue(name)}${foreign ? ` (it holds ${foreign[0]}, which an alias, visible ASCII, cannot)` : ' (it holds no letters or digits)'}; give one: { alias: 'shop.orderPlaced' }. The name may stay as it is`);
  }
  return alias;
}

/**
 * Declares a webhook event class and makes it injectable (its constructor may inject host
 * services next to WebhookEventDependencies). Nothing is registered anywhere: a class counts
 * once an app composes it.
 *
 * ```ts
 * @WebhookEvent('Order Placed', WebhookEventTypes.Other, { alias: 'commerce.orderPlaced', notification: OrderPlaced })
 * class OrderPlacedWebhookEvent extends WebhookEventBase<OrderPlaced> { … }
 * ```
 *
 * The declaration belongs to the class itself: a subclass is a webhook event only when it
 * is decorated too (it may omit `alias` and `notification` to keep its parent's). A class takes
 * one @WebhookEvent; a second is HOOKWORK_ERR_INVALID_EVENT_DECLARATION naming both, as is
 * decorating what is no class extending WebhookEventBase (an arrow function, a plain class) or
 * naming a built-in class (`Object`, `Array`, `Promise`) as the notification.
 *
 * @param name the display name an event picker and the catalogue show (`'Order Placed'`), in any
 * language: visible text, at most 200 characters, on one line.
 * @param type the group the picker files it under: a {@link WebhookEventTypes} value or a string of
 * your own (`'Entry'`), at most 100 characters; a built-in one in another case (`'content'`) is refused.
 * @param options the alias webhooks subscribe to and the notification class handled (both default to
 * the nearest decorated parent's; the alias else to the name in camelCase), synonyms and patterns.
 * @throws HookworkError HOOKWORK_ERR_INVALID_EVENT_DECLARATION, when the class is declared, naming
 * every bad part: a name, type or option above, an option it does not know (`notificaton`), a
 * second @WebhookEvent on the class, or the decorator written without its arguments (`@WebhookEvent class …`).
 */
export function WebhookEvent<N extends object>(name: string, type: WebhookEventType | string, options: WebhookEventOptions<N> = {}) {
  // `@WebhookEvent` without its arguments calls this with the class as the name; the decorator it
  // returned then took the class's place (legacy decorators), and add() refused an arrow function.
  if (typeof name === 'function') {
    throw invalid(name, "the decorator is used without its arguments; write @WebhookEvent('Order Placed', WebhookEventTypes.Other, { alias: 'shop.orderPlaced', notification: OrderPlaced }): the name, the type and the options in parentheses");
  }
  return <C extends WebhookEventClass<WebhookEventBase<N>>>(target: C, context?: unknown): void => {
    checkTarget(target);
    refuseCSharpCasing(target);
    refuseUncalledNotificationConverter(target);
    // TypeScript's standard (non-experimental) decorators pass a context object and emit no
    // constructor parameter types; start() refuses such classes with the tsconfig fix.
    if (context !== undefined && typeof context === 'object' && context !== null && (context as { kind?: unknown }).kind === 'class') Reflect.defineMetadata(STANDARD_DECORATORS_KEY, true, target);
    checkShownText(target, 'name', name);
    checkShownText(target, 'type', type);
    // A built-in type in another case ('content') made a group of its own in the picker, next to Content.
    const builtIn = Object.values(WebhookEventTypes).find((known) => known !== type && known.toLowerCase() === type.trim().toLowerCase());
    if (builtIn) throw invalid(target, `the type ${shownValue(type)} is WebhookEventTypes.${builtIn} in another spelling, and would be a group of its own next to ${builtIn}; use WebhookEventTypes.${builtIn} ('${builtIn}')`);
    checkOptions(target, options);
    refuseSecondDeclaration(target, name);
    const parent = Reflect.getMetadata(METADATA_KEY, Object.getPrototypeOf(target)) as WebhookEventMetadata | undefined;
    const alias = options.alias ?? parent?.alias ?? derivedAlias(target, name);
    const notification = (options.notification ?? parent?.notification) as NotificationType | undefined;
    if (!ALIAS_SHAPE.test(alias)) throw invalid(target, `alias ${shownValue(alias)} must be 1–200 visible ASCII characters without spaces`);
    if (typeof notification !== 'function') {
      throw invalid(target, 'no notification class: pass { notification: YourNotification } (or extend a decorated event class)');
    }
    const synonyms = [...(options.synonyms ?? (options.alias === undefined ? parent?.synonyms : undefined) ?? [])];
    const patterns = [...(options.patterns ?? (options.alias === undefined ? parent?.patterns : undefined) ?? [])];
    // A `*` marks a pattern's variable part: a webhook subscribed to an alias "shop.*" would
    // expect every shop event and get only this one.
    if (alias.includes('*')) {
      throw invalid(target, `alias "${alias}" contains *, which marks the variable part of a pattern; name the event without it (e.g. "${alias.replace(/\.?\*+/g, '') || camelCase(name)}") and declare patterns: ["${alias}"] for name-spaced variants`);
    }
    const seen = new Set<string>();
    for (const synonym of synonyms) {
      if (!ALIAS_SHAPE.test(synonym)) throw invalid(target, `synonym "${synonym}" must be visible ASCII without spaces`);
      if (synonym.includes('*')) throw invalid(target, `synonym "${synonym}" contains *, which marks the variable part of a pattern; declare it in patterns, or spell the synonym without it`);
      if (synonym === alias) throw invalid(target, `synonym "${synonym}" is the alias itself; list only other spellings in synonyms`);
      if (seen.has(synonym)) throw invalid(target, `synonym "${synonym}" is listed twice; list each spelling once`);
      seen.add(synonym);
    }
    for (const pattern of patterns) {
      if (!ALIAS_SHAPE.test(pattern) || !pattern.includes('*')) throw invalid(target, `pattern "${pattern}" must be visible ASCII with a * for the variable part, e.g. "${alias}.*"`);
    }
    const metadata: WebhookEventMetadata = Object.freeze({
      eventName: name,
      eventType: type,
      alias,
      notification,
      synonyms: Object.freeze(synonyms),
      patterns: Object.freeze(patterns),
    });
    Reflect.defineMetadata(METADATA_KEY, metadata, target);
    injectable()(target as unknown as new (...args: unknown[]) => unknown);
  };
}

/**
 * Declarations already read, by class. A class is declared once (a second @WebhookEvent is
 * refused), so its declaration, once there, does not change; reflect-metadata's lookup took about
 * 70 ns, twice per publish (an event's alias and its declaration), against 19 for this one.
 */
const declared = new WeakMap<Function, WebhookEventMetadata>();

/** The class's own @WebhookEvent declaration (never a parent's), or undefined. */
export function getWebhookEventMetadata(type: Function): WebhookEventMetadata | undefined {
  if (typeof type !== 'function') return undefined;
  let metadata = declared.get(type);
  if (metadata === undefined) {
    // Not remembered while undefined: the class may be decorated after this look.
    metadata = Reflect.getOwnMetadata(METADATA_KEY, type) as WebhookEventMetadata | undefined;
    if (metadata !== undefined) declared.set(type, metadata);
  }
  return metadata;
}

/** True when `type` was decorated by TypeScript's standard decorators (no `experimentalDecorators`). */
export function usedStandardDecorators(type: Function): boolean {
  return Reflect.getOwnMetadata(STANDARD_DECORATORS_KEY, type) === true;
}

/** True when `type` itself is decorated with @WebhookEvent. */
export function isWebhookEventClass(type: unknown): type is WebhookEventClass {
  return typeof type === 'function' && getWebhookEventMetadata(type) !== undefined;
}

/**
 * An alias pattern (`collections.save.after.*`) as an anchored ECMA-262 regular expression source.
 * The variable part is visible ASCII but `*`: the pattern's own text is no variant of it (a
 * webhook subscribed to it would never receive anything).
 */
export function aliasPatternSource(pattern: string): string {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[\\x21-\\x29\\x2b-\\x7e]+');
  return `^${source}$`;
}

/** Compiles an alias pattern (`collections.save.after.*`) to a matcher. */
export function aliasPatternMatcher(pattern: string): (alias: string) => boolean {
  const regex = new RegExp(aliasPatternSource(pattern));
  return (alias) => regex.test(alias);
}

/** One step of a pattern as an automaton: a visible ASCII character, one character but `*`, or any number more of them. */
type PatternStep = { kind: 'char'; char: string } | { kind: 'one' } | { kind: 'more' };

const patternSteps = (pattern: string): PatternStep[] =>
  [...pattern].flatMap((char): PatternStep[] => (char === '*' ? [{ kind: 'one' }, { kind: 'more' }] : [{ kind: 'char', char }]));

/**
 * An alias both patterns (`collections.*`, `collections.save.*`) have as a variant, or undefined
 * when none is: a webhook subscribed to such an alias would get both events' requests under it.
 * Walks the two patterns side by side (each `*` is one or more visible ASCII characters but `*`),
 * trying each pair of positions once.
 */
export function commonPatternVariant(first: string, second: string): string | undefined {
  const a = patternSteps(first);
  const b = patternSteps(second);
  const key = (i: number, j: number) => i * (b.length + 1) + j;
  const seen = new Set<number>();
  const queue: { i: number; j: number; text: string }[] = [];
  const visit = (i: number, j: number, text: string) => {
    // A `more` step may be skipped: it stands for zero or more characters.
    if (a[i]?.kind === 'more') visit(i + 1, j, text);
    if (b[j]?.kind === 'more') visit(i, j + 1, text);
    if (seen.has(key(i, j))) return;
    seen.add(key(i, j));
    queue.push({ i, j, text });
  };
  visit(0, 0, '');
  for (let head = 0; head < queue.length; head++) {
    const { i, j, text } = queue[head]!;
    if (i === a.length && j === b.length) return text;
    const x = a[i];
    const y = b[j];
    if (x === undefined || y === undefined) continue;
    let char: string | undefined;
    if (x.kind === 'char' && y.kind === 'char') char = x.char === y.char ? x.char : undefined;
    else if (x.kind === 'char') char = x.char;
    else if (y.kind === 'char') char = y.char;
    else char = 'x';
    if (char === undefined) continue;
    visit(x.kind === 'more' ? i : i + 1, y.kind === 'more' ? j : j + 1, text + char);
  }
  return undefined;
}
