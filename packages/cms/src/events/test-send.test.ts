import Ajv from 'ajv';
import { createHookwork, getWebhookEventMetadata, TEST_EVENT_HEADER, WebhookEvent, WebhookEventBase, WebhookEventCatalogue, WebhookEventTypes, type Composer, type Hookwork, type PayloadContext, type PayloadType } from '@hookwork/core';
import { startTestReceiver, type TestReceiver } from '@hookwork/core/testing';
import { cmsComposer, ContentPublishedNotification, ContentPublishedWebhookEvent, defineCmsEvent, getCmsPayloadSchema, type CmsContent, type PayloadConverter } from '../index';
import { CMS_EXAMPLE_DOCUMENT_TYPE, createCmsExampleNotification } from './example-notifications';

// Test sends of CMS webhooks carry the body a real notification sends, over real HTTP.

const ajv = new Ajv({ strict: true, allErrors: true });
const running: Hookwork[] = [];
let receiver: TestReceiver;

beforeEach(async () => {
  receiver = await startTestReceiver();
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.stop()));
  await receiver.close();
});

async function start(composers: Composer[]): Promise<Hookwork> {
  const app = createHookwork({ composers, settings: { ssrf: { allow: ['127.0.0.1'] } } });
  running.push(app);
  await app.start();
  return app;
}

describe('sendTestEvent on CMS webhooks', () => {
  it.each<PayloadType>(['Minimal', 'Extended', 'Legacy'])('sends what a real Content Published sends in the %s shape, valid against its schema, marked only by the header', async (payloadType) => {
    const app = await start([cmsComposer({ payloadType })]);
    const hook = await app.webhooks.create({ url: receiver.url, events: ['Umbraco.ContentPublish'] });
    const result = await app.sendTestEvent(hook.key);
    expect(result).toMatchObject({ ok: true, statusCode: 200, payload: 'example' });
    await app.publish(createCmsExampleNotification('Umbraco.ContentPublish')!);
    const [test, real] = await receiver.waitFor(2);
    const validate = ajv.compile(getCmsPayloadSchema('Umbraco.ContentPublish', payloadType));
    expect({ valid: validate(JSON.parse(test!.text)), errors: validate.errors ?? null }).toEqual({ valid: true, errors: null });
    expect(test!.text).toBe(real!.text);
    expect(test!.headers[TEST_EVENT_HEADER]).toBe('true');
    expect(real!.headers[TEST_EVENT_HEADER]).toBeUndefined();
    await app.drain();
    expect((await app.logs(hook.key)).items.map((e) => e.outcome).sort()).toEqual(['delivered', 'test']);
  });

  it('gives every one of the 87 events an example of its own notification, whose test send is valid against the event’s schema', async () => {
    const app = await start([cmsComposer({ events: 'all' })]);
    const aliases = app.events().map((e) => e.alias);
    expect(aliases).toHaveLength(87);
    const catalogue = app.container.resolve(WebhookEventCatalogue);
    const hook = await app.webhooks.create({ url: receiver.url, events: aliases });
    for (const alias of aliases) {
      const event = app.container.resolve(catalogue.entryFor(alias)!.type as unknown as new () => WebhookEventBase);
      const example = await event.createExampleNotification({ webhook: hook, alias });
      expect({ alias, isOwnNotification: example instanceof getWebhookEventMetadata(event.constructor)!.notification }).toEqual({ alias, isOwnNotification: true });
      expect({ alias, payload: (await app.sendTestEvent(hook.key, { alias })).payload }).toEqual({ alias, payload: 'example' });
    }
    const received = await receiver.waitFor(87);
    for (const request of received) {
      const alias = request.headers['hookwork-event'] as string;
      const validate = ajv.compile(getCmsPayloadSchema(alias, 'Minimal'));
      expect({ alias, valid: validate(JSON.parse(request.text)), errors: validate.errors ?? null }).toEqual({ alias, valid: true, errors: null });
    }
    expect(new Set(received.map((r) => r.headers['hookwork-event']))).toEqual(new Set(aliases));
  });

  it('tests a webhook filtered to other content types with the example anyway, rather than sending nothing', async () => {
    const app = await start([cmsComposer()]);
    const hook = await app.webhooks.create({ url: receiver.url, events: ['Umbraco.ContentPublish'], contentTypeKeys: ['ct-landing-page'] });
    expect((await app.sendTestEvent(hook.key)).payload).toBe('example');
    const [request] = await receiver.waitFor(1);
    const example = createCmsExampleNotification('Umbraco.ContentPublish') as ContentPublishedNotification;
    expect(example.publishedEntities[0]!.contentType.key).toBe(CMS_EXAMPLE_DOCUMENT_TYPE.key);
    expect(JSON.parse(request!.text)).toMatchObject({ id: example.publishedEntities[0]!.key });
  });

  it('gives a host’s replacement the example too, through the replacement’s own converter', async () => {
    @WebhookEvent('Content Published', WebhookEventTypes.Content)
    class MyContentPublishedWebhookEvent extends ContentPublishedWebhookEvent {
      override convertEntityToRequestPayload(entity: CmsContent, context: PayloadContext): unknown {
        return { myData: 'Your data', publishedContent: super.convertEntityToRequestPayload(entity, context) };
      }
    }
    const replace: Composer = { name: 'host', compose: (b) => void b.webhookEvents().replace(ContentPublishedWebhookEvent, MyContentPublishedWebhookEvent) };
    const app = await start([cmsComposer(), replace]);
    const hook = await app.webhooks.create({ url: receiver.url, events: ['Umbraco.ContentPublish'] });
    await app.sendTestEvent(hook.key);
    const [request] = await receiver.waitFor(1);
    expect(JSON.parse(request!.text)).toMatchObject({ myData: 'Your data', publishedContent: { id: 'c1922956-7855-4fa0-8f2c-7af149a92135' } });
  });

  it('lets a plugin’s own defineCmsEvent event set its example, and sends the generic body for one without', async () => {
    class BackupCompleted {
      constructor(readonly file: string) {}
    }
    const converter: PayloadConverter<BackupCompleted> = { convert: (n) => ({ file: n.file }), schema: { type: 'object' } };
    const payload = { Minimal: converter, Extended: converter, Legacy: converter };
    const common = { kind: 'notification', type: WebhookEventTypes.Other, notification: BackupCompleted, payload } as const;
    const WithExample = defineCmsEvent({ ...common, className: 'BackupCompletedWebhookEvent', name: 'Backup Completed', alias: 'acme.backupCompleted', example: () => new BackupCompleted('/backups/2024-05-06.zip') });
    const WithoutExample = defineCmsEvent({ ...common, className: 'BackupStartedWebhookEvent', name: 'Backup Started', alias: 'acme.backupStarted' });
    const app = await start([{ name: 'acme', compose: (b) => void b.webhookEvents().add(WithExample, WithoutExample) }]);
    const hook = await app.webhooks.create({ url: receiver.url, events: ['acme.backupCompleted', 'acme.backupStarted'] });
    expect((await app.sendTestEvent(hook.key, { alias: 'acme.backupCompleted' })).payload).toBe('example');
    expect((await app.sendTestEvent(hook.key, { alias: 'acme.backupStarted' })).payload).toBe('generic');
    const [withExample, without] = await receiver.waitFor(2);
    expect(JSON.parse(withExample!.text)).toEqual({ file: '/backups/2024-05-06.zip' });
    expect(JSON.parse(without!.text)).toMatchObject({ event: 'acme.backupStarted', test: true });
  });
});
