// Imports the fixture through its package entry, i.e. its emitted dist (built against core's
// emitted declarations): the typing of addSomething() is checked by `tsc -p tsconfig.test.json`.
import { recordingTransport } from '@hookwork/core/testing';
import { createHookwork, isHookworkError, type Composer, type WebhookEventCollectionBuilder } from '@hookwork/core';
import { SomethingHappened, SomethingHappenedWebhookEvent, somethingComposer } from '@hookwork/extension-fixture';

const addsSomething: Composer = { name: 'app', compose: (b) => b.webhookEvents().addSomething({ tag: 'x' }) };

describe('a builder extension contributed by another package', () => {
  it('is typed for callers and installed by the package composer', async () => {
    const app = createHookwork({ composers: [somethingComposer(), addsSomething], transport: recordingTransport() });
    expect(app.events().map((e) => e.alias)).toEqual(['something.happened']);
    await app.start();
    const seen: string[] = [];
    app.lifecycle.on('enqueued', (requests) => seen.push(...requests.map((r) => r.eventAlias)));
    await app.webhooks.create({ url: 'https://example.com/hook', events: ['something.happened'], enabled: true });
    await app.publish(new SomethingHappened('it'));
    expect(seen).toEqual(['something.happened']);
    await app.stop();
  });

  it('is a coded error naming the package when the package was not composed', () => {
    let error: unknown;
    try {
      createHookwork({ composers: [addsSomething] });
    } catch (e) {
      error = e;
    }
    expect(isHookworkError(error, 'HOOKWORK_ERR_EXTENSION_NOT_COMPOSED')).toBe(true);
    expect((error as Error).message).toMatch(/addSomething\(\) comes from @hookwork\/extension-fixture, which this app does not compose: add somethingComposer\(\) to createHookwork/);
  });

  it('names the package and the fix when its composer is listed after the caller', () => {
    expect(() => createHookwork({ composers: [addsSomething, somethingComposer()] })).toThrow(
      /addSomething\(\) comes from @hookwork\/extension-fixture.*list somethingComposer\(\) before/,
    );
  });

  it('refuses misuse at compile time', () => {
    const check = (events: WebhookEventCollectionBuilder) => {
      // @ts-expect-error addSomething takes an options object, not a number
      events.addSomething(42);
      // @ts-expect-error a class that is not a webhook event cannot be added
      events.add(Date);
      // @ts-expect-error replace needs webhook event classes on both sides
      events.replace(SomethingHappenedWebhookEvent, Map);
      // @ts-expect-error no such extension is declared by any package
      events.addNothing();
    };
    expect(typeof check).toBe('function');
  });
});
