import express from 'express';
import Fastify from 'fastify';
import { createReceiver, createNodeHandler, type ReceivedEvent, type WebhookHandlers } from './index';
import { expressReceiver } from './adapters/express';
import { fastifyReceiver } from './adapters/fastify';
import { newSecret, signedRequest } from './test-support/signed-request';

// Type-level checks: `tsc -p tsconfig.test.json` (part of npm test) fails if a line expected to
// be an error compiles, or if a line that must compile does not.

type Published = { alias: 'Umbraco.ContentPublish'; payload: { id: string; cultures: { culture: string | null }[] } };
type Deleted = { alias: 'Umbraco.ContentDelete'; payload: { id: string } };
type Order = { alias: 'shop.orderPlaced'; payload: { orderId: string; total: number } };
type Events = Published | Deleted | Order;

const secret = newSecret();

describe('the types of a receiver', () => {
  it('narrow the payload by alias, in a switch and per handler', async () => {
    const seen: string[] = [];
    const receiver = createReceiver<Events>({
      secrets: secret,
      handle: (event) => {
        switch (event.alias) {
          case 'Umbraco.ContentPublish':
            seen.push(`${event.payload.id}:${event.payload.cultures.length}`);
            break;
          case 'Umbraco.ContentDelete':
            // @ts-expect-error a deleted document's payload has no cultures
            seen.push(String(event.payload.cultures));
            break;
          case 'shop.orderPlaced':
            seen.push(event.payload.orderId);
            break;
          default: {
            const exhaustive: never = event;
            throw new Error(`unexpected ${String(exhaustive)}`);
          }
        }
      },
    });
    await receiver.handle(signedRequest({ secrets: [secret], payload: { id: 'doc-1', cultures: [{ culture: null }] } }));
    expect(seen).toEqual(['doc-1:1']);

    const typed = receiver.verify(signedRequest({ secrets: [secret], alias: 'shop.orderPlaced', payload: { orderId: 'o-1', total: 3 } }));
    if (typed.alias === 'shop.orderPlaced') expect(typed.payload.total).toBe(3);
  });

  it('key handlers by the aliases of the union, each with its own payload', () => {
    const handlers: WebhookHandlers<Events> = {
      'Umbraco.ContentPublish': (event) => void event.payload.cultures,
      'shop.orderPlaced': (event) => void event.payload.total,
      // @ts-expect-error a deleted document's payload has no total
      'Umbraco.ContentDelete': (event) => void event.payload.total,
    };
    createReceiver<Events>({
      secrets: secret,
      handlers: {
        // @ts-expect-error not an alias of Events
        'Umbraco.ContentPublished': () => {},
      },
    });
    expect(Object.keys(handlers)).toHaveLength(3);
  });

  it('give a signed receiver a string id, and an unsigned one maybe none', () => {
    createReceiver<Events>({ secrets: secret, handle: (event) => void event.id.toUpperCase() });
    // @ts-expect-error unsigned: Umbraco sends no webhook-id
    createReceiver<Events>({ unsigned: true, handle: (event) => void event.id.toUpperCase() });
    createReceiver<Events>({ unsigned: true, handle: (event) => void event.id?.toUpperCase() });
    expect(true).toBe(true);
  });

  it('make unsigned mode an explicit, exclusive choice', () => {
    // @ts-expect-error neither secrets nor unsigned: true
    expect(() => createReceiver<Events>({ handle: () => {} })).toThrow();
    // @ts-expect-error both
    expect(() => createReceiver<Events>({ secrets: secret, unsigned: true, handle: () => {} })).toThrow();
    // @ts-expect-error unsigned must be true
    expect(() => createReceiver<Events>({ unsigned: false, handle: () => {} })).toThrow();
  });

  it('make handlers and handle an exclusive choice, with unhandled only beside handlers', () => {
    const handlers = { 'Umbraco.ContentDelete': () => {} };
    // @ts-expect-error both handlers and handle
    expect(() => createReceiver<Events>({ secrets: secret, handle: () => {}, handlers })).toThrow(expect.objectContaining({ code: 'RECEIVER_ERR_INVALID_OPTIONS' }));
    // @ts-expect-error neither handlers nor handle
    expect(() => createReceiver<Events>({ secrets: secret })).toThrow(expect.objectContaining({ code: 'RECEIVER_ERR_INVALID_OPTIONS' }));
    // @ts-expect-error unhandled with handle, which every event already reaches
    expect(() => createReceiver<Events>({ unsigned: true, handle: () => {}, unhandled: () => {} })).toThrow(expect.objectContaining({ code: 'RECEIVER_ERR_INVALID_OPTIONS' }));
    createReceiver<Events>({ secrets: secret, handlers, unhandled: (event) => void event.alias });
  });

  it('take handlers that return or resolve to anything (the value is ignored): a handler may be the call it makes', async () => {
    const seen: string[] = [];
    const upsert = async (id: string) => seen.push(id); // resolves to a number, as Array.push returns
    const receiver = createReceiver<Events>({
      secrets: secret,
      handlers: {
        'Umbraco.ContentPublish': ({ payload }) => upsert(payload.id),
        'Umbraco.ContentDelete': ({ payload }) => seen.push(`-${payload.id}`),
        'shop.orderPlaced': async ({ payload }) => payload.total,
      },
    });
    expect(await receiver.handle(signedRequest({ secrets: [secret], payload: { id: 'doc-1', cultures: [] } }))).toMatchObject({ status: 200, outcome: 'processed' });
    expect(await receiver.handle(signedRequest({ secrets: [secret], alias: 'Umbraco.ContentDelete', payload: { id: 'doc-2' } }))).toMatchObject({ status: 200, outcome: 'processed' });
    expect(seen).toEqual(['doc-1', '-doc-2']);
  });

  it('take the headers in every shape the kit reads', () => {
    const request = signedRequest({ secrets: [secret] });
    const receiver = createReceiver({ secrets: secret, handle: () => {} });
    const pairs = Object.entries(request.headers);
    for (const headers of [request.headers, new Headers(request.headers), new Map(pairs), pairs, pairs.flat()]) expect(receiver.verify({ headers, body: request.body }).id).toBe(request.id);
  });

  it('give an untyped receiver\'s per-alias handlers an event they can use (any alias, unknown payload), and a pattern alias its member', () => {
    createReceiver({ secrets: secret, handlers: { 'any.alias': (event) => void event.headers['webhook-id'], other: ({ payload }) => void payload } });
    type Saved = { alias: 'collections.save.after'; payload: { a: number } } | { alias: `collections.save.after.${string}`; payload: { b: string } };
    createReceiver<Saved>({
      secrets: secret,
      handlers: {
        'collections.save.after': ({ payload }) => payload.a + 1,
        'collections.save.after.posts': ({ payload }) => payload.b.length,
        // @ts-expect-error a variant's payload is the pattern member's, which has no a
        'collections.save.after.pages': ({ payload }) => payload.a,
      },
    });
    expect(true).toBe(true);
  });

  it('fit a generated union into a receiver without a type argument of its own (the default is any alias, unknown payload)', () => {
    const untyped = createReceiver({ secrets: secret, handle: (event: ReceivedEvent) => void event.payload });
    const event = untyped.verify(signedRequest({ secrets: [secret], alias: 'anything' }));
    // @ts-expect-error an untyped payload is unknown until checked
    void event.payload.id;
    expect(event.alias).toBe('anything');
  });

  it('let a typed receiver go into every adapter', async () => {
    const receiver = createReceiver<Events>({ secrets: secret, handle: async () => {} });
    createNodeHandler(receiver);
    express().post('/webhooks', expressReceiver(receiver));
    const app = Fastify();
    await app.register(fastifyReceiver, { receiver, prefix: '/webhooks' });
    await app.close();
    // @ts-expect-error the adapters take a receiver, not its options
    expect(() => createNodeHandler({ secrets: secret, handlers: {} })).toThrow();
  });
});
