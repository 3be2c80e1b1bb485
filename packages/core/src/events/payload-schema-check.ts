import Ajv2020 from 'ajv/dist/2020';
import { HookworkError } from '../errors/hookwork-error';
import type { PayloadType } from '../settings/settings';
import type { JsonSchema } from './payload-description';
import { propertyStep } from '../runtime/property-path';
import { findKeywordTypo } from './schema-keyword-typos';

/** What {@link describeEventPayload} calls: a built event (its class and alias name it in errors). */
export interface DescribedEvent {
  /** The event's describePayload() (see WebhookEventBase.describePayload). */
  describePayload(context: { payloadType: PayloadType }): JsonSchema | undefined;
  /** The alias, for the message. */
  readonly alias: string;
  /** The event class, for the message. */
  readonly constructor: Function;
}

// Only its meta-schema is used (no schema is compiled), so one instance serves every app and
// holds nothing of any of them. Made at the first check, not when core is loaded: a process that
// never starts an app with a described payload (a CLI, a receiver's tests) pays nothing for it.
let metaSchemaValidator: Ajv2020 | undefined;
const metaSchema = () => (metaSchemaValidator ??= new Ajv2020({ allErrors: true, logger: false }));

/**
 * Keys a payload schema may not hold, and why. The schema is embedded in the catalogue document,
 * so a reference has no base to resolve against (`#/$defs/A` becomes a missing pointer and the
 * document invalid OpenAPI), and one to a URL or a file would have receivers fetch or read it;
 * json-schema-to-typescript's own keywords write raw TypeScript into a receiver's generated types.
 */
const REFUSED_KEYS: ReadonlyMap<string, string> = new Map([
  ['$ref', 'a reference; the catalogue embeds each payload schema in a larger document, where no reference resolves as written: write the referred schema in place'],
  ['$dynamicRef', 'a reference; the catalogue embeds each payload schema in a larger document, where no reference resolves as written: write the referred schema in place'],
  ['$id', 'a base URI for references; the catalogue embeds each payload schema in a larger document: remove it and write the schema self-contained'],
  ['tsType', "json-schema-to-typescript's raw-TypeScript keyword, which receivers' hookwork-types refuses: describe the shape in JSON Schema keywords"],
  ['tsEnumNames', "json-schema-to-typescript's enum keyword, which receivers' hookwork-types refuses: use enum alone"],
]);

/** Keywords whose values are data, not schemas: a `$ref` key inside them is a value of the payload. */
const DATA_KEYWORDS = new Set(['const', 'enum', 'default', 'examples', 'example']);
/** Keywords whose value is a record of schemas: its keys are names (a property may be called `$id`). */
const SCHEMA_RECORDS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);

/** The path and the reason of the first key of {@link REFUSED_KEYS} anywhere in `schema`. */
function findRefusedKey(schema: unknown, path: string): { path: string; why: string } | undefined {
  if (Array.isArray(schema)) {
    for (let i = 0; i < schema.length; i++) {
      const found = findRefusedKey(schema[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (schema === null || typeof schema !== 'object') return undefined;
  for (const [key, value] of Object.entries(schema as Record<string, unknown>)) {
    const at = `${path}${propertyStep(key)}`;
    const why = REFUSED_KEYS.get(key);
    if (why) return { path: at, why };
    if (DATA_KEYWORDS.has(key)) continue;
    if (SCHEMA_RECORDS.has(key) && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [name, inner] of Object.entries(value as Record<string, unknown>)) {
        const found = findRefusedKey(inner, `${at}${propertyStep(name)}`);
        if (found) return found;
      }
      continue;
    }
    const found = findRefusedKey(value, at);
    if (found) return found;
  }
  return undefined;
}

/**
 * The JSON Schema an event gives for its payload in `payloadType`, as a plain-JSON copy, or
 * undefined ("any JSON"). start() calls it for every composed event, so a broken schema fails
 * the app's start rather than the first catalogue request; createCatalogueDocument() calls it
 * again (the payload type may have changed since).
 *
 * @throws HookworkError HOOKWORK_ERR_INVALID_PAYLOAD_SCHEMA, naming the class and the alias, when
 * describePayload() throws, returns something that is not an object, an object that is not plain
 * JSON (a BigInt, a cycle), an object that is not a valid JSON Schema (2020-12 meta-schema:
 * `type: 'strng'`, `required: 'id'`), or one with a misspelt keyword JSON Schema would ignore
 * (`requried`, `minlength`), or one that is not self-contained or holds a generator's keyword
 * (`$ref`, `$dynamicRef`, `$id`, `tsType`, `tsEnumNames`, anywhere but in data such as `enum`).
 */
export function describeEventPayload(event: DescribedEvent, payloadType: PayloadType): JsonSchema | undefined {
  const name = `${event.constructor.name}.describePayload()`;
  let schema: unknown;
  try {
    schema = event.describePayload({ payloadType });
  } catch (cause) {
    throw new HookworkError('HOOKWORK_ERR_INVALID_PAYLOAD_SCHEMA', `${name} threw for ${event.alias}: ${(cause as Error)?.message ?? cause}`, { cause });
  }
  if (schema === undefined) return undefined;
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
    throw new HookworkError(
      'HOOKWORK_ERR_INVALID_PAYLOAD_SCHEMA',
      `${name} returned ${schema === null ? 'null' : Array.isArray(schema) ? 'an array' : typeof schema} for ${event.alias}; return a JSON Schema object such as { type: 'object', properties: { … } }, or undefined for "any JSON"`,
    );
  }
  let copy: JsonSchema;
  try {
    // A copy: the document is the caller's to change, and a schema must be plain JSON.
    copy = JSON.parse(JSON.stringify(schema)) as JsonSchema;
  } catch (cause) {
    throw new HookworkError('HOOKWORK_ERR_INVALID_PAYLOAD_SCHEMA', `${name} returned a schema for ${event.alias} that is not plain JSON: ${(cause as Error)?.message ?? cause}`, { cause });
  }
  const validator = metaSchema();
  if (!validator.validateSchema(copy)) {
    throw new HookworkError(
      'HOOKWORK_ERR_INVALID_PAYLOAD_SCHEMA',
      `${name} returned an invalid JSON Schema for ${event.alias}: ${validator.errorsText(validator.errors, { dataVar: 'schema' })}; write the keywords of JSON Schema 2020-12 (type, properties, required, items, …) as docs/catalogue.md shows`,
    );
  }
  const refused = findRefusedKey(copy, 'schema');
  if (refused) {
    throw new HookworkError(
      'HOOKWORK_ERR_INVALID_PAYLOAD_SCHEMA',
      `${name} returned a JSON Schema for ${event.alias} with ${refused.path}: ${refused.why} (docs/catalogue.md, "Describing a payload")`,
    );
  }
  const typo = findKeywordTypo(copy);
  if (typo) {
    throw new HookworkError(
      'HOOKWORK_ERR_INVALID_PAYLOAD_SCHEMA',
      `${name} returned a JSON Schema for ${event.alias} with the key ${typo.path}, which is no keyword (did you mean \`${typo.meant}\`?); JSON Schema ignores unknown keys, so the schema would not say what it was written to say`,
    );
  }
  return copy;
}
