import { runInNewContext } from 'node:vm';
import { createHookwork, defineCollectionExtension, isHookworkError, WebhookEvent, WebhookEventBase, WebhookEventTypes, type Composer, type ComposerLike, type HookworkError, type WebhookEventCollectionBuilder, type WebhooksBuilder } from '../index';
import { WebhookEventCollectionBuilder as Builder } from './webhook-event-collection-builder';

class N {}
const event = (alias: string) => {
  @WebhookEvent(alias, WebhookEventTypes.Other, { alias, notification: N })
  class E extends WebhookEventBase<N> {}
  Object.defineProperty(E, 'name', { value: `${alias}Event` });
  return E;
};
const A = event('a');
const B = event('b');
const C = event('c');
const D = event('d');

const collection = (): WebhookEventCollectionBuilder => new Builder();
const names = (c: WebhookEventCollectionBuilder) => c.types.map((t) => t.name);

describe('WebhookEventCollectionBuilder (Umbraco set semantics)', () => {
  it('adds in insertion order, without duplicates', () => {
    expect(names(collection().add(A, B).add(C))).toEqual(['aEvent', 'bEvent', 'cEvent']);
    expect(names(collection().add(A, A, B))).toEqual(['aEvent', 'bEvent']);
  });

  it('moves a re-added class to the end', () => {
    expect(names(collection().add(A, B, C).add(A))).toEqual(['bEvent', 'cEvent', 'aEvent']);
  });

  it('removes a class, and does nothing when it is absent', () => {
    const c = collection().add(A, B);
    expect(names(c.remove(A))).toEqual(['bEvent']);
    expect(names(c.remove(C))).toEqual(['bEvent']);
  });

  it('replaces at the same position', () => {
    expect(names(collection().add(A, B, C).replace(B, D))).toEqual(['aEvent', 'dEvent', 'cEvent']);
  });

  it('removes an earlier copy of the replacement', () => {
    expect(names(collection().add(D, A, B, C).replace(C, D))).toEqual(['aEvent', 'bEvent', 'dEvent']);
    expect(names(collection().add(A, B, C, D).replace(A, D))).toEqual(['dEvent', 'bEvent', 'cEvent']);
  });

  it('does nothing when replacing a class with itself', () => {
    expect(names(collection().add(A, B).replace(B, B))).toEqual(['aEvent', 'bEvent']);
  });

  it('fails clearly, naming both classes, when the replaced class is absent', () => {
    const c = collection().add(A);
    expect(() => c.replace(B, D)).toThrow(/HOOKWORK_ERR_REPLACE_TARGET_MISSING: cannot replace bEvent with dEvent: bEvent is not in the collection/);
    expect(names(c)).toEqual(['aEvent']);
  });

  // replace(ContentPublishedWebhookEvent, EntryCreatedWebhookEvent) was taken: the CMS notification
  // then fired nothing and webhooks on Umbraco.ContentPublish got nothing, without a word.
  it('refuses a replacement of another notification and another alias, naming both and the fix, and keeps the collection', () => {
    class Other {}
    @WebhookEvent('Entry Created', WebhookEventTypes.Other, { alias: 'entry.create', notification: Other })
    class EntryCreatedEvent extends WebhookEventBase<Other> {}
    const c = collection().add(A, B);
    let error: unknown;
    try {
      c.replace(B, EntryCreatedEvent);
    } catch (e) {
      error = e;
    }
    expect(isHookworkError(error, 'HOOKWORK_ERR_REPLACEMENT_UNRELATED')).toBe(true);
    expect((error as Error).message).toBe(
      'HOOKWORK_ERR_REPLACEMENT_UNRELATED: cannot replace bEvent (alias b, for N) with EntryCreatedEvent (alias entry.create, for Other): it handles another notification under another alias, so N would fire nothing and webhooks subscribed to b would get nothing. ' +
        "To change bEvent's payload, extend it (class My extends bEvent, decorated with @WebhookEvent: it keeps the alias and the notification); to compose another event in its stead, use remove(bEvent).add(EntryCreatedEvent)",
    );
    expect(names(c)).toEqual(['aEvent', 'bEvent']);
    // In a composer, as an app meets it: the composer's coded error passes unchanged.
    expect(() => createHookwork({ composers: [{ compose: (b) => void b.webhookEvents().add(A).replace(A, EntryCreatedEvent) }] })).toThrow(/^HOOKWORK_ERR_REPLACEMENT_UNRELATED: cannot replace aEvent/);
  });

  it('takes a replacement that keeps the notification (a new alias) or answers the alias (another notification), as meant', () => {
    class Other {}
    @WebhookEvent('Other B', WebhookEventTypes.Other, { alias: 'b', notification: Other })
    class SameAlias extends WebhookEventBase<Other> {}
    @WebhookEvent('Other B2', WebhookEventTypes.Other, { alias: 'b2', synonyms: ['b'], notification: Other })
    class Synonym extends WebhookEventBase<Other> {}
    expect(names(collection().add(A, B).replace(B, D))).toEqual(['aEvent', 'dEvent']);
    expect(names(collection().add(A, B).replace(B, SameAlias))).toEqual(['aEvent', 'SameAlias']);
    expect(names(collection().add(A, B).replace(B, Synonym))).toEqual(['aEvent', 'Synonym']);
  });

  it('clears and answers has()', () => {
    const c = collection().add(A, B);
    expect(c.has(A)).toBe(true);
    expect(c.has(C)).toBe(false);
    expect(c.clear().types).toEqual([]);
    expect(c.has(A)).toBe(false);
  });

  it('keeps the options of an entry on replace and plain re-add', () => {
    const c = collection().addWithOptions({ payloadType: 'Legacy' }, A, B).replace(A, D).add(B);
    expect(c.getEntries().map((e) => [e.type.name, e.options])).toEqual([
      ['dEvent', { payloadType: 'Legacy' }],
      ['bEvent', { payloadType: 'Legacy' }],
    ]);
  });

  it('refuses a subclass that is not decorated itself', () => {
    class Undecorated extends A {}
    const c = collection().add(B);
    let error: unknown;
    try {
      c.add(Undecorated);
    } catch (e) {
      error = e;
    }
    expect(isHookworkError(error, 'HOOKWORK_ERR_NOT_A_WEBHOOK_EVENT')).toBe(true);
    expect((error as Error).message).toContain('Undecorated is not a webhook event class');
    expect(() => c.replace(B, Undecorated)).toThrow(/HOOKWORK_ERR_NOT_A_WEBHOOK_EVENT/);
    expect(names(c)).toEqual(['bEvent']);
  });

  // From JavaScript, remove('Umbraco.ContentPublish') did nothing and said nothing: the event stayed.
  it('refuses in remove() and has() what is no event class (an alias, an undecorated subclass), as add() and replace() do', () => {
    class Undecorated extends A {}
    const c = collection().add(A, B);
    const call = (method: 'add' | 'remove' | 'has', value: unknown) => () => (c[method] as (type: unknown) => unknown)(value);
    expect(call('remove', 'a')).toThrow('HOOKWORK_ERR_NOT_A_WEBHOOK_EVENT: remove("a"): not a webhook event class; pass the event class (e.g. ContentPublishedWebhookEvent), not an alias');
    expect(call('has', 'a')).toThrow('HOOKWORK_ERR_NOT_A_WEBHOOK_EVENT: has("a"): not a webhook event class; pass the event class');
    expect(call('remove', undefined)).toThrow('HOOKWORK_ERR_NOT_A_WEBHOOK_EVENT: remove(undefined): not a webhook event class; pass an event class decorated with @WebhookEvent(name, type)');
    expect(call('remove', Undecorated)).toThrow(/remove\(Undecorated\): Undecorated is not a webhook event class; decorate the class itself/);
    expect(call('add', {})).toThrow('HOOKWORK_ERR_NOT_A_WEBHOOK_EVENT: add({}): not a webhook event class');
    expect(names(c)).toEqual(['aEvent', 'bEvent']);
    expect(c.remove(C).has(C)).toBe(false);
  });

  // add([A, B]) — a plugin's exported list passed as is — was shown as "add([null])", with no word of spreading it.
  it('says a list of classes must be spread, and changes nothing', () => {
    const c = collection().add(A);
    expect(() => (c.add as (...types: unknown[]) => unknown)([B, C])).toThrow('HOOKWORK_ERR_NOT_A_WEBHOOK_EVENT: add(an array of 2): not a webhook event class; it takes the classes one by one, not a list: spread it, add(...events)');
    expect(() => (c.addWithOptions as (...args: unknown[]) => unknown)({ payloadType: 'Legacy' }, [B])).toThrow(/add\(an array of 1\): .*spread it/);
    expect(() => (c.remove as (type: unknown) => unknown)([A])).toThrow(/remove\(an array of 1\): .*spread it, remove\(\.\.\.events\)/);
    expect(names(c)).toEqual(['aEvent']);
  });

  // addWithOptions({ payloadType: 'Full' }, X) composed and started; every publish of X then failed.
  it('refuses addWithOptions() options no event could read, naming the value and the fix', () => {
    const c = collection();
    const addWith = (options: unknown) => () => c.addWithOptions(options as never, A);
    expect(addWith('Legacy')).toThrow(`HOOKWORK_ERR_INVALID_ARGUMENT: addWithOptions() takes an options object first, such as addWithOptions({ payloadType: 'Legacy' }, MyEvent); got "Legacy"`);
    expect(addWith(null)).toThrow(/takes an options object first.*; got null/);
    expect(addWith({ payloadType: 'Full' })).toThrow('HOOKWORK_ERR_INVALID_ARGUMENT: addWithOptions(): payloadType must be one of Minimal, Extended, Legacy (case matters); got "Full"');
    expect(addWith({ payloadType: 'legacy' })).toThrow(/payloadType must be one of/);
    expect(names(c)).toEqual([]);
    expect(c.addWithOptions({ payloadType: 'Legacy', own: 1 }, A).getEntries()[0]!.options).toEqual({ payloadType: 'Legacy', own: 1 });
  });

  it('accepts a decorated subclass, which keeps its parent alias unless it declares one', () => {
    @WebhookEvent('A again', WebhookEventTypes.Content)
    class A2 extends A {}
    expect(names(collection().add(A).replace(A, A2))).toEqual(['A2']);
  });

  it('is frozen once the app is built', () => {
    let captured: WebhookEventCollectionBuilder | undefined;
    createHookwork({ composers: [{ compose: (b) => (captured = b.webhookEvents().add(A)) }] });
    for (const change of [() => captured!.add(B), () => captured!.remove(A), () => captured!.replace(A, B), () => captured!.clear()]) {
      expect(change).toThrow(/HOOKWORK_ERR_COLLECTION_FROZEN/);
    }
    expect(captured!.has(A)).toBe(true);
  });

  it('runs composers in order, so a later composer can clear, remove or replace what an earlier one added', () => {
    const pkg = { compose: (b: { webhookEvents(): WebhookEventCollectionBuilder }) => b.webhookEvents().add(A, B, C) };
    const app = createHookwork({ composers: [pkg, { compose: (b) => b.webhookEvents().remove(A).replace(C, D) }] });
    expect(app.events().map((e) => e.alias)).toEqual(['b', 'd']);
    const cleared = createHookwork({ composers: [pkg, { compose: (b) => b.webhookEvents().clear().add(C) }] });
    expect(cleared.events().map((e) => e.alias)).toEqual(['c']);
  });

  // TypeScript lets `async compose()` implement Composer (a promise where void is expected): the
  // app was built as compose() returned, its work after the await then failed unhandled.
  it('refuses an async composer or extension method at createHookwork(), naming it, with nothing left to fail unhandled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const later = () => new Promise((resolve) => setTimeout(resolve, 5));
      class ConfigLoader implements Composer {
        async compose(b: WebhooksBuilder) {
          await later();
          b.webhookEvents().add(A);
        }
      }
      expect(() => createHookwork({ composers: [ConfigLoader] })).toThrow(
        /^HOOKWORK_ERR_ASYNC_COMPOSITION: ConfigLoader\.compose\(\) returned a promise \(is it async\?\): composition runs synchronously.*Do the asynchronous work before createHookwork\(\)/,
      );
      const named: Composer = { name: '@acme/loader', compose: async () => {} };
      expect(() => createHookwork({ composers: [named] })).toThrow(/@acme\/loader\.compose\(\) returned a promise/);
      expect(() => createHookwork({ composers: [{ compose: () => {} }, { compose: async () => {} }] })).toThrow(/HOOKWORK_ERR_ASYNC_COMPOSITION: composers\[1\]\.compose\(\) returned a promise/);
      const asyncMethods = {
        async addCommerce(this: WebhookEventCollectionBuilder) {
          await later();
          return this.add(A);
        },
      };
      const commerce = defineCollectionExtension('@acme/commerce', asyncMethods as never);
      const composer: Composer = { name: '@acme/commerce', extensions: [commerce], compose: (b) => void (b.webhookEvents().install(commerce) as unknown as { addCommerce(): unknown }).addCommerce() };
      expect(() => createHookwork({ composers: [composer] })).toThrow(/HOOKWORK_ERR_ASYNC_COMPOSITION: webhookEvents\(\)\.addCommerce\(\) of @acme\/commerce returned a promise/);
      await later();
      await later();
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('wraps what a composer throws in HOOKWORK_ERR_COMPOSER_FAILED naming the composer, with the original as cause; coded errors pass unchanged', () => {
    const original = new TypeError("Cannot read properties of undefined (reading 'events')");
    class ShopComposer implements Composer {
      compose(): void {
        throw original;
      }
    }
    const caught = (composers: ComposerLike[]) => {
      try {
        createHookwork({ composers });
      } catch (error) {
        return error as HookworkError;
      }
      throw new Error('createHookwork() did not throw');
    };
    const byClass = caught([{ compose: () => {} }, ShopComposer]);
    expect(byClass.code).toBe('HOOKWORK_ERR_COMPOSER_FAILED');
    expect(byClass.message).toBe(
      "HOOKWORK_ERR_COMPOSER_FAILED: ShopComposer.compose() threw: Cannot read properties of undefined (reading 'events'); the app was not created. Fix that composer (the original error, with its stack, is this error's cause)",
    );
    expect(byClass.cause).toBe(original);
    // Named as the async check names them: its name, else its place in the list; a constructor that throws too.
    expect(caught([{ name: '@acme/shop', compose: () => { throw original; } }]).message).toMatch(/^HOOKWORK_ERR_COMPOSER_FAILED: @acme\/shop\.compose\(\) threw/);
    expect(caught([{ compose: () => {} }, { compose: () => { throw 'no config'; } }]).message).toMatch(/^HOOKWORK_ERR_COMPOSER_FAILED: composers\[1\]\.compose\(\) threw: "no config"/);
    class NeedsConfig implements Composer {
      constructor() {
        throw new Error('SHOP_URL is not set');
      }
      compose(): void {}
    }
    const construction = caught([NeedsConfig]);
    expect(construction.message).toMatch(/^HOOKWORK_ERR_COMPOSER_FAILED: new NeedsConfig\(\) threw: SHOP_URL is not set/);
    // A coded error names its own fix, and callers check its code: it is not wrapped.
    expect(caught([{ compose: (b) => void b.webhookEvents().replace(A, B) }]).code).toBe('HOOKWORK_ERR_REPLACE_TARGET_MISSING');
  });

  // `instanceof HookworkError` ran the getPrototypeOf trap of a thrown Proxy, whose error left
  // createHookwork() raw; another realm's Error (a vm context) was quoted as `{}`.
  it('wraps a thrown Proxy whose traps throw, and an Error of another realm, in HOOKWORK_ERR_COMPOSER_FAILED, saying what can be read', () => {
    const trap = (): never => {
      throw new Error('trap sprung');
    };
    const unreadable = new Proxy({}, { get: trap, getPrototypeOf: trap, has: trap, ownKeys: trap, getOwnPropertyDescriptor: trap });
    const caught = (compose: () => void) => {
      try {
        createHookwork({ composers: [{ name: '@acme/shop', compose }] });
      } catch (error) {
        return error as HookworkError;
      }
      throw new Error('createHookwork() did not throw');
    };
    const fromProxy = caught(() => {
      throw unreadable;
    });
    expect(fromProxy.code).toBe('HOOKWORK_ERR_COMPOSER_FAILED');
    expect(fromProxy.message).toMatch(/^HOOKWORK_ERR_COMPOSER_FAILED: @acme\/shop\.compose\(\) threw: a thrown object that cannot be read or turned into text;/);
    expect(fromProxy.cause).toBe(unreadable);
    expect(caught(() => { throw runInNewContext('new TypeError("SHOP_URL is not set")'); }).message).toMatch(/^HOOKWORK_ERR_COMPOSER_FAILED: @acme\/shop\.compose\(\) threw: SHOP_URL is not set;/);
  });

  it('refuses two composed events with the same alias', () => {
    @WebhookEvent('A twin', WebhookEventTypes.Other, { alias: 'a', notification: N })
    class ATwin extends WebhookEventBase<N> {}
    expect(() => createHookwork({ composers: [{ compose: (b) => b.webhookEvents().add(A, ATwin) }] })).toThrow(
      /HOOKWORK_ERR_DUPLICATE_ALIAS: ATwin and aEvent both declare the alias "a"/,
    );
  });

  describe('names the classes so that two of one name, or anonymous ones, can be told apart', () => {
    // Each call is one copy of a plugin's module: a package installed twice, or loaded as ESM and CommonJS.
    const moduleCopy = () => {
      @WebhookEvent('Order Placed', WebhookEventTypes.Other, { alias: 'shop.orderPlaced', notification: N })
      class OrderPlacedWebhookEvent extends WebhookEventBase<N> {}
      return OrderPlacedWebhookEvent;
    };
    const compose = (configure: (events: WebhookEventCollectionBuilder) => void) => () => createHookwork({ composers: [{ compose: (b) => configure(b.webhookEvents()) }] });

    it('says two different classes of one name are most likely two copies of a module, not "replace(X, X)"', () => {
      const [first, second] = [moduleCopy(), moduleCopy()];
      expect(compose((events) => events.add(first, second))).toThrow(
        'HOOKWORK_ERR_DUPLICATE_ALIAS: two different classes named OrderPlacedWebhookEvent both declare the alias "shop.orderPlaced", and a webhook could not tell them apart. Most likely two copies of the module that declares it are loaded (a package installed twice: `npm ls <package>` shows the copies and `npm dedupe` merges them; or one module loaded both as ESM and as CommonJS): import the class from one place. If they are two events, give one another alias',
      );
      // replace() goes by class: the other copy's class is "not in the collection", though one of its name is.
      expect(compose((events) => events.add(first).replace(second, B))).toThrow(
        'HOOKWORK_ERR_REPLACE_TARGET_MISSING: cannot replace OrderPlacedWebhookEvent with bEvent: the collection holds a different class named OrderPlacedWebhookEvent, not the one given. Most likely two copies of the module',
      );
    });

    // Two plugins for one CMS may both declare `media.upload` (and name their classes alike): the
    // host must learn which packages clash, and "two copies of one module" was no answer then.
    it('says which composer (and which extension method) added each of the two, when they differ', () => {
      const [mine, theirs] = [moduleCopy(), moduleCopy()];
      const myExtension = defineCollectionExtension('hookwork-plugin-mycms', { addMyCms() { return this.add(mine); } });
      const myComposer: Composer = { name: 'hookwork-plugin-mycms', extensions: [myExtension], compose: (b) => void b.webhookEvents().install(myExtension) };
      const otherComposer: Composer = { name: 'hookwork-plugin-othercms', compose: (b) => void b.webhookEvents().add(theirs) };
      const app: Composer = { name: 'App', compose: (b) => void (b.webhookEvents() as unknown as { addMyCms(): unknown }).addMyCms() };
      expect(() => createHookwork({ composers: [myComposer, otherComposer, app] })).toThrow(
        'HOOKWORK_ERR_DUPLICATE_ALIAS: two different classes named OrderPlacedWebhookEvent both declare the alias "shop.orderPlaced", and a webhook could not tell them apart: one added by hookwork-plugin-othercms (composers[1]), the other by App (composers[2]) through webhookEvents().addMyCms() of hookwork-plugin-mycms. If two packages declare it, compose only one of them (or have one give its event another alias); if it is one package, two copies of the module',
      );
      @WebhookEvent('Order Placed', WebhookEventTypes.Other, { alias: 'shop.orderPlaced', notification: N })
      class ShopOrderPlaced extends WebhookEventBase<N> {}
      const shop: Composer = { name: '@acme/shop', compose: (b) => void b.webhookEvents().add(ShopOrderPlaced) };
      expect(() => createHookwork({ composers: [myComposer, shop, app] })).toThrow(
        'HOOKWORK_ERR_DUPLICATE_ALIAS: OrderPlacedWebhookEvent and ShopOrderPlaced both declare the alias "shop.orderPlaced"; a webhook could not tell them apart. Use replace(ShopOrderPlaced, OrderPlacedWebhookEvent) to swap one for the other, or give one another alias. ShopOrderPlaced was added by @acme/shop (composers[1]), OrderPlacedWebhookEvent by App (composers[2]) through webhookEvents().addMyCms() of hookwork-plugin-mycms',
      );
    });

    it('names an anonymous class by its event, never by its source text', () => {
      const anonymous = (name: string) => {
        const type = (() => class extends WebhookEventBase<N> {})();
        WebhookEvent(name, WebhookEventTypes.Other, { alias: 'anon', notification: N })(type);
        return type;
      };
      expect(compose((events) => events.add(anonymous('First'), anonymous('Second')))).toThrow(
        'HOOKWORK_ERR_DUPLICATE_ALIAS: the anonymous event class "Second" (alias anon) and the anonymous event class "First" (alias anon) both declare the alias "anon"',
      );
      let message = '';
      try {
        compose((events) => events.replace(anonymous('Third'), B))();
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toBe('HOOKWORK_ERR_REPLACE_TARGET_MISSING: cannot replace the anonymous event class "Third" (alias anon) with bEvent: the anonymous event class "Third" (alias anon) is not in the collection (add it first, use add(bEvent), or check that the composer adding it runs before this one)');
      const undecorated = (() => class extends WebhookEventBase<N> {})();
      expect(compose((events) => events.add(undecorated))).toThrow('HOOKWORK_ERR_NOT_A_WEBHOOK_EVENT: add(an anonymous class): an anonymous class is not a webhook event class');
    });

    it('says which of the two holds the alias as a synonym', () => {
      @WebhookEvent('Group Deleted', WebhookEventTypes.Other, { alias: 'groupDeleted', synonyms: ['GroupDeleted'], notification: N })
      class GroupDeletedEvent extends WebhookEventBase<N> {}
      @WebhookEvent('Group Deleted (old)', WebhookEventTypes.Other, { alias: 'GroupDeleted', notification: N })
      class OldGroupDeletedEvent extends WebhookEventBase<N> {}
      expect(compose((events) => events.add(GroupDeletedEvent, OldGroupDeletedEvent))).toThrow(
        'HOOKWORK_ERR_DUPLICATE_ALIAS: OldGroupDeletedEvent and GroupDeletedEvent both declare "GroupDeleted" (OldGroupDeletedEvent as its alias, GroupDeletedEvent as its synonym); a webhook could not tell them apart. Use replace(GroupDeletedEvent, OldGroupDeletedEvent)',
      );
    });
  });

  it('installs package extensions once per package and refuses conflicts', () => {
    const one = defineCollectionExtension('@x/one', { addThing() { return this.add(A); } });
    const other = defineCollectionExtension('@x/other', { addThing() { return this.add(B); } });
    const c = collection();
    c.install(one).install(one);
    expect(() => c.install(other)).toThrow(/HOOKWORK_ERR_EXTENSION_CONFLICT: @x\/other contributes webhookEvents\(\)\.addThing\(\), but @x\/one already installed/);
  });

  // A method named as the builder's own (addWithOptions) was taken when the package declared it, and
  // refused only once an app composed the package: the plugin's own tests without an app never saw it.
  it('refuses an extension method named as a member of the builder, when the package declares it and at install()', () => {
    expect(() => defineCollectionExtension('@x/shadow', { addWithOptions() { return this; } } as never)).toThrow(
      'HOOKWORK_ERR_EXTENSION_CONFLICT: @x/shadow cannot contribute webhookEvents().addWithOptions(): the collection builder already has a member of that name; rename the extension method after your package (e.g. addCommerce)',
    );
    const byHand = { packageName: '@x/by-hand', composerHint: undefined, methods: { addWithOptions() { return this; } } };
    expect(() => collection().install(byHand as never)).toThrow(/^HOOKWORK_ERR_EXTENSION_CONFLICT: @x\/by-hand cannot contribute webhookEvents\(\)\.addWithOptions\(\): the collection builder already has a member of that name/);
  });

  it('names the package and composer of an extension method the app did not compose at all, when the package is loaded', () => {
    const calling = (method: string): Composer => ({ compose: (b) => (b.webhookEvents() as unknown as Record<string, () => unknown>)[method]!() });
    const refusal = (method: string) => {
      try {
        createHookwork({ composers: [calling(method)] });
      } catch (error) {
        expect(isHookworkError(error, 'HOOKWORK_ERR_EXTENSION_NOT_COMPOSED')).toBe(true);
        return (error as Error).message;
      }
      throw new Error('expected a refusal');
    };
    // Declared by a loaded package, which this app does not compose: the app's own builder knew nothing of it.
    defineCollectionExtension('@acme/loyalty', { addLoyalty() { return this; } }, { composerHint: 'loyaltyComposer()' });
    expect(refusal('addLoyalty')).toBe(
      'HOOKWORK_ERR_EXTENSION_NOT_COMPOSED: webhookEvents().addLoyalty() comes from @acme/loyalty, which this app does not compose: add loyaltyComposer() to createHookwork({ composers: [...] }), before the composer that calls addLoyalty()',
    );
    // Two packages declaring one name: both, with their composers (or "<package>'s composer" without a hint).
    defineCollectionExtension('@acme/gifts', { addGifts() { return this; } }, { composerHint: 'giftsComposer()' });
    defineCollectionExtension('@other/gifts', { addGifts() { return this; } });
    expect(refusal('addGifts')).toMatch(/@acme\/gifts and @other\/gifts each declare it, and this app composes neither\. Add the composer of the one you mean \(giftsComposer\(\) or @other\/gifts's composer\)/);
    // Declared nowhere in this process (a package imported for its types only): the general fix.
    expect(refusal('addNowhere')).toMatch(/addNowhere\(\) is not installed on this app's builder: no composer of this app contributes it, and no package loaded in this process declares it\. Add the composer of the package that provides addNowhere\(\)/);
  });

  it('refuses, when the package declares it, an extension an app could not call or be told it forgot to compose', () => {
    const define = (packageName: unknown, methods: unknown) => () => defineCollectionExtension(packageName as string, methods as never);
    // Only add… names get HOOKWORK_ERR_EXTENSION_NOT_COMPOSED in an app without the package's composer.
    expect(define('@acme/commerce', { useCommerce() { return this; } })).toThrow(
      'HOOKWORK_ERR_INVALID_ARGUMENT: defineCollectionExtension("@acme/commerce"): useCommerce is not named add… (e.g. addCommerce); name extension methods add followed by a capital, so an app that calls one without composing your package is told which composer it lacks',
    );
    expect(define('@acme/commerce', { add() { return this; } })).toThrow(/add is not named add… \(e\.g\. addCommerce\)/);
    expect(define('@acme/commerce', { addCommerce: 'events' })).toThrow(/addCommerce must be a function \(this: WebhookEventCollectionBuilder, …\) returning this; got "events"/);
    expect(define('', { addCommerce() { return this; } })).toThrow(/the package name must be your npm package's name, e.g. "@acme\/commerce"/);
    expect(define('@acme/commerce', undefined)).toThrow(/takes the methods as an object, e.g. \{ addCommerce\(\) \{ return this.add\(OrderPlacedWebhookEvent\); \} \}; got undefined/);
  });

  it('says a class that does not extend WebhookEventBase is no event class, naming the event that handles it when it is a composed notification', () => {
    const compose = (configure: (events: WebhookEventCollectionBuilder) => void) => () => createHookwork({ composers: [{ compose: (b) => configure(b.webhookEvents()) }] });
    // "decorate the class itself with @WebhookEvent" was the fix offered for a notification or a composer.
    expect(compose((events) => events.add(A).add(N as never))).toThrow(
      'HOOKWORK_ERR_NOT_A_WEBHOOK_EVENT: add(N): N does not extend WebhookEventBase, so it is no webhook event class; the collection takes event classes (class MyEvent extends WebhookEventBase<MyNotification>, decorated with @WebhookEvent), not notifications, composers or services. The composed event handling N is aEvent',
    );
    class ShopComposer {
      compose(): void {}
    }
    expect(compose((events) => events.add(A).replace(A, ShopComposer as never))).toThrow(/^HOOKWORK_ERR_NOT_A_WEBHOOK_EVENT: replace\(ShopComposer\): ShopComposer does not extend WebhookEventBase, .*services$/);
  });

  it('makes the same checks when an extension written by hand is installed', () => {
    const install = (extension: unknown) => () => createHookwork({ composers: [{ compose: (b) => void b.webhookEvents().install(extension as never) }] });
    // Installed as given, `foo` came under no package, and a method that was no function failed when called with "implementation.apply is not a function".
    expect(install({ packageName: '@acme/commerce', methods: { foo() { return this; } } })).toThrow('HOOKWORK_ERR_INVALID_ARGUMENT: install("@acme/commerce"): foo is not named add…');
    expect(install({ packageName: '@acme/commerce', methods: { addCommerce: 42 } })).toThrow(/install\("@acme\/commerce"\): addCommerce must be a function .*; got 42/);
    expect(install({ methods: { addCommerce() { return this; } } })).toThrow(/install\(undefined\): the package name must be your npm package's name/);
    expect(install(null)).toThrow('HOOKWORK_ERR_INVALID_ARGUMENT: install() takes what defineCollectionExtension(packageName, { addSomething() { … } }) returns; got null');
  });

  it("keeps the chain going after an extension method that ends without return this", () => {
    // Plain JavaScript: the app's next call in the chain failed with "Cannot read properties of undefined (reading 'replace')".
    const commerce = defineCollectionExtension('@acme/no-return', {
      addNoReturn(this: WebhookEventCollectionBuilder) {
        this.add(A, B);
      },
    } as never);
    const app = createHookwork({ composers: [{ compose: (b) => void (b.webhookEvents().install(commerce) as unknown as { addNoReturn(): WebhookEventCollectionBuilder }).addNoReturn().replace(A, C) }] });
    expect(app.events().map((e) => e.alias)).toEqual(['c', 'b']);
  });
});
