import type { Page } from 'playwright-core';
import { openAdminPage, settledCount, type AdminPage } from './test-support/admin-browser';
import { publish, startAdminFixture, type AdminFixture } from './test-support/admin-fixture';

jest.setTimeout(180_000);

/**
 * A list's detail views on a real admin server over a SQLite file, in Debian's Chromium: two
 * webhooks on one URL (which the URL alone cannot tell apart), a third whose receiver answers 500.
 * A detail names the webhook it is about, and its *Back* returns to the list as the operator had
 * filtered or searched it — the filters are in the address, and a detail's address carries them.
 */
let fixture: AdminFixture;
let admin: AdminPage;
let tab: Page;
let live: string;
let mirror: string;
let failing: string;

beforeAll(async () => {
  fixture = await startAdminFixture({ page: true });
  fixture.receiver.handler = (request, response) => {
    if (request.path.startsWith('/failing')) {
      response.statusCode = 500;
      return void response.end('down');
    }
    response.end('ok');
  };
  const url = `${fixture.receiver.origin}/erp/orders`;
  live = (await fixture.app.webhooks.create({ name: 'ERP orders live', url, events: ['Umbraco.ContentPublish'] })).key;
  mirror = (await fixture.app.webhooks.create({ name: 'ERP orders mirror', url, events: ['Umbraco.ContentPublish'] })).key;
  failing = (await fixture.app.webhooks.create({ name: 'Legacy intranet', url: `${fixture.receiver.origin}/failing`, events: ['Umbraco.ContentPublish'] })).key;
  await publish(fixture.app, 'a');
  await fixture.app.drain();
  admin = await openAdminPage(fixture, { signIn: true });
  tab = admin.tab;
});

afterAll(async () => {
  await admin?.close();
  await fixture?.close();
});

afterEach(() => {
  expect(admin.problems).toEqual([]);
});

const firstRowLink = () => tab.locator('table.deliveries tbody tr td[data-label="Date"] a').first();
const summary = (term: string) => tab.locator('dl.summary dt', { hasText: term }).locator('xpath=following-sibling::dd[1]');

describe('a delivery’s detail', () => {
  it('names the webhook it went to, by name and key, linking to it: two webhooks on one URL are told apart', async () => {
    for (const [key, name] of [
      [mirror, 'ERP orders mirror'],
      [live, 'ERP orders live'],
    ] as const) {
      await admin.go(`#/deliveries?webhookKey=${key}`);
      expect(await settledCount(tab.locator('table.deliveries tbody tr'), 1)).toBe(1);
      await firstRowLink().click();
      await tab.getByRole('heading', { name: 'Delivery' }).waitFor();
      const webhook = summary('Webhook');
      await webhook.getByRole('link', { name }).waitFor();
      expect(await webhook.getByRole('link', { name }).getAttribute('href')).toBe(`#/webhooks/${key}`);
      expect(await webhook.locator('code').textContent()).toBe(key);
      expect(await summary('URL').textContent()).toContain('/erp/orders');
    }
  });

  it('says so when the webhook was deleted since (its log is kept)', async () => {
    const gone = (await fixture.app.webhooks.create({ name: 'Short-lived', url: `${fixture.receiver.origin}/short`, events: ['Umbraco.ContentPublish'] })).key;
    await publish(fixture.app, 'b');
    await fixture.app.drain();
    await admin.go(`#/deliveries?webhookKey=${gone}`);
    expect(await settledCount(tab.locator('table.deliveries tbody tr'), 1)).toBe(1);
    const href = await firstRowLink().getAttribute('href');
    expect(await fixture.app.webhooks.delete(gone)).toBe(true);
    await admin.go(href!);
    await summary('Webhook').filter({ hasText: 'no longer exists' }).waitFor();
    expect(await summary('Webhook').textContent()).toContain(gone);
    expect(await summary('Webhook').getByRole('link').count()).toBe(0);
    // The detail's read of the deleted webhook is the API's 404 (and the browser's console line for it), said in the page: nothing else went wrong.
    expect(admin.problems.filter((p) => !p.includes('404'))).toEqual([]);
    admin.problems.length = 0;
  });

  it('goes back to the deliveries as they were filtered (webhook, status, outcome, event), not to every delivery', async () => {
    const filters = `webhookKey=${failing}&statusClass=5xx&outcome=dead&eventAlias=Umbraco.ContentPublish`;
    await admin.go(`#/deliveries?${filters}`);
    // Each of its requests dead after its two attempts: the last attempt of each is listed, the first is not.
    const { dead } = await fixture.app.management.queueCounts({ webhookKey: failing });
    expect(dead).toBeGreaterThan(0);
    expect(await settledCount(tab.locator('table.deliveries tbody tr'), dead)).toBe(dead);
    await firstRowLink().click();
    await tab.getByRole('heading', { name: 'Delivery' }).waitFor();
    await tab.getByRole('link', { name: 'Back to deliveries' }).click();
    await tab.getByRole('heading', { name: /^Deliveries of/ }).waitFor();
    expect(new URL(tab.url()).hash).toBe(`#/deliveries?${filters}`);
    expect(await tab.locator('select[name="statusClass"]').inputValue()).toBe('5xx');
    expect(await tab.locator('select[name="outcome"]').inputValue()).toBe('dead');
    expect(await settledCount(tab.locator('table.deliveries tbody tr'), dead)).toBe(dead);
    // A reload of the detail keeps the way back too: it is in the detail's address.
    await firstRowLink().click();
    await tab.getByRole('heading', { name: 'Delivery' }).waitFor();
    await admin.load(new URL(tab.url()).hash);
    await tab.getByRole('heading', { name: 'Delivery' }).waitFor();
    expect(await tab.getByRole('link', { name: 'Back to deliveries' }).getAttribute('href')).toBe(`#/deliveries?${filters}`);
  });

  it('opened without a list (a link, the address typed) goes back to every delivery', async () => {
    await admin.go(`#/deliveries?webhookKey=${live}`);
    const href = await firstRowLink().getAttribute('href');
    await admin.go(href!.split('?')[0]!);
    await tab.getByRole('heading', { name: 'Delivery' }).waitFor();
    expect(await tab.getByRole('link', { name: 'Back to deliveries' }).getAttribute('href')).toBe('#/deliveries');
  });
});

