import { injectable } from 'tsyringe';
import { WebhookEvent, WebhookEventTypes, WebhookEventDependencies, isHookworkError, type PayloadContext, type PayloadType } from '@hookwork/core';
import { ContentPublishedNotification, ContentPublishedWebhookEvent, cmsComposer, getCmsPayloadSchema, type CmsContent } from '../index';
import { composer, testApp } from '../test-support/apps';
import { exampleCmsContent as page } from './example-notifications';

/** A host service, as Umbraco's documented example injects a content cache and an API content builder. */
@injectable()
class PublishedContentCache {
  readonly calls: string[] = [];
  getById(key: string) {
    this.calls.push(key);
    return { key, cachedAt: 'warm' };
  }
}

/** Umbraco's documented custom event ("expanding webhook events"), in hookwork. */
@WebhookEvent('Content Published', WebhookEventTypes.Content)
class MyContentPublishedWebhookEvent extends ContentPublishedWebhookEvent {
  constructor(
    deps: WebhookEventDependencies,
    private readonly cache: PublishedContentCache,
  ) {
    super(deps);
  }

  override convertEntityToRequestPayload(entity: CmsContent, context: PayloadContext): unknown {
    const cached = this.cache.getById(entity.key);
    return { myData: `Your data (${cached.cachedAt})`, publishedContent: super.convertEntityToRequestPayload(entity, context) };
  }
}

describe('replacing a CMS event', () => {
  it.each<PayloadType>(['Minimal', 'Extended', 'Legacy'])('enqueues the custom payload with the %s shape, from a class that injects a host service', async (payloadType) => {
    const cache = new PublishedContentCache();
    const { app, storage } = testApp(
      [
        cmsComposer(),
        composer((b) => {
          b.services.registerInstance(PublishedContentCache, cache);
          b.webhookEvents().replace(ContentPublishedWebhookEvent, MyContentPublishedWebhookEvent);
        }),
      ],
      { settings: { payloadType } },
    );
    // The replacement keeps the alias and the position of the event it replaced.
    expect(app.events().map((e) => e.alias)).toEqual(['Umbraco.ContentDelete', 'Umbraco.ContentPublish', 'Umbraco.ContentUnpublish', 'Umbraco.MediaDelete', 'Umbraco.MediaSave']);
    await app.start();
    await app.webhooks.create({ url: 'https://example.com/hook', events: ['Umbraco.ContentPublish'] });
    const doc = page();
    await app.publish(new ContentPublishedNotification({ publishedEntities: [doc] }));

    const standard = testApp([cmsComposer()], { settings: { payloadType } });
    await standard.app.start();
    await standard.app.webhooks.create({ url: 'https://example.com/hook', events: ['Umbraco.ContentPublish'] });
    await standard.app.publish(new ContentPublishedNotification({ publishedEntities: [doc] }));

    expect(cache.calls).toEqual([doc.key]);
    expect(storage.enqueued.map((r) => r.eventAlias)).toEqual(['Umbraco.ContentPublish']);
    const body = JSON.parse(storage.enqueued[0]!.body);
    expect(body).toEqual({ myData: 'Your data (warm)', publishedContent: JSON.parse(standard.storage.enqueued[0]!.body) });
    expect(Object.keys(body.publishedContent)).toContain('id');
  });

  it('keeps the payload type the replaced event was composed with', async () => {
    const { app, storage } = testApp(
      [cmsComposer({ payloadType: 'Legacy' }), composer((b) => b.webhookEvents().replace(ContentPublishedWebhookEvent, MyContentPublishedWebhookEvent))],
      { settings: { payloadType: 'Minimal' } },
    );
    app.container.registerInstance(PublishedContentCache, new PublishedContentCache());
    await app.start();
    await app.webhooks.create({ url: 'https://example.com/hook', events: ['Umbraco.ContentPublish'] });
    await app.publish(new ContentPublishedNotification({ publishedEntities: [page()] }));
    const body = JSON.parse(storage.enqueued[0]!.body);
    // Legacy: Umbraco's Delivery API content, with its route (Extended has routes per culture).
    expect(body.publishedContent).toMatchObject({ name: 'Root', route: { path: '/' } });
    expect(getCmsPayloadSchema(MyContentPublishedWebhookEvent, 'Legacy')).toEqual(getCmsPayloadSchema(ContentPublishedWebhookEvent, 'Legacy'));
  });

  it('refuses an undecorated subclass, naming it', () => {
    class Undecorated extends ContentPublishedWebhookEvent {}
    let error: unknown;
    try {
      testApp([cmsComposer(), composer((b) => b.webhookEvents().replace(ContentPublishedWebhookEvent, Undecorated))]);
    } catch (e) {
      error = e;
    }
    expect(isHookworkError(error, 'HOOKWORK_ERR_NOT_A_WEBHOOK_EVENT')).toBe(true);
    expect((error as Error).message).toContain('Undecorated');
  });

  it('names the missing class when the event to replace was removed', () => {
    expect(() =>
      testApp([cmsComposer(), composer((b) => b.webhookEvents().clear().replace(ContentPublishedWebhookEvent, MyContentPublishedWebhookEvent))]),
    ).toThrow(/cannot replace ContentPublishedWebhookEvent with MyContentPublishedWebhookEvent/);
  });
});

/** A second Content Published under an alias of its own, as docs/cms-events.md shows. */
@WebhookEvent('Content Published (Extended)', WebhookEventTypes.Content, { alias: 'myapp.contentPublishedExtended' })
class ContentPublishedExtendedWebhookEvent extends ContentPublishedWebhookEvent {}

describe('two classes for one event', () => {
  it('refuses two composed classes with one alias, where Umbraco would send each webhook two requests under it', () => {
    @WebhookEvent('Content Published', WebhookEventTypes.Content)
    class SecondContentPublishedWebhookEvent extends ContentPublishedWebhookEvent {}
    let error: unknown;
    try {
      testApp([cmsComposer(), composer((b) => b.webhookEvents().add(SecondContentPublishedWebhookEvent))]);
    } catch (e) {
      error = e;
    }
    expect(isHookworkError(error, 'HOOKWORK_ERR_DUPLICATE_ALIAS')).toBe(true);
    expect((error as Error).message).toMatch(/SecondContentPublishedWebhookEvent and ContentPublishedWebhookEvent both declare the alias "Umbraco.ContentPublish".*replace\(/);
  });

  it('sends two bodies for one publish through a subclass with its own alias, each under its own event header', async () => {
    const { app, storage } = testApp([cmsComposer(), composer((b) => b.webhookEvents().addWithOptions({ payloadType: 'Extended' }, ContentPublishedExtendedWebhookEvent))], {
      settings: { payloadType: 'Minimal' },
    });
    await app.start();
    const hook = await app.webhooks.create({ url: 'https://example.com/hook', events: ['Umbraco.ContentPublish', 'myapp.contentPublishedExtended'] });
    const doc = page();
    await app.publish(new ContentPublishedNotification({ publishedEntities: [doc] }));
    // The two events run side by side: no order between their requests.
    const requests = storage.enqueued.map((r) => [r.webhookKey, r.eventAlias, Object.keys(JSON.parse(r.body))]).sort((a, b) => String(a[1]).localeCompare(String(b[1])));
    expect(requests).toEqual([
      [hook.key, 'myapp.contentPublishedExtended', ['id', 'contentType', 'name', 'createDate', 'updateDate', 'cultures']],
      [hook.key, 'Umbraco.ContentPublish', ['id', 'cultures']],
    ]);
  });
});
