import type { PayloadType } from '@hookwork/core';
import type { PlainData } from './plain-data';
import type { JsonSchema, Shape } from './shape';

/** One payload shape of one event: the converter and the JSON Schema of what it returns. */
export interface PayloadConverter<I> {
  /** Makes the payload (plain JSON data) from the input. */
  convert(input: I): PlainData;
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

/**
 * What the Legacy shape of an event is: `'pascal'`, the Extended object in PascalCase — exactly
 * how Umbraco 13's documented bodies relate to 14's; or `'minimal'`, the Minimal body as it is,
 * for events Umbraco added after 13 (Umbraco 18's Element events): there is no Umbraco 13 body to
 * reproduce, and Umbraco 18 sends their Minimal body when the Legacy payload type is configured.
 */
export type LegacyShape = 'pascal' | 'minimal';

/** An object payload: Minimal and Extended as given (camelCase, as Umbraco 14+), Legacy as {@link LegacyShape} says. */
export function objectPayload<I>(minimal: Shape<I>, extended: Shape<I>, legacy: LegacyShape = 'pascal'): PayloadVariants<I> {
  return Object.freeze({ Minimal: object(minimal, 'camel'), Extended: object(extended, 'camel'), Legacy: legacy === 'pascal' ? object(extended, 'pascal') : object(minimal, 'camel') });
}

function list<I, E>(items: (input: I) => Iterable<E>, s: Shape<E>, casing: 'camel' | 'pascal'): PayloadConverter<I> {
  return { convert: (input) => [...items(input)].map((item) => s.project(item, casing)), schema: { type: 'array', items: s.schema(casing) } };
}

/** An array payload (one request for a whole notification), shaped as {@link objectPayload}. */
export function listPayload<I, E>(items: (input: I) => Iterable<E>, minimal: Shape<E>, extended: Shape<E>, legacy: LegacyShape = 'pascal'): PayloadVariants<I> {
  return Object.freeze({
    Minimal: list(items, minimal, 'camel'),
    Extended: list(items, extended, 'camel'),
    Legacy: legacy === 'pascal' ? list(items, extended, 'pascal') : list(items, minimal, 'camel'),
  });
}

const nothing: PayloadConverter<unknown> = Object.freeze({ convert: () => null, schema: Object.freeze({ type: 'null' }) });

/**
 * The body `null` in every shape: for an event whose notification carries nothing but the fact
 * (Umbraco 18's Element Recycle Bin Emptied, whose Umbraco converter returns null).
 */
export const nullPayload: PayloadVariants<unknown> = Object.freeze({ Minimal: nothing, Extended: nothing, Legacy: nothing });
