// The README's replacement event (a host service injected into an event class), started by a
// host whose tsconfig may lack what injection needs. Prints { started } or the coded error.
import { createHookwork, isHookworkError, WebhookEvent, WebhookEventDependencies, WebhookEventTypes } from '@hookwork/core';
import { cmsComposer, ContentPublishedWebhookEvent, type CmsContent } from '@hookwork/cms';

export class ContentCache {
  render(key: string): string {
    return `<h1>${key}</h1>`;
  }
}

@WebhookEvent('Content Published', WebhookEventTypes.Content)
export class MyContentPublishedWebhookEvent extends ContentPublishedWebhookEvent {
  constructor(
    deps: WebhookEventDependencies,
    private readonly cache: ContentCache,
  ) {
    super(deps);
  }
  override convertEntityToRequestPayload(content: CmsContent) {
    return { html: this.cache.render(content.key) };
  }
}

const app = createHookwork({
  composers: [
    cmsComposer(),
    {
      compose: (builder) => {
        builder.services.registerSingleton(ContentCache);
        builder.webhookEvents().replace(ContentPublishedWebhookEvent, MyContentPublishedWebhookEvent);
      },
    },
  ],
});
app.start().then(
  async () => {
    console.log(JSON.stringify({ started: true }));
    await app.stop();
  },
  (error: unknown) => {
    console.log(JSON.stringify({ started: false, code: isHookworkError(error) ? error.code : String(error), message: (error as Error).message }));
  },
);
