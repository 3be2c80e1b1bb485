import { runInNewContext } from 'node:vm';
import Fastify from 'fastify';
import { createFetchHandler } from './adapters/fetch';
import { expressReceiver } from './adapters/express';
import { fastifyReceiver } from './adapters/fastify';
import { createNodeHandler } from './adapters/node-http';
import { memoryDedupeStore } from './dedupe/memory-dedupe-store';
import { createReceiver } from './receiver';
import { newSecret, signedRequest } from './test-support/signed-request';

// The receiver's entry points read their options as given, some more than once (the key check read
// each value, then each check and each use read it again): a getter or Proxy trap that threw escaped
// as a bare Error, and a getter answering differently on a second read ran with what was not checked.

const secret = newSecret();
const sealed = (): never => {
  throw new Error('vault sealed');
};
const unreadable = (where: string, what: string, how = 'its getter') => expect.objectContaining({ code: 'RECEIVER_ERR_INVALID_OPTIONS', message: expect.stringContaining(`${where}: ${what} could not be read: ${how} threw (vault sealed); give a plain value`) });

describe("the receiver's options, read once", () => {
  it('refuses options whose getter or Proxy trap throws, coded and naming it, at every entry point', async () => {
    const receiver = createReceiver({ secrets: secret, handle: async () => {} });
    expect(() => createReceiver({ get secrets(): string { return sealed(); }, handle: async () => {} })).toThrow(unreadable('createReceiver()', 'secrets'));
    expect(() => createReceiver(new Proxy({ secrets: secret, handle: async () => {} }, { ownKeys: sealed }))).toThrow(unreadable('createReceiver()', 'the options', 'listing its keys'));
    expect(() => createReceiver({ secrets: secret, handle: async () => {}, dedupe: { get leaseMs(): number { return sealed(); } } })).toThrow(unreadable('createReceiver() dedupe', 'leaseMs'));
    expect(() => memoryDedupeStore({ get maxEntries(): number { return sealed(); } })).toThrow(unreadable('memoryDedupeStore()', 'maxEntries'));
    expect(() => createNodeHandler(receiver, { get maxBodyBytes(): number { return sealed(); } })).toThrow(unreadable('createNodeHandler()', 'maxBodyBytes'));
    expect(() => expressReceiver(receiver, new Proxy({}, { getPrototypeOf: sealed }))).toThrow(unreadable('expressReceiver()', 'the options', 'its getPrototypeOf trap'));
    expect(() => createFetchHandler(receiver, { get maxBodyBytes(): number { return sealed(); } })).toThrow(unreadable('createFetchHandler()', 'maxBodyBytes'));
    const app = Fastify();
    await expect(app.register(fastifyReceiver, { receiver, get path(): string { return sealed(); } }).ready()).rejects.toEqual(unreadable('fastifyReceiver', 'path'));
    await app.close();
  });

  it("says what a getter threw the way a handler's failure is said: an error of another realm by its message, an error-like object by its message, a Symbol as text", () => {
    const threw = (value: unknown) => () => createReceiver({ get secrets(): string { throw value; }, handle: async () => {} });
    const reason = (text: string) => expect.objectContaining({ code: 'RECEIVER_ERR_INVALID_OPTIONS', message: expect.stringContaining(`secrets could not be read: its getter threw (${text}); give a plain value`) });
    // An Error made in another realm (vm, a worker's structured clone) is no `instanceof Error` here.
    expect(threw(runInNewContext("new Error('vault sealed')"))).toThrow(reason('vault sealed'));
    expect(threw({ message: 'vault sealed' })).toThrow(reason('vault sealed'));
    expect(threw(Symbol('sealed'))).toThrow(reason('Symbol(sealed)'));
    expect(threw(Object.create(null))).toThrow(reason('(a thrown object that cannot be turned into text)'));
  });

  it('checks and uses the same value when a getter answers differently on a second read', async () => {
    const twice = <T>(first: T, then: unknown) => {
      let reads = 0;
      return { reads: () => reads, get: () => (reads++ === 0 ? first : then) as T };
    };
    // Checked as a function, then called as a string at the first refusal.
    const onError = twice(() => {}, 'not a function');
    const receiver = createReceiver({ secrets: secret, handle: async () => {}, get onError() { return onError.get(); } });
    expect((await receiver.handle(signedRequest({ secrets: [newSecret()] }))).status).toBe(401);
    expect(onError.reads()).toBe(1);
    // Checked as 1000 bytes, then read as another limit.
    const limit = twice(1000, 'lots');
    createNodeHandler(receiver, { get maxBodyBytes() { return limit.get(); } });
    expect(limit.reads()).toBe(1);
    // Checked as a path under the prefix, then registered as another.
    const path = twice('/cms', 'cms');
    const app = Fastify();
    await app.register(fastifyReceiver, { receiver, prefix: '/webhooks', get path() { return path.get(); } });
    await app.ready();
    try {
      expect([app.hasRoute({ method: 'POST', url: '/webhooks/cms' }), path.reads()]).toEqual([true, 1]);
    } finally {
      await app.close();
    }
  });
});
