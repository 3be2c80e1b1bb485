import type { DependencyContainer } from 'tsyringe';
import { SIGNATURE_HEADERS, TEST_EVENT_HEADER } from '../model/framework-headers';
import { CLOUD_EVENTS_CONTENT_TYPE, CLOUD_EVENTS_SPEC_VERSION } from '../delivery/cloud-events';
import { HookworkError, shownValue } from '../errors/hookwork-error';
import { unknownOption } from '../errors/nearest-name';
import { readOrRefuse } from '../model/caller-input';
import { isPlainObject, objectKind } from '../model/plain-object';
import type { JsonSchema } from '../events/payload-description';
import { describeEventPayload } from '../events/payload-schema-check';
import { payloadTypeOf } from '../events/webhook-event-base';
import { aliasPatternSource } from '../events/webhook-event.decorator';
import { WebhookEventCatalogue } from '../events/webhook-event-catalogue';
import { WebhookEventResolver } from '../events/webhook-event-resolver';
import { HOOKWORK_VERSION } from '../runtime/version';
import type { DeepReadonly, HookworkSettings, PayloadType } from '../settings/settings';
import { setOwn } from '../runtime/own-property';

/** What {@link createCatalogueDocument} reads of an app; the app object (`Hookwork`) is one. */
export interface CatalogueSource {
  /** The app's container, from which each event is built as a dispatch builds it. */
  readonly container: DependencyContainer;
  /** The app's settings (the payload type and header names shape the document). */
  readonly settings: DeepReadonly<HookworkSettings>;
  /** The app's lifecycle state: the document is made from the events a started app built. */
  readonly state: string;
}

/** Options of {@link createCatalogueDocument}. */
export interface CatalogueDocumentOptions {
  /** `info.title`. Default: `Webhooks`. */
  title?: string;
  /** `info.version`: the version of your app's webhooks. Default: hookwork's version. */
  version?: string;
  /** `info.description`. Default: a paragraph on signing, retries and formats. */
  description?: string;
}

const CATALOGUE_OPTIONS = ['title', 'version', 'description'] as const;

/**
 * Refuses options the document cannot take: `{ title: 5, version: {} }` made an OpenAPI document
 * that is not valid (info.title and info.version are strings), and `{ titel }` was ignored.
 */
function checkCatalogueOptions(options: unknown): void {
  if (options === undefined) return;
  if (!isPlainObject(options)) {
    throw new HookworkError('HOOKWORK_ERR_INVALID_ARGUMENT', `catalogueDocument(): options must be a plain object such as { title: 'Acme webhooks', version: '2.1.0' }; got ${options !== null && typeof options === 'object' ? objectKind(options) : shownValue(options)}`);
  }
  const unknown = unknownOption(Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)), CATALOGUE_OPTIONS);
  if (unknown) throw new HookworkError('HOOKWORK_ERR_INVALID_ARGUMENT', `catalogueDocument(): ${unknown.text}`);
  for (const key of CATALOGUE_OPTIONS) {
    const value = options[key];
    if (value !== undefined && (typeof value !== 'string' || (value === '' && key !== 'description'))) {
      throw new HookworkError('HOOKWORK_ERR_INVALID_ARGUMENT', `catalogueDocument(): ${key} must be a ${key === 'description' ? '' : 'non-empty '}string (it is the OpenAPI document's info.${key}); got ${shownValue(value)}`);
    }
  }
}

/** What `x-hookwork-event` of each webhook entry holds: the composed event, as `app.events()` lists it. */
export interface CatalogueEventInfo {
  /** The alias webhooks subscribe to. */
  alias: string;
  /** The display name. */
  eventName: string;
  /** The group (`Content`, `Media`, `Member`, `Other`, or a plugin's own). */
  eventType: string;
  /** Other spellings a webhook may subscribe with; the event header then carries that spelling. */
  synonyms: string[];
  /** Name-spaced variants (`collections.save.after.*`); the event header then carries the variant. */
  patterns: string[];
  /** The payload shape this app sends for the event. */
  payloadType: PayloadType;
  /** False when the event does not describe its payload: the schema is `{}` (any JSON). */
  described: boolean;
}

