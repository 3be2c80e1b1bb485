import { validate } from '@readme/openapi-parser';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import { createHookwork, createCatalogueDocument, WebhookEvent, type CatalogueDocument, type Hookwork, type JsonSchema, type PayloadType } from '@hookwork/core';
import { startTestReceiver, type TestReceiver } from '@hookwork/core/testing';
import { cmsComposer, cmsPayloadSchemas, ContentPublishedWebhookEvent, ContentSavedWebhookEvent, type CmsContent } from '@hookwork/cms';
import { cockpitComposer } from '@hookwork/plugin-cockpit';

// The typed catalogue of an app with every CMS event and every Cockpit event, checked two ways:
// the document is valid OpenAPI 3.1 (@readme/openapi-parser), and what really arrives at a
// receiver — each event's test send, built from its example notification through the same
// conversion as a dispatch — validates against the event's schema in the document.

/** A host's replacement that changes the payload and says so. */
@WebhookEvent('Content Published', 'Content')
class SlimContentPublished extends ContentPublishedWebhookEvent {
  override convertEntityToRequestPayload(entity: CmsContent) {
    return { key: entity.key };
  }

  override describePayload(): JsonSchema {
    return { type: 'object', additionalProperties: false, required: ['key'], properties: { key: { type: 'string' } } };
  }
}

/** A host's replacement that changes the payload without describing it. */
@WebhookEvent('Content Saved', 'Content')
class UndescribedContentSaved extends ContentSavedWebhookEvent {
  override convertEntityToRequestPayload(entity: CmsContent) {
    return { saved: entity.key };
  }
}

async function startApp(payloadType: PayloadType, replace = false): Promise<Hookwork> {
  const app = createHookwork({
    settings: { payloadType, ssrf: { allow: ['127.0.0.1'] } },
    composers: [
      cmsComposer({ events: 'all' }),
      cockpitComposer(),
      {
        compose(builder) {
          builder.webhookEvents().addCockpit();
          if (replace) builder.webhookEvents().replace(ContentPublishedWebhookEvent, SlimContentPublished).replace(ContentSavedWebhookEvent, UndescribedContentSaved);
        },
      },
    ],
  });
  await app.start();
  return app;
}

function schemaOf(document: CatalogueDocument, alias: string): JsonSchema {
  const ref = (document.webhooks[alias]!.post.requestBody.content as Record<string, { schema: { $ref: string } }>)['application/json']!.schema.$ref;
  return document.components.schemas[ref.replace('#/components/schemas/', '')]!;
}

describe('the catalogue of the CMS and Cockpit events', () => {
  let receiver: TestReceiver;
  let app: Hookwork | undefined;
  beforeAll(async () => {
    receiver = await startTestReceiver();
  });
  afterEach(async () => {
    await app?.stop();
    app = undefined;
  });
  afterAll(() => receiver.close());

  it.each<PayloadType>(['Minimal', 'Extended', 'Legacy'])('%s: valid OpenAPI 3.1, one entry per composed event, and every example that arrives fits its schema', async (payloadType) => {
    app = await startApp(payloadType);
    const document = createCatalogueDocument(app);
    await expect(validate(structuredClone(document) as never)).resolves.toMatchObject({ valid: true });
    const aliases = app.events().map((e) => e.alias);
    expect(Object.keys(document.webhooks)).toEqual(aliases);
    const cmsAliases = new Set(Object.keys(cmsPayloadSchemas()));
    expect(cmsAliases.size).toBe(87);
    expect(aliases.filter((a) => cmsAliases.has(a))).toHaveLength(87);
    expect(aliases.length).toBeGreaterThan(87);
    expect(Object.values(document.webhooks).every(({ post }) => post['x-hookwork-event'].described)).toBe(true);
    expect(document.webhooks['Umbraco.ContentPublish']!.post['x-hookwork-event'].payloadType).toBe(payloadType);

    const { key } = await app.webhooks.create({ url: receiver.url, events: aliases });
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    const checked: string[] = [];
    for (const alias of aliases) {
      const sent = receiver.requests.length;
      const result = await app.sendTestEvent(key, { alias });
      expect(result).toMatchObject({ ok: true });
      if (result.payload !== 'example') continue; // hookwork's generic test body: the event has no example
      const [request] = (await receiver.waitFor(sent + 1)).slice(sent);
      const check: ValidateFunction = ajv.compile(schemaOf(document, alias));
      if (!check(JSON.parse(request!.text))) throw new Error(`${alias} (${payloadType}) sent a body its schema refuses: ${ajv.errorsText(check.errors)}\n${request!.text}`);
      checked.push(alias);
    }
    // Every CMS event has an example; the Cockpit events with arguments Cockpit documents do.
    expect(checked.filter((a) => cmsAliases.has(a))).toHaveLength(87);
    expect(checked).toEqual(expect.arrayContaining(['collections.save.after', 'singleton.saveData.after', 'forms.save.after', 'cockpit.media.upload', 'cockpit.bootstrap']));
  });

  it("a host's replaced converter: its own schema when it describes it, any JSON when it does not", async () => {
    app = await startApp('Minimal', true);
    const document = createCatalogueDocument(app);
    expect(document.webhooks['Umbraco.ContentPublish']!.post['x-hookwork-event'].described).toBe(true);
    expect(schemaOf(document, 'Umbraco.ContentPublish')).toMatchObject({ required: ['key'] });
    expect(document.webhooks['Umbraco.ContentSaved']!.post['x-hookwork-event'].described).toBe(false);
    expect(schemaOf(document, 'Umbraco.ContentSaved')).toEqual({ description: 'Any JSON: the event does not describe its payload.' });
    // The events the host did not touch keep the catalogue's schema.
    expect(schemaOf(document, 'Umbraco.ContentDelete')).toMatchObject({ title: 'Umbraco.ContentDelete (Minimal)' });
  });
});
