import type { Composer } from '../composition/composer';
import type { Hookwork } from '../composition/hookwork-app';
import type { BeforeSendContext } from '../delivery/delivery-options';
import { signPayload } from '../delivery/signing';
import type { FireRequest } from '../firing/webhook-firing-service';
import type { WebhookInfo } from '../model/webhook-info';
import { startTestReceiver, type ReceivedRequest, type TestReceiver } from '../testing/test-receiver';
import { startTestApp } from '../test-support/test-app';
import { WebhookEventBase, type PayloadContext, type WebhookSubscription } from './webhook-event-base';
import { WebhookEventContentBase } from './webhook-event-content-base';
import { WebhookEvent } from './webhook-event.decorator';
import { WebhookEventTypes } from './webhook-event-types';

// What a careless plugin author writes: the webhook it is handed goes into the payload whole.

class EchoHappened {
  constructor(readonly n: number) {}
}

/** The webhooks the event classes were handed, in order (to check identity and freezing). */
const seen: WebhookInfo[] = [];
/** The event class instances that made them (to look at what an instance holds). */
const handlers: WebhookEventBase[] = [];

@WebhookEvent('Echo Happened', WebhookEventTypes.Other, { alias: 'echo.happened', notification: EchoHappened })
class EchoWebhookEvent extends WebhookEventBase<EchoHappened> {
  override convertNotificationToRequestPayload(notification: EchoHappened, context: PayloadContext): unknown {
    seen.push(context.webhook);
    handlers.push(this);
    return { n: notification.n, context };
  }

  /** The subscriptions themselves go into the payload too. */
  protected override async processWebhooks(notification: EchoHappened, subscriptions: readonly WebhookSubscription[]): Promise<FireRequest[]> {
    const requests = await super.processWebhooks(notification, subscriptions);
    return requests.map((request, i) => ({ ...request, payload: { ...(request.payload as object), subscription: subscriptions[i] } }));
  }

  /** The example a test send carries holds the webhook it is for. */
  override createExampleNotification(context: PayloadContext): EchoHappened {
    return Object.assign(new EchoHappened(0), { exampleFor: context.webhook });
  }
}

class ArticlePublished {
  constructor(readonly entities: { contentType: { key: string } }[]) {}
}

/** A content event whose test-send example is of a type the webhook's filter leaves out: the example goes anyway. */
@WebhookEvent('Article Published', WebhookEventTypes.Content, { alias: 'article.published', notification: ArticlePublished })
class ArticlePublishedEvent extends WebhookEventContentBase<ArticlePublished, { contentType: { key: string } }> {
  override getEntitiesFromNotification(notification: ArticlePublished) {
    return notification.entities;
  }
  override convertEntityToRequestPayload(entity: { contentType: { key: string } }, context: PayloadContext): unknown {
    seen.push(context.webhook);
    return { type: entity.contentType.key };
  }
  override createExampleNotification(): ArticlePublished {
    return new ArticlePublished([{ contentType: { key: 'ct-example' } }]);
  }
}

const echoComposer: Composer = { compose: (builder) => void builder.webhookEvents().add(EchoWebhookEvent).add(ArticlePublishedEvent) };

const SENSITIVE_VALUE = 'Bearer tok-a8f3e1c9d2b7-never-in-a-body';

