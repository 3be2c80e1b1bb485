import Ajv2020 from 'ajv/dist/2020';
import { HookworkError } from '../errors/hookwork-error';
import type { PayloadType } from '../settings/settings';
import type { JsonSchema } from './payload-description';
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
 * The JSON Schema an event gives for its payload in `payloadType`, as a plain-JSON copy, or
 * undefined ("any JSON"). start() calls it for every composed event, so a broken schema fails
 * the app's start rather than the first catalogue request; createCatalogueDocument() calls it
 * again (the payload type may have changed since).
 *
 * @throws HookworkError HOOKWORK_ERR_INVALID_PAYLOAD_SCHEMA, naming the class and the alias, when
 * describePayload() throws, returns something that is not an object, an object that is not plain
 * JSON (a BigInt, a cycle), an object that is not a valid JSON Schema (2020-12 meta-schema:
 * `type: 'strng'`, `required: 'id'`), or one with a misspelt keyword JSON Schema would ignore
 * (`requried`, `minlength`).
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
  const typo = findKeywordTypo(copy);
  if (typo) {
    throw new HookworkError(
      'HOOKWORK_ERR_INVALID_PAYLOAD_SCHEMA',
      `${name} returned a JSON Schema for ${event.alias} with the key ${typo.path}, which is no keyword (did you mean \`${typo.meant}\`?); JSON Schema ignores unknown keys, so the schema would not say what it was written to say`,
    );
  }
  return copy;
}
