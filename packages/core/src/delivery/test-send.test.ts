import type { Composer } from '../composition/composer';
import type { Hookwork } from '../composition/hookwork-app';
import { WebhookEventBase, type PayloadContext } from '../events/webhook-event-base';
import { WebhookEventContentBase } from '../events/webhook-event-content-base';
import { WebhookEvent } from '../events/webhook-event.decorator';
import { WebhookEventTypes } from '../events/webhook-event-types';
import { startTestReceiver, type TestReceiver } from '../testing/test-receiver';
import { TEST_EVENT_HEADER } from '../model/framework-headers';
import { startTestApp, thingComposer } from '../test-support/test-app';

// Events that offer examples, as a plugin would write them.

class EntrySaved {
  constructor(
    readonly collection: string,
    readonly title: string,
  ) {}
}

/** Name-spaced like Cockpit's: `entry.saved` and `entry.saved.<collection>`. */
@WebhookEvent('Entry Saved', WebhookEventTypes.Content, { alias: 'entry.saved', notification: EntrySaved, patterns: ['entry.saved.*'] })
class EntrySavedEvent extends WebhookEventBase<EntrySaved> {
  override getAliasesForNotification(notification: EntrySaved): readonly string[] {
    return [this.alias, `${this.alias}.${notification.collection}`];
  }

  override convertNotificationToRequestPayload(notification: EntrySaved, { alias, webhook }: PayloadContext) {
    return { event: alias, hook: webhook.name ?? webhook.key, collection: notification.collection, title: notification.title, shape: this.eventOptions.shape ?? 'plain' };
  }

  override createExampleNotification({ alias }: PayloadContext): EntrySaved {
    const variant = alias.startsWith(`${this.alias}.`) ? alias.slice(this.alias.length + 1) : 'posts';
    return new EntrySaved(variant, 'Hello');
  }
}

type Page = { id: string; contentType: { key: string } };
class PagesPublished {
  constructor(readonly pages: Page[]) {}
}

/** Per entity, with the content-type filter. */
@WebhookEvent('Pages Published', WebhookEventTypes.Content, { alias: 'pages.published', notification: PagesPublished })
class PagesPublishedEvent extends WebhookEventContentBase<PagesPublished, Page> {
  getEntitiesFromNotification(notification: PagesPublished) {
    return notification.pages;
  }

  convertEntityToRequestPayload(page: Page) {
    return { id: page.id, contentType: page.contentType.key };
  }

  override createExampleNotification(): PagesPublished {
    return new PagesPublished([
      { id: 'p-1', contentType: { key: 'article' } },
      { id: 'p-2', contentType: { key: 'product' } },
    ]);
  }
}

class OrderPlaced {
  constructor(readonly orderId: string) {}
}

/** A host converter that only knows real orders: the example can't be converted. */
@WebhookEvent('Order Placed', WebhookEventTypes.Other, { alias: 'order.placed', notification: OrderPlaced })
class OrderPlacedEvent extends WebhookEventBase<OrderPlaced> {
  override convertNotificationToRequestPayload(notification: OrderPlaced) {
    throw new Error(`order ${notification.orderId} is not in the order store`);
  }

  override createExampleNotification(): OrderPlaced {
    return new OrderPlaced('example-1');
  }
}

class InvoiceSent {
  constructor(readonly invoiceId: string) {}
}

/** An example of another class (or no object at all): it used to be sent as if published. */
@WebhookEvent('Invoice Sent', WebhookEventTypes.Other, { alias: 'invoice.sent', notification: InvoiceSent })
class InvoiceSentEvent extends WebhookEventBase<InvoiceSent> {
  static example: unknown;
  override createExampleNotification(): InvoiceSent {
    return InvoiceSentEvent.example as InvoiceSent;
  }
}

class FormSubmitted {
  constructor(readonly form: string) {}
}

/** Name-spaced, with an example that ignores the variant asked for: always the contact form. */
@WebhookEvent('Form Submitted', WebhookEventTypes.Other, { alias: 'form.submitted', notification: FormSubmitted, patterns: ['form.submitted.*'] })
class FormSubmittedEvent extends WebhookEventBase<FormSubmitted> {
  override getAliasesForNotification(notification: FormSubmitted): readonly string[] {
    return [this.alias, `${this.alias}.${notification.form}`];
  }

