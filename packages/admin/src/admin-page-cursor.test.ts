import { DeliveryLogToken, RequestQueueToken, resolveToken, WebhookRepositoryToken, type DeliveryLogEntry } from '@hookwork/core';
import type { Page } from 'playwright-core';
import { openAdminPage, settledCount, type AdminPage } from './test-support/admin-browser';
import { API, startAdminFixture, type AdminFixture } from './test-support/admin-fixture';

jest.setTimeout(180_000);

/**
 * The admin page walks the delivery log, the dead letters and the webhooks by the API's cursor
 * (`after`), the position kept in the address: a real admin server on 127.0.0.1 over a SQLite file,
 * Debian's Chromium. Rows are written between page loads, as they are on a live system.
 */
let fixture: AdminFixture;
let admin: AdminPage;
let tab: Page;
const problems: string[] = [];
/** Log entries appended so far: each new one is newer than every one before. */
let appended = 0;
const START = Date.now() - 86_400_000;

/** `count` attempts of `webhookKey` logged now, each a second newer than the one before. */
async function logAttempts(count: number, webhookKey = 'orders', outcome: DeliveryLogEntry['outcome'] = 'retrying'): Promise<string[]> {
  const entries = Array.from({ length: count }, () => {
    const n = ++appended;
    return {
      key: `attempt-${String(n).padStart(4, '0')}`,
      webhookKey,
      requestId: `msg_${n}`,
      url: `${fixture.receiver.origin}/${webhookKey}`,
      eventAlias: 'Umbraco.ContentPublish',
      retryCount: 1,
      date: new Date(START + n * 1000),
      requestHeaders: {},
      requestBody: '{}',
      responseHeaders: {},
      responseBody: 'down',
      statusCode: 503,
      durationMs: 12,
      outcome,
    };
  });
  await resolveToken(fixture.app.container, DeliveryLogToken).append(entries);
  return entries.map((e) => e.key);
}

let deadCount = 0;
/** `count` requests of `webhookKey` dead now, each a second after the one before (so the newest dead is listed first). */
async function deadLetters(count: number, webhookKey: string): Promise<string[]> {
  const queue = resolveToken(fixture.app.container, RequestQueueToken);
  const far = new Date(Date.now() + 30 * 86_400_000);
  const requests = Array.from({ length: count }, () => ({ id: `dead_${String(++deadCount).padStart(4, '0')}`, webhookKey, eventAlias: 'Umbraco.ContentPublish', body: '{}', createdAt: new Date(), dueAt: far }));
  await queue.enqueue(requests);
  // A claim takes the earliest due first: a request redelivered meanwhile (due now) is given back as it was.
  const claimed = await queue.claim({ owner: 'test', limit: 1000, leaseMs: 60_000, now: far });
  const ours = new Set(requests.map((r) => r.id));
  const others = claimed.map((r) => r.id).filter((id) => !ours.has(id));
  if (others.length > 0) await queue.release('test', others);
  expect(claimed.length - others.length).toBe(count);
  for (const request of requests) expect(await queue.deadLetter(request.id, 'test', { attempts: 2, lastError: `HTTP 500 (${request.id})`, now: new Date(START + Number(request.id.slice(5)) * 1000) })).toBe(true);
  return requests.map((r) => r.id);
}

