import { validate } from '@readme/openapi-parser';
import Ajv2020 from 'ajv/dist/2020';
import { inject } from 'tsyringe';
import { createHookwork } from '../composition/create-hookwork';
import type { Hookwork } from '../composition/hookwork-app';
import { isHookworkError } from '../errors/hookwork-error';
import type { JsonSchema, PayloadDescriptionContext } from '../events/payload-description';
import { WebhookEventBase } from '../events/webhook-event-base';
import { WebhookEventDependencies } from '../events/webhook-event-dependencies';
import { WebhookEvent } from '../events/webhook-event.decorator';
import { WebhookEventTypes } from '../events/webhook-event-types';
import { createToken } from '../runtime/tokens';
import { createCatalogueDocument, type CatalogueDocument } from './catalogue-document';

// The typed catalogue of an app composed of a plugin's own events (core only; the CMS and Cockpit
// catalogues are checked in test/catalogue): validated as OpenAPI 3.1 by @readme/openapi-parser.

class OrderPlaced {
  constructor(readonly id: string, readonly total: number) {}
}

/** A host service the event injects: the catalogue builds events as a dispatch does. */
const CurrencyToken = createToken<{ code: string }>('test.Currency');

@WebhookEvent('Order Placed', 'Commerce', { alias: 'shop.orderPlaced', notification: OrderPlaced, synonyms: ['OrderPlaced'] })
class OrderPlacedEvent extends WebhookEventBase<OrderPlaced> {
  constructor(deps: WebhookEventDependencies, @inject(CurrencyToken) private readonly currency: { code: string }) {
    super(deps);
  }

  override convertNotificationToRequestPayload(notification: OrderPlaced) {
    return { id: notification.id, total: notification.total, currency: this.currency.code, shape: this.payloadType };
  }

  override describePayload({ payloadType }: PayloadDescriptionContext): JsonSchema {
    return {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'total', 'currency', 'shape'],
      properties: { id: { type: 'string' }, total: { type: 'number' }, currency: { const: this.currency.code }, shape: { const: payloadType } },
    };
  }
}

class EntrySaved {
  constructor(readonly collection: string) {}
}

/** Name-spaced like Cockpit's events, and without a description of its payload. */
@WebhookEvent('Entry Saved', WebhookEventTypes.Content, { alias: 'entry.saved', notification: EntrySaved, patterns: ['entry.saved.*'] })
class EntrySavedEvent extends WebhookEventBase<EntrySaved> {
  override getAliasesForNotification(notification: EntrySaved): readonly string[] {
    return [this.alias, `${this.alias}.${notification.collection}`];
  }
}

class Broken {}

@WebhookEvent('Broken', WebhookEventTypes.Other, { alias: 'broken', notification: Broken })
class NullSchemaEvent extends WebhookEventBase<Broken> {
  override describePayload(): JsonSchema {
    return null as unknown as JsonSchema;
  }
}

@WebhookEvent('Throwing', WebhookEventTypes.Other, { alias: 'throwing', notification: Broken })
class ThrowingSchemaEvent extends WebhookEventBase<Broken> {
  override describePayload(_context: PayloadDescriptionContext): JsonSchema {
    throw new Error('no schema today');
  }
}

@WebhookEvent('Mistyped', WebhookEventTypes.Other, { alias: 'mistyped', notification: Broken })
class MistypedSchemaEvent extends WebhookEventBase<Broken> {
  override describePayload(): JsonSchema {
    return { type: 'object', required: 'id', properties: { id: { type: 'strng' } } };
  }
}

@WebhookEvent('Big', WebhookEventTypes.Other, { alias: 'big', notification: Broken })
class BigIntSchemaEvent extends WebhookEventBase<Broken> {
  override describePayload(): JsonSchema {
    return { type: 'integer', maximum: 10n };
  }
}

@WebhookEvent('Misspelt', WebhookEventTypes.Other, { alias: 'misspelt', notification: Broken })
class MisspeltKeywordEvent extends WebhookEventBase<Broken> {
  override describePayload(): JsonSchema {
    // Valid JSON Schema (unknown keys are ignored), so the meta-schema passes it: `minlength` says nothing.
    return { type: 'object', properties: { tags: { type: 'array', items: { type: 'string', minlength: 1 } }, 'x-internal': { type: 'string' } }, 'x-owner': 'shop team' };
  }
}

