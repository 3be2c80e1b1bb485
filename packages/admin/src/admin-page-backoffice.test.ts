import { DeliveryLogToken, WebhookRepositoryToken, resolveToken } from '@hookwork/core';
import type { Page } from 'playwright-core';
import { openAdminPage, settledCount, until, type AdminPage } from './test-support/admin-browser';
import { ContentUnpublishedNotification } from '@hookwork/cms';
import { blogPost, publish, startAdminFixture, type AdminFixture } from './test-support/admin-fixture';

jest.setTimeout(180_000);

/**
 * The day's tasks of the people in a back office who look after a CMS's webhooks, on a real admin
 * server over a SQLite file, in Debian's Chromium: more webhooks than a page holds (the one sought
 * on page 2), a receiver that answers 500 until its requests die, a healthy one beside it.
 */
let fixture: AdminFixture;
let admin: AdminPage;
let tab: Page;
/** The ERP webhook's key: its receiver fails. */
let erp: string;
let shop: string;

beforeAll(async () => {
  fixture = await startAdminFixture({ page: true });
  fixture.receiver.handler = (request, response) => {
    if (request.path.startsWith('/erp') || request.path.startsWith('/legacy')) {
      response.statusCode = 500;
      return void response.end('ERP: upstream database timeout');
    }
    response.end('ok');
  };
  const repository = resolveToken(fixture.app.container, WebhookRepositoryToken);
  const now = Date.now();
  // Older than the two below, so those are on the list's second page.
  for (let i = 0; i < 120; i++) {
    const n = String(i).padStart(3, '0');
    const at = new Date(now - 3_600_000 + i);
    await repository.create({ key: `filler-${n}`, name: `Intranet notify ${n}`, url: `${fixture.receiver.origin}/intranet/${n}`, events: ['Umbraco.MediaSave'], contentTypeKeys: [], headers: {}, sensitiveHeaders: [], enabled: true, secrets: [], createdAt: at, updatedAt: at });
  }
  erp = (await fixture.app.webhooks.create({ name: 'ERP production sync', url: `${fixture.receiver.origin}/erp/orders`, events: ['Umbraco.ContentPublish'] })).key;
  shop = (await fixture.app.webhooks.create({ name: 'Shop CDN purge', url: `${fixture.receiver.origin}/shop-cdn`, events: ['Umbraco.ContentUnpublish'] })).key;
  // Two requests to the ERP die after their two attempts (maximumRetries 1); a filler's dies too.
  await fixture.app.webhooks.update('filler-000', { events: ['Umbraco.ContentPublish'], url: `${fixture.receiver.origin}/legacy/orders` });
  await publish(fixture.app, 'a');
  await publish(fixture.app, 'b');
  await fixture.app.drain();
  expect(await fixture.app.management.queueCounts({ webhookKey: erp })).toEqual({ pending: 0, inFlight: 0, dead: 2 });
  expect(await fixture.app.management.queueCounts({ webhookKey: 'filler-000' })).toEqual({ pending: 0, inFlight: 0, dead: 2 });
  admin = await openAdminPage(fixture, { signIn: true });
  tab = admin.tab;
});

afterAll(async () => {
  await admin?.close();
  await fixture?.close();
});

const rows = () => tab.locator('table.webhooks tbody tr');
const names = () => tab.locator('table.webhooks tbody td[data-label="Name"]').allTextContents();

describe('finding a webhook among more than a page of them', () => {
  it('finds one by a word of its name, though it is on the second page', async () => {
    await admin.load('#/webhooks');
    await tab.getByRole('navigation', { name: 'Pages' }).waitFor();
    const find = tab.getByRole('searchbox', { name: 'Find a webhook' });
    await find.fill('erp');
    await find.press('Enter');
    await tab.getByRole('status').filter({ hasText: '1 webhook found.' }).waitFor();
    expect(await names()).toEqual(['ERP production sync']);
    expect(tab.url()).toContain('#/webhooks?q=erp');
    // Its health and actions are as on the list.
    expect(await rows().first().locator('td[data-label="Health"]').textContent()).toMatch(/Failing|Breaker open/);
    expect(await tab.getByRole('link', { name: 'Edit ERP production sync' }).count()).toBe(1);
  });

  it('finds by a part of the URL, and by the event as the catalogue names it', async () => {
    await admin.go('#/webhooks?q=shop-cdn');
    await tab.getByRole('status').filter({ hasText: '1 webhook found.' }).waitFor();
    expect(await names()).toEqual(['Shop CDN purge']);
    await admin.go(`#/webhooks?q=${encodeURIComponent('content unpublished')}`);
    await tab.getByRole('status').filter({ hasText: '1 webhook found.' }).waitFor();
    expect(await names()).toEqual(['Shop CDN purge']);
  });

  it('says when nothing matches, and how many when more than a page does', async () => {
    await admin.go('#/webhooks?q=nothing-like-this');
    await tab.getByRole('status').filter({ hasText: 'No webhook has “nothing-like-this” in its name, URL or events.' }).waitFor();
    expect(await rows().count()).toBe(0);
    await admin.go('#/webhooks?q=intranet');
    await tab.getByRole('status').filter({ hasText: '120 webhooks found; the first 100 are shown: add a word to narrow the search.' }).waitFor();
    expect(await settledCount(rows(), 100)).toBe(100);
    await tab.getByRole('link', { name: 'Show every webhook' }).click();
    await tab.getByRole('navigation', { name: 'Pages' }).locator('.page-label').filter({ hasText: /^Page 1, 122 in all$/ }).waitFor();
  });
});

