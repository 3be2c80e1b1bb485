import type { Options } from 'json-schema-to-typescript';
import { quoted } from '../errors/visible-text';
import { setOwn } from '../headers';

/** A JSON Schema object as the catalogue holds it. */
type Schema = { [keyword: string]: unknown };

/** What the generator reads of one `webhooks` entry of a hookwork catalogue document. */
interface CatalogueOperation {
  summary?: string;
  description?: string;
  'x-hookwork-event'?: { alias: string; eventName?: string; synonyms?: string[]; patterns?: string[]; described?: boolean };
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}

/** The parts of a catalogue document (`npx hookwork catalogue`, docs/catalogue.md) the generator reads. */
export interface CatalogueInput {
  openapi?: unknown;
  info?: { title?: string; version?: string };
  webhooks?: Record<string, { post?: CatalogueOperation }>;
  components?: { schemas?: Record<string, Schema> };
}

/** What is wrong with the input, or the generator missing: the command line answers these with exit code 2. */
export class CatalogueInputError extends Error {}

/** Options of {@link generateEventTypes}. */
export interface GenerateOptions {
  /** The name of the union type. Default `HookworkEvent`. */
  typeName?: string;
  /** Where the document came from, for the banner. */
  source?: string;
  /** json-schema-to-typescript, loaded by the caller (the command line imports it on demand). */
  compile: (schema: Schema, name: string, options: Partial<Options>) => Promise<string>;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * Names a type alias cannot have (TypeScript's reserved words and its predefined type names:
 * `export type string = …` does not compile) or should not (a global such as `Object` or `Event`
 * would be shadowed in the file that imports it).
 */
const RESERVED_TYPE_NAMES = new Set([
  // reserved words
  'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum', 'export', 'extends', 'false', 'finally', 'for', 'function',
  'if', 'import', 'in', 'instanceof', 'new', 'null', 'return', 'super', 'switch', 'this', 'throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with',
  'implements', 'interface', 'let', 'package', 'private', 'protected', 'public', 'static', 'yield', 'await',
  // predefined types and type operators
  'any', 'unknown', 'never', 'string', 'number', 'boolean', 'symbol', 'bigint', 'object', 'undefined', 'type', 'keyof', 'infer', 'is', 'asserts', 'readonly', 'unique', 'satisfies',
  // globals the generated file's users also need
  'Object', 'Array', 'String', 'Number', 'Boolean', 'Symbol', 'BigInt', 'Function', 'Promise', 'Record', 'Partial', 'Required', 'Readonly', 'Pick', 'Omit', 'Date', 'Error', 'Event', 'Map', 'Set', 'JSON',
]);

/** `Umbraco.ContentPublish` → `UmbracoContentPublish`. */
function pascalCase(alias: string): string {
  const name = alias
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
  return /^[0-9]/.test(name) || name === '' ? `Event${name}` : name;
}

/** A pattern (`collections.save.after.*`) as a template literal type (`` `collections.save.after.${string}` ``). */
function patternType(pattern: string): string {
  return `\`${pattern
    .split('*')
    .map((part) => part.replace(/[\\`]/g, '\\$&').replace(/\$\{/g, '\\${'))
    .join('${string}')}\``;
}

/** Nested titles would become named types of their own, which could clash across events: keep them inline. */
function inlineNestedTitles(schema: unknown, top = true): unknown {
  if (Array.isArray(schema)) return schema.map((item) => inlineNestedTitles(item, false));
  if (!schema || typeof schema !== 'object') return schema;
  const result: Schema = {};
  for (const [key, value] of Object.entries(schema as Schema)) {
    if (key === 'title' && !top) continue;
    // setOwn: a schema's "__proto__" keyword set the copy's prototype, and the schema read as {} (any object).
    setOwn(result, key, key === 'properties' || key === '$defs' || key === 'definitions' || key === 'patternProperties'
      ? Object.fromEntries(Object.entries(value as Schema).map(([name, inner]) => [name, inlineNestedTitles(inner, false)]))
      : inlineNestedTitles(value, false));
  }
  return result;
}