/** An event whose describePayload() returns `schema`, one class per schema. */
function refusing(schema: JsonSchema): typeof EntrySavedEvent {
  @WebhookEvent('Refusing', WebhookEventTypes.Other, { alias: 'refusing', notification: Broken })
  class RefusingEvent extends WebhookEventBase<Broken> {
    override describePayload(): JsonSchema {
      return schema;
    }
  }
  return RefusingEvent as unknown as typeof EntrySavedEvent;
}

/** Names and data may hold what a schema may not: a property called `$ref`, `tsType` in an example. */
@WebhookEvent('Names as keys', WebhookEventTypes.Other, { alias: 'namesAsKeys', notification: Broken })
class NamesAsKeysEvent extends WebhookEventBase<Broken> {
  override describePayload(): JsonSchema {
    return { type: 'object', properties: { $ref: { type: 'string' }, tsType: { type: 'string', enum: ['tsType'] }, $id: { const: { $ref: 'x' } } }, examples: [{ $ref: 'a', tsType: 'b' }] };
  }
}

/** Describes the Minimal shape only: fine at start(), broken once the app sends Legacy. */
@WebhookEvent('Minimal only', WebhookEventTypes.Other, { alias: 'minimalOnly', notification: Broken })
class MinimalOnlySchemaEvent extends WebhookEventBase<Broken> {
  override describePayload({ payloadType }: PayloadDescriptionContext): JsonSchema {
    if (payloadType !== 'Minimal') throw new Error(`no ${payloadType} schema`);
    return { type: 'object' };
  }
}

async function startApp(events: Function[], settings: Parameters<typeof createHookwork>[0] = {}): Promise<Hookwork> {
  const app = createHookwork({
    ...settings,
    composers: [
      {
        compose(builder) {
          builder.services.registerInstance(CurrencyToken, { code: 'EUR' });
          const collection = builder.webhookEvents();
          for (const event of events) {
            if (event === OrderPlacedEvent) collection.addWithOptions({ payloadType: 'Extended' }, OrderPlacedEvent);
            else collection.add(event as typeof EntrySavedEvent);
          }
        },
      },
    ],
  });
  await app.start();
  return app;
}

