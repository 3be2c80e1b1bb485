import { createHookwork, isHookworkError, loadSettings, resolveSettings, shownList, WebhookEvent, WebhookEventBase, WebhookEventTypes, type Hookwork } from '../index';
import { recordingTransport } from '../testing';

describe('shownList', () => {
  it('names every item of a short list, each as shownValue shows it', () => {
    expect(shownList(['a', 'b'])).toBe('"a", "b"');
    expect(shownList([1, 'x'.repeat(300)])).toBe(`1, "${'x'.repeat(199)}… (302 characters)`);
  });

  it('names the first ten and counts the rest', () => {
    const items = Array.from({ length: 400_000 }, (_, i) => `e${i}`);
    expect(shownList(items)).toBe(`${items.slice(0, 10).map((e) => `"${e}"`).join(', ')} and 399990 more`);
  });

  it('takes its own way to show an item, a limit and a separator', () => {
    expect(shownList(new Set(['a is wrong', 'b is wrong', 'c is wrong']), { show: (p) => p, max: 2, separator: '; ' })).toBe('a is wrong; b is wrong; and 1 more');
    expect(shownList(['a', 'b', 'c'], { show: (p) => p, max: 0 })).toBe('a and 2 more');
  });
});

/** An object with `count` keys no option has. */
const manyKeys = (count: number): Record<string, unknown> => Object.fromEntries(Array.from({ length: count }, (_, i) => [`unknownKey${i}`, 1]));

/** The message of what `call` throws (a coded error). */
async function refusal(call: () => unknown): Promise<string> {
  try {
    await call();
  } catch (error) {
    expect(isHookworkError(error)).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

class Saved {}
@WebhookEvent('Saved', WebhookEventTypes.Other, { alias: 'saved', notification: Saved })
class SavedEvent extends WebhookEventBase<Saved> {}

// Each refusal here echoed what it was given, item by item: a message grew with the input (400,000
// unknown event aliases made 4.29 MB). It names the first few and counts the rest, wherever the
// list comes in.
describe('a refusal that names what it was given stays small, however much it was given', () => {
  let app: Hookwork;
  beforeAll(async () => {
    app = createHookwork({ composers: [{ compose: (b) => b.webhookEvents().add(SavedEvent) }], transport: recordingTransport() });
    await app.start();
  });
  afterAll(() => app.stop());

  // Every item named made these messages 20 KB to 80 KB long, four times the limit and more.
  const LIMIT = 5_000;
  const keys = manyKeys(1_000);
  const list = Array.from({ length: 2_000 }, (_, i) => `item${i}`);

  it.each<[string, () => unknown, string]>([
    ['webhooks.create(): unknown event aliases', () => app.webhooks.create({ url: 'https://example.com/h', events: list }), 'and 1990 more'],
    ['webhooks.create(): a header object with keys of its own', () => app.webhooks.create({ url: 'https://example.com/h', events: ['saved'], headers: { 'x-a': keys as never } }), 'and 990 more'],
    ['webhooks.list(): keys that are not part of a page', () => app.webhooks.list(keys as never), 'and 990 more'],
    ['logs(): outcomes', () => app.logs({ outcomes: list as never }), 'and 1990 more'],
    ['logs(): keys that are not filters', () => app.logs(keys as never), 'and 990 more'],
    ['redeliver(): keys that are not part of a selector', () => app.redeliver(keys as never), 'and 990 more'],
    // drain() names the first unknown option and the one meant, as publish() does: small whatever it was given.
    ['drain(): keys that are not options', () => app.drain(keys as never), 'unknown option `unknownKey0`'],
    ['createHookwork(): keys that are not options', () => createHookwork(keys as never), 'and 990 more'],
    ['resolveSettings(): keys that are not settings', () => resolveSettings(keys as never), 'and 990 more'],
    ['resolveSettings(): bad ssrf.allow entries', () => resolveSettings({ ssrf: { allow: list.map((i) => `${i}/99`) } }), '; and 1990 more'],
    ['loadSettings(): keys that are not options', () => loadSettings(keys as never), 'and 990 more'],
    ['@WebhookEvent(): keys that are not options', () => WebhookEvent('X', WebhookEventTypes.Other, keys as never)(class X extends WebhookEventBase<Saved> {}), 'and 990 more'],
  ])('%s', async (_what, call, counted) => {
    const message = await refusal(call);
    expect(message).toContain(counted);
    expect(message.length).toBeLessThan(LIMIT);
  });
});
