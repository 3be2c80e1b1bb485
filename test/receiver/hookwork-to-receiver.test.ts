import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import {
  CLOUD_EVENTS_MAX_ENVELOPE_BYTES,
  createHookwork,
  defaultSettings,
  generateSecret,
  isHookworkError,
  MAX_CLOUD_EVENTS_SUBJECT_LENGTH,
  WebhookEvent,
  WebhookEventBase,
  type Hookwork,
  type HookworkSettingsInput,
} from '@hookwork/core';
import { createNodeHandler, createReceiver, DEFAULT_MAX_BODY_BYTES, isReceiverError, type AnyReceiver, type ReceivedEvent, type ReceiverAnswer } from '@hookwork/receiver';
import { expressReceiver } from '@hookwork/receiver/express';
import { fastifyReceiver } from '@hookwork/receiver/fastify';

// What hookwork sends, received by @hookwork/receiver over real HTTP on 127.0.0.1: the limits and
// rules the two keep apart (the receiver does not depend on core) agree, and every way the sender
// can be set up reaches a handler or says why not.

class OrderPlaced {
  constructor(readonly data: unknown) {}
}

@WebhookEvent('Order placed', 'Other', { alias: 'shop.orderPlaced', notification: OrderPlaced })
class OrderPlacedEvent extends WebhookEventBase<OrderPlaced> {
  override convertNotificationToRequestPayload(notification: OrderPlaced) {
    return notification.data;
  }
}

let app: Hookwork | undefined;
const closers: (() => Promise<unknown>)[] = [];

async function start(settings: HookworkSettingsInput = {}): Promise<Hookwork> {
  app = createHookwork({
    composers: [{ compose: (builder) => void builder.webhookEvents().add(OrderPlacedEvent) }],
    settings: { ssrf: { allow: ['127.0.0.1'] }, retrySchedule: [50], retryJitter: 0, maximumRetries: 1, ...settings },
  });
  await app.start();
  return app;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => (server.closeAllConnections(), server.close(resolve))));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
}

/** The receiver behind each adapter, with the adapter's default maxBodyBytes. */
const adapters: [string, (receiver: AnyReceiver) => Promise<string>][] = [
  ['node:http', (receiver) => listen(createServer(createNodeHandler(receiver)))],
  [
    'Express',
    (receiver) => {
      const web = express();
      web.post('/webhooks', expressReceiver(receiver));
      return listen(createServer(web));
    },
  ],
  [
    'Fastify',
    async (receiver) => {
      const web = Fastify();
      await web.register(fastifyReceiver, { receiver, prefix: '/webhooks' });
      closers.push(() => web.close());
      return `${await web.listen({ port: 0, host: '127.0.0.1' })}/webhooks`;
    },
  ],
];

afterEach(async () => {
  await app?.stop();
  app = undefined;
  await Promise.all(closers.splice(0).map((close) => close()));
});