describe("seeing why a dead letter died and redelivering a webhook's", () => {
  it("goes from a dead letter to its request's attempts, the last one's answer in full", async () => {
    await admin.go('#/dead-letters');
    const row = tab.locator('table.dead tbody tr').filter({ hasText: 'ERP production sync' }).first();
    await row.waitFor();
    await row.getByRole('link', { name: /^Attempts of the request to ERP production sync/ }).click();
    await tab.getByRole('heading', { name: 'Deliveries of ERP production sync' }).waitFor();
    await tab.locator('p.request-filter', { hasText: /Only the attempts of the request msg_\w+, newest first/ }).waitFor();
    const attempts = tab.locator('table.deliveries tbody tr');
    // Its two attempts, not the other request's: the first row is the last attempt, dead.
    expect(await settledCount(attempts, 2)).toBe(2);
    expect(await attempts.locator('td[data-label="Outcome"]').allTextContents()).toEqual(['dead', 'retrying']);
    await attempts.first().getByRole('link').click();
    await tab.getByRole('heading', { name: 'Delivery' }).waitFor();
    await tab.getByText('ERP: upstream database timeout').waitFor();
    await tab.getByRole('link', { name: 'every attempt of this request' }).click();
    await tab.locator('p.request-filter', { hasText: /Only the attempts of the request msg_\w+, newest first/ }).waitFor();
    expect(await settledCount(attempts, 2)).toBe(2);
    await tab.getByRole('link', { name: 'Show every request of this webhook' }).click();
    expect(await settledCount(attempts, 4)).toBe(4);
  });

  it("reaches one webhook's dead letters from the list of all, and redelivers those alone", async () => {
    await admin.go('#/dead-letters');
    await tab.getByRole('button', { name: 'Redeliver all (4)' }).waitFor();
    await tab.getByRole('link', { name: /^ERP production sync\W+its dead letters$/ }).first().click();
    await tab.getByRole('heading', { name: 'Dead letters of ERP production sync' }).waitFor();
    await tab.getByRole('button', { name: 'Redeliver all (2)' }).click();
    const dialog = tab.getByRole('dialog', { name: 'Redeliver all dead letters of ERP production sync?' });
    await dialog.getByRole('button', { name: 'Redeliver 2 requests' }).click();
    await tab.getByRole('status').getByText('2 requests put back in the queue (all of this webhook).').waitFor();
    expect((await fixture.app.management.queueCounts({ webhookKey: 'filler-000' })).dead).toBe(2);
    await fixture.app.drain();
  });

  it('reads the dead letters again on Refresh, as the words for a lost answer tell the user to', async () => {
    await admin.go('#/dead-letters');
    await tab.getByRole('button', { name: 'Redeliver all (4)' }).waitFor();
    // The ERP is back, and another operator redelivered its dead letters: Refresh shows it.
    fixture.receiver.handler = (_request, response) => void response.end('ok');
    await fixture.app.redeliver({ webhookKey: erp });
    await fixture.app.drain();
    await tab.getByRole('button', { name: 'Refresh' }).click();
    await tab.getByRole('button', { name: 'Redeliver all (2)' }).waitFor();
    expect(await tab.locator('table.dead tbody tr').filter({ hasText: 'ERP production sync' }).count()).toBe(0);
  });

  it('pages through a log of 64 KiB bodies without fetching them, and shows one entry whole', async () => {
    const big = (c: string) => c.repeat(64 * 1024);
    const start = Date.now() - 86_400_000;
    await resolveToken(fixture.app.container, DeliveryLogToken).append(
      Array.from({ length: 60 }, (_, i) => ({
        key: `big-${String(i).padStart(2, '0')}`,
        webhookKey: shop,
        requestId: `msg_big_${i}`,
        url: `${fixture.receiver.origin}/shop-cdn`,
        eventAlias: 'Umbraco.ContentUnpublish',
        retryCount: 0,
        date: new Date(start + i * 1000),
        requestHeaders: {},
        requestBody: big('q'),
        responseHeaders: {},
        responseBody: big('r'),
        statusCode: 502,
        durationMs: 30,
        outcome: 'retrying' as const,
      })),
    );
    const sizes: number[] = [];
    const listed = (url: string) => url.includes(`/webhook/${shop}/logs?`);
    tab.on('response', (response) => void (listed(response.url()) ? response.body().then((body) => sizes.push(body.length)) : undefined));
    await admin.go(`#/deliveries?webhookKey=${shop}`);
    await tab.getByRole('heading', { name: 'Deliveries of Shop CDN purge' }).waitFor();
    const rows = tab.locator('table.deliveries tbody tr');
    expect(await settledCount(rows, 25)).toBe(25);
    await tab.getByRole('button', { name: 'Next' }).click();
    await tab.locator('nav.pager .page-label').filter({ hasText: /^Page 2, 60 in all$/ }).waitFor();
    while (sizes.length < 2) await tab.waitForTimeout(50);
    // 25 entries of two 64 KiB bodies were 3.3 MB a page; cut to previews, a few tens of kilobytes.
    for (const size of sizes) expect(size).toBeLessThan(100_000);
    await rows.first().getByRole('link').click();
    await tab.getByRole('heading', { name: 'Delivery' }).waitFor();
    const response = tab.locator('section', { has: tab.getByRole('heading', { name: 'Response' }) });
    await until(tab, `document.body.textContent.includes(${JSON.stringify(big('r'))})`);
    expect(await response.textContent()).toContain(big('r'));
  });

});