/**
 * An OpenAPI 3.1 document (a plain JSON object) describing the requests an app sends: one
 * `webhooks` entry per composed event, keyed by its alias.
 */
export interface CatalogueDocument {
  /** The OpenAPI version. */
  openapi: '3.1.0';
  /** Title, version and description (see CatalogueDocumentOptions). */
  info: { title: string; version: string; description: string };
  /** One tag per event type. */
  tags: { name: string; description: string }[];
  /** One entry per composed event, keyed by its alias. */
  webhooks: Record<string, { post: CatalogueOperation }>;
  /** The payload schemas (`payload.<alias>`) and the shared header parameters. */
  components: { schemas: Record<string, JsonSchema>; parameters: Record<string, JsonSchema> };
}

/** One webhook entry's operation. */
export interface CatalogueOperation {
  /** Unique in the document, derived from the alias. */
  operationId: string;
  /** The event's display name. */
  summary: string;
  /** What fires it, the payload shape and the headers it comes with. */
  description: string;
  /** Its event type. */
  tags: string[];
  /** The composed event as `app.events()` lists it. */
  'x-hookwork-event': CatalogueEventInfo;
  /** The headers each request carries (event, retry count, Standard Webhooks). */
  parameters: JsonSchema[];
  /** The body: the payload's JSON Schema (`{}` when undescribed), or its CloudEvent envelope. */
  requestBody: JsonSchema;
  /** What the sender makes of the receiver's answer (2xx delivered, others retried). */
  responses: Record<string, JsonSchema>;
}

const OPENAPI_COMPONENT_KEY = /[^A-Za-z0-9._-]/g;

/** The prefix of every payload schema's key under `components.schemas`. */
export const CATALOGUE_PAYLOAD_PREFIX = 'payload.';

/**
 * The app's typed catalogue: an OpenAPI 3.1 document whose `webhooks` section has one entry per
 * composed event, in collection order, keyed by the alias — its display name (`summary`), type
 * (`tags`), the headers hookwork sends (Standard Webhooks' `webhook-id`, `-timestamp` and
 * `-signature`; the event and retry-count headers under the app's configured names; `user-agent`;
 * `hookwork-test`; and the CloudEvents `ce-*` headers of a binary-mode webhook) and the request
 * body: `application/json` with the payload's JSON Schema in the app's payload shape (from the
 * event's describePayload(); `{}`, any JSON, when it describes none), and
 * `application/cloudevents+json`, the structured CloudEvents envelope whose `data` is that
 * payload. Payload schemas live under `components.schemas` (`payload.<alias>`), so each is
 * written once. `x-hookwork-event` holds the alias, synonyms, patterns and payload shape for
 * generators (`hookwork-types` of `@hookwork/receiver`).
 *
 * Served by the admin API and written by `npx hookwork catalogue`. The same app gives the same
 * document (no timestamps), so it can be committed and diffed.
 *
 * @throws HookworkError HOOKWORK_ERR_APP_NOT_STARTED before `start()` (the document is made from
 * the events as the app builds them, with their injected services); HOOKWORK_ERR_INVALID_PAYLOAD_SCHEMA
 * when an event's describePayload() throws or returns something that is not a JSON Schema object
 * (start() refuses such an event already; the payload type may have changed since).
 */
export function createCatalogueDocument(app: CatalogueSource, options: CatalogueDocumentOptions = {}): CatalogueDocument {
  return catalogueDocumentOf(app, readOrRefuse(options, (path, problem) => new HookworkError('HOOKWORK_ERR_INVALID_ARGUMENT', `catalogueDocument() options${path ? `.${path}` : ''} ${problem}`)));
}