describe('a webhook’s views opened from a search of the webhooks', () => {
  const searched = async () => {
    await admin.go('#/webhooks?q=mirror');
    await tab.getByRole('status').filter({ hasText: '1 webhook found.' }).waitFor();
  };
  const backToSearch = async () => {
    await tab.getByRole('status').filter({ hasText: '1 webhook found.' }).waitFor();
    expect(new URL(tab.url()).hash).toBe('#/webhooks?q=mirror');
    expect(await tab.getByRole('searchbox', { name: 'Find a webhook' }).inputValue()).toBe('mirror');
  };

  it('the editor’s Back to webhooks, its Cancel and its Save return to the search', async () => {
    await searched();
    await tab.getByRole('link', { name: 'Edit ERP orders mirror' }).click();
    await tab.getByRole('heading', { name: 'Edit ERP orders mirror' }).waitFor();
    await tab.getByRole('link', { name: 'Back to webhooks' }).click();
    await backToSearch();

    await tab.getByRole('link', { name: 'ERP orders mirror', exact: true }).click();
    await tab.getByRole('heading', { name: 'Edit ERP orders mirror' }).waitFor();
    await tab.getByRole('link', { name: 'Cancel' }).click();
    await backToSearch();

    await tab.getByRole('link', { name: 'Edit ERP orders mirror' }).click();
    await tab.getByRole('heading', { name: 'Edit ERP orders mirror' }).waitFor();
    await tab.getByRole('button', { name: 'Save' }).click();
    await backToSearch();
  });

  it('Send test’s Back to webhooks returns to the search', async () => {
    await searched();
    await tab.getByRole('link', { name: 'Send test to ERP orders mirror' }).click();
    await tab.getByRole('heading', { name: /^Send test event to/ }).waitFor();
    await tab.getByRole('link', { name: 'Back to webhooks' }).click();
    await backToSearch();
  });

  it('Create webhook’s Back to webhooks returns to the search', async () => {
    await searched();
    await tab.getByRole('link', { name: 'Create webhook' }).click();
    await tab.getByRole('heading', { name: 'Create webhook' }).waitFor();
    await tab.getByRole('link', { name: 'Back to webhooks' }).click();
    await backToSearch();
  });
});