describe('createCatalogueDocument()', () => {
  let app: Hookwork | undefined;
  afterEach(async () => {
    await app?.stop();
    app = undefined;
  });

  it('is a valid OpenAPI 3.1 document with one webhooks entry per composed event, in collection order', async () => {
    app = await startApp([OrderPlacedEvent, EntrySavedEvent], { settings: { headers: { style: 'umbraco' } } });
    const document = createCatalogueDocument(app, { title: 'Shop webhooks', version: '2.1.0' });

    // The parser validates against the OpenAPI 3.1 schema and resolves every $ref; it mutates what it is given.
    await expect(validate(structuredClone(document) as never)).resolves.toMatchObject({ valid: true });
    expect(document.openapi).toBe('3.1.0');
    expect(document.info).toMatchObject({ title: 'Shop webhooks', version: '2.1.0' });
    expect(Object.keys(document.webhooks)).toEqual(['shop.orderPlaced', 'entry.saved']);
    expect(document.tags.map((t) => t.name)).toEqual(['Commerce', 'Content']);

    const order = document.webhooks['shop.orderPlaced']!.post;
    expect(order).toMatchObject({ operationId: 'shop.orderPlaced', summary: 'Order Placed', tags: ['Commerce'] });
    expect(order['x-hookwork-event']).toEqual({ alias: 'shop.orderPlaced', eventName: 'Order Placed', eventType: 'Commerce', synonyms: ['OrderPlaced'], patterns: [], payloadType: 'Extended', described: true });
    // The app's header names (Umbraco's style here) and the alias with its synonym.
    expect(order.parameters[0]).toMatchObject({ name: 'umb-webhook-event', in: 'header', required: true, schema: { enum: ['shop.orderPlaced', 'OrderPlaced'] } });
    expect(document.components.parameters.retryCount).toMatchObject({ name: 'umb-webhook-retrycount', required: true });
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature', 'user-agent', 'hookwork-test', 'ce-id', 'ce-type']) {
      expect(Object.values(document.components.parameters).map((p) => p.name)).toContain(name);
    }
    expect(order.requestBody).toMatchObject({ content: { 'application/json': { schema: { $ref: '#/components/schemas/payload.shop.orderPlaced' } } } });
    // The event was built with its injected service and its composed payload shape.
    expect(document.components.schemas['payload.shop.orderPlaced']).toMatchObject({ properties: { currency: { const: 'EUR' }, shape: { const: 'Extended' } } });
  });

  it('lists events whose aliases are Object member names, __proto__ too (assigned, that entry was dropped)', async () => {
    class Odd {}
    @WebhookEvent('Proto', WebhookEventTypes.Other, { alias: '__proto__', notification: Odd })
    class ProtoEvent extends WebhookEventBase<Odd> {}
    class Odd2 {}
    @WebhookEvent('Constructor', WebhookEventTypes.Other, { alias: 'constructor', notification: Odd2 })
    class ConstructorEvent extends WebhookEventBase<Odd2> {}
    app = await startApp([ProtoEvent, ConstructorEvent]);
    const document = createCatalogueDocument(app);
    expect(Object.keys(document.webhooks)).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(document.webhooks)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(document)).webhooks['__proto__'].post.operationId).toBe('__proto__');
  });

  it('says "any JSON" for an event that does not describe its payload, and types name-spaced variants by pattern', async () => {
    app = await startApp([EntrySavedEvent]);
    const document = createCatalogueDocument(app);
    const entry = document.webhooks['entry.saved']!.post;
    expect(entry['x-hookwork-event']).toMatchObject({ patterns: ['entry.saved.*'], payloadType: 'Minimal', described: false });
    expect(entry.description).toContain('any JSON');
    expect(entry.parameters[0]).toMatchObject({ name: 'hookwork-event' });
    const ajv = new Ajv2020({ strict: true });
    const aliasSchema = ajv.compile((entry.parameters[0] as { schema: object }).schema);
    expect(['entry.saved', 'entry.saved.posts'].map((a) => aliasSchema(a))).toEqual([true, true]);
    expect(['entry.savedX', 'entry.saved.', 'other'].map((a) => aliasSchema(a))).toEqual([false, false, false]);
    const payload = ajv.compile(document.components.schemas['payload.entry.saved']!);
    expect([{ anything: 1 }, [1, 2], 'text', null].every((value) => payload(value))).toBe(true);
  });

  it("describes a payload the event really sends: the event's own request validates against its schema, in JSON and as a structured CloudEvent", async () => {
    app = await startApp([OrderPlacedEvent]);
    const document = createCatalogueDocument(app);
    const event = new OrderPlacedEvent(app.container.resolve(WebhookEventDependencies), { code: 'EUR' });
    event.eventOptions = { payloadType: 'Extended' };
    const payload = event.convertNotificationToRequestPayload(new OrderPlaced('o-1', 12.5));
    const ajv = new Ajv2020({ strict: true });
    const content = document.webhooks['shop.orderPlaced']!.post.requestBody.content as Record<string, { schema: JsonSchema }>;
    const json = ajv.compile(document.components.schemas['payload.shop.orderPlaced']!);
    expect(json(payload)).toBe(true);
    expect(json({ ...payload, currency: 'USD' })).toBe(false);
    // The envelope refers to the payload schema under components; ajv resolves it from $defs.
    const envelopeSchema = JSON.parse(JSON.stringify(content['application/cloudevents+json']!.schema).replaceAll('#/components/schemas/', '#/$defs/')) as JsonSchema;
    const envelope = ajv.compile({ ...envelopeSchema, $defs: document.components.schemas });
    const event1 = { specversion: '1.0', id: 'msg_1', source: '/shop', type: 'shop.orderPlaced', time: '2026-01-01T00:00:00.000Z', datacontenttype: 'application/json', data: payload };
    expect(envelope(event1)).toBe(true);
    expect(envelope({ ...event1, type: 'shop.other' })).toBe(false);
  });

  it('gives the same document for the same app (no timestamps), so it can be committed and diffed', async () => {
    app = await startApp([OrderPlacedEvent, EntrySavedEvent]);
    const first: CatalogueDocument = createCatalogueDocument(app);
    first.info.title = 'changed by the caller';
    expect(createCatalogueDocument(app)).toEqual({ ...first, info: { ...first.info, title: 'Webhooks' } });
  });

  it('is refused before start(), naming the fix', async () => {
    const created = createHookwork({ composers: [] });
    expect(() => createCatalogueDocument(created)).toThrow(/HOOKWORK_ERR_APP_NOT_STARTED: .*await app\.start\(\) first/);
  });

  it.each([
    [NullSchemaEvent, /NullSchemaEvent\.describePayload\(\) returned null for broken; return a JSON Schema object/],
    [ThrowingSchemaEvent, /ThrowingSchemaEvent\.describePayload\(\) threw for throwing: no schema today/],
    [MistypedSchemaEvent, /MistypedSchemaEvent\.describePayload\(\) returned an invalid JSON Schema for mistyped: schema\/properties\/id\/type must be equal to one of the allowed values.*schema\/required must be array/],
    [BigIntSchemaEvent, /BigIntSchemaEvent\.describePayload\(\) returned a schema for big that is not plain JSON: Do not know how to serialize a BigInt/],
    [MisspeltKeywordEvent, /MisspeltKeywordEvent\.describePayload\(\) returned a JSON Schema for misspelt with the key schema\.properties\.tags\.items\.minlength, which is no keyword \(did you mean `minLength`\?\)/],
    // Embedded in the document, '#/$defs/A' pointed nowhere (invalid OpenAPI), and a URL or a
    // file path sent receivers' tools to fetch or read it.
    [refusing({ $defs: { A: { type: 'string' } }, type: 'object', properties: { a: { $ref: '#/$defs/A' } } }), /RefusingEvent\.describePayload\(\) returned a JSON Schema for refusing with schema\.properties\.a\.\$ref: a reference; .*write the referred schema in place/],
    [refusing({ type: 'object', properties: { a: { anyOf: [{ type: 'null' }, { $ref: 'https://example.com/a.json' }] } } }), /with schema\.properties\.a\.anyOf\[1\]\.\$ref: a reference/],
    [refusing({ items: { $ref: '/etc/passwd' } }), /with schema\.items\.\$ref: a reference/],
    [refusing({ $dynamicRef: '#node' }), /with schema\.\$dynamicRef: a reference/],
    [refusing({ $id: 'https://example.com/order', type: 'object' }), /with schema\.\$id: a base URI for references/],
    [refusing({ type: 'object', properties: { a: { tsType: 'string }\nexport const pwn = 1;' } } }), /with schema\.properties\.a\.tsType: json-schema-to-typescript's raw-TypeScript keyword/],
    [refusing({ 'x-extra': { tsEnumNames: ['One'] } }), /with schema\["x-extra"\]\.tsEnumNames: json-schema-to-typescript's enum keyword/],
  ])('start() refuses %p with HOOKWORK_ERR_INVALID_PAYLOAD_SCHEMA, not the first catalogue request', async (type, message) => {
    const created = createHookwork({ composers: [{ compose: (builder) => void builder.webhookEvents().add(type as typeof EntrySavedEvent) }] });
    const error = await created.start().then(() => undefined, (caught: unknown) => caught);
    expect(isHookworkError(error, 'HOOKWORK_ERR_INVALID_PAYLOAD_SCHEMA')).toBe(true);
    expect((error as Error).message).toMatch(message);
    expect(created.state).toBe('created');
  });

  it('takes a property named $ref or tsType and such keys in examples and const: names and data, not keywords', async () => {
    app = await startApp([NamesAsKeysEvent]);
    expect(createCatalogueDocument(app).webhooks['namesAsKeys']).toBeDefined();
  });

  it('refuses an event that cannot describe the payload shape the app was switched to at run time', async () => {
    app = await startApp([MinimalOnlySchemaEvent]);
    expect(createCatalogueDocument(app).webhooks['minimalOnly']).toBeDefined();
    app.updateSettings({ payloadType: 'Legacy' });
    expect(() => createCatalogueDocument(app!)).toThrow(/HOOKWORK_ERR_INVALID_PAYLOAD_SCHEMA: MinimalOnlySchemaEvent\.describePayload\(\) threw for minimalOnly: no Legacy schema/);
  });

  it('is checked by a validator that does refuse a broken document', async () => {
    app = await startApp([OrderPlacedEvent]);
    const document = structuredClone(createCatalogueDocument(app)) as unknown as { webhooks: Record<string, { post: Record<string, unknown> }> };
    document.webhooks['shop.orderPlaced']!.post.requestBody = { content: { 'application/json': { schema: { $ref: '#/components/schemas/missing' } } } };
    await expect(validate(document as never)).resolves.toMatchObject({ valid: false });
  });
});
