import type { PayloadType } from '@hookwork/core';
import type { PlainData } from './plain-data';
import type { JsonSchema, Shape } from './shape';

/** One payload shape of one event: the converter and the JSON Schema of what it returns. */
export interface PayloadConverter<I> {
  /**
   * Makes the payload (plain JSON data) from the input. A list event's converter also gets the
   * notification the items came from (undefined when a host's override passes none), for bodies
   * that carry a notification field beside the items (Umbraco's Template Saved).
   */
  convert(input: I, notification?: unknown): PlainData;
  /** The JSON Schema of what `convert` returns. */
  readonly schema: JsonSchema;
}

/** An event's payload in each shape (Minimal, Extended, Legacy). */
export type PayloadVariants<I> = Readonly<Record<PayloadType, PayloadConverter<I>>>;

/** The payload types, in the order documentation lists them. */
export const PAYLOAD_TYPES: readonly PayloadType[] = Object.freeze(['Minimal', 'Extended', 'Legacy']);

function object<I>(s: Shape<I>, casing: 'camel' | 'pascal'): PayloadConverter<I> {
  return { convert: (input) => s.project(input, casing), schema: s.schema(casing) };
}

/** An object body in one payload type, camelCase: `shape`'s fields of the input. */
export function objectConverter<I>(s: Shape<I>): PayloadConverter<I> {
  return object(s, 'camel');
}

/**
 * An array body in one payload type, camelCase: `shape`'s fields of each of `items(input)`, in
 * that order (Umbraco's Content Sorted orders its children by sort order; `items` does that).
 */
export function listConverter<I, E>(items: (input: I) => Iterable<E>, s: Shape<E>): PayloadConverter<I> {
  return list(items, s, 'camel');
}

/** An event's bodies made one by one, where a payload type's body is of another form than the others' (an object where the others send an array). */
export function payloadVariants<I>(variants: { Minimal: PayloadConverter<I>; Extended: PayloadConverter<I>; Legacy: PayloadConverter<I> }): PayloadVariants<I> {
  return Object.freeze({ Minimal: variants.Minimal, Extended: variants.Extended, Legacy: variants.Legacy });
}

/**
 * What the Legacy body of an event is. Umbraco 14+ serialises every payload type, Legacy
 * included, with its camelCase webhook serializer (Umbraco 13 sent PascalCase; 14 changed it), so
 * a Legacy body is always camelCase:
 * - `'extended'` (the default): the Extended body, for events whose Legacy class sends what the
 *   Extended one does;
 * - `'minimal'`: the Minimal body, for events Umbraco added after 13 (Umbraco 18's Element
 *   events), which it composes as Minimal when the Legacy payload type is configured;
 * - a {@link Shape}: a body of its own, where Umbraco's `Legacy…WebhookEvent` sends other fields
 *   (Content Published / Saved: the Delivery API content; Media Saved: the Delivery API media;
 *   Member Saved / Deleted: `{ id, key, name, contentTypeAlias, email, username, failedPasswordAttempts }`);
 * - `'pascal'`: deprecated, read as `'extended'` (hookwork sent PascalCase before it followed 14+).
 */
export type LegacyShape<I = never> = 'extended' | 'minimal' | 'pascal' | Shape<I>;

function legacyShapeOf<I>(minimal: Shape<I>, extended: Shape<I>, legacy: LegacyShape<I>): Shape<I> {
  if (legacy === 'minimal') return minimal;
  if (legacy === 'extended' || legacy === 'pascal') return extended;
  return legacy;
}

/** An object payload: every shape camelCase, as Umbraco 14+ sends them; Legacy as {@link LegacyShape} says. */
export function objectPayload<I>(minimal: Shape<I>, extended: Shape<I>, legacy: LegacyShape<I> = 'extended'): PayloadVariants<I> {
  return Object.freeze({ Minimal: object(minimal, 'camel'), Extended: object(extended, 'camel'), Legacy: object(legacyShapeOf(minimal, extended, legacy), 'camel') });
}

function list<I, E>(items: (input: I) => Iterable<E>, s: Shape<E>, casing: 'camel' | 'pascal'): PayloadConverter<I> {
  return { convert: (input) => [...items(input)].map((item) => s.project(item, casing)), schema: { type: 'array', items: s.schema(casing) } };
}

/** An array payload (one request for a whole notification), shaped as {@link objectPayload}. */
export function listPayload<I, E>(items: (input: I) => Iterable<E>, minimal: Shape<E>, extended: Shape<E>, legacy: LegacyShape<E> = 'extended'): PayloadVariants<I> {
  return Object.freeze({
    Minimal: list(items, minimal, 'camel'),
    Extended: list(items, extended, 'camel'),
    Legacy: list(items, legacyShapeOf(minimal, extended, legacy), 'camel'),
  });
}

const nothing: PayloadConverter<unknown> = Object.freeze({ convert: () => null, schema: Object.freeze({ type: 'null' }) });

/**
 * The body `null` in every shape: for an event whose notification carries nothing but the fact
 * (Umbraco 18's Element Recycle Bin Emptied, whose Umbraco converter returns null).
 */
export const nullPayload: PayloadVariants<unknown> = Object.freeze({ Minimal: nothing, Extended: nothing, Legacy: nothing });
