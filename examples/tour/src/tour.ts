// The README's five-minute tour, whole and runnable. test/package-install compiles this same file
// in host projects outside the repository (CommonJS and ESM, strict, skipLibCheck off) against the
// packed tarballs and runs it, so what the README shows is what an installed hookwork does.
import {
  createHookwork,
  WebhookEvent,
  WebhookEventBase,
  WebhookEventDependencies,
  WebhookEventTypes,
  type Composer,
  type Hookwork,
} from '@hookwork/core';
import { cmsComposer, ContentPublishedNotification, ContentPublishedWebhookEvent, type CmsContent } from '@hookwork/cms';
import { sqliteStorage } from '@hookwork/sqlite';
import { startAdminServer } from '@hookwork/admin';
import { startReceiver } from './receiver.js';

// 2. Your own event: a notification class, and an event class that turns it into a payload.
export class OrderPlaced {
  constructor(readonly order: { id: string; total: number }) {}
}

@WebhookEvent('Order Placed', WebhookEventTypes.Other, { alias: 'shop.orderPlaced', notification: OrderPlaced })
export class OrderPlacedWebhookEvent extends WebhookEventBase<OrderPlaced> {
  override convertNotificationToRequestPayload(n: OrderPlaced) {
    return { id: n.order.id, total: n.order.total };
  }
}

// 3. Replace a payload: the host's Content Published event, with a host service injected.
export class ContentCache {
  private readonly pages = new Map<string, string>();
  set(key: string, html: string): void {
    this.pages.set(key, html);
  }
  render(key: string): string | null {
    return this.pages.get(key) ?? null;
  }
}

@WebhookEvent('Content Published', WebhookEventTypes.Content) // keeps the alias Umbraco.ContentPublish
export class MyContentPublishedWebhookEvent extends ContentPublishedWebhookEvent {
  constructor(
    deps: WebhookEventDependencies,
    private readonly cache: ContentCache,
  ) {
    super(deps);
  }
  override convertEntityToRequestPayload(content: CmsContent) {
    return { myData: 'Your data', publishedContent: this.cache.render(content.key) };
  }
}

/** What the tour saw, step by step. */
export interface TourResult {
  events: string[];
  publishFailures: number;
  /** Requests the two publishes enqueued: one per subscribed webhook (0 would mean they matched nothing). */
  enqueued: number;
  received: { path: string; event: string; test: boolean; body: unknown }[];
  refused: number;
  log: { eventAlias: string; statusCode?: number; retryCount: number; outcome: string }[];
  deadLetters: { eventAlias: string; attempts: number }[];
  redelivered: number;
  testSend: { ok: boolean; statusCode?: number };
  deadLettersAfterRedelivery: number;
  /** What the admin API's `GET webhook` answered (step 6). */
  admin: { status: number; total: number };
}

/**
 * Runs the tour against a local receiver that verifies every signature with `standardwebhooks`,
 * storing in a SQLite file under `dataDir`. Ends with the app stopped and the receiver closed,
 * so the process exits by itself.
 */
