import { createHookwork, TEST_EVENT_HEADER, type Hookwork } from '@hookwork/core';
import { startTestReceiver, type TestReceiver } from '@hookwork/core/testing';
import { cockpitComposer, cockpitHost, type CockpitEnvelope } from './index';

// "Trigger" for Cockpit webhooks: a test send carries the envelope a real trigger would send.

describe('sendTestEvent on Cockpit webhooks', () => {
  let app: Hookwork;
  let receiver: TestReceiver;

  beforeEach(async () => {
    receiver = await startTestReceiver();
    app = createHookwork({
      composers: [cockpitComposer(), { compose: (b) => b.webhookEvents().addCockpit((c) => c.addAll()) }],
      settings: { ssrf: { allow: ['127.0.0.1'] } },
    });
    await app.start();
  });
  afterEach(async () => {
    await app.stop();
    await receiver.close();
  });

  const alias = (request: { headers: Record<string, unknown> }) => request.headers['hookwork-event'];

  it('tests a name-spaced variant with an example about that collection, exactly as a real trigger sends it', async () => {
    const hook = await app.webhooks.create({ name: 'Rebuild site', url: receiver.url, events: ['collections.save.after.pages'] });
    const result = await app.sendTestEvent(hook.key, { alias: 'collections.save.after.pages' });
    expect(result).toMatchObject({ ok: true, payload: 'example' });
    const [test] = await receiver.waitFor(1);
    const envelope = JSON.parse(test!.text) as CockpitEnvelope;
    expect(envelope).toMatchObject({ event: 'collections.save.after.pages', hook: 'Rebuild site', backend: 1, args: ['pages', { title: 'Hello' }, true] });
    expect(test!.headers[TEST_EVENT_HEADER]).toBe('true');

    await cockpitHost(app, { backend: true }).trigger('collections.save.after', ...envelope.args);
    const [, real] = await receiver.waitFor(2);
    expect(alias(real!)).toBe('collections.save.after.pages');
    expect(real!.text).toBe(test!.text);
    expect(real!.headers[TEST_EVENT_HEADER]).toBeUndefined();
  });

  it('tests the plain event with a collection of its own, a singleton event with a singleton, and an event without arguments with none', async () => {
    const hook = await app.webhooks.create({ url: receiver.url, events: ['collections.save.after', 'singleton.saveData.after.settings', 'cockpit.clearcache'] });
    await app.sendTestEvent(hook.key);
    await app.sendTestEvent(hook.key, { alias: 'singleton.saveData.after.settings' });
    await app.sendTestEvent(hook.key, { alias: 'cockpit.clearcache' });
    const [plain, singleton, noArgs] = (await receiver.waitFor(3)).map((r) => JSON.parse(r.text) as CockpitEnvelope);
    expect(plain).toMatchObject({ event: 'collections.save.after', args: ['posts', { _id: expect.any(String) }, true] });
    expect(singleton).toMatchObject({ event: 'singleton.saveData.after.settings', args: [{ name: 'settings' }, { siteName: 'My site' }] });
    expect(noArgs).toEqual({ event: 'cockpit.clearcache', hook: hook.key, backend: 1, args: [] });
  });

  it('sends the generic test body for an event with arguments but no example', async () => {
    const hook = await app.webhooks.create({ url: receiver.url, events: ['cockpit.api.erroronrequest'] });
    expect((await app.sendTestEvent(hook.key)).payload).toBe('generic');
    const [request] = await receiver.waitFor(1);
    expect(JSON.parse(request!.text)).toMatchObject({ event: 'cockpit.api.erroronrequest', test: true });
  });
});
