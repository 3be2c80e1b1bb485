import { HookworkError, shownValue, type JsonSchema } from '@hookwork/core';
import { toPlainData, type PlainData } from './plain-data';

/** A JSON Schema (core's type: the keywords payload schemas use mean the same in draft-07 and 2020-12). */
export type { JsonSchema };

/**
 * Key casing of a payload: `camel` for every payload type, as Umbraco 14+ sends them; `pascal`
 * is Umbraco 13's (`Name`, `CreateDate`, `Id`), which the built-in events no longer send but a
 * shape of a host's own may. Keys inside free maps (`properties`) keep the host's spelling.
 */
export type Casing = 'camel' | 'pascal';

/** One field of a {@link Shape}: its schema and how it is read from the input. */
export interface FieldSpec<I> {
  /** The field's JSON Schema in the given key casing. */
  schema(casing: Casing): JsonSchema;
  /** The field's value read from `input` (null when the host has none). */
  value(input: I, casing: Casing): PlainData;
}

/** A set of named fields, spread into shapes (`{ ...contentFields, parentId }`). */
export type Fields<I> = { readonly [name: string]: FieldSpec<I> };

/**
 * An object payload shape: one table of fields gives both the converter (`project`) and the
 * JSON Schema (`schema`), so the two cannot drift apart. Every field is always present (null
 * when the host has no value), and the schema allows no other property.
 */
export interface Shape<I> {
  /** The named fields, in payload order. */
  readonly fields: Fields<I>;
  /** The payload of `input`: every field, keys in `casing`. */
  project(input: I, casing: Casing): { [key: string]: PlainData };
  /** The JSON Schema of `project`'s result (no other property allowed). */
  schema(casing: Casing): JsonSchema;
}

const cased = (name: string, casing: Casing) => (casing === 'pascal' ? name.charAt(0).toUpperCase() + name.slice(1) : name);

const allowsNull = (schema: JsonSchema): boolean =>
  schema.type === undefined ? !Array.isArray(schema.anyOf) || (schema.anyOf as JsonSchema[]).some(allowsNull) : schema.type === 'null';

const KIND_NAMES: Readonly<Record<string, string>> = { string: 'a string', integer: 'a whole number', number: 'a number', boolean: 'true or false', object: 'an object', array: 'an array', null: 'null' };

function isKind(value: PlainData, type: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    default:
      return true;
  }
}

/**
 * What kind `value` must be when `schema` (one of the shapes' building blocks: a `type`, an
 * `anyOf`, array `items`) refuses its kind; undefined when it fits. Nested shapes check their own fields.
 */
function kindProblem(value: PlainData, schema: JsonSchema): string | undefined {
  if (Array.isArray(schema.anyOf)) {
    const options = schema.anyOf as JsonSchema[];
    const problems = options.map((option) => kindProblem(value, option));
    return problems.some((problem) => problem === undefined) ? undefined : problems.join(' or ');
  }
  if (schema.type === undefined) return undefined;
  if (!isKind(value, schema.type)) return KIND_NAMES[schema.type as string] ?? String(schema.type);
  if (schema.type === 'array' && schema.items && typeof schema.items === 'object') {
    for (const [index, item] of (value as PlainData[]).entries()) {
      const problem = kindProblem(item, schema.items as JsonSchema);
      if (problem) return `an array of ${problem} (item ${index} is not)`;
    }
  }
  return undefined;
}

/** Makes a {@link Shape} from its fields. */
export function shape<I>(fields: Fields<I>): Shape<I> {
  // Each field's cased name and schema, worked out once per casing: a nested field's schema is
  // built from its inner shape's, and every projection checks values against them.
  const plans: Partial<Record<Casing, { name: string; spec: FieldSpec<I>; schema: JsonSchema }[]>> = {};
  const planFor = (casing: Casing) => (plans[casing] ??= Object.entries(fields).map(([name, spec]) => ({ name: cased(name, casing), spec, schema: spec.schema(casing) })));
  return {
    fields,
    project(input, casing) {
      const result: { [key: string]: PlainData } = {};
      for (const { name, spec, schema } of planFor(casing)) {
        const value = spec.value(input, casing);
        if (value === null && !allowsNull(schema)) {
          throw new HookworkError('HOOKWORK_ERR_INVALID_NOTIFICATION', `the payload needs "${name}" but the entity has no value for it; map your host model to the documented Cms* entity interface`);
        }
        // A value of another kind would make a body its own published JSON Schema refuses (a typed receiver breaks on it).
        const expected = value === null ? undefined : kindProblem(value, schema);
        if (expected) {
          throw new HookworkError('HOOKWORK_ERR_INVALID_NOTIFICATION', `the payload's "${name}" must be ${expected}; got ${shownValue(value)}. Map your host model to the documented Cms* entity interface`);
        }
        result[name] = value;
      }
      return result;
    },
    schema(casing) {
      const properties: Record<string, JsonSchema> = {};
      for (const { name, schema } of planFor(casing)) properties[name] = schema;
      return { type: 'object', additionalProperties: false, required: Object.keys(properties), properties };
    },
  };
}