/** The page loaded afresh at `route` (signed in: the token is in the tab's session); the same address again is read again too. */
const open = (route: string) => admin.load(route);
/** The log entries the table shows, by the key in each row's link. */
const shownAttempts = async () => (await tab.locator('table.deliveries tbody td[data-label="Date"] a').evaluateAll((links) => links.map((a) => a.getAttribute('href')))).map((href) => href!.replace('#/deliveries/', '').replace(/\?.*$/, ''));
/** The dead letters the table shows, by the id in each row's last error. */
const shownDead = async () => (await tab.locator('table.dead tbody td[data-label="Last error"]').allTextContents()).map((text) => /\((dead_\d+)\)/.exec(text)![1]!);
const pager = () => tab.getByRole('navigation', { name: 'Pages' });
const label = () => pager().locator('.page-label');
/** Waits for the pager to say `text`, then for the table to hold the `rows` expected (the label and the rows come in one render). */
async function showing(text: string, rows: number, table: 'deliveries' | 'dead'): Promise<void> {
  await label().filter({ hasText: new RegExp(`^${text}$`) }).waitFor();
  expect(await settledCount(tab.locator(`table.${table} tbody tr`), rows)).toBe(rows);
}
const hashParams = () => new URLSearchParams(new URL(tab.url()).hash.replace(/^#\/[\w-]+\??/, ''));
/** Newest first, as the lists are. */
const newestFirst = (keys: string[]) => [...keys].reverse();

beforeAll(async () => {
  fixture = await startAdminFixture({ page: true });
  await fixture.app.webhooks.create({ key: 'orders', name: 'Orders', url: `${fixture.receiver.origin}/orders`, events: ['Umbraco.ContentPublish'] });
  await fixture.app.webhooks.create({ key: 'search', name: 'Search', url: `${fixture.receiver.origin}/search`, events: ['Umbraco.ContentPublish'] });
  admin = await openAdminPage(fixture, { problems, signIn: true });
  tab = admin.tab;
});

afterAll(async () => {
  await admin?.close();
  await fixture?.close();
});

describe('the admin page pages the deliveries and the dead letters by cursor', () => {
  it('walks the deliveries with Next and Previous, each attempt once while new ones are logged between pages; reload, back/forward and a shared link keep the page', async () => {
    const first = newestFirst(await logAttempts(60));
    await open('#/deliveries');
    await showing('Page 1, 60 in all', 25, 'deliveries');
    expect(await shownAttempts()).toEqual(first.slice(0, 25));
    const previous = pager().getByRole('button', { name: 'Previous' });
    const next = pager().getByRole('button', { name: 'Next' });
    expect(await previous.getAttribute('aria-disabled')).toBe('true');
    expect(await label().getAttribute('aria-live')).toBe('polite');

    // Five attempts logged while page 1 is read: with skip=25, page 2 would start with five rows of page 1 again.
    const newer = newestFirst(await logAttempts(5));
    await next.click();
    await showing('Page 2, 65 in all', 25, 'deliveries');
    expect(await shownAttempts()).toEqual(first.slice(25, 50));
    expect(hashParams().get('page')).toBe('2');
    expect(hashParams().get('after')).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(hashParams().getAll('back')).toEqual([]);
    const pageTwo = tab.url();

    await logAttempts(3);
    await next.click();
    await showing('Page 3, 68 in all', 10, 'deliveries');
    expect(await shownAttempts()).toEqual(first.slice(50));
    expect(hashParams().getAll('back')).toHaveLength(1);
    // The last page: Next leads nowhere and keeps the focus (aria-disabled, not disabled).
    expect(await next.getAttribute('aria-disabled')).toBe('true');
    await next.focus();
    await tab.keyboard.press('Enter');
    expect(await label().textContent()).toBe('Page 3, 68 in all');
    expect(await tab.evaluate('document.activeElement?.textContent?.trim()')).toBe('Next');

    await previous.click();
    await showing('Page 2, 68 in all', 25, 'deliveries');
    expect(await shownAttempts()).toEqual(first.slice(25, 50));
    expect(tab.url()).toBe(pageTwo);

    await tab.reload();
    await showing('Page 2, 68 in all', 25, 'deliveries');
    expect(await shownAttempts()).toEqual(first.slice(25, 50));
    await tab.goBack();
    await showing('Page 3, 68 in all', 10, 'deliveries');
    await tab.goForward();
    await showing('Page 2, 68 in all', 25, 'deliveries');

    // A shared link opens the same page in another tab (signed in there: a tab keeps its own token).
    const { tab: other } = await openAdminPage(fixture, { context: tab.context(), problems, signIn: true });
    await other.goto(pageTwo);
    await other.locator('nav.pager .page-label').filter({ hasText: 'Page 2, 68 in all' }).waitFor();
    expect(await other.locator('table.deliveries tbody td[data-label="Date"] a').count()).toBe(25);
    expect((await other.locator('table.deliveries tbody td[data-label="Date"] a').first().getAttribute('href'))?.split('?')[0]).toBe(`#/deliveries/${first[25]}`);
    await other.close();

    // Back to the first page: the newest, those logged meanwhile on top.
    await pager().getByRole('button', { name: 'First page' }).click();
    await showing('Page 1, 68 in all', 25, 'deliveries');
    expect((await shownAttempts()).slice(3, 8)).toEqual(newer);
    expect(hashParams().has('after')).toBe(false);
  });

  it('starts again at page 1 when a filter changes, the filter kept in the address', async () => {
    const dead = await logAttempts(30, 'search', 'dead');
    const total = (await fixture.app.management.logs({ limit: 1 })).total;
    await open('#/deliveries');
    await showing(`Page 1, ${total} in all`, 25, 'deliveries');
    await pager().getByRole('button', { name: 'Next' }).click();
    await showing(`Page 2, ${total} in all`, 25, 'deliveries');

    await tab.getByRole('combobox', { name: 'Outcome' }).selectOption('dead');
    await showing('Page 1, 30 in all', 25, 'deliveries');
    expect(await shownAttempts()).toEqual(newestFirst(dead).slice(0, 25));
    expect([...hashParams().keys()]).toEqual(['outcome']);
    await pager().getByRole('button', { name: 'Next' }).click();
    await showing('Page 2, 30 in all', 5, 'deliveries');
    expect(hashParams().get('outcome')).toBe('dead');

    await tab.getByRole('combobox', { name: 'Webhook' }).selectOption({ label: 'Orders' });
    await tab.getByRole('heading', { name: 'Deliveries of Orders' }).waitFor();
    const ofOrders = (await fixture.app.management.logs({ webhookKey: 'orders', outcomes: ['dead'] })).total;
    expect(ofOrders).toBe(0);
    await tab.getByText('No deliveries match these filters.').waitFor();
    expect([...hashParams().keys()].sort()).toEqual(['outcome', 'webhookKey']);
  });

  it('says in words that a changed or stale position in the address cannot be shown, with a link back to the first page', async () => {
    const seen = problems.length;
    const logCursor = (await fixture.inject({ method: 'GET', url: `${API}/webhook/logs?take=1` })).json.next as string;
    await open('#/deliveries?outcome=dead&after=not-a-cursor-0&page=4');
    const alert = tab.getByRole('alert');
    await alert.getByText('This page of the list cannot be shown').waitFor();
    expect(await alert.textContent()).toMatch(/The page's position in the address \(after=…\) does not decode to a cursor \(changed or cut short\)\. Nothing was read: start again from the first page\./);
    expect(await alert.textContent()).not.toMatch(/HOOKWORK_ERR|GET |logs\(\)/);
    expect(await tab.locator('table.deliveries').count()).toBe(0);
    expect(await tab.getByRole('navigation', { name: 'Pages' }).count()).toBe(0);
    await alert.getByRole('link', { name: 'Go to the first page' }).click();
    await showing('Page 1, 30 in all', 25, 'deliveries');
    expect([...hashParams().keys()]).toEqual(['outcome']);
    expect(await tab.getByRole('alert').count()).toBe(0);

    // The log's cursor given to the dead letters (a link edited by hand): said as such.
    await open(`#/dead-letters?after=${logCursor}&page=2`);
    const deadAlert = tab.getByRole('alert');
    await deadAlert.getByText('This page of the list cannot be shown').waitFor();
    expect(await deadAlert.textContent()).toContain('is a cursor of the delivery log, not of the dead letters');
    expect(await tab.locator('table.dead').count()).toBe(0);
    await deadAlert.getByRole('link', { name: 'Go to the first page' }).click();
    await tab.getByText('No dead letters.').waitFor();
    expect(hashParams().has('after')).toBe(false);

    // Only the two refusals asked for: no script error, nothing else refused.
    expect(problems.slice(seen).filter((p) => !p.startsWith('console: Failed to load resource: the server responded with a status of 400'))).toEqual([
      `400 for ${fixture.origin}${API}/webhook/logs?after=not-a-cursor-0&take=25&outcome=dead&bodies=preview`,
      `400 for ${fixture.origin}${API}/dead-letter?after=${logCursor}&take=50`,
    ]);
    problems.splice(seen);
  });

  it('walks the dead letters by cursor: one redelivered and others dead while paging hide none and repeat none', async () => {
    const dead = newestFirst(await deadLetters(120, 'orders'));
    await open('#/dead-letters');
    await showing('Page 1, 120 in all', 50, 'dead');
    expect(await shownDead()).toEqual(dead.slice(0, 50));

    // One of page 1 redelivered here (held in the queue: the app does not send), and page 1 read again without it.
    fixture.app.updateSettings({ enabled: false });
    await tab.getByRole('button', { name: /^Redeliver the request to Orders/ }).first().click();
    await tab.getByRole('status').getByText(`1 request put back in the queue (${dead[0]}).`).waitFor();
    await showing('Page 1, 119 in all', 50, 'dead');
    expect(await shownDead()).toEqual(dead.slice(1, 51));
    // Meanwhile another operator redelivers one of page 1, and two more requests die: with skip=50,
    // page 2 would start one early (listing the last of page 1 again) and two late (the new ones).
    expect((await fixture.inject({ method: 'POST', url: `${API}/dead-letter/${dead[5]}/redeliver` })).json).toEqual({ redelivered: 1, skipped: 0 });
    await deadLetters(2, 'search');
    await pager().getByRole('button', { name: 'Next' }).click();
    await showing('Page 2, 120 in all', 50, 'dead');
    expect(await shownDead()).toEqual(dead.slice(51, 101));
    await pager().getByRole('button', { name: 'Next' }).click();
    await showing('Page 3, 120 in all', 19, 'dead');
    expect(await shownDead()).toEqual(dead.slice(101));
    expect(await pager().getByRole('button', { name: 'Next' }).getAttribute('aria-disabled')).toBe('true');

    // The webhook filter is in the address too, and starts again at page 1.
    await open(`#/dead-letters?webhookKey=orders&${hashParams().toString()}`);
    await showing('Page 3, 118 in all', 19, 'dead');
    await tab.getByRole('link', { name: 'All webhooks' }).click();
    await showing('Page 1, 120 in all', 50, 'dead');
    expect(hashParams().toString()).toBe('');
    // The app stays stopped from sending: the redelivered request would log an attempt under the next test's count.
  });

  it('keeps the trail for Previous short: the last 20 pages, then First page starts over', async () => {
    await logAttempts(24 * 25 - (await fixture.app.management.logs({ limit: 1 })).total, 'orders');
    await open('#/deliveries');
    await showing('Page 1, 600 in all', 25, 'deliveries');
    const next = pager().getByRole('button', { name: 'Next' });
    for (let page = 2; page <= 23; page++) {
      await next.click();
      await label().filter({ hasText: new RegExp(`^Page ${page}, `) }).waitFor();
      expect(hashParams().getAll('back')).toHaveLength(Math.min(page - 2, 20));
    }
    expect(tab.url().length).toBeLessThan(2000);
    const previous = pager().getByRole('button', { name: 'Previous' });
    for (let page = 22; page >= 3; page--) {
      await previous.click();
      await label().filter({ hasText: new RegExp(`^Page ${page}, `) }).waitFor();
    }
    // Page 3's own trail was cut on the way out: Previous leads nowhere (and says why), First page does.
    expect(await previous.getAttribute('aria-disabled')).toBe('true');
    expect(await previous.getAttribute('title')).toBe('Only the last 20 pages are remembered: start again from the first page');
    await pager().getByRole('button', { name: 'First page' }).click();
    await showing('Page 1, 600 in all', 25, 'deliveries');
  });

  it('ran without script errors or refused calls', () => {
    expect(problems).toEqual([]);
  });
});

describe('the admin page pages the webhooks by cursor', () => {
  const repository = () => resolveToken(fixture.app.container, WebhookRepositoryToken);
  /** The webhooks the table shows, by the key in each row's link. */
  const shownWebhooks = async () => (await tab.locator('table.webhooks tbody td[data-label="Name"] a').evaluateAll((links) => links.map((a) => a.getAttribute('href')))).map((href) => decodeURIComponent(href!.replace('#/webhooks/', '').replace(/\?.*$/, '')));
  /** Waits for the pager to say `text` and the table to hold `rows` webhooks; the keys shown. */
  async function webhooksShowing(text: string, rows: number): Promise<string[]> {
    await label().filter({ hasText: new RegExp(`^${text}$`) }).waitFor();
    expect(await settledCount(tab.locator('table.webhooks tbody tr'), rows)).toBe(rows);
    return shownWebhooks();
  }
  /** Every webhook's key, in the list's order. */
  async function listed(): Promise<string[]> {
    const keys: string[] = [];
    for (let after: string | undefined; ; ) {
      const page = await fixture.app.webhooks.list({ limit: 1000, ...(after ? { after } : {}) });
      keys.push(...page.items.map((w) => w.key));
      if (page.next === undefined) return keys;
      after = page.next;
    }
  }

  it('goes on after the last webhook of page 1 when another operator deletes one of it and creates one meanwhile: none shown twice, none missed', async () => {
    const now = Date.now();
    for (let i = 1; i <= 150; i++) {
      const n = String(i).padStart(3, '0');
      const at = new Date(now + i);
      await repository().create({ key: `list-${n}`, name: `List ${n}`, url: `${fixture.receiver.origin}/list`, events: ['Umbraco.ContentPublish'], contentTypeKeys: [], headers: {}, sensitiveHeaders: [], enabled: true, secrets: [], createdAt: at, updatedAt: at });
    }
    const all = await listed();
    expect(all).toHaveLength(152);
    await open('#/webhooks');
    const first = await webhooksShowing('Page 1, 152 in all', 100);
    expect(first).toEqual(all.slice(0, 100));

    // Another operator, in a session of their own, deletes a webhook of page 1 and creates one: by
    // skip=100, page 2 would start one late and never show the first webhook after page 1.
    expect((await fixture.socket({ method: 'DELETE', url: `${API}/webhook/${first[10]}` })).status).toBe(200);
    const created = await fixture.socket({ method: 'POST', url: `${API}/webhook`, body: { key: 'list-new', name: 'List new', url: `${fixture.receiver.origin}/list`, events: ['Umbraco.ContentPublish'] } });
    expect(created.status).toBe(201);
    await pager().getByRole('button', { name: 'Next' }).click();
    const second = await webhooksShowing('Page 2, 152 in all', 53);
    expect(second).toEqual([...all.slice(100), 'list-new']);
    expect(hashParams().get('page')).toBe('2');
    expect(hashParams().get('after')).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(new Set([...first, ...second]).size).toBe(first.length + second.length);
    expect(await pager().getByRole('button', { name: 'Next' }).getAttribute('aria-disabled')).toBe('true');

    // Back to page 1, read again as it is now: without the deleted webhook.
    await tab.goBack();
    expect(await webhooksShowing('Page 1, 152 in all', 100)).toEqual(all.filter((key) => key !== first[10]).slice(0, 100));
    await tab.goForward();
    expect(await webhooksShowing('Page 2, 152 in all', 53)).toEqual(second);
  });

  it('shows each row its own health when a webhook is created between the list\'s read and the health\'s (another clock, an earlier time): the webhook pushed off the health page is read alone', async () => {
    const isList = (url: URL) => url.pathname === `${API}/webhook` && url.searchParams.get('take') === '100';
    const isHealth = (url: URL) => url.pathname === `${API}/webhook/health`;
    let listRead!: () => void;
    const read = new Promise<void>((resolve) => (listRead = resolve));
    let skewed = false;
    await tab.route(isList, async (route) => {
      const response = await route.fetch();
      listRead();
      await route.fulfill({ response });
    });
    // The health page read once the list's was: a webhook dated before every other now comes first on it.
    await tab.route(isHealth, async (route) => {
      await read;
      if (!skewed) {
        skewed = true;
        const at = new Date('2000-01-01T00:00:00Z');
        await repository().create({ key: 'skewed-clock', name: 'Skewed clock', url: `${fixture.receiver.origin}/list`, events: ['Umbraco.ContentPublish'], contentTypeKeys: [], headers: {}, sensitiveHeaders: [], enabled: true, secrets: [], createdAt: at, updatedAt: at });
      }
      await route.fulfill({ response: await route.fetch() });
    });
    try {
      await open('#/webhooks');
      const shown = await webhooksShowing('Page 1, 152 in all', 100);
      expect(skewed).toBe(true);
      expect(shown).not.toContain('skewed-clock');
      const health = tab.locator('table.webhooks tbody td[data-label="Health"]');
      expect(await settledCount(health.locator('.badge'), 100)).toBe(100);
      expect(await health.last().locator('.badge').textContent()).toBe('Healthy');
    } finally {
      await tab.unroute(isList);
      await tab.unroute(isHealth);
      expect(await fixture.app.webhooks.delete('skewed-clock')).toBe(true);
    }
  });

  it('says in words that another list\'s cursor in the address cannot be shown, with no rows of before and a link back to the first page', async () => {
    const logCursor = (await fixture.inject({ method: 'GET', url: `${API}/webhook/logs?take=1` })).json.next as string;
    await open(`#/webhooks?after=${logCursor}&page=2`);
    const alert = tab.getByRole('alert');
    await alert.getByText('This page of the list cannot be shown').waitFor();
    expect(await alert.textContent()).toContain('is a cursor of the delivery log, not of the webhooks');
    expect(await tab.locator('table.webhooks').count()).toBe(0);
    expect(await tab.getByRole('navigation', { name: 'Pages' }).count()).toBe(0);
    await alert.getByRole('link', { name: 'Go to the first page' }).click();
    await webhooksShowing('Page 1, 152 in all', 100);
    expect(hashParams().has('after')).toBe(false);
    expect(await tab.getByRole('alert').count()).toBe(0);
    // The list and its health were both refused, and nothing else.
    expect(problems.splice(0).filter((p) => !p.startsWith('console: Failed to load resource: the server responded with a status of 400')).sort()).toEqual(
      [`400 for ${fixture.origin}${API}/webhook?after=${logCursor}&take=100`, `400 for ${fixture.origin}${API}/webhook/health?after=${logCursor}&take=100`].sort(),
    );
  });

  it('ran without script errors or refused calls', () => {
    expect(problems).toEqual([]);
  });
});