/** {@link createCatalogueDocument} once its options are read into a plain copy. */
function catalogueDocumentOf(app: CatalogueSource, options: CatalogueDocumentOptions): CatalogueDocument {
  checkCatalogueOptions(options);
  if (app.state !== 'started') {
    throw new HookworkError('HOOKWORK_ERR_APP_NOT_STARTED', `createCatalogueDocument() builds each composed event as a dispatch would; await app.start() first (the app is ${app.state})`);
  }
  const settings = app.settings;
  const catalogue = app.container.resolve(WebhookEventCatalogue);
  const resolver = app.container.resolve(WebhookEventResolver);
  const document: CatalogueDocument = {
    openapi: '3.1.0',
    info: { title: options.title ?? 'Webhooks', version: options.version ?? HOOKWORK_VERSION, description: options.description ?? defaultDescription(settings) },
    tags: [],
    webhooks: {},
    components: { schemas: {}, parameters: sharedParameters(settings) },
  };
  const tags = new Set<string>();
  const keys = new Set<string>();
  for (const descriptor of catalogue.list()) {
    const entry = catalogue.entryFor(descriptor.alias)!;
    const event = resolver.instantiate(entry);
    const payloadType = payloadTypeOf(entry.options, settings);
    const schema = describeEventPayload(event, payloadType);
    const key = uniqueKey(`${CATALOGUE_PAYLOAD_PREFIX}${descriptor.alias}`.replace(OPENAPI_COMPONENT_KEY, '_'), keys);
    document.components.schemas[key] = schema ?? { description: 'Any JSON: the event does not describe its payload.' };
    tags.add(descriptor.eventType);
    const info: CatalogueEventInfo = {
      alias: descriptor.alias,
      eventName: descriptor.eventName,
      eventType: descriptor.eventType,
      synonyms: [...descriptor.synonyms],
      patterns: [...descriptor.patterns],
      payloadType,
      described: schema !== undefined,
    };
    // setOwn: an event whose alias is `__proto__` is listed like any other (assignment dropped it).
    setOwn(document.webhooks as Record<string, unknown>, descriptor.alias, { post: operation(info, key, settings) });
  }
  document.tags = [...tags].map((name) => ({ name, description: `${name} events.` }));
  return document;
}

function uniqueKey(key: string, taken: Set<string>): string {
  let candidate = key;
  for (let n = 2; taken.has(candidate); n++) candidate = `${key}_${n}`;
  taken.add(candidate);
  return candidate;
}

const ref = (name: string) => ({ $ref: `#/components/parameters/${name}` });

function sharedParameters(settings: DeepReadonly<HookworkSettings>): Record<string, JsonSchema> {
  const header = (name: string, required: boolean, description: string, schema: JsonSchema) => ({ name, in: 'header', required, description, schema });
  return {
    webhookId: header(SIGNATURE_HEADERS.id, true, 'Standard Webhooks message id (`msg_…`): the same on every retry and redelivery of one request; deduplicate by it.', { type: 'string' }),
    webhookTimestamp: header(SIGNATURE_HEADERS.timestamp, true, 'Standard Webhooks timestamp: Unix seconds when this attempt was signed.', { type: 'string', pattern: '^[0-9]+$' }),
    webhookSignature: header(
      SIGNATURE_HEADERS.signature,
      false,
      'Standard Webhooks signature: space-separated `v1,<base64 HMAC-SHA256 of id.timestamp.body>`, one per active secret; present when the webhook has a signing secret.',
      { type: 'string' },
    ),
    retryCount: header(settings.headers.retryCount, true, 'Retries before this attempt (0 on the first).', { type: 'string', pattern: '^[0-9]+$' }),
    userAgent: header('user-agent', true, 'The sender.', { type: 'string', examples: [settings.headers.userAgent] }),
    test: header(TEST_EVENT_HEADER, false, '`true` on a test send: the body is an example, not a real change. Absent on real deliveries.', { type: 'string', enum: ['true'] }),
    ceSpecVersion: header('ce-specversion', false, `CloudEvents binary mode only: \`${CLOUD_EVENTS_SPEC_VERSION}\`.`, { type: 'string', enum: [CLOUD_EVENTS_SPEC_VERSION] }),
    ceId: header('ce-id', false, 'CloudEvents binary mode only: the `webhook-id`.', { type: 'string' }),
    ceSource: header('ce-source', false, "CloudEvents binary mode only: the webhook's configured source (a URI-reference).", { type: 'string' }),
    ceType: header('ce-type', false, 'CloudEvents binary mode only: the event alias.', { type: 'string' }),
    ceTime: header('ce-time', false, 'CloudEvents binary mode only: when the event was published (RFC 3339).', { type: 'string' }),
    ceSubject: header('ce-subject', false, "CloudEvents binary mode only: the webhook's configured subject, when it has one.", { type: 'string' }),
  };
}