describe('rotating a secret', () => {
  it('says until when the secret it replaces goes on signing, what the receiver\'s team needs to know', async () => {
    await admin.go(`#/webhooks/${shop}`);
    await tab.getByRole('heading', { name: 'Edit Shop CDN purge' }).waitFor();
    await tab.getByRole('button', { name: 'Generate secret' }).click();
    const once = tab.locator('.secret-once');
    await once.getByText('The new signing secret is shown this once:').waitFor();
    // The first secret replaces none.
    expect(await once.textContent()).not.toContain('replaces');
    await once.getByRole('button', { name: 'I have copied it' }).click();
    await tab.getByRole('button', { name: 'Rotate secret' }).click();
    await once.getByText('The new signing secret is shown this once:').waitFor();
    const [replaced] = (await fixture.app.webhooks.get(shop))!.secrets.filter((secret) => secret.expiresAt);
    const until = await tab.evaluate(`new Date(${JSON.stringify(replaced!.expiresAt)}).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'long' })`);
    await once.getByText(`Until ${until as string}, every request is signed with this secret and with the one it replaces`).waitFor();
  });
});

describe('switching a receiver off for its maintenance', () => {
  it('says that events meanwhile are not kept for it, and that its queued requests wait', async () => {
    await admin.go('#/webhooks?q=shop');
    const enabled = tab.getByRole('checkbox', { name: 'Enabled: Shop CDN purge' });
    await enabled.uncheck();
    await tab.getByRole('status').filter({ hasText: 'Shop CDN purge is switched off: events from now on are not sent to it, nor kept to send later. Its requests already in the queue wait, and go when it is switched on again.' }).waitFor();
    expect((await fixture.app.webhooks.get(shop))!.enabled).toBe(false);
    // As said: an event published while it is off makes no request for it.
    await fixture.app.publish(new ContentUnpublishedNotification({ unpublishedEntities: [blogPost('off')] }));
    expect(await fixture.app.management.queueCounts({ webhookKey: shop })).toMatchObject({ pending: 0, inFlight: 0 });
    await enabled.check();
    await tab.getByRole('status').filter({ hasText: 'Shop CDN purge is switched on: events from now on are sent to it, and its requests that waited in the queue go now.' }).waitFor();
  });
});

describe('the whole day', () => {
  it('ran without script errors or refused calls', () => {
    expect(admin.problems).toEqual([]);
  });
});
