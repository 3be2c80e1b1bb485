import { CMS_ERRORS } from '../cms-errors';
import { shownValue, type PayloadType } from '@hookwork/core';
import { CMS_EVENT_GROUPS } from '../builder/cms-event-groups';
import { cmsPayloadSchemaOf, getCmsEventDefinition } from '../events/define-cms-event';
import { PAYLOAD_TYPES } from './payload-variants';
import type { JsonSchema } from './shape';

const JSON_SCHEMA_DRAFT = 'http://json-schema.org/draft-07/schema#';

function allEventClasses(): Function[] {
  const found = new Set<Function>();
  const walk = (value: unknown) => {
    if (typeof value === 'function') found.add(value);
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(CMS_EVENT_GROUPS);
  return [...found];
}

/**
 * The JSON Schema (draft-07, every object `additionalProperties: false`) of the body one CMS
 * event sends in one payload shape. Takes the event class (a host's subclass counts as its
 * parent's, unless it changes the payload) or its alias. Receivers can validate bodies with it
 * (`new Ajv().compile(schema)`).
 */
export function getCmsPayloadSchema(event: Function | string, payloadType: PayloadType): JsonSchema {
  const type = typeof event === 'string' ? allEventClasses().find((t) => getCmsEventDefinition(t)!.alias === event || getCmsEventDefinition(t)!.synonyms?.includes(event)) : event;
  const definition = type && getCmsEventDefinition(type);
  if (!definition) {
    throw CMS_ERRORS.create('HOOKWORK_ERR_INVALID_CMS_OPTIONS', `getCmsPayloadSchema(): ${typeof event === 'string' ? `"${event}" is not a CMS event alias` : `${event?.name ?? String(event)} is not a CMS event class`}`);
  }
  if (!PAYLOAD_TYPES.includes(payloadType)) {
    throw CMS_ERRORS.create('HOOKWORK_ERR_INVALID_CMS_OPTIONS', `getCmsPayloadSchema(): payloadType must be one of ${PAYLOAD_TYPES.join(', ')}; got ${shownValue(payloadType)}`);
  }
  return { $schema: JSON_SCHEMA_DRAFT, ...cmsPayloadSchemaOf(definition, payloadType) };
}

/** Every CMS event's payload schemas: alias → payload type → schema (see {@link getCmsPayloadSchema}). */
export function cmsPayloadSchemas(): Record<string, Record<PayloadType, JsonSchema>> {
  const result: Record<string, Record<PayloadType, JsonSchema>> = {};
  for (const type of allEventClasses()) {
    const { alias } = getCmsEventDefinition(type)!;
    result[alias] = { Minimal: getCmsPayloadSchema(type, 'Minimal'), Extended: getCmsPayloadSchema(type, 'Extended'), Legacy: getCmsPayloadSchema(type, 'Legacy') };
  }
  return result;
}