function operation(info: CatalogueEventInfo, schemaKey: string, settings: DeepReadonly<HookworkSettings>): CatalogueOperation {
  const payload = { $ref: `#/components/schemas/${schemaKey}` };
  const spellings = [info.alias, ...info.synonyms];
  const aliasSchema: JsonSchema =
    info.patterns.length === 0 ? { type: 'string', enum: spellings } : { type: 'string', anyOf: [{ enum: spellings }, ...info.patterns.map((p) => ({ pattern: aliasPatternSource(p) }))] };
  const variants = [info.synonyms.length > 0 ? `synonyms: ${info.synonyms.join(', ')}` : '', info.patterns.length > 0 ? `name-spaced variants: ${info.patterns.join(', ')}` : ''].filter(Boolean).join('; ');
  return {
    operationId: info.alias,
    summary: info.eventName,
    description: `${info.eventName} (\`${info.alias}\`, ${info.eventType})${variants ? `; ${variants}` : ''}. Payload shape: ${info.payloadType}${info.described ? '' : ' (not described: any JSON)'}.`,
    tags: [info.eventType],
    'x-hookwork-event': info,
    parameters: [
      { name: settings.headers.event, in: 'header', required: true, description: 'The event alias, as the webhook subscribed to it.', schema: aliasSchema },
      ref('retryCount'),
      ref('webhookId'),
      ref('webhookTimestamp'),
      ref('webhookSignature'),
      ref('userAgent'),
      ref('test'),
      ref('ceSpecVersion'),
      ref('ceId'),
      ref('ceSource'),
      ref('ceType'),
      ref('ceTime'),
      ref('ceSubject'),
    ],
    requestBody: {
      required: true,
      description: "The payload: the body as it is (the default format, and CloudEvents binary mode), or inside a structured CloudEvents envelope, per the webhook's format.",
      content: {
        'application/json': { schema: payload },
        [CLOUD_EVENTS_CONTENT_TYPE]: { schema: cloudEventEnvelope(spellings, info.patterns, payload) },
      },
    },
    responses: {
      '2XX': { description: 'Received. Any other answer, or none within the timeout, is retried with backoff (410 Gone disables the webhook instead).' },
    },
  };
}

function cloudEventEnvelope(spellings: string[], patterns: readonly string[], data: JsonSchema): JsonSchema {
  return {
    type: 'object',
    description: 'A CloudEvents 1.0 event in structured mode (JSON event format).',
    required: ['specversion', 'id', 'source', 'type', 'time', 'datacontenttype', 'data'],
    additionalProperties: false,
    properties: {
      specversion: { const: CLOUD_EVENTS_SPEC_VERSION },
      id: { type: 'string', description: 'The `webhook-id`.' },
      source: { type: 'string', description: "The webhook's configured source (a URI-reference)." },
      type: patterns.length === 0 ? { enum: spellings } : { type: 'string', anyOf: [{ enum: spellings }, ...patterns.map((p) => ({ pattern: aliasPatternSource(p) }))] },
      subject: { type: 'string', description: "The webhook's configured subject, when it has one." },
      time: { type: 'string', description: 'When the event was published (RFC 3339).' },
      datacontenttype: { const: 'application/json' },
      data,
    },
  };
}

function defaultDescription(settings: DeepReadonly<HookworkSettings>): string {
  return [
    'The webhooks this app sends: one entry per event, keyed by its alias.',
    `Each request is a POST with the event alias in \`${settings.headers.event}\` and the retry count in \`${settings.headers.retryCount}\`,`,
    'signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`) when the webhook has a secret.',
    'A webhook may use the CloudEvents 1.0 format instead of the plain body: structured (`application/cloudevents+json`) or binary (`ce-*` headers).',
  ].join(' ');
}
