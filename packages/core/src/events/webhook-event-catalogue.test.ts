import { createHookwork } from '../composition/create-hookwork';
import type { WebhooksBuilder } from '../composition/webhooks-builder';
import { memoryStorage } from '../storage/memory/memory-storage';
import { startTestReceiver } from '../testing/test-receiver';
import { WebhookEventBase } from './webhook-event-base';
import { aliasPatternMatcher, commonPatternVariant, WebhookEvent, type WebhookEventClass } from './webhook-event.decorator';

class Saved {
  constructor(readonly collection: string) {}
}
class PostsChanged {}

@WebhookEvent('Entry Saved', 'Other', { alias: 'col.saved', patterns: ['col.saved.*'], notification: Saved })
class EntrySaved extends WebhookEventBase<Saved> {
  override getAliasesForNotification(notification: Saved) {
    return ['col.saved', `col.saved.${notification.collection}`];
  }
  override convertNotificationToRequestPayload() {
    return { from: 'EntrySaved' };
  }
}
@WebhookEvent('Posts Saved', 'Other', { alias: 'col.saved.posts', notification: PostsChanged })
class PostsSaved extends WebhookEventBase<PostsChanged> {
  override convertNotificationToRequestPayload() {
    return { from: 'PostsSaved' };
  }
}
@WebhookEvent('Posts Changed', 'Other', { alias: 'posts.changed', synonyms: ['col.saved.blog'], notification: PostsChanged })
class PostsChangedEvent extends WebhookEventBase<PostsChanged> {}
@WebhookEvent('Any Col', 'Other', { alias: 'col.any', patterns: ['col.*.after'], notification: Saved })
class AnyCol extends WebhookEventBase<Saved> {}
@WebhookEvent('Removed', 'Other', { alias: 'col.removed', patterns: ['col.removed.*'], notification: Saved })
class Removed extends WebhookEventBase<Saved> {}

const compose = (...types: WebhookEventClass[]) => () =>
  createHookwork({ composers: [{ compose: (builder: WebhooksBuilder) => void builder.webhookEvents().add(...types) }], storage: memoryStorage() });

describe('an alias two composed events could fire under through a pattern', () => {
  it("is refused when one event's alias is a variant of another's pattern (a webhook on it got both events' requests)", async () => {
    expect(compose(EntrySaved, PostsSaved)).toThrow(
      expect.objectContaining({ code: 'HOOKWORK_ERR_DUPLICATE_ALIAS', message: expect.stringContaining('PostsSaved declares the alias "col.saved.posts", which is a variant of the pattern "col.saved.*" of EntrySaved') }),
    );
    expect(compose(PostsSaved, EntrySaved)).toThrow(expect.objectContaining({ code: 'HOOKWORK_ERR_DUPLICATE_ALIAS' }));
  });

  it('is refused when a synonym is a variant of another event\'s pattern', () => {
    expect(compose(EntrySaved, PostsChangedEvent)).toThrow(expect.objectContaining({ code: 'HOOKWORK_ERR_DUPLICATE_ALIAS', message: expect.stringContaining('"col.saved.blog"') }));
  });

  it('is refused when two events\' patterns share a variant, naming one', () => {
    expect(compose(EntrySaved, AnyCol)).toThrow(
      expect.objectContaining({ code: 'HOOKWORK_ERR_DUPLICATE_ALIAS', message: expect.stringMatching(/"col\.\*\.after" of AnyCol and the pattern "col\.saved\.\*" of EntrySaved have variants in common \(such as "col\.saved\.[^"]*after"\)/) }),
    );
  });

  it('lets events whose aliases and patterns cannot meet be composed together, and each sends only its own requests', async () => {
    const app = createHookwork({
      composers: [{ compose: (builder: WebhooksBuilder) => void builder.webhookEvents().add(EntrySaved, Removed) }],
      storage: memoryStorage(),
      settings: { ssrf: { allowInternal: false, allow: ['127.0.0.1'] }, stopTimeout: 2_000 },
    });
    const receiver = await startTestReceiver();
    try {
      await app.start();
      await app.webhooks.create({ url: receiver.url, events: ['col.saved.posts'] });
      await app.publish(new Saved('posts'));
      await app.publish(new Saved('pages'));
      await app.drain({ timeoutMs: 10_000 });
      expect(receiver.requests.map((request) => request.text)).toEqual(['{"from":"EntrySaved"}']);
    } finally {
      await app.stop();
      await receiver.close();
    }
  });
});

describe('two composed events whose aliases differ only in case', () => {
  const compose = (...types: WebhookEventClass[]) => () => createHookwork({ composers: [{ compose: (b: WebhooksBuilder) => void b.webhookEvents().add(...types) }] });

  it('are refused, naming both: a webhook subscribed with the wrong case got the other event without a word', () => {
    @WebhookEvent('Order', 'Other', { alias: 'shop.order', notification: Saved })
    class OrderEvent extends WebhookEventBase<Saved> {}
    @WebhookEvent('Order (legacy)', 'Other', { alias: 'Shop.Order', notification: Saved })
    class LegacyOrderEvent extends WebhookEventBase<Saved> {}
    @WebhookEvent('Refund', 'Other', { alias: 'shop.refund', synonyms: ['SHOP.ORDER'], notification: Saved })
    class RefundEvent extends WebhookEventBase<Saved> {}
    expect(compose(OrderEvent, LegacyOrderEvent)).toThrow(
      'HOOKWORK_ERR_DUPLICATE_ALIAS: LegacyOrderEvent declares "Shop.Order" and OrderEvent "shop.order": they differ only in case, so a webhook subscribed with the wrong case gets the other event without a word (and Umbraco, comparing without case, would send both). Give one an alias that differs in more than case, or compose only one of them',
    );
    expect(compose(OrderEvent, RefundEvent)).toThrow(/RefundEvent declares "SHOP\.ORDER" and OrderEvent "shop\.order": they differ only in case/);
  });

  it("are fine within one event: Umbraco's UserGroupDeleted is a synonym of userGroupDeleted", () => {
    @WebhookEvent('Group Deleted', 'Other', { alias: 'groupDeleted', synonyms: ['GroupDeleted'], notification: Saved })
    class GroupDeletedEvent extends WebhookEventBase<Saved> {}
    expect(compose(GroupDeletedEvent)().events().map((e) => e.alias)).toEqual(['groupDeleted']);
  });
});

describe('commonPatternVariant', () => {
  it.each([
    ['a.*', 'a.b.*', 'a.b.'],
    ['a.*', 'a.*', 'a.'],
    ['*.after', 'col.*', 'col.'],
    ['a.*.c', 'a.b.*', 'a.b.'],
    ['x*z', 'x*y*z', 'x'],
  ])('finds a variant of both %s and %s', (first, second, start) => {
    const shared = commonPatternVariant(first, second);
    expect(shared).toBeDefined();
    expect(shared!.startsWith(start)).toBe(true);
    expect(aliasPatternMatcher(first)(shared!)).toBe(true);
    expect(aliasPatternMatcher(second)(shared!)).toBe(true);
  });

  it.each([
    ['collections.save.before.*', 'collections.save.after.*'],
    ['a.*', 'b.*'],
    ['a.*.c', 'a.*.d'],
  ])('finds none for %s and %s', (first, second) => {
    expect(commonPatternVariant(first, second)).toBeUndefined();
  });
});
