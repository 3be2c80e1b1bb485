import { container } from 'tsyringe';
import { getWebhookEventMetadata, isWebhookEventClass, WebhookEvent, WebhookEventBase, WebhookEventContentBase, WebhookEventTypes, type PayloadContext, type WebhookSubscription } from '../index';

class Published {}
class Deleted {}

@WebhookEvent('Content Published', WebhookEventTypes.Content, { alias: 'Umbraco.ContentPublish', notification: Published, synonyms: ['ContentPublish'] })
class PublishedEvent extends WebhookEventBase<Published> {}

describe('@WebhookEvent', () => {
  it('stores the declaration on the class itself', () => {
    expect(getWebhookEventMetadata(PublishedEvent)).toEqual({
      eventName: 'Content Published',
      eventType: 'Content',
      alias: 'Umbraco.ContentPublish',
      notification: Published,
      synonyms: ['ContentPublish'],
      patterns: [],
    });
  });

  // Umbraco's C# casing compiles without `override` and was never called: the event sent the notification itself.
  it("refuses a method in C#'s casing beside the camelCase one hookwork calls, naming the rename", () => {
    const declare = () => {
      class OrderPlacedEvent extends WebhookEventBase<Published> {
        ConvertNotificationToRequestPayload(n: Published) {
          return { n };
        }
        ShouldFireWebhookForNotification() {
          return false;
        }
      }
      WebhookEvent('Order Placed', WebhookEventTypes.Other, { alias: 'shop.orderPlaced', notification: Published })(OrderPlacedEvent);
      return OrderPlacedEvent;
    };
    expect(declare).toThrow(
      'HOOKWORK_ERR_INVALID_EVENT_DECLARATION: @WebhookEvent on OrderPlacedEvent: "ConvertNotificationToRequestPayload", "ShouldFireWebhookForNotification" are written in C#\'s casing, and hookwork never calls them: its methods are camelCase. Rename: ConvertNotificationToRequestPayload() → convertNotificationToRequestPayload(), ShouldFireWebhookForNotification() → shouldFireWebhookForNotification()',
    );
    // A capitalised method of the host's own (no camelCase namesake in the base) is left alone.
    class WithHelper extends WebhookEventBase<Published> {
      Render() {
        return 'x';
      }
    }
    expect(() => WebhookEvent('With Helper', WebhookEventTypes.Other, { alias: 'withHelper', notification: Published })(WithHelper)).not.toThrow();
  });

  it('does not pass the decoration on to an undecorated subclass', () => {
    class Sub extends PublishedEvent {}
    expect(isWebhookEventClass(PublishedEvent)).toBe(true);
    expect(isWebhookEventClass(Sub)).toBe(false);
    expect(getWebhookEventMetadata(Sub)).toBeUndefined();
  });

  it('lets a decorated subclass keep its parent alias and notification, or declare its own', () => {
    @WebhookEvent('My Content Published', WebhookEventTypes.Content)
    class Mine extends PublishedEvent {}
    expect(getWebhookEventMetadata(Mine)).toMatchObject({ eventName: 'My Content Published', alias: 'Umbraco.ContentPublish', notification: Published, synonyms: ['ContentPublish'] });
    @WebhookEvent('Deleted', WebhookEventTypes.Content, { alias: 'deleted', notification: Deleted })
    class Other extends PublishedEvent {}
    expect(getWebhookEventMetadata(Other)).toMatchObject({ alias: 'deleted', notification: Deleted, synonyms: [] });
  });

  it('derives a camelCase alias from the name when none is given', () => {
    @WebhookEvent('Order Placed', WebhookEventTypes.Other, { notification: Published })
    class OrderPlaced extends WebhookEventBase<Published> {}
    expect(getWebhookEventMetadata(OrderPlaced)?.alias).toBe('orderPlaced');
  });

  it('refuses bad declarations when the class is declared', () => {
    const declare = (name: string, options: Parameters<typeof WebhookEvent>[2]) => () => {
      @WebhookEvent(name, WebhookEventTypes.Other, options)
      class Bad extends WebhookEventBase<Published> {}
      return Bad;
    };
    expect(declare('x', { alias: 'has space', notification: Published })).toThrow(/HOOKWORK_ERR_INVALID_EVENT_DECLARATION: @WebhookEvent on Bad: alias "has space"/);
    expect(declare('x', { alias: 'ok' })).toThrow(/no notification class: pass \{ notification: YourNotification \}/);
    expect(declare('', { alias: 'ok', notification: Published })).toThrow(/the name must be a string with visible text/);
    expect(declare('x', { alias: 'ok', notification: Published, patterns: ['ok.fixed'] })).toThrow(/pattern "ok.fixed" must be visible ASCII with a \*/);
    expect(declare('x', { alias: 'ok', notification: Published, synonyms: ['a\nb'] })).toThrow(/synonym/);
  });

  it('refuses a name or type with a control character, line break or lone surrogate, naming it; any language is fine', () => {
    const declare = (name: string, type: string = WebhookEventTypes.Other) => () => {
      @WebhookEvent(name, type, { alias: 'ok', notification: Published })
      class Named extends WebhookEventBase<Published> {}
      return Named;
    };
    expect(declare('Order\nPlaced')).toThrow(/^HOOKWORK_ERR_INVALID_EVENT_DECLARATION: @WebhookEvent on Named: the name "Order\\nPlaced" holds U\+000A at character 6, a control character/);
    expect(declare('Bell\u0007')).toThrow(/holds U\+0007 at character 5/);
    expect(declare('Half \ud800')).toThrow(/holds U\+D800 at character 6/);
    expect(declare('Order', 'Other\u2028')).toThrow(/the type "Other\\u2028" holds U\+2028/);
    expect(() => declare('Commande passée — 注文 🚀')()).not.toThrow();
  });

  it('refuses a name or type that shows nothing, reorders the line or is too long; keeps marks and joiners other scripts need', () => {
    const declare = (name: string, type: string = WebhookEventTypes.Other) => () => {
      @WebhookEvent(name, type, { alias: 'ok', notification: Published })
      class Named extends WebhookEventBase<Published> {}
      return Named;
    };
    // A zero-width space read as a name in the picker that was empty; it passed name.trim() !== ''.
    expect(declare('\u200b')).toThrow('HOOKWORK_ERR_INVALID_EVENT_DECLARATION: @WebhookEvent on Named: the name must be a string with visible text, such as "Content Published"; got "\\u200b", which shows nothing');
    expect(declare('Order', '\ufeff ')).toThrow(/the type must be a string with visible text, .*; got "\\ufeff ", which shows nothing/);
    // A U+202E reversed the rest of every line the name was shown in ("Trojan Source").
    expect(declare('Order \u202eecalP')).toThrow(/the name "Order \\u202eecalP" holds U\+202E at character 7, .*bidirectional override/);
    expect(declare('Order', '\u2066Other')).toThrow(/the type "\\u2066Other" holds U\+2066 at character 1/);
    expect(declare('x'.repeat(201))).toThrow(/the name "x{20,}… \(203 characters\) is 201 characters long; keep it to 200/);
    expect(declare('Order', 'T'.repeat(101))).toThrow(/the type .* is 101 characters long; keep it to 100/);
    expect(() => declare('x'.repeat(200), 'T'.repeat(100))()).not.toThrow();
    // A built-in type in another case was a group of its own in the picker; a type of one's own is fine.
    expect(declare('Order', 'content')).toThrow(`the type "content" is WebhookEventTypes.Content in another spelling, and would be a group of its own next to Content; use WebhookEventTypes.Content ('Content')`);
    expect(declare('Order', 'MEDIA ')).toThrow(/the type "MEDIA " is WebhookEventTypes\.Media in another spelling/);
    expect(() => declare('Order', 'Commerce')()).not.toThrow();
    // Right-to-left marks, and the joiners of Persian and emoji sequences, are text.
    expect(() => declare('سفارش\u200cها \u200fثبت شد 👩\u200d💻')()).not.toThrow();
  });

  it('derives an alias from an accented name keeping its letters, and asks for one when the name has letters an alias cannot hold', () => {
    const declare = (name: string) => {
      @WebhookEvent(name, WebhookEventTypes.Other, { notification: Published })
      class Derived extends WebhookEventBase<Published> {}
      return getWebhookEventMetadata(Derived)?.alias;
    };
    // "Café Publié" gave "cafPubli": each accented letter was dropped, silently.
    expect(declare('Café Publié')).toBe('cafePublie');
    expect(declare('Ärger über Öl')).toBe('argerUberOl');
    // "注文完了" gave the message 'alias "" must be 1–200 visible ASCII characters', an alias never given.
    expect(() => declare('注文完了')).toThrow(`HOOKWORK_ERR_INVALID_EVENT_DECLARATION: @WebhookEvent on Derived: no alias can be made from the name "注文完了" (it holds 注, which an alias, visible ASCII, cannot); give one: { alias: 'shop.orderPlaced' }. The name may stay as it is`);
    expect(() => declare('Straße gesperrt')).toThrow(/no alias can be made from the name "Straße gesperrt" \(it holds ß,/);
    expect(() => declare('🚀 !')).toThrow(/no alias can be made from the name "🚀 !" \(it holds no letters or digits\)/);
    // With an alias, any name.
    @WebhookEvent('注文完了', WebhookEventTypes.Other, { alias: 'shop.orderCompleted', notification: Published })
    class Named extends WebhookEventBase<Published> {}
    expect(getWebhookEventMetadata(Named)).toMatchObject({ eventName: '注文完了', alias: 'shop.orderCompleted' });
  });

  it('refuses an alias or synonym a webhook could mistake for a pattern, or that repeats the alias', () => {
    const declare = (options: Parameters<typeof WebhookEvent>[2]) => () => {
      @WebhookEvent('Orders', WebhookEventTypes.Other, options)
      class OrdersEvent extends WebhookEventBase<Published> {}
      return OrdersEvent;
    };
    // A webhook subscribed to "shop.*" would expect every shop event, and get only this one.
    expect(declare({ alias: 'shop.*', notification: Published })).toThrow(
      /HOOKWORK_ERR_INVALID_EVENT_DECLARATION: @WebhookEvent on OrdersEvent: alias "shop\.\*" contains \*, which marks the variable part of a pattern; name the event without it \(e\.g\. "shop"\) and declare patterns: \["shop\.\*"\] for name-spaced variants/,
    );
    expect(declare({ alias: 'shop.orders', notification: Published, synonyms: ['Shop*'] })).toThrow(/synonym "Shop\*" contains \*, which marks the variable part of a pattern/);
    expect(declare({ alias: 'shop.orders', notification: Published, synonyms: ['shop.orders'] })).toThrow(/synonym "shop.orders" is the alias itself; list only other spellings/);
    expect(declare({ alias: 'shop.orders', notification: Published, synonyms: ['Orders', 'Orders'] })).toThrow(/synonym "Orders" is listed twice/);
    expect(declare({ alias: 'shop.orders', notification: Published, synonyms: ['ShopOrders'], patterns: ['shop.orders.*'] })).not.toThrow();
  });

  it('refuses a second @WebhookEvent on one class, naming the class and both declarations (the outer one used to win silently)', () => {
    const declareTwice = () => {
      @WebhookEvent('Order Shipped', WebhookEventTypes.Other, { alias: 'shop.orderShipped', notification: Published })
      @WebhookEvent('Order Placed', WebhookEventTypes.Other, { alias: 'shop.orderPlaced', notification: Published })
      class OrderEvent extends WebhookEventBase<Published> {}
      return OrderEvent;
    };
    expect(declareTwice).toThrow(
      'HOOKWORK_ERR_INVALID_EVENT_DECLARATION: @WebhookEvent on OrderEvent: it is applied twice, as "Order Placed" (alias shop.orderPlaced) and as "Order Shipped"',
    );
    // The same name twice is as much a mistake (copied lines): one declaration is kept.
    expect(() => {
      @WebhookEvent('Order Placed', WebhookEventTypes.Other, { notification: Published })
      @WebhookEvent('Order Placed', WebhookEventTypes.Other, { notification: Published })
      class Copied extends WebhookEventBase<Published> {}
      return Copied;
    }).toThrow(/@WebhookEvent on Copied: it is applied twice/);
    // A decorated subclass of a decorated class is one declaration each, as before.
    @WebhookEvent('Order Placed Again', WebhookEventTypes.Other)
    class Sub extends PublishedEvent {}
    expect(getWebhookEventMetadata(Sub)?.eventName).toBe('Order Placed Again');
  });

  it('refuses options it does not know or of the wrong kind, naming each, instead of falling back on the parent', () => {
    const declare = (options: unknown) => () => {
      @WebhookEvent('Mine', WebhookEventTypes.Content, options as Parameters<typeof WebhookEvent>[2])
      class Mine extends PublishedEvent {}
      return Mine;
    };
    // A typo on a subclass would otherwise keep the parent's notification without a word.
    expect(declare({ notificaton: Deleted })).toThrow(
      'HOOKWORK_ERR_INVALID_EVENT_DECLARATION: @WebhookEvent on Mine: notificaton is not an option (did you mean notification?); the options are alias, notification, synonyms, patterns',
    );
    expect(declare({ alias: 42, notification: new Deleted(), synonyms: 'Mine' })).toThrow(
      /alias must be a string such as "shop.orderPlaced"; got 42; notification must be the notification class itself .*got \{\}; synonyms must be an array of strings, e.g. \["OrderPlaced"\]; got "Mine"/,
    );
    expect(declare('shop.mine')).toThrow(/the third argument must be an options object .*; got "shop.mine"/);
    expect(declare({ alias: undefined })).not.toThrow();
  });

  // Each was accepted and failed later, at add() or the first publish, with an unrelated TypeError.
  it('refuses what is no webhook event class, and a built-in class as the notification, when it is declared', () => {
    const decorate = (target: unknown, options: Record<string, unknown> = { alias: 'ok', notification: Published }) => () =>
      (WebhookEvent('Name', WebhookEventTypes.Other, options) as (t: unknown) => void)(target);
    class NotAnEvent {}
    expect(decorate(NotAnEvent)).toThrow(
      'HOOKWORK_ERR_INVALID_EVENT_DECLARATION: @WebhookEvent on NotAnEvent: NotAnEvent does not extend WebhookEventBase; a webhook event is a class extending WebhookEventBase (or WebhookEventContentBase for one request per entity): class NotAnEvent extends WebhookEventBase<MyNotification>',
    );
    const arrow = () => undefined;
    expect(decorate(arrow)).toThrow('HOOKWORK_ERR_INVALID_EVENT_DECLARATION: @WebhookEvent on arrow: is an arrow function or a method, not a class; declare class MyEvent extends WebhookEventBase<MyNotification> and decorate it');
    expect(decorate('MyEvent')).toThrow('HOOKWORK_ERR_INVALID_EVENT_DECLARATION: @WebhookEvent on "MyEvent": decorates a class; got string. Declare class MyEvent extends WebhookEventBase<MyNotification> and decorate it');
    expect(decorate({})).toThrow(/@WebhookEvent on \{\}: decorates a class; got an object/);
    expect(decorate(function notAClass() {})).toThrow(/@WebhookEvent on notAClass: notAClass does not extend WebhookEventBase/);
    class Event extends WebhookEventBase<Published> {}
    expect(decorate(Event, { alias: 'ok', notification: Object })).toThrow(
      /@WebhookEvent on Event: notification: Object is a built-in class; publish\(\) routes a notification by its own class and refuses plain objects, arrays, promises and primitives, so this event would never fire/,
    );
    expect(decorate(Event, { alias: 'ok', notification: Array })).toThrow(/notification: Array is a built-in class/);
    expect(decorate(Event, { alias: 'ok', notification: () => undefined })).toThrow(/notification must be a class \(notification: OrderPlaced\); got an arrow function or method/);
    // Nothing was stored on what was refused; a class extending the base is still an event.
    expect(getWebhookEventMetadata(NotAnEvent)).toBeUndefined();
    expect(getWebhookEventMetadata(Event)).toBeUndefined();
    expect(decorate(Event)).not.toThrow();
    expect(isWebhookEventClass(Event)).toBe(true);
  });

  // `@WebhookEvent` without its arguments (plain JavaScript, Babel, or past a @ts-ignore) called the
  // factory with the class as the name and returned the decorator, which legacy decorators then put
  // in the class's place: the "class" was an arrow function, and add() said it was no event class.
  it('refuses being used without its arguments (@WebhookEvent class …), naming the class and the call to write', () => {
    class EntryCreatedWebhookEvent extends WebhookEventBase<Published> {}
    const bare = WebhookEvent as unknown as (target: unknown, context?: unknown) => unknown;
    const message =
      "HOOKWORK_ERR_INVALID_EVENT_DECLARATION: @WebhookEvent on EntryCreatedWebhookEvent: the decorator is used without its arguments; write @WebhookEvent('Order Placed', WebhookEventTypes.Other, { alias: 'shop.orderPlaced', notification: OrderPlaced }): the name, the type and the options in parentheses";
    expect(() => bare(EntryCreatedWebhookEvent)).toThrow(message);
    // TypeScript's standard decorators pass a context as the second argument.
    expect(() => bare(EntryCreatedWebhookEvent, { kind: 'class', name: 'EntryCreatedWebhookEvent' })).toThrow(message);
    expect(getWebhookEventMetadata(EntryCreatedWebhookEvent)).toBeUndefined();
  });

  // A host replacing a plugin's per-entity event to change its payload overrode the method the
  // docs' first example overrides, convertNotificationToRequestPayload(): the per-entity base never
  // calls it, so every request kept the plugin's payload, without a word.
  it('refuses a per-entity event that overrides convertNotificationToRequestPayload(), which its base never calls, naming the method to override', () => {
    class Entry {
      constructor(readonly id: string) {}
    }
    class EntryUpdated {
      constructor(readonly entries: Entry[]) {}
    }
    abstract class PluginEntryEvent extends WebhookEventContentBase<EntryUpdated, Entry> {
      override getEntitiesFromNotification(n: EntryUpdated) { return n.entries; }
      override convertEntityToRequestPayload(entry: Entry, context: PayloadContext): unknown { return { event: context.alias, id: entry.id }; }
    }
    @WebhookEvent('Entry Updated', 'Entry', { alias: 'entry.update', notification: EntryUpdated })
    class EntryUpdatedWebhookEvent extends PluginEntryEvent {}
    class HostEntryUpdated extends EntryUpdatedWebhookEvent {
      override convertNotificationToRequestPayload(n: EntryUpdated) { return { ids: n.entries.map((e) => e.id) }; }
    }
    expect(() => WebhookEvent('Entry Updated', 'Entry')(HostEntryUpdated)).toThrow(
      'HOOKWORK_ERR_INVALID_EVENT_DECLARATION: @WebhookEvent on HostEntryUpdated: HostEntryUpdated extends WebhookEventContentBase, which sends one request per entity and never calls its convertNotificationToRequestPayload(): override convertEntityToRequestPayload(entity, context) instead (it gets each entity getEntitiesFromNotification() returns), or extend WebhookEventBase for one request per notification',
    );
    expect(getWebhookEventMetadata(HostEntryUpdated)).toBeUndefined();
    // Overriding the per-entity converter, or taking over processWebhooks() itself, is fine.
    class RightHost extends EntryUpdatedWebhookEvent {
      override convertEntityToRequestPayload(entry: Entry) { return { id: entry.id, mine: true }; }
    }
    expect(() => WebhookEvent('Entry Updated', 'Entry')(RightHost)).not.toThrow();
    class OwnDispatch extends EntryUpdatedWebhookEvent {
      override convertNotificationToRequestPayload(n: EntryUpdated) { return { ids: n.entries.map((e) => e.id) }; }
      protected override processWebhooks(n: EntryUpdated, subscriptions: readonly WebhookSubscription[]) { return super.processWebhooks(n, subscriptions); }
    }
    expect(() => WebhookEvent('Entry Updated', 'Entry')(OwnDispatch)).not.toThrow();
  });

  it('makes the class injectable and registers nothing globally', () => {
    expect(container.isRegistered(PublishedEvent)).toBe(false);
    expect(container.isRegistered(PublishedEvent, true)).toBe(false);
  });
});