/** Keywords whose values are data, not schemas: a `$ref` key inside them is not a reference. */
const DATA_KEYWORDS = new Set(['const', 'enum', 'default', 'examples', 'example']);

/**
 * The first `$ref` in `schema` that points outside it (a URL, a file path), if any. A catalogue
 * often comes from another team or company; json-schema-to-typescript would fetch such a
 * reference over HTTP or read it from this machine's disk, and write what it found into the types.
 * hookwork's catalogues refer only within the document.
 */
function externalRef(schema: unknown): string | undefined {
  if (Array.isArray(schema)) {
    for (const item of schema) {
      const found = externalRef(item);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (!schema || typeof schema !== 'object') return undefined;
  for (const [key, value] of Object.entries(schema as Schema)) {
    if (key === '$ref' && typeof value === 'string' && !value.startsWith('#')) return value;
    if (DATA_KEYWORDS.has(key)) continue;
    const found = externalRef(value);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * json-schema-to-typescript's own keywords, which no JSON Schema validator knows and hookwork never
 * writes: `tsType` is copied into the generated file as it stands (`"string }\nexport const pwn =
 * require(…)"` became a statement of the receiver's build), `tsEnumNames` turns the type-only file
 * into one that emits a runtime enum. A catalogue may come from another team or company, so the
 * generator refuses both wherever a schema holds them (a property named `tsType` is a name, not the
 * keyword, and is welcome).
 */
const GENERATOR_KEYWORDS = new Set(['tsType', 'tsEnumNames']);

/** Keywords whose value is a map of names to schemas: the names are the author's, the values schemas. */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas', 'dependencies']);

/** The JSON Pointer of the first generator keyword in `schema` (see {@link GENERATOR_KEYWORDS}), if any. */
function generatorKeyword(schema: unknown, path: string): string | undefined {
  if (Array.isArray(schema)) {
    for (const [index, item] of schema.entries()) {
      const found = generatorKeyword(item, `${path}/${index}`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (!schema || typeof schema !== 'object') return undefined;
  const pointer = (key: string) => `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
  for (const [key, value] of Object.entries(schema as Schema)) {
    if (GENERATOR_KEYWORDS.has(key)) return pointer(key);
    if (DATA_KEYWORDS.has(key)) continue;
    if (SCHEMA_MAPS.has(key) && value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [name, inner] of Object.entries(value as Schema)) {
        const found = generatorKeyword(inner, `${pointer(key)}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`);
        if (found !== undefined) return found;
      }
      continue;
    }
    const found = generatorKeyword(value, pointer(key));
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Refuses a document any of whose schemas holds a generator keyword, naming where. */
function refuseGeneratorKeywords(document: CatalogueInput): void {
  const places: [string, unknown][] = [
    ...Object.entries(document.components?.schemas ?? {}).map(([key, schema]): [string, unknown] => [`components.schemas[${quoted(key)}]`, schema]),
    ...Object.entries(document.webhooks ?? {}).map(([key, entry]): [string, unknown] => [
      `webhooks[${quoted(key)}]'s payload schema`,
      (entry as { post?: CatalogueOperation } | undefined)?.post?.requestBody?.content?.['application/json']?.schema,
    ]),
  ];
  for (const [where, schema] of places) {
    const found = generatorKeyword(schema, '');
    if (found !== undefined) {
      const keyword = found.slice(found.lastIndexOf('/') + 1);
      throw new CatalogueInputError(
        `${where} holds ${keyword} at ${found}, a keyword of json-schema-to-typescript that would write the document's own TypeScript into the generated file; hookwork never writes it (a catalogue's schemas are JSON Schema 2020-12 alone): is this document from a sender you trust?`,
      );
    }
  }
}

function payloadSchema(document: CatalogueInput, operation: CatalogueOperation, alias: string): Schema | undefined {
  const schema = operation.requestBody?.content?.['application/json']?.schema;
  if (!schema) throw new CatalogueInputError(`webhooks["${alias}"] has no application/json request body schema; is this a hookwork catalogue document?`);
  const ref = schema.$ref;
  if (typeof ref !== 'string') return schema;
  const key = ref.startsWith('#/components/schemas/') ? decodeURIComponent(ref.slice('#/components/schemas/'.length)).replace(/~1/g, '/').replace(/~0/g, '~') : undefined;
  const target = key === undefined ? undefined : document.components?.schemas?.[key];
  if (!target) throw new CatalogueInputError(`webhooks["${alias}"] refers to ${ref}, which the document does not hold`);
  return target;
}

/** The payload schema of an event, refusing one that refers outside the document. */
function selfContainedPayloadSchema(document: CatalogueInput, operation: CatalogueOperation, alias: string): Schema | undefined {
  const schema = payloadSchema(document, operation, alias);
  const outside = externalRef(schema);
  if (outside !== undefined) {
    throw new CatalogueInputError(
      `webhooks["${alias}"]'s payload schema refers to ${quoted(outside)}, outside the document; hookwork-types reads the document alone — it fetches no URL and reads no other file — and a hookwork catalogue refers only within itself: is this document from a sender you trust?`,
    );
  }
  return schema;
}

/** A value as a message shows it: JSON, cut short. */
const shown = (value: unknown) => {
  const text = quoted(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

/**
 * Refuses an entry whose x-hookwork-event (or summary, description) is not shaped as hookwork
 * writes it. Each string goes into the union as it stands, so a `synonyms: "Xy"` spread into the
 * members `"X"` and `"y"`, `patterns: "x.*"` into one `${string}` member that matched any alias;
 * and an alias given twice (as alias, synonym or pattern) would be two members with two payloads.
 * `spellings` holds the ones seen so far (spelling → the entry that gave it).
 */
function checkEventShape(key: string, operation: CatalogueOperation, spellings: Map<string, string>): void {
  const refuse = (what: string, value: unknown, want: string): never => {
    throw new CatalogueInputError(`webhooks[${quoted(key)}]'s ${what} is ${shown(value)}, not ${want}; this is not a hookwork catalogue as \`npx hookwork catalogue\` writes it`);
  };
  const event = operation['x-hookwork-event'] as unknown as Record<string, unknown>;
  if (typeof event !== 'object' || event === null || Array.isArray(event)) refuse('x-hookwork-event', event, 'an object');
  const nonEmpty = (value: unknown) => typeof value === 'string' && value !== '';
  if (!nonEmpty(event.alias)) refuse('x-hookwork-event.alias', event.alias, 'a non-empty string');
  if (event.eventName !== undefined && typeof event.eventName !== 'string') refuse('x-hookwork-event.eventName', event.eventName, 'a string');
  if (event.described !== undefined && typeof event.described !== 'boolean') refuse('x-hookwork-event.described', event.described, 'true or false');
  for (const list of ['synonyms', 'patterns'] as const) {
    const value = event[list];
    if (value !== undefined && !(Array.isArray(value) && value.every(nonEmpty))) refuse(`x-hookwork-event.${list}`, value, 'a list of non-empty strings');
  }
  for (const text of ['summary', 'description'] as const) {
    if (operation[text] !== undefined && typeof operation[text] !== 'string') refuse(text, operation[text], 'a string');
  }
  const mine = [event.alias, ...((event.synonyms as string[] | undefined) ?? []), ...((event.patterns as string[] | undefined) ?? []).map((pattern) => `pattern ${pattern}`)] as string[];
  for (const spelling of mine) {
    const earlier = spellings.get(spelling);
    if (earlier !== undefined) {
      throw new CatalogueInputError(
        `webhooks[${quoted(key)}] gives the ${spelling.startsWith('pattern ') ? '' : 'alias '}${quoted(spelling)}${earlier === key ? ' twice' : `, which webhooks[${quoted(earlier)}] gives too`}; an alias names one event in a hookwork catalogue, so this is not one \`npx hookwork catalogue\` wrote`,
      );
    }
    spellings.set(spelling, key);
  }
}

/**
 * TypeScript types of a hookwork catalogue document: one payload type per event (from its JSON
 * Schema, by json-schema-to-typescript) and the union of `{ alias, payload }` that
 * `createReceiver<Events>()` takes, so `switch (event.alias)` narrows `event.payload`. A synonym
 * gets its own member (the event header carries the spelling the webhook subscribed with); a
 * name-spaced pattern becomes a template literal type (`` `collections.save.after.${string}` ``);
 * an event that does not describe its payload has `payload: unknown`.
 */
export async function generateEventTypes(document: CatalogueInput, options: GenerateOptions): Promise<string> {
  const typeName = options.typeName ?? 'HookworkEvent';
  if (!IDENTIFIER.test(typeName)) throw new CatalogueInputError(`--name ${quoted(typeName)} is not a TypeScript identifier`);
  if (RESERVED_TYPE_NAMES.has(typeName)) {
    throw new CatalogueInputError(`--name ${typeName} is ${/^[a-z]/.test(typeName) ? 'a reserved word or built-in type of TypeScript' : 'a global of JavaScript or TypeScript that the type would shadow'}; choose a name of your own, e.g. ${typeName.charAt(0).toUpperCase()}${typeName.slice(1)}WebhookEvent`);
  }
  if (!document || typeof document !== 'object' || typeof document.webhooks !== 'object' || document.webhooks === null) {
    throw new CatalogueInputError('the document has no webhooks section; give the OpenAPI 3.1 document `npx hookwork catalogue` writes (or the admin API serves)');
  }
  refuseGeneratorKeywords(document);
  const spellings = new Map<string, string>();
  const taken = new Set([typeName, `${typeName}Alias`]);
  const declarations: string[] = [];
  const members: string[] = [];
  for (const [key, entry] of Object.entries(document.webhooks)) {
    const operation = entry?.post;
    const event = operation?.['x-hookwork-event'];
    if (!operation || !event) {
      throw new CatalogueInputError(`webhooks["${key}"] has no post operation with x-hookwork-event; give a document hookwork wrote`);
    }
    checkEventShape(key, operation, spellings);
    let payload = 'unknown';
    const schema = selfContainedPayloadSchema(document, operation, key);
    if (event.described !== false && schema && Object.keys(schema).some((k) => k !== 'description' && k !== 'title')) {
      let name = `${pascalCase(event.alias)}Payload`;
      for (let n = 2; taken.has(name); n++) name = `${pascalCase(event.alias)}Payload${n}`;
      taken.add(name);
      const described = { ...(inlineNestedTitles(schema) as Schema), title: name, description: operation.description ?? operation.summary ?? event.alias };
      // external: false as well — nothing outside the document is resolved, whatever the check above missed.
      declarations.push((await options.compile(described, name, { bannerComment: '', unknownAny: true, strictIndexSignatures: true, $refOptions: { resolve: { external: false } } })).trim());
      payload = name;
    }
    const doc = `  /** ${(operation.summary ?? event.alias).replace(/\*\//g, '*\\/')} */`;
    for (const spelling of [event.alias, ...(event.synonyms ?? [])]) members.push(`${doc}\n  | { alias: ${JSON.stringify(spelling)}; payload: ${payload} }`);
    for (const pattern of event.patterns ?? []) members.push(`${doc}\n  | { alias: ${patternType(pattern)}; payload: ${payload} }`);
  }
  // The banner is a line comment: a line break in the document's title (the sender's to choose)
  // or in the file name would end it, and what follows would be code in the receiver's build.
  const oneLine = (text: string) => text.replace(/[\r\n\u2028\u2029]+/g, ' ');
  const about = oneLine([document.info?.title, document.info?.version].filter((part) => typeof part === 'string' && part !== '').join(' '));
  return [
    `// Generated by hookwork-types from ${oneLine(options.source ?? 'a hookwork catalogue')}${about ? ` (${about})` : ''}. Do not edit: regenerate it.`,
    '',
    ...declarations.map((d) => `${d}\n`),
    `/** Every event of the catalogue as \`{ alias, payload }\`: \`createReceiver<${typeName}>()\`, and \`switch (event.alias)\` narrows \`event.payload\`. */`,
    `export type ${typeName} =\n${members.length > 0 ? members.join('\n') : '  never'};`,
    '',
    `/** The aliases of {@link ${typeName}}. */`,
    `export type ${typeName}Alias = ${typeName}['alias'];`,
    '',
  ].join('\n');
}