  override createExampleNotification(): FormSubmitted {
    return new FormSubmitted('contact');
  }
}

const examples: Composer = {
  compose(builder) {
    builder.webhookEvents().addWithOptions({ shape: 'rich' }, EntrySavedEvent).add(PagesPublishedEvent, OrderPlacedEvent, InvoiceSentEvent, FormSubmittedEvent);
  },
};

describe('sendTestEvent with the event\'s example', () => {
  let receiver: TestReceiver;
  let app: Hookwork | undefined;

  beforeEach(async () => {
    receiver = await startTestReceiver();
  });
  afterEach(async () => {
    await app?.stop();
    app = undefined;
    await receiver.close();
  });

  const start = async () => {
    app = await startTestApp({ composers: [thingComposer, examples] });
    return app;
  };

  it('sends exactly the body a real notification sends, marked as a test only by the hookwork-test header', async () => {
    const app = await start();
    const hook = await app.webhooks.create({ name: 'site', url: receiver.url, events: ['entry.saved'] });
    const result = await app.sendTestEvent(hook.key);
    expect(result).toMatchObject({ ok: true, statusCode: 200, payload: 'example' });
    await app.publish(new EntrySaved('posts', 'Hello'));
    const [test, real] = await receiver.waitFor(2);
    // The composed options (addWithOptions) apply to the example as to a dispatch.
    expect(JSON.parse(test!.text)).toEqual({ event: 'entry.saved', hook: 'site', collection: 'posts', title: 'Hello', shape: 'rich' });
    expect(test!.text).toBe(real!.text);
    expect(test!.headers[TEST_EVENT_HEADER]).toBe('true');
    expect(real!.headers[TEST_EVENT_HEADER]).toBeUndefined();
    expect(test!.headers['hookwork-event']).toBe('entry.saved');
  });

  it('builds the example of a name-spaced variant from the event whose pattern matches it', async () => {
    const app = await start();
    const hook = await app.webhooks.create({ name: 'pages', url: receiver.url, events: ['entry.saved', 'entry.saved.pages'] });
    await app.sendTestEvent(hook.key, { alias: 'entry.saved.pages' });
    const [request] = await receiver.waitFor(1);
    expect(request!.headers['hookwork-event']).toBe('entry.saved.pages');
    expect(JSON.parse(request!.text)).toEqual({ event: 'entry.saved.pages', hook: 'pages', collection: 'pages', title: 'Hello', shape: 'rich' });
  });

  it('keeps the content-type filter when the example has a matching entity, and ignores it rather than send nothing', async () => {
    const app = await start();
    const products = await app.webhooks.create({ url: receiver.url, events: ['pages.published'], contentTypeKeys: ['product'] });
    const other = await app.webhooks.create({ url: receiver.url, events: ['pages.published'], contentTypeKeys: ['recipe'] });
    await app.sendTestEvent(products.key);
    await app.sendTestEvent(other.key);
    const [first, second] = await receiver.waitFor(2);
    expect(JSON.parse(first!.text)).toEqual({ id: 'p-2', contentType: 'product' });
    expect(JSON.parse(second!.text)).toEqual({ id: 'p-1', contentType: 'article' });
  });

  it('sends the generic test body when the event offers no example, and logs it with outcome test', async () => {
    const app = await start();
    const hook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    const result = await app.sendTestEvent(hook.key);
    expect(result.payload).toBe('generic');
    const [request] = await receiver.waitFor(1);
    expect(JSON.parse(request!.text)).toMatchObject({ event: 'thing.happened', test: true, webhook: { key: hook.key } });
    expect(request!.headers[TEST_EVENT_HEADER]).toBe('true');
    const { items } = await app.logs(hook.key);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ outcome: 'test', eventAlias: 'thing.happened', requestBody: request!.text });
    expect(items[0]!.requestHeaders[TEST_EVENT_HEADER]).toBe('true');
  });

  it('falls back to the generic body, and says why, when the event cannot convert its own example', async () => {
    const app = await start();
    const hook = await app.webhooks.create({ url: receiver.url, events: ['order.placed'] });
    const result = await app.sendTestEvent(hook.key);
    expect(result).toMatchObject({ ok: true, payload: 'generic' });
    expect(result.exampleError).toMatch(/OrderPlacedEvent could not build its example for order\.placed: order example-1 is not in the order store/);
    const [request] = await receiver.waitFor(1);
    expect(JSON.parse(request!.text)).toMatchObject({ event: 'order.placed', test: true });
  });

  it.each([
    ['an instance of another class', new OrderPlaced('o-1'), 'returned an instance of OrderPlaced'],
    ['a number', 5, 'returned 5'],
    ['null', null, 'returned null'],
  ])('falls back to the generic body, and says why, when the example is %s', async (_what, example, text) => {
    InvoiceSentEvent.example = example;
    const app = await start();
    const hook = await app.webhooks.create({ url: receiver.url, events: ['invoice.sent'] });
    const result = await app.sendTestEvent(hook.key);
    expect(result).toMatchObject({ ok: true, payload: 'generic' });
    expect(result.exampleError).toContain(`InvoiceSentEvent.createExampleNotification() ${text}; return an instance of InvoiceSent`);
    const [request] = await receiver.waitFor(1);
    // It used to send the other class's fields ({"orderId":"o-1"}), or 5, as the event's example.
    expect(JSON.parse(request!.text)).toMatchObject({ event: 'invoice.sent', test: true });
  });

  // A webhook on form.submitted.newsletter got the contact form's body under the newsletter's event header.
  it('falls back to the generic body, and says why, when the example does not fire under the variant asked for', async () => {
    const app = await start();
    const hook = await app.webhooks.create({ url: receiver.url, events: ['form.submitted.newsletter', 'form.submitted.contact', 'form.submitted'] });
    const result = await app.sendTestEvent(hook.key);
    expect(result).toMatchObject({ ok: true, payload: 'generic' });
    expect(result.exampleError).toContain(
      'FormSubmittedEvent.createExampleNotification() returned a notification that fires under form.submitted, form.submitted.contact, not form.submitted.newsletter, the variant this test send is for; make the example from the alias it is given (createExampleNotification({ alias })), or return undefined for no example',
    );
    const [request] = await receiver.waitFor(1);
    expect(JSON.parse(request!.text)).toMatchObject({ event: 'form.submitted.newsletter', test: true });
    // The variant it does fire under, and the alias itself, still get the example.
    expect(await app.sendTestEvent(hook.key, { alias: 'form.submitted.contact' })).toMatchObject({ payload: 'example' });
    expect(await app.sendTestEvent(hook.key, { alias: 'form.submitted' })).toMatchObject({ payload: 'example' });
  });

  it('refuses an alias the webhook does not subscribe to, and an unknown webhook, sending and logging nothing', async () => {
    const app = await start();
    const hook = await app.webhooks.create({ url: receiver.url, events: ['entry.saved'] });
    await expect(app.sendTestEvent(hook.key, { alias: 'pages.published' })).rejects.toMatchObject({
      code: 'HOOKWORK_ERR_ALIAS_NOT_SUBSCRIBED',
      message: expect.stringContaining(`webhook ${hook.key} does not subscribe to "pages.published"`),
    });
    await expect(app.sendTestEvent(hook.key, { alias: 'entry.saved.posts' })).rejects.toMatchObject({ code: 'HOOKWORK_ERR_ALIAS_NOT_SUBSCRIBED' });
    await expect(app.sendTestEvent('no-such-webhook')).rejects.toMatchObject({ code: 'HOOKWORK_ERR_WEBHOOK_NOT_FOUND' });
    expect(receiver.requests).toHaveLength(0);
    expect((await app.logs(hook.key)).items).toHaveLength(0);
  });

  it('keeps the test mark to hookwork: a custom hookwork-test header is refused', async () => {
    const app = await start();
    await expect(app.webhooks.create({ url: receiver.url, events: ['entry.saved'], headers: { 'Hookwork-Test': 'true' } })).rejects.toMatchObject({ code: 'HOOKWORK_ERR_INVALID_WEBHOOK' });
  });
});
