import { createHookwork, type Composer } from '@hookwork/core';
import { cockpitComposer, cockpitHost, cockpitWebhooks } from '@hookwork/plugin-cockpit';
import { CollectionsStore } from './collections-store';

/** What {@link runCockpitHostExample} takes. */
export interface CockpitHostExampleOptions {
  /** The receiver's base URL (`http://127.0.0.1:<port>`); the webhooks call paths under it. */
  url: string;
  /** Where the example narrates what it does. */
  print?: (line: string) => void;
}

/** The basic-auth credentials of the example's build webhook (a real host reads them from its secrets). */
export const BUILD_HOOK_AUTH = { user: 'deploy', pass: 's3cret' } as const;

/** The blog post the example saves. */
export const HELLO_POST = { title: 'Hello, hookwork', slug: 'hello-hookwork', published: true } as const;

// The host composes only Cockpit's collection events: the ones its store triggers.
const CockpitCollections: Composer = {
  name: 'cockpit-host',
  compose: (builder) => builder.webhookEvents().addCockpit((cockpit) => cockpit.addCollections()),
};

/**
 * A Cockpit-like host: two webhooks in Cockpit's shape, then a post and a page saved and the post
 * removed through the host's own collections store. Resolves once every request was delivered.
 *
 * - "Rebuild blog" (basic auth) is subscribed to `collections.save.after.posts`: it gets the post's
 *   save, not the page's.
 * - "Search index" is subscribed to the plain `collections.remove.after`: every collection's removals.
 */
export async function runCockpitHostExample({ url, print = () => {} }: CockpitHostExampleOptions): Promise<void> {
  const app = createHookwork({
    composers: [cockpitComposer(), CockpitCollections],
    // hookwork refuses to deliver to internal addresses (loopback, private networks) so a webhook
    // URL can't be used to probe the host's network (SSRF). This example's receiver runs on
    // 127.0.0.1, so it allows that address on the receiver's port only (a bare '127.0.0.1' would
    // allow every local port, an admin server's too) — a production host leaves this out.
    settings: { ssrf: { allow: [new URL(url).host] } },
  });
  await app.start();
  try {
    const webhooks = cockpitWebhooks(app);
    await webhooks.create({
      name: 'Rebuild blog',
      url: `${url}/hooks/rebuild`,
      auth: { ...BUILD_HOOK_AUTH },
      events: ['collections.save.after.posts'],
      active: true,
    });
    await webhooks.create({
      name: 'Search index',
      url: `${url}/hooks/search`,
      headers: [{ k: 'X-Index', v: 'site' }],
      events: ['collections.remove.after'],
      active: true,
    });
    for (const hook of (await webhooks.list()).items) {
      print(`webhook "${hook.name}" → ${hook.url}  events: ${hook.events.join(', ')}  auth: ${JSON.stringify(hook.auth)}`);
    }

    // A save over HTTP (admin page or REST API): Cockpit's COCKPIT_ADMIN, the envelope's `backend: 1`.
    const store = new CollectionsStore(cockpitHost(app, { backend: true }));
    const post = await store.save('posts', { ...HELLO_POST });
    print(`saved posts/${post._id}`);
    const page = await store.save('pages', { title: 'About' });
    print(`saved pages/${page._id} (no webhook is subscribed to pages)`);
    const removed = await store.remove('posts', { _id: post._id });
    print(`removed ${removed} entry from posts`);

    // The saves and the removal resolved once their requests were queued; wait for delivery.
    await app.drain({ timeoutMs: 15_000 });
  } finally {
    await app.stop();
  }
}
