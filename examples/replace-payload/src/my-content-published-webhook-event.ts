import { WebhookEvent, WebhookEventDependencies, WebhookEventTypes, type PayloadContext } from '@hookwork/core';
import { ContentPublishedWebhookEvent, type CmsContent } from '@hookwork/cms';
import { ApiContentBuilder } from './api-content-builder';
import { ContentCache } from './content-cache';

/**
 * The host's Content Published event, as in Umbraco's documentation: it keeps the alias
 * (`Umbraco.ContentPublish`, inherited with the notification) so existing webhooks are
 * unchanged, and sends the host's own payload built from two host services, which hookwork
 * injects because the class is resolved from the app's container.
 */
@WebhookEvent('Content Published', WebhookEventTypes.Content)
export class MyContentPublishedWebhookEvent extends ContentPublishedWebhookEvent {
  constructor(
    deps: WebhookEventDependencies,
    private readonly contentCache: ContentCache,
    private readonly apiContentBuilder: ApiContentBuilder,
  ) {
    super(deps);
  }

  override convertEntityToRequestPayload(entity: CmsContent, _context: PayloadContext): unknown {
    const cachedPublishedContent = this.contentCache.getById(entity.key);
    return {
      myData: 'Your data',
      // null when the cache does not have the page (yet), as Umbraco's example sends.
      publishedContent: cachedPublishedContent ? this.apiContentBuilder.build(cachedPublishedContent) : null,
    };
  }
}