/**
 * A plain value read from the input (copied by {@link toPlainData}; undefined becomes null).
 * A reference back to the input itself (an entity in its own properties) is cut.
 */
export function field<I>(schema: JsonSchema, get: (input: I) => unknown): FieldSpec<I> {
  return { schema: () => schema, value: (input) => toPlainData(get(input), typeof input === 'object' && input !== null ? [input] : []) };
}

/** A nested object, or null when `get` returns null or undefined. */
export function nested<I, J>(inner: Shape<J>, get: (input: I) => J | null | undefined): FieldSpec<I> {
  return {
    schema: (casing) => ({ anyOf: [inner.schema(casing), { type: 'null' }] }),
    value: (input, casing) => {
      const value = get(input);
      return value === null || value === undefined ? null : inner.project(value, casing);
    },
  };
}

/** An array of nested objects; absent is an empty array. */
export function many<I, J>(inner: Shape<J>, get: (input: I) => Iterable<J> | null | undefined): FieldSpec<I> {
  return {
    schema: (casing) => ({ type: 'array', items: inner.schema(casing) }),
    value: (input, casing) => [...(get(input) ?? [])].map((item) => inner.project(item, casing)),
  };
}

/**
 * `fields` without the named ones (by default `id`): a body that leads with Umbraco's fields and
 * adds the rest of an entity's after them.
 */
export function without<T>(fields: Fields<T>, ...names: string[]): Fields<T> {
  const dropped = names.length === 0 ? ['id'] : names;
  return Object.fromEntries(Object.entries(fields).filter(([name]) => !dropped.includes(name)));
}

/** The same fields, read from a part of another input (`via(contentFields, move => move.entity)`). */
export function via<I, J>(fields: Fields<J>, get: (input: I) => J): Fields<I> {
  const result: Record<string, FieldSpec<I>> = {};
  for (const [name, spec] of Object.entries(fields)) result[name] = { schema: spec.schema, value: (input, casing) => spec.value(get(input), casing) };
  return result;
}

/**
 * The same fields as `base`, then `extra`: hookwork's Extended bodies of the events Umbraco has no
 * Extended class for start with Umbraco's body (the Minimal one), field for field and in its
 * order, and add fields after it, so a receiver built for Umbraco reads what it expects.
 */
export function extend<I>(base: Shape<I>, extra: Fields<I>): Shape<I> {
  const clash = Object.keys(extra).find((name) => Object.prototype.hasOwnProperty.call(base.fields, name));
  if (clash !== undefined) throw new HookworkError('HOOKWORK_ERR_INVALID_EVENT_DECLARATION', `extend(): "${clash}" is already a field of the base shape; an extended body keeps the base's fields as they are`);
  return shape({ ...base.fields, ...extra });
}

/** Umbraco's `Guid.Empty`, which it sends for an id it has none for (a failed login of an unknown user). */
export const GUID_EMPTY = '00000000-0000-0000-0000-000000000000';

/** Umbraco's `default(DateTime)`, which it sends for a date it has none for (`dateToRetain` of a single version's delete). */
export const DATE_TIME_MIN = '0001-01-01T00:00:00';

/**
 * A schema that also allows null. Written with `anyOf` rather than `type: [T, 'null']` so that
 * ajv in strict mode compiles it without `allowUnionTypes`.
 */
export function nullable(schema: JsonSchema): JsonSchema {
  return { anyOf: [schema, { type: 'null' }] };
}

/** Schema building blocks. */
export const schemas = Object.freeze({
  string: { type: 'string' },
  nullableString: nullable({ type: 'string' }),
  nullableBoolean: nullable({ type: 'boolean' }),
  nullableInteger: nullable({ type: 'integer' }),
  boolean: { type: 'boolean' },
  integer: { type: 'integer' },
  stringArray: { type: 'array', items: { type: 'string' } },
  /** Umbraco's numeric id or a key: what a host may give where Umbraco's Legacy bodies send an `int`. */
  integerOrString: { anyOf: [{ type: 'integer' }, { type: 'string' }] },
  /** {@link schemas.integerOrString}, or null. */
  nullableIntegerOrString: { anyOf: [{ type: 'integer' }, { type: 'string' }, { type: 'null' }] },
  /** A free map (property values, configuration): its keys are the host's own. */
  map: { type: 'object' },
} satisfies Record<string, JsonSchema>);