describe('hookwork → @hookwork/receiver', () => {
  it("the receiver's default maxBodyBytes is core's largest body with default settings: the payload limit plus the CloudEvents envelope", () => {
    expect(DEFAULT_MAX_BODY_BYTES).toBe(defaultSettings().maxPayloadBytes + CLOUD_EVENTS_MAX_ENVELOPE_BYTES);
  });

  it.each(adapters)('a structured CloudEvent with a payload at maxPayloadBytes and the longest attributes is received by %s with its defaults, not refused 413 and dead-lettered', async (_adapter, serve) => {
    const sender = await start({ maximumRetries: 0 });
    const secret = generateSecret();
    const got: number[] = [];
    const url = await serve(createReceiver({ secrets: secret, handle: async (event) => void got.push(event.rawBody.length), onError: () => {} }));
    const subject = 'é'.repeat(MAX_CLOUD_EVENTS_SUBJECT_LENGTH);
    const source = `https://cms.example.com/${'s'.repeat(2048 - 24)}`;
    const { key } = await sender.webhooks.create({ url, events: ['shop.orderPlaced'], secret, format: { type: 'cloudevents', mode: 'structured', source, subjectFrom: '/subject' } });
    const padding = defaultSettings().maxPayloadBytes - Buffer.byteLength(JSON.stringify({ subject, blob: '' }));
    await sender.publish(new OrderPlaced({ subject, blob: 'x'.repeat(padding) }));
    await sender.drain();
    const [entry] = (await sender.logs(key)).items;
    expect(entry).toMatchObject({ statusCode: 200, outcome: 'delivered' });
    expect(got).toHaveLength(1);
    expect(got[0]).toBeGreaterThan(defaultSettings().maxPayloadBytes + 6 * 1024); // over the 1 MiB the receiver took by default before
    expect(got[0]).toBeLessThanOrEqual(DEFAULT_MAX_BODY_BYTES);
  });

  it('a sender that renamed its event header, with a payload that has a type of its own: refused 400 until the receiver is told the name (retried, then a dead letter), never answered 200 and dropped', async () => {
    const sender = await start({ headers: { event: 'x-cms-event' } });
    const secret = generateSecret();
    const handled: unknown[] = [];
    const errors: string[] = [];
    const holder: { receiver: AnyReceiver } = {
      receiver: createReceiver({ secrets: secret, handlers: { 'shop.orderPlaced': async (event) => void handled.push(event.payload) }, onError: (error) => void errors.push((error as { code?: string }).code ?? '') }),
    };
    const url = await listen(createServer((request, response) => createNodeHandler(holder.receiver)(request, response)));
    const { key } = await sender.webhooks.create({ url, events: ['shop.orderPlaced'], secret });
    await sender.publish(new OrderPlaced({ id: 'order-1', type: 'order' }));
    await sender.drain();
    const entries = (await sender.logs(key)).items;
    expect(entries.map((entry) => entry.statusCode)).toEqual([400, 400]);
    expect(JSON.parse(entries[0]!.responseBody)).toMatchObject({ outcome: 'rejected', error: { code: 'RECEIVER_ERR_NO_EVENT_ALIAS' } });
    expect(await sender.queueCounts()).toMatchObject({ dead: 1 });
    expect(handled).toEqual([]);
    expect(errors).toEqual(['RECEIVER_ERR_NO_EVENT_ALIAS', 'RECEIVER_ERR_NO_EVENT_ALIAS']);

    // Told the header's name, the receiver handles the redelivered dead letter: nothing was recorded.
    holder.receiver = createReceiver({ secrets: secret, headerNames: { event: ['x-cms-event'] }, handlers: { 'shop.orderPlaced': async (event) => void handled.push(event.payload) } });
    const [dead] = (await sender.deadLetters()).items;
    await sender.redeliver({ ids: [dead!.id] });
    await sender.drain();
    expect(handled).toEqual([{ id: 'order-1', type: 'order' }]);
  });

  it("rejects the secrets core refuses to bring to a webhook, and takes those it accepts: one rule (core's weakSecretProblem, the receiver's copy)", async () => {
    const sender = await start();
    const keys = [
      Buffer.alloc(24),
      Buffer.alloc(16, 7),
      Buffer.from('ab'.repeat(12)),
      Buffer.from('abc'.repeat(8)),
      Buffer.from('abcd'.repeat(6)),
      Buffer.from('abcde'.repeat(4)),
      Buffer.concat([Buffer.alloc(20), Buffer.from([1, 2, 3])]),
      Buffer.concat([Buffer.alloc(20), Buffer.from([1, 2, 3, 4])]),
      randomBytes(24),
      randomBytes(128),
    ];
    for (const key of keys) {
      const secret = `whsec_${key.toString('base64')}`;
      let coreRefuses = false;
      try {
        await sender.webhooks.create({ url: 'http://127.0.0.1:9/hook', events: ['shop.orderPlaced'], secret });
      } catch (error) {
        if (!isHookworkError(error)) throw error;
        coreRefuses = true;
      }
      let receiverRefuses = false;
      try {
        createReceiver({ secrets: secret, handle: () => {} });
      } catch (error) {
        if (!isReceiverError(error, 'RECEIVER_ERR_INVALID_OPTIONS')) throw error;
        receiverRefuses = true;
      }
      expect([[...new Set(key)].length, coreRefuses]).toEqual([[...new Set(key)].length, receiverRefuses]);
    }
  });

  it("refuses a webhook view's secret hint and its secrets entry as such, saying where the whole secret is shown, never as a placeholder or \"an object\"", async () => {
    const sender = await start();
    const created = await sender.webhooks.create({ url: 'http://127.0.0.1:9/hook', events: ['shop.orderPlaced'], secret: true });
    const view = (await sender.webhooks.get(created.key))!;
    const [entry] = view.secrets;
    // The forms views show (and the admin page prints as they are): an ellipsis and the last 4 characters.
    expect(entry!.hint).toBe(`…${created.secret!.slice(-4)}`);
    const refusal = (secrets: unknown): string => {
      try {
        createReceiver({ secrets: secrets as string, handle: () => {} });
      } catch (error) {
        if (isReceiverError(error, 'RECEIVER_ERR_INVALID_OPTIONS')) return error.message;
        throw error;
      }
      throw new Error('the receiver was created');
    };
    const shownOnce = /hookwork shows the whole whsec_… secret only once, in the answer of app\.webhooks\.create\(\{ secret: true \}\) or rotateSecret\(\)/;
    for (const hint of [entry!.hint, `...${created.secret!.slice(-4)}`]) {
      const message = refusal(hint);
      expect(message).toMatch(/^RECEIVER_ERR_INVALID_OPTIONS: secret is the hint of a webhook's secret \(an ellipsis and the secret's last 4 characters, as webhook views and the admin page show it\), not the secret: /);
      expect(message).toMatch(shownOnce);
      expect(message).not.toContain('placeholder');
    }
    expect(refusal([entry])).toMatch(/^RECEIVER_ERR_INVALID_OPTIONS: secret is a secret's metadata from a webhook view \(\{ id, hint, createdAt \}, an entry of webhook\.secrets\), not the secret: /);
    expect(refusal(view.secrets)).toMatch(shownOnce);
    expect(refusal(entry)).toMatch(/^RECEIVER_ERR_INVALID_OPTIONS: secrets is a secret's metadata from a webhook view/);
    // The secret create() answered once is taken.
    expect(() => createReceiver({ secrets: created.secret!, handle: () => {} })).not.toThrow();
  });

  describe('test sends', () => {
    it.each(['hookwork', 'umbraco'] as const)('in %s header style, carry hookwork-test: true, which the receiver reads as a test', async (style) => {
      const sender = await start({ headers: { style } });
      const secret = generateSecret();
      const seen: ReceivedEvent[] = [];
      const answers: ReceiverAnswer[] = [];
      const receiver = createReceiver({ secrets: secret, handle: async (event) => void seen.push(event) });
      const url = await listen(createServer((request, response) => createNodeHandler({ ...receiver, handle: async (r) => receiver.handle(r).then((a) => (answers.push(a), a)) })(request, response)));
      const { key } = await sender.webhooks.create({ url, events: ['shop.orderPlaced'], secret });
      expect(await sender.sendTestEvent(key)).toMatchObject({ ok: true, statusCode: 200 });
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({ alias: 'shop.orderPlaced', test: true, eventHeader: style === 'umbraco' ? 'umb-webhook-event' : 'hookwork-event' });
      expect(seen[0]!.headers['hookwork-test']).toBe('true');
      // This event offers no example: the body is hookwork's generic test body, which says it is one.
      expect(seen[0]!.payload).toMatchObject({ event: 'shop.orderPlaced', test: true, webhook: { key }, data: { message: expect.stringContaining('This is a test of the shop.orderPlaced webhook') } });
      expect(answers.map((answer) => answer.outcome)).toEqual(['processed']);
    });
  });
});
