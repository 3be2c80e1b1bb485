import { propertyStep } from '../runtime/property-path';

/**
 * The optimal string alignment distance (Levenshtein with a swap of two neighbours counting one
 * edit): `requried` is one edit from `required`, as `exmaple` from `example`.
 */
function typoDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * How many edits from a keyword a key may be to count as its misspelling: one for keywords under
 * eight letters, two up to eleven, three from twelve. Closer bounds let the keys of other
 * vocabularies through (`tsType`, `typeof` and `time` are two edits from `type`, `sample` from
 * `example`, Hyper-Schema's `base` from `else`).
 */
const allowedEdits = (keyword: string) => (keyword.length < 8 ? 1 : keyword.length < 12 ? 2 : 3);

/**
 * The keywords a payload schema may use: JSON Schema 2020-12 (every vocabulary), the OpenAPI 3.1
 * schema object's own (`discriminator`, `xml`, `externalDocs`, `example`), and the draft-07 /
 * OpenAPI 3.0 ones a schema written for an older tool still carries (`definitions`,
 * `dependencies`, `additionalItems`, `nullable`).
 */
const KEYWORDS = [
  '$schema', '$id', '$ref', '$anchor', '$dynamicRef', '$dynamicAnchor', '$vocabulary', '$comment', '$defs',
  'prefixItems', 'items', 'contains', 'additionalProperties', 'properties', 'patternProperties', 'dependentSchemas', 'propertyNames',
  'if', 'then', 'else', 'allOf', 'anyOf', 'oneOf', 'not', 'unevaluatedItems', 'unevaluatedProperties',
  'type', 'const', 'enum', 'multipleOf', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum', 'maxLength', 'minLength', 'pattern',
  'maxItems', 'minItems', 'uniqueItems', 'maxContains', 'minContains', 'maxProperties', 'minProperties', 'required', 'dependentRequired',
  'title', 'description', 'default', 'deprecated', 'readOnly', 'writeOnly', 'examples', 'format', 'contentEncoding', 'contentMediaType', 'contentSchema',
  'discriminator', 'xml', 'externalDocs', 'example',
  'definitions', 'dependencies', 'additionalItems', 'nullable',
] as const;
const KNOWN: ReadonlySet<string> = new Set(KEYWORDS);

/** Keywords whose value is a record of schemas (its keys are names, not keywords). */
const SCHEMA_RECORDS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);
/** Keywords whose value is a list of schemas. */
const SCHEMA_LISTS = new Set(['prefixItems', 'allOf', 'anyOf', 'oneOf']);
/** Keywords whose value is one schema (or, for `items` in older drafts, a list). */
const SCHEMA_VALUES = new Set(['items', 'additionalItems', 'additionalProperties', 'unevaluatedProperties', 'unevaluatedItems', 'contains', 'propertyNames', 'not', 'if', 'then', 'else', 'contentSchema']);

/** The keyword an unknown key was most likely meant to be: another case, or within {@link allowedEdits} of a keyword of four letters or more. */
function meantKeyword(key: string): string | undefined {
  const lower = key.toLowerCase();
  let best: { keyword: string; distance: number } | undefined;
  for (const keyword of KEYWORDS) {
    if (keyword.toLowerCase() === lower) return keyword;
    if (keyword.length < 4 || key.length < 4) continue;
    const distance = typoDistance(lower, keyword.toLowerCase());
    if (distance <= allowedEdits(keyword) && (!best || distance < best.distance)) best = { keyword, distance };
  }
  return best?.keyword;
}

/**
 * The first key of a JSON Schema (or of any schema inside it) that is no keyword but a misspelling
 * of one — `requried`, `minlength`, `propertes` — which JSON Schema ignores, so the schema would
 * say less than its author wrote and the catalogue publish it so. Other unknown keys (`x-…`
 * extensions, annotations of the author's own) pass.
 *
 * @returns the path of the key (`schema.properties.name.minlength`) and the keyword meant, or undefined.
 */
export function findKeywordTypo(schema: unknown, path = 'schema'): { path: string; meant: string } | undefined {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return undefined;
  const record = schema as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const at = `${path}${propertyStep(key)}`;
    if (!KNOWN.has(key)) {
      const meant = key.startsWith('x-') ? undefined : meantKeyword(key);
      if (meant) return { path: at, meant };
      continue;
    }
    const value = record[key];
    let found: { path: string; meant: string } | undefined;
    if (SCHEMA_RECORDS.has(key) && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const name of Object.keys(value)) if ((found = findKeywordTypo((value as Record<string, unknown>)[name], `${at}${propertyStep(name)}`))) return found;
    } else if ((SCHEMA_LISTS.has(key) || SCHEMA_VALUES.has(key)) && Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) if ((found = findKeywordTypo(value[i], `${at}[${i}]`))) return found;
    } else if (SCHEMA_VALUES.has(key) && (found = findKeywordTypo(value, at))) {
      return found;
    }
  }
  return undefined;
}
