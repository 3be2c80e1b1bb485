import Ajv from 'ajv';
import type { Hookwork } from '../composition/hookwork-app';
import { startTestReceiver, type TestReceiver } from '../testing/test-receiver';
import { startTestApp, ThingHappened } from '../test-support/test-app';
import {
  cleanupResultSchema,
  createdWebhookSchema,
  deliveryLogEntrySchema,
  pageSchema,
  queueCountsSchema,
  rotatedSecretSchema,
  testEventResultSchema,
  webhookEventDescriptorSchema,
  webhookHealthSchema,
  webhookRequestSchema,
  webhookViewSchema,
} from './view-schemas';

// The schemas describe results as JSON carries them (dates as ISO strings): check what the
// service returns after a JSON round trip, as an HTTP API sends it. Unknown formats are
// reported as ajv errors by strict mode, so the date-time format is declared here.
const ajv = new Ajv({ allErrors: true, strict: true, formats: { 'date-time': (s: string) => !Number.isNaN(Date.parse(s)) && /T/.test(s) } });
const valid = (schema: object, value: unknown) => {
  const validate = ajv.compile(schema);
  const json = JSON.parse(JSON.stringify(value)) as unknown;
  if (!validate(json)) throw new Error(`${JSON.stringify(json)}\ndoes not match: ${ajv.errorsText(validate.errors)}`);
  return true;
};

let app: Hookwork;
let receiver: TestReceiver;
beforeEach(async () => {
  receiver = await startTestReceiver((_r, res) => void res.writeHead(500).end('down'));
  app = await startTestApp({ settings: { maximumRetries: 0 } });
});
afterEach(async () => {
  await app.stop();
  await receiver.close();
});

describe('the management view schemas', () => {
  it('match every result of the management service, field for field', async () => {
    const created = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'], name: 'n', description: 'd', headers: { Authorization: { value: 'x', sensitive: true } }, secret: true });
    expect(valid(createdWebhookSchema, created)).toBe(true);
    const rotated = await app.webhooks.rotateSecret(created.key, { gracePeriodMs: 60_000 });
    expect(valid(rotatedSecretSchema, rotated)).toBe(true);
    expect(valid(webhookViewSchema, await app.webhooks.get(created.key))).toBe(true);
    expect(valid(pageSchema(webhookViewSchema), await app.webhooks.list())).toBe(true);
    for (const event of app.management.events()) expect(valid(webhookEventDescriptorSchema, event)).toBe(true);

    await app.publish(new ThingHappened('t-1'));
    await app.drain();
    const logs = await app.management.logs();
    expect(logs.items.map((e) => e.outcome)).toEqual(['dead']);
    expect(valid(pageSchema(deliveryLogEntrySchema), logs)).toBe(true);
    const dead = await app.management.deadLetters();
    expect(dead.total).toBe(1);
    expect(valid(pageSchema(webhookRequestSchema), dead)).toBe(true);
    expect(valid(queueCountsSchema, await app.management.queueCounts())).toBe(true);
    expect(valid(testEventResultSchema, await app.management.sendTestEvent(created.key))).toBe(true);
    expect(valid(cleanupResultSchema, await app.management.runCleanup())).toBe(true);
    expect(valid(webhookHealthSchema, await app.management.health(created.key))).toBe(true);
    expect((await app.management.health(created.key)).failingSince).toBeInstanceOf(Date);
  });

  it('match a webhook with every flow-control option, and a FIFO request', async () => {
    const created = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'], rateLimit: { perSecond: 3 }, breaker: { failureThreshold: 2, coolDown: 5000 }, fifo: { onDeadLetter: 'block' } });
    expect(valid(createdWebhookSchema, created)).toBe(true);
    expect(valid(webhookViewSchema, await app.webhooks.get(created.key))).toBe(true);
    await app.publish(new ThingHappened('t-2'));
    await app.drain();
    const dead = await app.management.deadLetters({ webhookKey: created.key });
    expect(dead.items[0]!.fifo).toBe('block');
    expect(valid(pageSchema(webhookRequestSchema), dead)).toBe(true);
  });

  it('match an attempt that was not sent because it could not go on the wire unchanged (errorKind invalid)', async () => {
    // A before-send hook adds a header value HTTP/1.1 cannot carry: not sent, dead at once.
    const hooked = await startTestApp({ settings: { maximumRetries: 0 }, delivery: { beforeSend: (request) => void (request.headers['x-site'] = 'café') } });
    try {
      const created = await hooked.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
      await hooked.publish(new ThingHappened('t-1'));
      await hooked.drain();
      const logs = await hooked.management.logs();
      expect(logs.items.map((e) => [e.outcome, e.errorKind])).toEqual([['dead', 'invalid']]);
      expect(valid(pageSchema(deliveryLogEntrySchema), logs)).toBe(true);
      const test = await hooked.management.sendTestEvent(created.key);
      expect(test.errorKind).toBe('invalid');
      expect(valid(testEventResultSchema, test)).toBe(true);
    } finally {
      await hooked.stop();
    }
  });

  it('refuse a field the schema does not know, so a new model field cannot slip through unseen', () => {
    expect(() => valid(webhookViewSchema, { key: 'k', url: 'u', events: [], contentTypeKeys: [], headers: {}, sensitiveHeaders: [], enabled: true, secrets: [{ id: 'i', hint: 'h', createdAt: new Date(), secret: 'whsec_x' }], createdAt: new Date(), updatedAt: new Date(), unknownEvents: [] })).toThrow(
      /must NOT have additional properties/,
    );
  });
});
