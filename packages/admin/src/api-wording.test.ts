import { createHookwork, ERROR_CODES, HookworkError, isHookworkError, memoryStorage, type Hookwork, type HookworkErrorCode } from '@hookwork/core';
import { recordingTransport, thingComposer } from '@hookwork/core/testing';
import { forTheApi } from './api-wording';
import { toProblem } from './problem-details';

/** A library call as a message might name one: `app.logs()`, `webhooks.get("k")`, `sendTestEvent() was given`. */
const LIBRARY_CALL = /\bapp\.|\b[a-zA-Z.]+\((?:[^()]*)\)/;

/** The refusal `call` makes, or a failure when it resolves. */
async function refusalOf(call: () => Promise<unknown>): Promise<Error> {
  try {
    await call();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a refusal');
}

describe('the wording of core refusals, as the admin API answers them', () => {
  let app: Hookwork<unknown>;

  beforeAll(async () => {
    app = createHookwork({ composers: [thingComposer], storage: memoryStorage() }) as Hookwork<unknown>;
    await app.start();
    await app.webhooks.create({ key: 'hook', url: 'https://example.com/h', events: ['thing.happened'] });
  });
  afterAll(() => app.stop());

  // Every management call an admin route makes, with each kind of value core refuses or cannot find:
  // whatever reaches a client through toProblem must name routes, never a library call.
  const BAD = ['', 'a\u0000b', 'a\uD800b', '\uDC00'];
  const calls: [string, (app: Hookwork<unknown>, value: string) => Promise<unknown>][] = [
    ['webhooks.get', (a, v) => a.webhooks.get(v)],
    ['webhooks.update', (a, v) => a.webhooks.update(v, { enabled: false })],
    ['webhooks.update ifMatch', (a, v) => a.webhooks.update('hook', { enabled: false }, { ifMatch: v })],
    ['webhooks.delete', (a, v) => a.webhooks.delete(v)],
    ['webhooks.rotateSecret', (a, v) => a.webhooks.rotateSecret(v)],
    ['webhooks.revokeSecret key', (a, v) => a.webhooks.revokeSecret(v, 'secret')],
    ['webhooks.revokeSecret secretId', (a, v) => a.webhooks.revokeSecret('hook', v)],
    ['logs webhookKey', (a, v) => a.management.logs({ webhookKey: v })],
    ['logs eventAlias', (a, v) => a.management.logs({ eventAlias: v })],
    ['logs requestId', (a, v) => a.management.logs({ requestId: v })],
    ['delivery', (a, v) => a.management.delivery(v)],
    ['deadLetters', (a, v) => a.management.deadLetters({ webhookKey: v })],
    ['redeliver ids', (a, v) => a.management.redeliver({ ids: [v] })],
    ['redeliver webhookKey', (a, v) => a.management.redeliver({ webhookKey: v })],
    ['queueCounts', (a, v) => a.management.queueCounts({ webhookKey: v })],
    ['sendTestEvent key', (a, v) => a.management.sendTestEvent(v)],
    ['sendTestEvent alias', (a, v) => a.management.sendTestEvent('hook', { alias: v })],
    ['health', (a, v) => a.management.health(v)],
  ];

  it.each(calls)('%s: no library call reaches the client, for a value no store holds or none has', async (_name, call) => {
    for (const value of [...BAD, 'nobody-has-this']) {
      let error: Error;
      try {
        await call(app, value);
        continue;
      } catch (thrown) {
        error = thrown as Error;
      }
      expect(isHookworkError(error)).toBe(true);
      const problem = toProblem(error, '/admin/api/v1/x');
      expect([value, problem.detail]).toEqual([value, expect.not.stringMatching(LIBRARY_CALL)]);
      for (const field of problem.errors ?? []) expect([value, field.detail]).toEqual([value, expect.not.stringMatching(LIBRARY_CALL)]);
    }
  });

  it('a body core refuses (unknown events, a bad field) names routes, not library calls', async () => {
    const error = await refusalOf(() => app.webhooks.create({ url: 'https://example.com/h', events: ['no.such.event'] }));
    const problem = toProblem(error, '/admin/api/v1/webhook');
    expect(problem.errors?.[0]?.detail).toContain('GET webhook/events');
    expect(JSON.stringify(problem)).not.toMatch(LIBRARY_CALL);
    // Composing the event is the host's fix, said without a library call.
    expect(problem.errors?.[0]?.detail).toMatch(/an event a package offers counts only once a composer adds it \(in the host's code, where the app is created\)$/);
  });

  it('an app that composes no events says so, and that the host composes them', async () => {
    const bare = createHookwork({ transport: recordingTransport() });
    await bare.start();
    try {
      const error = await refusalOf(() => bare.webhooks.create({ url: 'https://example.com/h', events: ['Umbraco.ContentPublish'] }));
      const problem = toProblem(error, '/admin/api/v1/webhook');
      expect(problem.errors?.[0]?.detail).toBe(
        'unknown event alias "Umbraco.ContentPublish"; this app composes no events at all: an alias counts once a composer adds its event, which the host\'s code passes where it creates the app (cmsComposer for the CMS events)',
      );
      expect(JSON.stringify(problem)).not.toMatch(LIBRARY_CALL);
    } finally {
      await bare.stop();
    }
  });

  it("titles a core refusal in the route's terms: no 4xx core code an admin route can answer is titled with a library call", () => {
    // publish() and start() are the host's calls, which no admin route makes: their codes never reach a client here.
    const neverAnswered = new Set(['HOOKWORK_ERR_INVALID_NOTIFICATION', 'HOOKWORK_ERR_INVALID_TRANSACTION', 'HOOKWORK_ERR_APP_ALREADY_STARTED']);
    const codes = (Object.keys(ERROR_CODES) as HookworkErrorCode[]).filter((code) => ERROR_CODES[code].status < 500 && !neverAnswered.has(code));
    expect(codes).toEqual(expect.arrayContaining(['HOOKWORK_ERR_ALIAS_NOT_SUBSCRIBED', 'HOOKWORK_ERR_INVALID_CURSOR', 'HOOKWORK_ERR_INVALID_REDELIVER_SELECTOR', 'HOOKWORK_ERR_INVALID_ARGUMENT']));
    for (const code of codes) {
      const problem = toProblem(new HookworkError(code, `${code}: refused`), '/admin/api/v1/x');
      expect([code, problem.title]).toEqual([code, expect.not.stringMatching(LIBRARY_CALL)]);
    }
    expect(toProblem(new HookworkError('HOOKWORK_ERR_INVALID_CURSOR', 'x'), '/x').title).toMatch(/^A listing that pages by cursor \(GET webhook, GET webhook\/logs, GET webhook\/\{id\}\/logs, GET dead-letter\) was given an `after`/);
    expect(toProblem(new HookworkError('HOOKWORK_ERR_INVALID_REDELIVER_SELECTOR', 'x'), '/x').title).toMatch(/^POST dead-letter\/redeliver was given a body without ids/);
  });

  it('rewrites each kind of key core names, and any call left over', () => {
    expect(forTheApi('pass a request id (webhook-id) as app.deadLetters() or app.logs() shows it')).toBe('pass a request id (webhook-id) as GET dead-letter or GET webhook/logs shows it');
    expect(forTheApi('pass an event alias as app.events() lists it')).toBe('pass an event alias as GET webhook/events lists it');
    expect(forTheApi('logs() was given query.requestId "a" that is empty')).toBe('the request gave requestId "a" that is empty');
    expect(forTheApi('fix it with app.webhooks.update(key, { fifo: false })')).toBe('fix it with the route that does it (api/v1/openapi.json lists them)');
  });
});