describe('the webhook event classes and the before-send hook see', () => {
  let receiver: TestReceiver;
  let app: Hookwork | undefined;

  beforeEach(async () => {
    seen.length = 0;
    handlers.length = 0;
    receiver = await startTestReceiver();
  });
  afterEach(async () => {
    await app?.stop();
    app = undefined;
    await receiver.close();
  });

  /** A webhook with a signing secret and a sensitive header, as an operator sets one up. */
  async function signedWebhook(started: Hookwork) {
    const created = await started.webhooks.create({
      name: 'shop',
      url: receiver.url,
      events: ['echo.happened'],
      contentTypeKeys: ['ct-article'],
      // A cookie not marked sensitive is a credential all the same, as the delivery log holds.
      headers: { authorization: { value: SENSITIVE_VALUE, sensitive: true }, cookie: 'session=c00k1e-not-marked', 'x-tenant': 'acme' },
      secret: true,
    });
    return { hook: created, secret: created.secret! };
  }

  /** What an author needs of the webhook, and nothing else: no secrets, the sensitive header redacted. */
  const expectedInfo = (hook: { key: string }) => ({
    key: hook.key,
    name: 'shop',
    url: receiver.url,
    events: ['echo.happened'],
    contentTypeKeys: ['ct-article'],
    headers: { authorization: '[redacted]', cookie: '[redacted]', 'x-tenant': 'acme' },
    sensitiveHeaders: ['authorization', 'cookie'], // cookie: a credential, sensitive unmarked
    enabled: true,
    format: { type: 'json' },
  });

  /** The body holds neither the signing secret (with or without its prefix) nor a credential header's value. */
  function expectNoSecretIn(request: ReceivedRequest, secret: string) {
    expect(request.text).not.toContain(secret.slice('whsec_'.length));
    expect(request.text).not.toContain('tok-a8f3e1c9d2b7');
    expect(request.text).not.toContain('c00k1e-not-marked');
    expect(request.text).not.toContain('"secrets"');
  }

  /** The secret still signs, and the sensitive header still goes out as a header. */
  function expectSignedWithHeader(request: ReceivedRequest, secret: string) {
    const { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature } = request.headers;
    expect(signature).toBe(signPayload(secret, String(id), Number(timestamp), request.body));
    expect(request.headers.authorization).toBe(SENSITIVE_VALUE);
  }

  it('a webhook without secrets in context.webhook and in the subscriptions, whatever the event class puts in its payload', async () => {
    app = await startTestApp({ composers: [echoComposer] });
    const { hook, secret } = await signedWebhook(app);
    await app.publish(new EchoHappened(1));
    const [request] = await receiver.waitFor(1);
    expectNoSecretIn(request!, secret);
    expect(JSON.parse(request!.text)).toEqual({
      n: 1,
      context: { webhook: expectedInfo(hook), alias: 'echo.happened' },
      subscription: { webhook: expectedInfo(hook), alias: 'echo.happened' },
    });
    expectSignedWithHeader(request!, secret);
  });

  it('the same, in the example of a test send', async () => {
    app = await startTestApp({ composers: [echoComposer] });
    const { hook, secret } = await signedWebhook(app);
    expect((await app.sendTestEvent(hook.key)).payload).toBe('example');
    const [request] = await receiver.waitFor(1);
    expectNoSecretIn(request!, secret);
    expect(JSON.parse(request!.text)).toMatchObject({ context: { webhook: expectedInfo(hook) }, subscription: { webhook: expectedInfo(hook) } });
    expectSignedWithHeader(request!, secret);
  });

  it('the same in the before-send hook’s context (the request it may change carries the real header values)', async () => {
    const contexts: BeforeSendContext[] = [];
    app = await startTestApp({
      composers: [echoComposer],
      delivery: {
        beforeSend: (request, context) => {
          contexts.push(context);
          return { ...request, body: JSON.stringify({ webhook: context.webhook }) };
        },
      },
    });
    const { hook, secret } = await signedWebhook(app);
    await app.publish(new EchoHappened(1));
    const [request] = await receiver.waitFor(1);
    expectNoSecretIn(request!, secret);
    expect(JSON.parse(request!.text)).toEqual({ webhook: expectedInfo(hook) });
    expectSignedWithHeader(request!, secret);
    expect(Object.isFrozen(contexts[0]!.webhook)).toBe(true);
  });

  it('a frozen webhook in the example of a test send whose example the content-type filter would leave out (sent without the filter)', async () => {
    app = await startTestApp({ composers: [echoComposer] });
    const { hook } = await signedWebhook(app);
    await app.webhooks.update(hook.key, { events: ['article.published'] });
    expect((await app.sendTestEvent(hook.key)).payload).toBe('example');
    const [request] = await receiver.waitFor(1);
    expect(JSON.parse(request!.text)).toEqual({ type: 'ct-example' });
    const [info] = seen;
    expect(info).toMatchObject({ key: hook.key, contentTypeKeys: [] });
    for (const part of [info, info!.contentTypeKeys, info!.headers]) expect(Object.isFrozen(part)).toBe(true);
  });

  it('one frozen object per stored webhook, shared by every publish until the webhook changes', async () => {
    app = await startTestApp({ composers: [echoComposer] });
    const { hook } = await signedWebhook(app);
    await app.publish(new EchoHappened(1));
    await app.publish(new EchoHappened(2));
    const [first, second] = seen;
    expect(second).toBe(first);
    for (const part of [first, first!.events, first!.contentTypeKeys, first!.headers, first!.sensitiveHeaders, first!.format]) expect(Object.isFrozen(part)).toBe(true);
    expect(() => {
      (first as { name?: string }).name = 'changed by a plugin';
    }).toThrow(TypeError);
    expect(() => (first!.events as string[]).push('other')).toThrow(TypeError);

    await app.webhooks.update(hook.key, { name: 'renamed' });
    await app.publish(new EchoHappened(3));
    expect(seen[2]).not.toBe(first);
    expect(seen[2]).toMatchObject({ name: 'renamed' });
    expect(first!.name).toBe('shop');
    await receiver.waitFor(3);
  });

  /**
   * Every value reachable from `root` through own properties (TypeScript's `private` ones too: they
   * are plain properties at run time), array items and Map and Set entries, with its path: what a
   * serialiser, a debugger's dump or a curious plugin walks.
   */
  function reachable(root: object): { path: string; value: unknown }[] {
    const found: { path: string; value: unknown }[] = [];
    const visited = new Set<unknown>();
    const queue: { path: string; value: unknown }[] = [{ path: 'this', value: root }];
    for (let next = queue.shift(); next; next = queue.shift()) {
      found.push(next);
      const { path, value } = next;
      if (value === null || (typeof value !== 'object' && typeof value !== 'function') || visited.has(value)) continue;
      visited.add(value);
      if (value instanceof Map) for (const [key, item] of value) queue.push({ path: `${path}.get(${String(key).slice(0, 40)})`, value: item });
      if (value instanceof Set) for (const item of value) queue.push({ path: `${path}.<item>`, value: item });
      for (const key of Reflect.ownKeys(value)) {
        const descriptor = Object.getOwnPropertyDescriptor(value, key)!;
        if ('value' in descriptor) queue.push({ path: `${path}.${String(key)}`, value: descriptor.value });
      }
    }
    return found;
  }

  it('no way to the stored webhook through what the event class holds: its dependencies do not carry the store', async () => {
    app = await startTestApp({ composers: [echoComposer] });
    const { secret } = await signedWebhook(app);
    await app.publish(new EchoHappened(1));
    await receiver.waitFor(1);
    const held = reachable(handlers[0]!);
    expect(held.length).toBeGreaterThan(10);
    expect(held.filter(({ value }) => typeof value === 'string' && (value.includes(secret.slice('whsec_'.length)) || value.includes('tok-a8f3e1c9d2b7'))).map(({ path }) => path)).toEqual([]);
    // Nor a store to ask: `this.deps.webhooks.repository` was one, TypeScript's `private` notwithstanding.
    expect(held.filter(({ value }) => typeof (value as { getByAlias?: unknown } | null)?.getByAlias === 'function').map(({ path }) => path)).toEqual([]);
  });

  it('types: no secrets and read-only, in the payload context, the subscriptions, the before-send hook and the event dependencies', () => {
    const check = (context: PayloadContext, subscription: WebhookSubscription, before: BeforeSendContext) => {
      // @ts-expect-error event classes get no signing secrets
      void context.webhook.secrets;
      // @ts-expect-error nor in the subscriptions
      void subscription.webhook.secrets;
      // @ts-expect-error nor does the before-send hook
      void before.webhook.secrets;
      // @ts-expect-error the webhook is read-only
      context.webhook.name = 'renamed';
      // @ts-expect-error and so are its arrays
      context.webhook.events.push('other');
    };
    class Peeking extends WebhookEventBase<EchoHappened> {
      peek() {
        // @ts-expect-error event classes cannot read stored webhooks (secrets in clear) through their dependencies
        return this.deps.webhooks.get('key');
      }
    }
    expect([typeof check, typeof Peeking]).toEqual(['function', 'function']);
  });
});
