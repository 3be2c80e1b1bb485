import { DeliveryLogToken, RequestQueueToken, resolveToken, WebhookRepositoryToken } from '@hookwork/core';
import type { Page } from 'playwright-core';
import { BROWSER_LOCALE, openAdminPage, type AdminPage } from './test-support/admin-browser';
import { startAdminFixture, type AdminFixture } from './test-support/admin-fixture';

jest.setTimeout(180_000);

/**
 * The admin page writes every count with its thousands grouped, as the browser's language does
 * (the tests' Chromium runs in en-US: `1,101`): the pager of each list, the counter on *Redeliver
 * all*, the counts in a confirmation. A real admin server on 127.0.0.1 over a SQLite file, Debian's
 * Chromium, 1,101 webhooks, log entries and dead letters.
 */
const MANY = 1101;
let fixture: AdminFixture;
let admin: AdminPage;
let tab: Page;

const open = (route: string) => admin.load(route);
const label = () => tab.getByRole('navigation', { name: 'Pages' }).locator('.page-label');

beforeAll(async () => {
  fixture = await startAdminFixture({ page: true });
  const orders = await fixture.app.webhooks.create({ key: 'orders', name: 'Orders', url: `${fixture.receiver.origin}/orders`, events: ['Umbraco.ContentPublish'] });
  const webhooks = resolveToken(fixture.app.container, WebhookRepositoryToken);
  const now = Date.now();
  for (let i = 1; i < MANY; i++) {
    const n = String(i).padStart(4, '0');
    const at = new Date(now + i);
    await webhooks.create({ key: `many-${n}`, name: `Many ${n}`, url: `${fixture.receiver.origin}/many`, events: ['Umbraco.ContentPublish'], contentTypeKeys: [], headers: {}, sensitiveHeaders: [], enabled: true, secrets: [], createdAt: at, updatedAt: at });
  }
  const start = now - 86_400_000;
  await resolveToken(fixture.app.container, DeliveryLogToken).append(
    Array.from({ length: MANY }, (_, i) => ({
      key: `attempt-${String(i).padStart(4, '0')}`,
      webhookKey: orders.key,
      requestId: `msg_${i}`,
      url: `${fixture.receiver.origin}/orders`,
      eventAlias: 'Umbraco.ContentPublish',
      retryCount: 1,
      date: new Date(start + i * 1000),
      requestHeaders: {},
      requestBody: '{}',
      responseHeaders: {},
      responseBody: 'down',
      statusCode: 503,
      durationMs: 12,
      outcome: 'retrying' as const,
    })),
  );
  // Dead letters first (the claim takes every request due by `far`), then requests waiting for later.
  const queue = resolveToken(fixture.app.container, RequestQueueToken);
  const far = new Date(now + 30 * 86_400_000);
  const request = (id: string) => ({ id, webhookKey: orders.key, eventAlias: 'Umbraco.ContentPublish', body: '{}', createdAt: new Date(), dueAt: far });
  const dead = Array.from({ length: MANY }, (_, i) => request(`dead_${i}`));
  await queue.enqueue(dead);
  expect(await queue.claim({ owner: 'test', limit: MANY, leaseMs: 60_000, now: far })).toHaveLength(MANY);
  for (const [i, r] of dead.entries()) expect(await queue.deadLetter(r.id, 'test', { attempts: 2, lastError: 'HTTP 500', now: new Date(start + i * 1000) })).toBe(true);
  await queue.enqueue(Array.from({ length: 1234 }, (_, i) => request(`later_${i}`)));
  expect(await fixture.app.management.queueCounts({ webhookKey: orders.key })).toEqual({ pending: 1234, inFlight: 0, dead: MANY });

  admin = await openAdminPage(fixture, { signIn: true });
  tab = admin.tab;
});

afterAll(async () => {
  await admin?.close();
  await fixture?.close();
});

describe('the admin page groups the thousands of every count it prints', () => {
  it(`runs the browser in ${BROWSER_LOCALE}`, async () => {
    expect(await tab.evaluate('navigator.language')).toBe(BROWSER_LOCALE);
  });

  it('says the webhooks\' total in the pager, and the requests and dead letters a deletion drops', async () => {
    await open('#/webhooks');
    await label().filter({ hasText: /^Page 1, 1,101 in all$/ }).waitFor();
    await tab.getByRole('button', { name: 'Delete Orders', exact: true }).click();
    const dialog = tab.getByRole('dialog', { name: 'Delete the webhook Orders?' });
    await dialog.waitFor();
    const said = await dialog.getByRole('paragraph').textContent();
    expect(said).toContain('Its 1,234 requests waiting in the queue will not be sent');
    expect(said).toContain('Its 1,101 dead letters are dropped with it');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
  });

  it('says the deliveries\' total in the pager', async () => {
    await open('#/deliveries');
    await label().filter({ hasText: /^Page 1, 1,101 in all$/ }).waitFor();
  });

  it('says the dead letters\' total in the pager, on Redeliver all and in its question', async () => {
    await open('#/dead-letters');
    await label().filter({ hasText: /^Page 1, 1,101 in all$/ }).waitFor();
    await tab.getByRole('button', { name: 'Redeliver all (1,101)' }).click();
    const dialog = tab.getByRole('dialog', { name: 'Redeliver all dead letters of every webhook?' });
    await dialog.waitFor();
    expect(await dialog.getByRole('paragraph').textContent()).toMatch(/^1,101 requests, of every webhook, will be sent again/);
    expect(await dialog.getByRole('button', { name: 'Redeliver 1,101 requests' }).count()).toBe(1);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await fixture.app.management.queueCounts({ webhookKey: 'orders' })).toEqual({ pending: 1234, inFlight: 0, dead: MANY });
  });

  it('ran without script errors or refused calls', () => {
    expect(admin.problems).toEqual([]);
  });
});
