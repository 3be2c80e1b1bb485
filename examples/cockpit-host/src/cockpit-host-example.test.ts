import { BUILD_HOOK_AUTH, HELLO_POST, runCockpitHostExample } from './cockpit-host-example';
import { startTestReceiver, type TestReceiver } from '@hookwork/core/testing';

describe('the cockpit-host example', () => {
  let receiver: TestReceiver;
  beforeEach(async () => {
    receiver = await startTestReceiver();
  });
  afterEach(() => receiver.close());

  it("delivers Cockpit's envelopes: the post's save to the build hook with basic auth, the removal to the search hook", async () => {
    const lines: string[] = [];
    await runCockpitHostExample({ url: receiver.origin, print: (line) => lines.push(line) });

    // Two requests, not three: nothing is subscribed to the page's save. Arrival order is not guaranteed.
    expect(receiver.requests.map((r) => r.path).sort()).toEqual(['/hooks/rebuild', '/hooks/search']);
    const rebuild = receiver.requests.find((r) => r.path === '/hooks/rebuild')!;
    const search = receiver.requests.find((r) => r.path === '/hooks/search')!;

    expect(rebuild.method).toBe('POST');
    expect(rebuild.headers['content-type']).toMatch(/^application\/json/);
    expect(rebuild.headers.authorization).toBe(`Basic ${Buffer.from(`${BUILD_HOOK_AUTH.user}:${BUILD_HOOK_AUTH.pass}`).toString('base64')}`);
    expect(rebuild.headers['hookwork-event']).toBe('collections.save.after.posts');
    expect(JSON.parse(rebuild.text)).toEqual({
      event: 'collections.save.after.posts',
      hook: 'Rebuild blog',
      backend: 1,
      args: ['posts', { ...HELLO_POST, _id: 'posts-1' }, false],
    });

    expect(search.headers.authorization).toBeUndefined();
    expect(search.headers['x-index']).toBe('site');
    expect(JSON.parse(search.text)).toEqual({ event: 'collections.remove.after', hook: 'Search index', backend: 1, args: ['posts', 1] });

    // The webhook list shows the basic auth as set, never in clear.
    const listing = lines.join('\n');
    expect(listing).toContain('"user":"[redacted]","pass":"[redacted]"');
    expect(listing).not.toContain(BUILD_HOOK_AUTH.pass);
  });
});