export async function runTour(dataDir: string, print: (line: string) => void = () => {}): Promise<TourResult> {
  const receiver = await startReceiver();
  const cache = new ContentCache();

  // 1. Compose the events an app has.
  const MyComposer: Composer = {
    compose: (builder) => {
      builder.services.registerInstance(ContentCache, cache);
      builder
        .webhookEvents()
        .clear() // drop the 5 defaults cmsComposer added
        .addCms((cms) => cms.addDefault().addMedia().addUser())
        .add(OrderPlacedWebhookEvent)
        .replace(ContentPublishedWebhookEvent, MyContentPublishedWebhookEvent);
    },
  };
  const app: Hookwork = createHookwork({
    composers: [cmsComposer(), MyComposer], // run in order: packages first
    storage: sqliteStorage({ file: `${dataDir}/hookwork.db`, createDirectory: true }),
    settings: {
      maximumRetries: 1, // one retry, then a dead letter (the default is 5)
      retrySchedule: ['00:00:00.200'], // retry after 200 ms (the default starts at 5 s)
      ssrf: { allow: [new URL(receiver.url('/')).host] }, // internal addresses are refused unless allowed: 127.0.0.1, this port only
    },
  });
  await app.start();
  try {
    const events = app.events().map((e) => e.alias);
    print(`${events.length} events composed: ${events.slice(0, 8).join(', ')}, …, ${events.at(-1)!}`);

    // 4. Create webhooks: one to a receiver that is up, one to a receiver that is down.
    const hook = await app.webhooks.create({ url: receiver.url('/hooks'), events: ['Umbraco.ContentPublish', 'shop.orderPlaced'], secret: true });
    const backup = await app.webhooks.create({ url: receiver.url('/backup'), events: ['shop.orderPlaced'], secret: true });
    receiver.trust('/hooks', hook.secret!); // the secret is shown this once
    receiver.trust('/backup', backup.secret!);
    receiver.down.add('/backup');

    // Publish: resolves once the requests are durably enqueued, never waits for HTTP.
    cache.set('home', '<h1>Home</h1>');
    const published = await app.publish(new ContentPublishedNotification({ publishedEntities: [{ key: 'home', name: 'Home', contentType: { key: 't-1', alias: 'home' } }] }));
    const ordered = await app.publish(new OrderPlaced({ id: 'o-1', total: 42 }));
    // What each publish enqueued: one request per subscribed webhook (the order goes to both).
    print(`published: content to ${published.enqueued} webhook(s), the order to ${ordered.enqueued}`);

    // 5. Read the log.
    await app.drain(); // waits for this app's requests: delivered or dead-lettered
    const { items } = await app.logs(hook.key, { limit: 20 }); // newest first
    print(`log of ${hook.key}: ${items.map((e) => `${e.eventAlias} ${e.statusCode ?? e.errorKind} ${e.outcome}`).join('; ')}`);
    const dead = await app.deadLetters({ webhookKey: backup.key });
    print(`dead letters of ${backup.key}: ${dead.total}`);

    receiver.down.delete('/backup'); // the receiver is back
    const { redelivered } = await app.redeliver({ webhookKey: backup.key }); // and skipped: those of a deleted webhook, left as they are
    await app.drain();
    const test = await app.sendTestEvent(hook.key); // one example request now: status, headers, body
    print(`test send: ${test.ok ? 'ok' : 'failed'} ${test.statusCode ?? test.errorKind}`);
    const deadLettersAfterRedelivery = (await app.deadLetters()).total;

    // 6. Manage it over HTTP: the standalone admin server, on a free port of 127.0.0.1 with a
    // generated token (printed, with the URL), then closed — an open server keeps a process alive.
    const server = await startAdminServer(app, { print });
    let admin: TourResult['admin'];
    try {
      const response = await fetch(`${server.url}api/v1/webhook`, { headers: { authorization: `Bearer ${server.token}` } });
      admin = { status: response.status, total: ((await response.json()) as { total: number }).total };
      print(`admin API: GET webhook answered ${admin.status}, ${admin.total} webhooks`);
    } finally {
      await server.close();
    }

    return {
      events,
      publishFailures: published.failures.length + ordered.failures.length,
      enqueued: published.enqueued + ordered.enqueued,
      received: receiver.verified.map(({ path, event, test, body }) => ({ path, event, test, body })),
      refused: receiver.refused.length,
      log: items.map(({ eventAlias, statusCode, retryCount, outcome }) => ({ eventAlias, statusCode, retryCount, outcome })),
      deadLetters: dead.items.map(({ eventAlias, attempts }) => ({ eventAlias, attempts })),
      redelivered,
      testSend: { ok: test.ok, statusCode: test.statusCode },
      deadLettersAfterRedelivery,
      admin,
    };
  } finally {
    // 7. Stop: stops delivery and closes the store; without it the process never exits.
    await app.stop();
    await receiver.close();
  }
}
