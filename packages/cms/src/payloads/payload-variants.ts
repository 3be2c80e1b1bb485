import type { PayloadType } from '@hookwork/core';
import type { PlainData } from './plain-data';
import type { JsonSchema, Shape } from './shape';

/** One payload shape of one event: the converter and the JSON Schema of what it returns. */
export interface PayloadConverter<I> {
  convert(input: I): PlainData;
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
 * An object payload: Minimal and Extended as given (camelCase, as Umbraco 14+), Legacy the
 * Extended object in PascalCase — exactly how Umbraco 13's documented bodies relate to 14's.
 */
export function objectPayload<I>(minimal: Shape<I>, extended: Shape<I>): PayloadVariants<I> {
  return Object.freeze({ Minimal: object(minimal, 'camel'), Extended: object(extended, 'camel'), Legacy: object(extended, 'pascal') });
}

function list<I, E>(items: (input: I) => Iterable<E>, s: Shape<E>, casing: 'camel' | 'pascal'): PayloadConverter<I> {
  return { convert: (input) => [...items(input)].map((item) => s.project(item, casing)), schema: { type: 'array', items: s.schema(casing) } };
}

/** An array payload (one request for a whole notification), cased as {@link objectPayload}. */
export function listPayload<I, E>(items: (input: I) => Iterable<E>, minimal: Shape<E>, extended: Shape<E>): PayloadVariants<I> {
  return Object.freeze({ Minimal: list(items, minimal, 'camel'), Extended: list(items, extended, 'camel'), Legacy: list(items, extended, 'pascal') });
}
