import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { ContentPublishedNotification, ContentUnpublishedNotification } from '@hookwork/cms';
import { DeliveryLogToken, RequestQueueToken, resolveToken, webhookInputSchema, WebhookRepositoryToken } from '@hookwork/core';
import Fastify, { type FastifyInstance } from 'fastify';
import type { BrowserContext, Page, Request } from 'playwright-core';
import { hookworkAdmin } from './admin-plugin';
import { blogPost, PREFIX, publish, startAdminFixture, TOKEN, type AdminFixture } from './test-support/admin-fixture';
import { BROWSER_LOCALE, openAdminPage, settledCount, until, type AdminPage } from './test-support/admin-browser';

/**
 * Where the screenshots go: the folder HOOKWORK_TEST_SCREENSHOTS names (kept, to look at them after
 * a change to the page), else a temporary folder of this file's, removed after it.
 */
const KEPT_SCREENSHOTS = process.env.HOOKWORK_TEST_SCREENSHOTS || undefined;
let screenshots = '';
const CONTENT_TYPE = blogPost('x').contentType.key;
/**
 * The words of an element's first text that are split across two lines though they would fit on
 * one (a word wider than the line must break; any other must not). A function's source, called in
the page (the tests compile without the DOM's types).
 */
const WORDS_SPLIT_ACROSS_LINES = `(element) => {
  const text = document.createTreeWalker(element, NodeFilter.SHOW_TEXT).nextNode();
  const whole = document.createRange();
  whole.selectNodeContents(text);
  const lineWidth = whole.getBoundingClientRect().width;
  const measure = document.createElement('span');
  measure.style.whiteSpace = 'nowrap';
  element.append(measure);
  const words = [];
  for (const match of text.textContent.matchAll(/\\S+/g)) {
    const range = document.createRange();
    range.setStart(text, match.index);
    range.setEnd(text, match.index + match[0].length);
    measure.textContent = match[0];
    const measured = document.createRange();
    measured.selectNodeContents(measure);
    const fits = measured.getBoundingClientRect().width <= lineWidth;
    if (fits && new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size > 1) words.push(match[0]);
  }
  measure.remove();
  return words;
}`;
/**
 * Where on the screen each of `texts` starts within the open dialog's description, as one number
 * that grows in reading order (its line's top, then its left edge), or null. A function's source,
 * called in the page.
 */
const READING_ORDER_IN_DIALOG = `(texts) => {
  const paragraph = document.querySelector('dialog[open] p');
  return texts.map((text) => {
    const walker = document.createTreeWalker(paragraph, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = node.textContent.indexOf(text);
      if (at < 0) continue;
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + text.length);
      const rect = range.getClientRects()[0];
      // Reading order in a left-to-right paragraph: line by line, then left to right.
      return Math.round(rect.top) * 100000 + rect.left;
    }
    return null;
  });
}`;
/** What the tests read of an input element in the page (the tests compile without the DOM's types). */
interface Validated {
  min: string;
  validity: { valueMissing: boolean; rangeUnderflow: boolean };
}
/** How far the page scrolls sideways (evaluated in the page; more than 0: something does not fit). */
const HORIZONTAL_OVERFLOW = 'document.documentElement.scrollWidth - document.documentElement.clientWidth';

jest.setTimeout(180_000);

let fixture: AdminFixture;
let context: BrowserContext;
let page: Page;
let admin: AdminPage;

const problems: string[] = [];

beforeAll(async () => {
  screenshots = KEPT_SCREENSHOTS ?? mkdtempSync(join(tmpdir(), 'hookwork-admin-screenshots-'));
  mkdirSync(screenshots, { recursive: true });
  fixture = await startAdminFixture({ page: true, apiReference: true });
  admin = await openAdminPage(fixture, { problems });
  page = admin.tab;
  context = page.context();
  // Only the admin's own origin is ever asked for (no CDN, no fonts, nothing else).
  page.on('request', (request) => {
    if (!request.url().startsWith(fixture.origin) && !request.url().startsWith('data:')) problems.push(`request to another origin: ${request.url()}`);
  });
});

afterAll(async () => {
  await admin?.close();
  await fixture?.close();
  if (screenshots && !KEPT_SCREENSHOTS) rmSync(screenshots, { recursive: true, force: true });
});

const shot = (name: string) => page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
const open = (route: string) => admin.go(route);

describe('the admin page in Chromium', () => {
  it('signs in with the token from the link, then forgets it in the address bar', async () => {
    await open(`#token=${TOKEN}`);
    await page.getByRole('heading', { name: 'Webhooks' }).waitFor();
    expect(page.url()).toBe(`${fixture.origin}${PREFIX}/#/webhooks`);
    await page.getByText('No webhooks yet').waitFor();
    await shot('01-webhooks-empty');
  });

  it('creates a webhook from the page: events by type, content types for content events, a sensitive header, a secret shown once', async () => {
    // Keyboard: from the top of the page, Tab reaches "Create webhook" and Enter opens it.
    await page.locator('body').focus();
    let reached = false;
    for (let i = 0; i < 15 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = (await page.evaluate('document.activeElement?.textContent?.trim()')) === 'Create webhook';
    }
    expect(reached).toBe(true);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Create webhook' }).waitFor();

    await page.getByLabel('URL').fill(fixture.receiver.url);
    await page.getByLabel('Name').fill('Search index');
    await page.getByRole('group', { name: 'Media' }).waitFor();
    expect(await page.getByLabel('Content types').count()).toBe(0);
    await page.getByRole('group', { name: 'Content', exact: true }).getByLabel(/Content Published/).check();
    await page.getByLabel('Content types').fill(CONTENT_TYPE);
    await page.getByRole('button', { name: 'Add header' }).click();
    await page.getByLabel('Header name').fill('Authorization');
    await page.getByLabel('Header value').fill('Bearer s3cr3t-value');
    await page.getByRole('group', { name: 'Custom headers' }).getByLabel('Sensitive').check();
    expect(await page.getByLabel('Header value').getAttribute('type')).toBe('password');
    await shot('02-create-webhook');
    await page.getByRole('button', { name: 'Create' }).click();

    const secret = await page.locator('code.secret').textContent();
    expect(secret).toMatch(/^whsec_/);
    await shot('03-created-secret-shown-once');
    const [stored] = (await fixture.app.webhooks.list()).items;
    expect(stored).toMatchObject({ name: 'Search index', url: fixture.receiver.url, events: ['Umbraco.ContentPublish'], contentTypeKeys: [CONTENT_TYPE], headers: { Authorization: '[redacted]' }, enabled: true });
    expect(stored!.secrets[0]!.hint).toBe(`…${secret!.slice(-4)}`);
    await page.getByRole('button', { name: 'I have copied it' }).click();
    await page.locator('code.secret').waitFor({ state: 'detached' });
    expect(await page.locator('code.secret').count()).toBe(0);
    await page.getByRole('link', { name: 'Back to webhooks' }).click();
    await page.getByRole('link', { name: 'Search index', exact: true }).waitFor();
    expect(await page.content()).not.toContain(secret!);
    await shot('04-webhooks');
  });

  it('shows the delivery of a publish and opens its detail', async () => {
    await fixture.app.publish(new ContentPublishedNotification({ publishedEntities: [blogPost('page-1', 'Hello')] }));
    await fixture.app.drain();
    await page.getByRole('link', { name: 'Deliveries' }).first().click();
    await page.getByRole('heading', { name: /Deliveries/ }).waitFor();
    const row = page.locator('table.deliveries tbody tr').first();
    await row.waitFor();
    expect(await row.locator('.badge.s2xx').textContent()).toBe('200');
    expect(await settledCount(row.locator('.badge.outcome-delivered'), 1)).toBe(1);
    await shot('05-deliveries');
    await row.getByRole('link').first().click();
    await page.getByRole('heading', { name: 'Delivery', exact: true }).waitFor();
    await page.getByRole('table', { name: 'Request headers' }).waitFor();
    expect(await page.getByRole('table', { name: 'Request headers' }).textContent()).toContain('[redacted]');
    expect(await page.content()).not.toContain('s3cr3t-value');
    expect(await page.locator('pre.body').first().textContent()).toContain('"id": "page-1"');
    await shot('06-delivery-detail');
  });

  it('breaks the receiver, shows the dead letter inert, and redelivers it once the receiver is back', async () => {
    fixture.receiver.handler = (_r, res) => void res.writeHead(500, { 'content-type': 'text/html' }).end('<script>window.__pwned = true</script><b>down</b>');
    await fixture.app.publish(new ContentPublishedNotification({ publishedEntities: [blogPost('page-2', 'Broken')] }));
    await fixture.app.drain();
    await page.getByRole('link', { name: 'Dead letters' }).click();
    const row = page.locator('table.dead tbody tr').first();
    await row.waitFor();
    expect(await settledCount(page.locator('table.dead tbody tr'), 1)).toBe(1);
    await shot('07-dead-letters');

    // The status filter narrows the log to the failed attempts (5xx), then to the one delivered (2xx).
    const failed = await fixture.app.management.logs({ statusClasses: ['5xx'] });
    expect(failed.total).toBeGreaterThan(0);
    await page.getByRole('link', { name: 'Deliveries' }).first().click();
    const statusFilter = page.locator('select[name="statusClass"]');
    await statusFilter.selectOption('5xx');
    await page.locator('nav.pager').getByText(`Page 1, ${failed.total} in all`, { exact: true }).waitFor();
    expect(await settledCount(page.locator('table.deliveries tbody tr'), failed.total)).toBe(failed.total);
    expect(await settledCount(page.locator('table.deliveries tbody tr .badge.s5xx'), failed.total)).toBe(failed.total);
    expect(page.url()).toContain('statusClass=5xx');
    await shot('07b-deliveries-5xx');
    await statusFilter.selectOption({ label: '2xx success' });
    await page.locator('table.deliveries tbody tr .badge.s5xx').first().waitFor({ state: 'detached' });
    await page.locator('nav.pager').getByText('Page 1, 1 in all', { exact: true }).waitFor();
    expect(await page.locator('table.deliveries tbody tr .badge.s2xx').textContent()).toBe('200');

    // The failed attempt's response body is shown as the characters it was, and nothing ran.
    await open('#/deliveries?outcome=dead');
    await page.locator('table.deliveries tbody tr').first().getByRole('link').first().click();
    await page.getByRole('heading', { name: 'Delivery', exact: true }).waitFor();
    const body = page.locator('pre.body').nth(1);
    expect(await body.textContent()).toBe('<script>window.__pwned = true</script><b>down</b>');
    expect(await body.locator('script, b').count()).toBe(0);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    await shot('08-dead-delivery-detail');

    fixture.receiver.handler = (_r, res) => void res.writeHead(200).end('ok');
    await page.getByRole('link', { name: 'Dead letters' }).click();
    // The status line is there, empty, before the click, so the result is announced when it comes.
    const status = page.getByRole('status');
    await page.locator('table.dead tbody tr').first().waitFor();
    expect(await status.textContent()).toBe('');
    await page.locator('table.dead tbody tr').first().getByRole('button', { name: 'Redeliver' }).click();
    await status.getByText('1 request put back in the queue').waitFor();
    await fixture.app.drain();
    await page.getByText('No dead letters.').waitFor();
    const delivered = await fixture.app.management.logs({ outcomes: ['delivered'] });
    expect(delivered.items.map((e) => JSON.parse(e.requestBody).id)).toEqual(['page-2', 'page-1']);
  });

  it("sends a test event and shows the receiver's <script> answer as inert text", async () => {
    fixture.receiver.handler = (_r, res) => void res.writeHead(202, { 'content-type': 'text/html', 'x-receiver': '<i>hi</i>' }).end('<script>window.__pwned = true; document.title = "pwned"</script><b>accepted</b>');
    await page.getByRole('link', { name: 'Webhooks', exact: true }).click();
    await page.getByRole('link', { name: 'Send test' }).click();
    // The status line is in the page, empty, before the send: a screen reader then announces the answer.
    const status = page.getByRole('status');
    await page.getByRole('button', { name: 'Send test event' }).waitFor();
    expect(await status.textContent()).toBe('');
    await page.getByRole('button', { name: 'Send test event' }).click();
    const result = page.locator('section.test-result');
    await result.waitFor();
    expect(await status.textContent()).toMatch(/^The receiver answered 202 in \d.*: accepted\.$/);
    expect(await result.locator('.badge.s2xx').textContent()).toBe('202');
    expect(await result.locator('pre.body').textContent()).toBe('<script>window.__pwned = true; document.title = "pwned"</script><b>accepted</b>');
    expect(await result.getByRole('table', { name: 'Response headers' }).textContent()).toContain('<i>hi</i>');
    expect(await result.locator('script, b, i').count()).toBe(0);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(await page.title()).not.toBe('pwned');
    expect(fixture.receiver.requests.at(-1)!.headers['hookwork-test']).toBe('true');
    await shot('09-test-send');
  });

  it('rotates the secret from the edit page and shows the new one once', async () => {
    await page.getByRole('link', { name: 'Webhooks', exact: true }).click();
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    const secret = await page.locator('code.secret').textContent();
    expect(secret).toMatch(/^whsec_/);
    // The secret and the list holding it are drawn in one render: counted at once, no waiting.
    expect(await page.getByRole('group', { name: 'Signing secrets' }).locator('li').count()).toBe(2);
    await shot('10-edit-rotated-secret');
  });

  it('sets a webhook\'s flow control from the form, and shows each webhook\'s health in the list', async () => {
    await open('#/webhooks/new');
    await page.getByRole('heading', { name: 'Create webhook' }).waitFor();
    await page.getByLabel('URL').fill(fixture.receiver.url);
    await page.getByLabel('Name').fill('Flaky partner');
    await page.getByRole('group', { name: 'Content', exact: true }).getByLabel(/Content Published/).check();
    const flow = page.getByRole('group', { name: 'Flow control' });
    await flow.getByLabel(/Rate limit/).fill('2.5');
    await flow.getByLabel(/Burst/).fill('4');
    await flow.getByLabel('Order').selectOption('skip');
    await flow.getByLabel(/Breaker opens after/).fill('2');
    await flow.getByLabel(/Breaker probes after/).fill('3600');
    await page.getByLabel('Generate a signing secret (shown once)').uncheck();
    await shot('11-create-flow-control');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('link', { name: 'Flaky partner', exact: true }).waitFor();
    const flaky = (await fixture.app.webhooks.list()).items.find((w) => w.name === 'Flaky partner')!;
    expect(flaky).toMatchObject({ rateLimit: { perSecond: 2.5, burst: 4 }, fifo: { onDeadLetter: 'skip' }, breaker: { failureThreshold: 2, coolDown: 3_600_000 } });

    // A webhook stored before the wire rules (a header HTTP cannot carry): its attempt is of kind invalid.
    const now = new Date();
    await resolveToken(fixture.app.container, WebhookRepositoryToken).create({
      key: 'legacy',
      name: 'Legacy import',
      url: fixture.receiver.url,
      events: ['Umbraco.ContentPublish'],
      contentTypeKeys: [],
      headers: { 'X-Legacy': 'line\r\nbreak' },
      sensitiveHeaders: [],
      enabled: true,
      secrets: [],
      createdAt: now,
      updatedAt: now,
    });
    fixture.receiver.handler = (_r, res) => void res.writeHead(500).end('down');
    await fixture.app.publish(new ContentPublishedNotification({ publishedEntities: [blogPost('page-3', 'Failing')] }));
    await fixture.app.drain();

    await open('#/webhooks');
    await page.getByRole('button', { name: 'Refresh' }).click();
    const rowOf = (name: string) => page.locator('table.webhooks tbody tr').filter({ has: page.getByRole('link', { name, exact: true }) });
    await rowOf('Flaky partner').locator('.badge.health-open').waitFor();
    expect(await rowOf('Flaky partner').locator('td[data-label="Health"]').textContent()).toMatch(/Breaker open\s*Requests wait; next probe \S.*2 failures in a row since \S/s);
    expect(await rowOf('Flaky partner').getByRole('list', { name: 'Flow control' }).textContent()).toMatch(/≤ 2\.5\/s, burst 4\s*FIFO/);
    expect(await rowOf('Search index').locator('.badge').first().textContent()).toBe('Failing');
    expect(await rowOf('Search index').locator('td[data-label="Health"]').textContent()).toContain('2 failures in a row');
    await shot('12-webhooks-health');

    // The invalid attempt in the log: its kind, explained.
    await open('#/deliveries?webhookKey=legacy');
    const invalid = page.locator('table.deliveries tbody tr').first().locator('.badge.kind-invalid');
    await invalid.waitFor();
    expect(await invalid.textContent()).toBe('invalid');
    expect(await invalid.getAttribute('title')).toMatch(/^not sent: a header or the URL cannot go on the wire unchanged/);
    await page.locator('table.deliveries tbody tr').first().getByRole('link').first().click();
    await page.locator('section.error-box').waitFor();
    expect(await page.locator('section.error-box').textContent()).toMatch(/invalid: not sent: a header or the URL cannot go on the wire unchanged; fix the webhook.*header x-legacy value contains U\+000D/s);
    expect(await page.locator('section.error-box').getByRole('link', { name: 'Edit the webhook' }).getAttribute('href')).toBe('#/webhooks/legacy');
    await shot('13-invalid-delivery-detail');

    // Editing: the fields come back filled; emptying them hands the webhook back to the app's settings.
    await open(`#/webhooks/${encodeURIComponent(flaky.key)}`);
    await page.getByRole('heading', { name: 'Edit Flaky partner' }).waitFor();
    await page.locator('.editor-health .badge.health-open').waitFor();
    await shot('14-edit-health-flow-control');
    expect(await flow.getByLabel(/Rate limit/).inputValue()).toBe('2.5');
    expect(await flow.getByLabel('Order').inputValue()).toBe('skip');
    expect(await flow.getByLabel(/Breaker probes after/).inputValue()).toBe('3600');
    await flow.getByLabel(/Rate limit/).fill('');
    await flow.getByLabel('Order').selectOption('any');
    await flow.getByLabel(/Breaker opens after/).fill('');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Webhooks' }).waitFor();
    const edited = (await fixture.app.webhooks.get(flaky.key))!;
    expect([edited.rateLimit, edited.fifo, edited.breaker]).toEqual([undefined, undefined, { coolDown: 3_600_000 }]);
    fixture.receiver.handler = (_r, res) => void res.writeHead(200).end('ok');
  });

  it('lists the event catalogue and downloads its document', async () => {
    await page.getByRole('link', { name: 'Event catalogue' }).click();
    await page.getByRole('heading', { name: 'Event catalogue' }).waitFor();
    // The heading can be drawn before the catalogue's rows arrive (a busy machine): wait for the row, then count.
    const publishRow = page.locator('table.catalogue tbody tr').filter({ hasText: 'Umbraco.ContentPublish' });
    await publishRow.first().waitFor();
    expect(await settledCount(publishRow, 1)).toBe(1);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download the catalogue document' }).click()]);
    expect(download.suggestedFilename()).toBe('hookwork-catalogue.json');
    const document = JSON.parse(readFileSync((await download.path())!, 'utf8')) as { openapi: string; webhooks: Record<string, unknown> };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.webhooks)).toContain('Umbraco.ContentPublish');
    await page.getByText(/^Saved hookwork-catalogue\.json: \d+ events\.$/).waitFor();
    await shot('15-catalogue');
  });

  it('stays readable on a narrow window', async () => {
    await page.setViewportSize({ width: 380, height: 800 });
    await open('#/webhooks');
    await page.getByRole('link', { name: 'Search index', exact: true }).waitFor();
    const overflow = await page.evaluate(HORIZONTAL_OVERFLOW);
    expect(overflow).toBeLessThanOrEqual(0);
    await shot('16-narrow-webhooks');
    await open('#/deliveries');
    await page.locator('table.deliveries tbody tr').first().waitFor();
    expect(await page.evaluate(HORIZONTAL_OVERFLOW)).toBeLessThanOrEqual(0);
    await shot('17-narrow-deliveries');
    await open('#/webhooks/new');
    await page.getByRole('group', { name: 'Flow control' }).waitFor();
    expect(await page.evaluate(HORIZONTAL_OVERFLOW)).toBeLessThanOrEqual(0);
    await shot('18-narrow-create');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('serves the API reference from the package, authorised with the page token', async () => {
    await open('api/reference/');
    await page.locator('.swagger-ui .info .title').filter({ hasText: 'hookwork management API' }).waitFor({ timeout: 30_000 });
    await page.locator('.opblock-summary-path').filter({ hasText: `${PREFIX}/api/v1/webhook/{id}/test` }).first().waitFor();
    await shot('19-api-reference');
  });

  it('ran without script errors, CSP violations or requests to another origin', () => {
    expect(problems).toEqual([]);
  });
});

/**
 * What a back-office user meets when things go wrong around the page: the server gone, the
 * token refused mid-session, a form filled in wrongly. Its own app, so stopping the server here
 * leaves the tour above alone; its own tab, so the failures it provokes on purpose are not
 * counted among the tour's problems.
 */
describe('the admin page when things go wrong', () => {
  let own: AdminFixture;
  let admin: AdminPage;
  let tab: Page;

  beforeAll(async () => {
    own = await startAdminFixture({ page: true });
    // Unwatched: the failures here are provoked on purpose.
    admin = await openAdminPage(own, { context, watch: 'none' });
    tab = admin.tab;
  });

  afterAll(async () => {
    await admin?.close();
    // The server the test started again (the fixture closes only the one it started).
    if (own?.fastify.server.listening) await own.fastify.close();
    await own?.close();
  });

  it('says the server did not answer, and stops saying Loading, when the server stops mid-session', async () => {
    await admin.go(`#token=${TOKEN}`);
    await tab.getByText('No webhooks yet').waitFor();
    // The server stops; the tab stays open (the page's script is already loaded).
    const port = (own.fastify.server.address() as { port: number }).port;
    await own.fastify.close();
    await tab.getByRole('link', { name: 'Deliveries' }).click();
    const alert = tab.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/The admin server did not answer\s*It may be stopped or restarting, or the network is down .*try again once the server is back/s);
    expect(await tab.getByText('Loading…').count()).toBe(0);
    await tab.screenshot({ path: join(screenshots, '20-server-stopped.png'), fullPage: true });
    // The server comes back on the same port: Refresh brings the log.
    own.fastify = Fastify({ logger: false });
    await own.fastify.register(hookworkAdmin, { prefix: PREFIX, app: own.app, auth: { token: TOKEN }, page: true, apiReference: false });
    await own.fastify.listen({ port, host: '127.0.0.1' });
    await tab.getByRole('button', { name: 'Refresh' }).click();
    await tab.getByText('No deliveries yet.').waitFor();
    expect(await tab.getByRole('alert').count()).toBe(0);
  });

  it('asks to sign in again when the token is refused mid-form, and keeps what was typed', async () => {
    await admin.load(`#token=${TOKEN}`);
    await tab.getByRole('link', { name: 'Create webhook' }).click();
    await tab.getByLabel('URL').fill(own.receiver.url);
    await tab.getByLabel('Name').fill('Typed before the token changed');
    await tab.getByRole('group', { name: 'Content', exact: true }).getByLabel(/Content Published/).check();
    // The token this tab holds stops being accepted (rotated, or the server restarted with another).
    await tab.evaluate("sessionStorage.setItem('hookwork-admin-token', 'a-token-the-server-no-longer-accepts')");
    await tab.getByRole('button', { name: 'Create' }).click();

    await tab.getByRole('heading', { name: 'Sign in again' }).waitFor();
    expect(await tab.getByRole('alert').textContent()).toMatch(/no longer accepts this tab's token.*Sign in again to carry on: what you were doing is kept/);
    expect(await tab.evaluate('document.activeElement?.id')).toBe('token');
    expect((await own.app.webhooks.list()).total).toBe(0);
    await tab.screenshot({ path: join(screenshots, '21-sign-in-again.png'), fullPage: true });

    await tab.keyboard.type(TOKEN);
    await tab.keyboard.press('Enter');
    await tab.getByRole('heading', { name: 'Create webhook' }).waitFor();
    expect(await tab.getByLabel('URL').inputValue()).toBe(own.receiver.url);
    expect(await tab.getByLabel('Name').inputValue()).toBe('Typed before the token changed');
    expect(await tab.getByRole('alert').count()).toBe(0);
    await tab.getByRole('button', { name: 'Create' }).click();
    await tab.locator('code.secret').waitFor();
    expect((await own.app.webhooks.list()).items.map((w) => w.name)).toEqual(['Typed before the token changed']);
  });

  it('does not undo a change another tab made while the editor was open: the save is refused in words, and the form keeps what was typed', async () => {
    await own.app.webhooks.create({ key: 'two-tabs', name: 'Orders feed', url: own.receiver.url, events: ['Umbraco.ContentPublish'] });
    await admin.load(`#token=${TOKEN}`);
    await tab.getByRole('link', { name: 'Edit Orders feed' }).click();
    await tab.getByRole('heading', { name: 'Edit Orders feed' }).waitFor();
    // Meanwhile, in another tab, a colleague switches the webhook off (its receiver misbehaves).
    const other = await openAdminPage(own, { context, watch: 'none' });
    try {
      await other.go(`#token=${TOKEN}`);
      await Promise.all([other.tab.waitForResponse((response) => response.request().method() === 'PATCH' && response.ok()), other.tab.getByLabel('Enabled: Orders feed').uncheck()]);
      expect((await own.app.webhooks.get('two-tabs'))!.enabled).toBe(false);
    } finally {
      await other.close();
    }
    // The first tab, filled before that, renames it and saves its whole form.
    await tab.getByLabel('Name').fill('Orders feed (EU)');
    await tab.getByRole('button', { name: 'Save' }).click();
    const alert = tab.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/Not saved yet: this webhook was changed elsewhere since this form was opened.*nothing was changed/s);
    expect(await own.app.webhooks.get('two-tabs')).toMatchObject({ enabled: false, name: 'Orders feed' });
    expect(await tab.getByLabel('Name').inputValue()).toBe('Orders feed (EU)');
    // The colleague's switch-off is taken into the form (a save no longer undoes it).
    expect(await tab.getByLabel('Enabled', { exact: true }).isChecked()).toBe(false);
    await tab.screenshot({ path: join(screenshots, '23-changed-elsewhere.png'), fullPage: true });
    // Leaving asks first, in the page's dialog: what was typed is not thrown away without a word.
    await tab.getByRole('link', { name: 'Back to webhooks' }).click();
    const leave = tab.getByRole('dialog', { name: 'Leave without saving?' });
    await leave.getByRole('button', { name: 'Stay' }).click();
    await leave.waitFor({ state: 'hidden' });
    expect(await tab.getByLabel('Name').inputValue()).toBe('Orders feed (EU)');
    // Loaded as it is now (once it is clear that what was typed goes), the form shows the webhook as
    // it is, and the change goes through.
    await tab.getByRole('button', { name: 'Load the webhook as it is now' }).click();
    await tab.getByRole('dialog', { name: 'Load the webhook as it is now?' }).getByRole('button', { name: 'Load it and discard my changes' }).click();
    // Polled from here: the page's CSP (script-src 'self') refuses the eval a string predicate needs.
    for (const deadline = Date.now() + 15_000; (await tab.getByLabel('Name').inputValue()) !== 'Orders feed' && Date.now() < deadline; ) await tab.waitForTimeout(50);
    expect(await tab.getByLabel('Name').inputValue()).toBe('Orders feed');
    expect(await tab.getByLabel('Enabled', { exact: true }).isChecked()).toBe(false);
    expect(await tab.getByRole('alert').count()).toBe(0);
    await tab.getByLabel('Name').fill('Orders feed (EU)');
    await tab.getByRole('button', { name: 'Save' }).click();
    await tab.getByRole('link', { name: 'Orders feed (EU)', exact: true }).waitFor();
    expect(await own.app.webhooks.get('two-tabs')).toMatchObject({ enabled: false, name: 'Orders feed (EU)' });
    await own.app.webhooks.delete('two-tabs');
  });

  it('keeps a right-to-left override in a webhook\'s name from reordering the delete dialog: its URL and what follows read as they are', async () => {
    // U+202E (RIGHT-TO-LEFT OVERRIDE) is text a name may hold; unclosed, it reverses the rest of
    // its paragraph on screen — in the dialog an operator decides on, the URL and the sentence.
    await own.app.webhooks.create({ key: 'bidi', name: 'Staging \u202E', url: `${own.receiver.origin}/production`, events: ['Umbraco.ContentPublish'] });
    await admin.load(`#token=${TOKEN}`);
    await tab.locator('tr', { hasText: '/production' }).getByRole('button', { name: /^Delete/ }).click();
    await tab.getByRole('dialog').waitFor();
    await tab.screenshot({ path: join(screenshots, '25-bidi-name.png') });
    const [name, url, after] = (await tab.evaluate(`(${READING_ORDER_IN_DIALOG})(['Staging', '127.0.0.1', 'gets no more events'])`)) as number[];
    // In reading order, as written: the name, then its URL, then the rest of the sentence.
    expect(name).toBeLessThan(url!);
    expect(url).toBeLessThan(after!);
    await tab.keyboard.press('Escape');
    await own.app.webhooks.delete('bidi');
  });

  it('keeps a webhook with a name and URL as long as they may be (200 and 2,048 characters, no spaces) inside the window: its actions and the delete dialog are all on screen', async () => {
    const name = `Long${'N'.repeat(196)}`;
    const url = `${own.receiver.origin}/${'p'.repeat(2048 - own.receiver.origin.length - 1)}`;
    await own.app.webhooks.create({ key: 'long', name, url, events: ['Umbraco.ContentPublish'] });
    try {
      await admin.load(`#token=${TOKEN}`);
      const row = tab.locator('tr', { hasText: 'pppp' });
      await row.waitFor();
      expect(await tab.evaluate(HORIZONTAL_OVERFLOW)).toBeLessThanOrEqual(0);
      const remove = row.getByRole('button', { name: /^Delete/ });
      // Every action of the row is inside the window, not pushed past its right edge or clipped.
      const box = (await remove.boundingBox())!;
      expect(box.x + box.width).toBeLessThanOrEqual(1280);
      await tab.screenshot({ path: join(screenshots, '26-long-name-and-url.png'), fullPage: true });
      await remove.click();
      const dialog = tab.getByRole('dialog');
      await dialog.waitFor();
      // The dialog's text wraps inside it: nothing runs past its edge.
      expect(await tab.evaluate(`[...document.querySelectorAll('dialog[open] h2, dialog[open] p, dialog[open] button')].filter((e) => e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().right > e.closest('dialog').getBoundingClientRect().right + 1).map((e) => e.tagName)`)).toEqual([]);
      const cancel = (await dialog.getByRole('button', { name: 'Cancel' }).boundingBox())!;
      expect(cancel.x + cancel.width).toBeLessThanOrEqual(1280);
      await tab.screenshot({ path: join(screenshots, '27-long-delete-dialog.png') });
      await tab.keyboard.press('Escape');
      // Every view of it stays inside the window too: its edit form, its test send (whose sentence
      // names the URL), its deliveries and its dead letters.
      for (const [route, shown] of [
        ['#/webhooks/long', 'Save'],
        ['#/webhooks/long/test', 'Sends one example request to'],
        ['#/deliveries?webhookKey=long', 'Refresh'],
        ['#/dead-letters?webhookKey=long', 'No dead letters'],
      ] as const) {
        await admin.go(route);
        await tab.getByText(shown).first().waitFor();
        await tab.getByRole('heading', { level: 1, name: /LongNNN/ }).waitFor();
        expect([route, await tab.evaluate(HORIZONTAL_OVERFLOW)]).toEqual([route, 0]);
      }
      await tab.screenshot({ path: join(screenshots, '27b-long-test-send.png'), fullPage: true });
    } finally {
      await own.app.webhooks.delete('long');
    }
  });

  it('says which time zone its dates are in, where the browser is not in the server\'s', async () => {
    // An operator in India reads a log whose times the server and receivers keep in UTC.
    await own.app.webhooks.create({ key: 'zoned', name: 'Zoned', url: own.receiver.url, events: ['Umbraco.ContentPublish'] });
    await publish(own.app, 'zoned-post');
    await own.receiver.waitFor(1);
    let entry = (await own.app.management.logs({ webhookKey: 'zoned' })).items[0];
    for (let i = 0; !entry && i < 100; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      entry = (await own.app.management.logs({ webhookKey: 'zoned' })).items[0];
    }
    const kolkata = await openAdminPage(own, { timezoneId: 'Asia/Kolkata', watch: 'none' });
    try {
      const zoned = kolkata.tab;
      await kolkata.go(`#token=${TOKEN}`);
      await zoned.getByRole('link', { name: 'Deliveries of Zoned' }).click();
      const shown = (await zoned.locator('td[data-label="Date"]').first().textContent())!.trim();
      // The time as it is in Kolkata (UTC+5:30), saying so.
      const local = new Date(entry!.date.getTime() + 5.5 * 3600_000);
      const clock = `${local.getUTCHours() % 12 || 12}:${String(local.getUTCMinutes()).padStart(2, '0')}:${String(local.getUTCSeconds()).padStart(2, '0')}`;
      expect(shown).toContain(clock);
      expect(shown).toMatch(/GMT\+5:30/);
      // The time typed for "Dead since" is read in the same zone, and the field says which.
      await zoned.getByRole('link', { name: 'Dead letters' }).click();
      const field = zoned.getByLabel('Dead since', { exact: true });
      expect(await zoned.locator(`#${(await field.getAttribute('aria-describedby'))!}`).textContent()).toMatch(/GMT\+5:30, this browser's time zone/);
    } finally {
      await kolkata.close();
      await own.app.webhooks.delete('zoned');
    }
  });

  it('says in words what a proxy in front of the API answered (a 502 or 503 page, a sign-in page), not a JSON parser\'s complaint', async () => {
    // A host behind a proxy or a maintenance switch: the API's path answers with an HTML page.
    let answer: { status: number; html: string } | undefined;
    const host = Fastify({ logger: false });
    host.addHook('onRequest', async (request, reply) => {
      if (answer && request.url.startsWith(`${PREFIX}/api/`)) return reply.code(answer.status).type('text/html').send(answer.html);
    });
    await host.register(hookworkAdmin, { prefix: PREFIX, app: own.app, auth: { token: TOKEN }, page: true, apiReference: false });
    await host.listen({ port: 0, host: '127.0.0.1' });
    const origin = `http://127.0.0.1:${(host.server.address() as { port: number }).port}`;
    try {
      await tab.goto('about:blank');
      await tab.goto(`${origin}${PREFIX}/#token=${TOKEN}`);
      await tab.getByRole('heading', { name: 'Webhooks' }).waitFor();
      const alert = tab.getByRole('alert');
      const cases: [number, string, RegExp][] = [
        [502, '<html><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>', /The server answered 502 Bad Gateway.*not the admin API.*proxy.*try again/s],
        [503, '<!doctype html><title>Down for maintenance</title><p>Back soon', /The server answered 503 Service Unavailable.*not the admin API.*try again/s],
        [200, '<!doctype html><title>Sign in</title><form action="/sso">', /The server answered with a page, not the admin API.*sign-in page.*reload/s],
      ];
      for (const [status, html, words] of cases) {
        answer = { status, html };
        await tab.getByRole('button', { name: 'Refresh' }).click();
        await alert.waitFor();
        const text = (await alert.textContent()) ?? '';
        expect([status, text]).toEqual([status, expect.stringMatching(words)]);
        expect(text).not.toMatch(/JSON|Unexpected token|Something went wrong/);
        answer = undefined;
        await tab.getByRole('button', { name: 'Refresh' }).click();
        await alert.waitFor({ state: 'detached' });
      }
    } finally {
      await host.close();
    }
  });

  it('refuses a webhook with no event, a nameless header or one header twice, in words, before sending', async () => {
    await admin.load(`#token=${TOKEN}`);
    await tab.getByRole('link', { name: 'Create webhook' }).click();
    await tab.getByLabel('URL').fill(own.receiver.url);
    await tab.getByLabel('Name').fill('Needs fixing');
    await tab.getByRole('button', { name: 'Add header' }).click();
    await tab.getByLabel('Header value').fill('value typed, name forgotten');
    await tab.getByRole('button', { name: 'Create' }).click();

    const alert = tab.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/Not saved: the form needs a change first\s*Nothing was sent to the server\..*Events\s*choose at least one.*Header 1\s*has a value but no name/s);
    expect(await tab.evaluate('document.activeElement?.getAttribute("name")')).toBe('event');
    await tab.screenshot({ path: join(screenshots, '22-form-problems.png'), fullPage: true });

    await tab.getByRole('group', { name: 'Content', exact: true }).getByLabel(/Content Published/).check();
    await tab.getByLabel('Header name').fill('X-Tenant');
    await tab.getByRole('button', { name: 'Add header' }).click();
    await tab.getByLabel('Header name').nth(1).fill('x-tenant');
    await tab.getByLabel('Header value').nth(1).fill('other');
    await tab.getByRole('button', { name: 'Create' }).click();
    await alert.filter({ hasText: 'is set twice' }).waitFor();
    expect(await alert.textContent()).toMatch(/x-tenant\s*is set twice \(rows 1 and 2; header names ignore case\): keep one row/);
    expect(await tab.evaluate('document.activeElement?.id')).toBe('header-name-1');
    expect((await own.app.webhooks.list()).items.map((w) => w.name)).not.toContain('Needs fixing');

    await tab.getByRole('button', { name: 'Remove' }).nth(1).click();
    await tab.getByRole('button', { name: 'Create' }).click();
    await tab.locator('code.secret').waitFor();
    const stored = (await own.app.webhooks.list()).items.find((w) => w.name === 'Needs fixing');
    expect(stored?.headers).toEqual({ 'X-Tenant': 'value typed, name forgotten' });
  });

  it('clears the server\'s refusal when the browser\'s own validation stops the next submit, and holds the flow-control inputs to the API\'s minimums', async () => {
    await admin.load(`#token=${TOKEN}`);
    await tab.getByRole('link', { name: 'Create webhook' }).click();
    // An address the browser takes as a URL and the server refuses (not http or https): its refusal is shown.
    await tab.getByLabel('URL').fill('ftp://example.com/hook');
    await tab.getByLabel('Name').fill('Blocked then fixed');
    await tab.getByRole('group', { name: 'Content', exact: true }).getByLabel(/Content Published/).check();
    await tab.getByLabel('Generate a signing secret (shown once)').uncheck();
    await tab.getByRole('button', { name: 'Create' }).click();
    const alert = tab.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).not.toMatch(/the form needs a change first/);
    // The URL emptied: the browser stops the submit (required), and the old refusal goes.
    const sent: string[] = [];
    const onRequest = (request: { method(): string; url(): string }) => void (request.method() !== 'GET' && sent.push(request.url()));
    tab.on('request', onRequest);
    await tab.getByLabel('URL').fill('');
    await tab.getByRole('button', { name: 'Create' }).click();
    await alert.waitFor({ state: 'detached' });
    expect(await tab.getByLabel('URL').evaluate((input) => (input as unknown as Validated).validity.valueMissing)).toBe(true);

    // Each number input's minimum is the API's (core's webhookInputSchema), so the browser stops what the server would refuse.
    const limits = webhookInputSchema.properties.rateLimit.properties;
    const breaker = webhookInputSchema.properties.breaker.properties;
    const minOf = (id: string) => tab.locator(`#${id}`).evaluate((input) => Number((input as unknown as Validated).min));
    expect(await minOf('rate-per-second')).toBe(limits.perSecond.minimum);
    expect(await minOf('rate-burst')).toBe(limits.burst.minimum);
    expect(await minOf('breaker-threshold')).toBe(breaker.failureThreshold.minimum);
    expect((await minOf('breaker-cooldown')) * 1000).toBe(breaker.coolDown.minimum);
    await tab.getByLabel('URL').fill(own.receiver.url);
    const rate = tab.getByRole('group', { name: 'Flow control' }).getByLabel(/Rate limit/);
    await rate.fill('0');
    await tab.getByRole('button', { name: 'Create' }).click();
    expect(await rate.evaluate((input) => (input as unknown as Validated).validity.rangeUnderflow)).toBe(true);
    expect(sent).toEqual([]);
    await rate.fill(String(limits.perSecond.minimum));
    await tab.getByRole('button', { name: 'Create' }).click();
    await tab.getByRole('link', { name: 'Blocked then fixed', exact: true }).waitFor();
    tab.off('request', onRequest);
    expect((await own.app.webhooks.list()).items.find((w) => w.name === 'Blocked then fixed')).toMatchObject({ url: own.receiver.url, rateLimit: { perSecond: limits.perSecond.minimum } });
  });

  it('clears a refused token when the browser\'s own validation stops the next sign-in (an empty token)', async () => {
    await admin.go('');
    await tab.evaluate('sessionStorage.clear()');
    await tab.reload();
    await tab.getByLabel('Token').fill('not-the-token-at-all');
    await tab.getByRole('button', { name: 'Sign in' }).click();
    const alert = tab.getByRole('alert').filter({ hasText: 'That token was not accepted' });
    await alert.waitFor();
    await tab.getByLabel('Token').fill('');
    await tab.getByRole('button', { name: 'Sign in' }).click();
    await alert.waitFor({ state: 'detached' });
    expect(await tab.getByLabel('Token').evaluate((input) => (input as unknown as Validated).validity.valueMissing)).toBe(true);
  });

  it('asks for the value when a stored sensitive header is made not sensitive, since the page never has it; ticked again, the stored value stays', async () => {
    await own.app.webhooks.create({ key: 'tenant-feed', name: 'Tenant feed', url: own.receiver.url, events: ['Umbraco.ContentPublish'], headers: { 'X-Api-Key': { value: 'k3y-stored', sensitive: true } } });
    const stored = () => resolveToken(own.app.container, WebhookRepositoryToken).get('tenant-feed');
    const edit = async (name: string) => {
      await admin.load(`#token=${TOKEN}`);
      await tab.getByRole('link', { name: `Edit ${name}` }).click();
      await tab.getByRole('heading', { name: `Edit ${name}` }).waitFor();
    };
    const value = tab.getByLabel('Header value');
    const sensitive = tab.getByRole('group', { name: 'Custom headers' }).getByLabel('Sensitive');
    await edit('Tenant feed');
    expect(await value.getAttribute('type')).toBe('password');

    // Un-ticked, the field does not offer the placeholder as the value: it is empty, says why, and has the focus.
    await sensitive.uncheck();
    expect(await value.inputValue()).toBe('');
    expect(await value.getAttribute('type')).toBe('text');
    expect(await tab.evaluate('document.activeElement?.id')).toBe('header-value-0');
    const note = await tab.evaluate('document.getElementById(document.activeElement.getAttribute("aria-describedby"))?.textContent');
    expect(note).toMatch(/The stored value of X-Api-Key is sensitive, so it is never shown, not even here: type the value to keep it as not sensitive, or tick Sensitive\s+again to keep the stored one/);
    await tab.screenshot({ path: join(screenshots, '24-sensitive-unticked.png'), fullPage: true });

    // Saved so, it is refused before sending (core would have kept it sensitive, silently).
    await tab.getByRole('button', { name: 'Save' }).click();
    const alert = tab.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/Nothing was sent to the server\..*X-Api-Key\s*is no longer marked sensitive, but its stored value is never shown here: type the value, or tick Sensitive again/s);
    expect(await tab.evaluate('document.activeElement?.id')).toBe('header-value-0');
    expect(await stored()).toMatchObject({ headers: { 'X-Api-Key': 'k3y-stored' }, sensitiveHeaders: ['x-api-key'] });

    // Ticked again, the stored value is kept as it was.
    await sensitive.check();
    await tab.getByLabel('Name', { exact: true }).fill('Tenant feed (kept)');
    await tab.getByRole('button', { name: 'Save' }).click();
    await tab.getByRole('link', { name: 'Tenant feed (kept)', exact: true }).waitFor();
    expect(await stored()).toMatchObject({ name: 'Tenant feed (kept)', headers: { 'X-Api-Key': 'k3y-stored' }, sensitiveHeaders: ['x-api-key'] });

    // Un-ticked and typed, it is a plain header.
    await edit('Tenant feed (kept)');
    await sensitive.uncheck();
    await value.fill('k3y-shown');
    await tab.getByRole('button', { name: 'Save' }).click();
    await tab.getByRole('link', { name: 'Tenant feed (kept)', exact: true }).waitFor();
    expect(await stored()).toMatchObject({ headers: { 'X-Api-Key': 'k3y-shown' }, sensitiveHeaders: [] });
    await own.app.webhooks.delete('tenant-feed');
  });

  it('edits a webhook stored with custom headers over the 4,096-byte cap: its save is refused under Custom headers, naming the total and the cap, until they are under it', async () => {
    const now = new Date();
    const headers = { 'X-Part-1': 'a'.repeat(3000), 'X-Part-2': 'b'.repeat(3000) };
    await resolveToken(own.app.container, WebhookRepositoryToken).create({ key: 'big-feed', name: 'Big feed', url: own.receiver.url, events: ['Umbraco.ContentPublish'], contentTypeKeys: [], headers, sensitiveHeaders: [], enabled: true, secrets: [], createdAt: now, updatedAt: now });
    const stored = () => resolveToken(own.app.container, WebhookRepositoryToken).get('big-feed');
    const before = await stored();
    await admin.load(`#token=${TOKEN}`);
    await tab.getByRole('link', { name: 'Edit Big feed' }).click();
    await tab.getByRole('heading', { name: 'Edit Big feed' }).waitFor();
    await tab.getByRole('button', { name: 'Save' }).click();
    const alert = tab.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/Custom headers.*hold 6,016 bytes in all \(names and values\), more than the 4,096 a webhook's custom headers may hold: .*Shorten or remove some/s);
    expect(await tab.evaluate('document.activeElement?.id')).toBe('header-name-0');
    expect(await stored()).toEqual(before);
    await tab.getByRole('group', { name: 'Custom headers' }).getByRole('button', { name: 'Remove' }).nth(1).click();
    await tab.getByRole('button', { name: 'Save' }).click();
    await tab.getByRole('link', { name: 'Big feed', exact: true }).waitFor();
    expect((await stored())!.headers).toEqual({ 'X-Part-1': headers['X-Part-1'] });
    await own.app.webhooks.delete('big-feed');
  });

  it('asks for a stored sensitive value again when the URL moves to another origin, and saves once it is typed', async () => {
    await own.app.webhooks.create({ key: 'crm-feed', name: 'CRM feed', url: own.receiver.url, events: ['Umbraco.ContentPublish'], headers: { Authorization: { value: 'Bearer CRM-API-KEY-123', sensitive: true } } });
    const stored = () => resolveToken(own.app.container, WebhookRepositoryToken).get('crm-feed');
    const before = await stored();
    await admin.load(`#token=${TOKEN}`);
    await tab.getByRole('link', { name: 'Edit CRM feed' }).click();
    await tab.getByRole('heading', { name: 'Edit CRM feed' }).waitFor();
    const elsewhere = 'http://127.0.0.2:9/collect';
    await tab.getByLabel('URL').fill(elsewhere);
    await tab.getByRole('button', { name: 'Save' }).click();
    const alert = tab.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/Nothing was sent to the server\..*Authorization\s*keeps a sensitive value given for http:\/\/127\.0\.0\.1:\d+, and the URL now goes to http:\/\/127\.0\.0\.2:9, another origin, which is never sent it: type the value again, or remove the row/s);
    expect(await tab.evaluate('document.activeElement?.id')).toBe('header-value-0');
    expect(await stored()).toEqual(before);

    await tab.getByLabel('Header value').fill('Bearer for-the-new-one');
    await tab.getByRole('button', { name: 'Save' }).click();
    // Saved; and 127.0.0.2 is not among the addresses this app's ssrf settings allow, which the
    // form says where the URL is, with the focus there, instead of going back to the list.
    await tab.getByRole('status').filter({ hasText: /^\s*Saved, but not delivered: delivery to 127\.0\.0\.2 was refused/ }).waitFor();
    expect(await tab.evaluate('document.activeElement?.id')).toBe('url-blocked');
    expect(await tab.getByLabel('URL').getAttribute('aria-describedby')).toBe('url-blocked');
    expect(await stored()).toMatchObject({ url: elsewhere, headers: { Authorization: 'Bearer for-the-new-one' }, sensitiveHeaders: ['authorization'] });
    await own.app.webhooks.delete('crm-feed');
  });

  it('wraps a dead letter\'s error between words on a phone-sized window', async () => {
    await admin.load(`#token=${TOKEN}`);
    await tab.getByRole('heading', { name: 'Webhooks' }).waitFor();
    // An internal address: the SSRF guard refuses it at once, with a long message naming the fix.
    await own.app.webhooks.create({ name: 'Intranet', url: 'http://10.0.0.5/hook', events: ['Umbraco.ContentPublish'] });
    await own.app.publish(new ContentPublishedNotification({ publishedEntities: [blogPost('intranet-1')] }));
    await own.app.drain();
    await tab.setViewportSize({ width: 380, height: 800 });
    await tab.getByRole('link', { name: 'Dead letters' }).click();
    const cell = tab.locator('table.dead tbody tr').filter({ hasText: 'Intranet' }).locator('td.error-text');
    await cell.waitFor();
    expect(await cell.textContent()).toMatch(/^ssrf: .*10\.0\.0\.5 was refused.*ssrf\.allow/);
    // Each word of the message sits on one line (the cell wraps between words, not inside them).
    const split = await tab.evaluate(`(${WORDS_SPLIT_ACROSS_LINES})([...document.querySelectorAll('table.dead tbody tr')].find((r) => r.textContent.includes('Intranet')).querySelector('td.error-text'))`);
    expect(split).toEqual([]);
    expect(await tab.evaluate(HORIZONTAL_OVERFLOW)).toBeLessThanOrEqual(0);
    await tab.screenshot({ path: join(screenshots, '23-narrow-dead-letter-error.png'), fullPage: true });
    await tab.setViewportSize({ width: 1280, height: 900 });
  });

  it('names each row\'s actions after their webhook, so a screen reader does not read "Edit, Edit, Edit"', async () => {
    await tab.getByRole('link', { name: 'Webhooks', exact: true }).click();
    await tab.getByRole('link', { name: 'Intranet', exact: true }).waitFor();
    for (const name of ['Deliveries of Intranet', 'Send test to Intranet', 'Edit Intranet']) expect(await tab.getByRole('link', { name, exact: true }).count()).toBe(1);
    expect(await tab.getByRole('button', { name: 'Delete Intranet', exact: true }).count()).toBe(1);
    await tab.getByRole('link', { name: 'Dead letters' }).click();
    await tab.getByRole('button', { name: /^Redeliver the request to Intranet, dead at \S/ }).waitFor();
    // A dead letter's link goes to its request's attempts (why it died), named after its webhook too.
    expect(await tab.getByRole('link', { name: /^Attempts of the request to Intranet, dead at \S/ }).count()).toBe(1);
  });

  it('signs in from the token link pasted into a tab already open on the page, and forgets it in the address bar', async () => {
    await tab.getByRole('button', { name: 'Sign out' }).click();
    await tab.getByRole('heading', { name: 'Sign in' }).waitFor();
    // Only the fragment changes: the page is not loaded again.
    await admin.go(`#token=${TOKEN}`);
    await tab.getByRole('heading', { name: 'Webhooks' }).waitFor();
    expect(tab.url()).toBe(`${own.origin}${PREFIX}/#/webhooks`);
  });

  it('says plainly when a pasted token is wrong', async () => {
    await tab.getByRole('button', { name: 'Sign out' }).click();
    await tab.getByLabel('Token').fill('not-the-token');
    await tab.getByRole('button', { name: 'Sign in' }).click();
    const alert = tab.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/That token was not accepted\s*Paste the token the server printed when it started/);
  });
});

/**
 * A back-office user at work in the editor and the views: a webhook whose event the app no longer
 * composes, secrets rotated over typed changes, one edit route after another, the keyboard in the
 * filters and pagers, the server's refusals on the fields they are about, and words for people.
 * Its own app and tab; the 4xx answers it provokes on purpose are not counted, script errors and
 * native dialogs are.
 */
describe('the admin page as a back-office user works in it', () => {
  let own: AdminFixture;
  let admin: AdminPage;
  let tab: Page;
  const tabProblems: string[] = [];
  const activeId = () => tab.evaluate('document.activeElement?.id || document.activeElement?.getAttribute("name") || document.activeElement?.tagName');
  const ok = (_r: unknown, res: { writeHead(status: number): { end(body: string): void } }) => void res.writeHead(200).end('ok');
  /** Waits until `read()` gives `expected` (10 s at most), reading from here: the page's CSP allows no string evaluated in it. */
  async function until<T>(read: () => Promise<T>, expected: T): Promise<void> {
    const deadline = Date.now() + 10_000;
    let value = await read();
    while (JSON.stringify(value) !== JSON.stringify(expected) && Date.now() < deadline) {
      await tab.waitForTimeout(50);
      value = await read();
    }
    expect(value).toEqual(expected);
  }
  const titled = (title: string) => until(() => tab.title(), `${title} — hookwork admin`);

  beforeAll(async () => {
    own = await startAdminFixture({ page: true });
    // The refused calls are provoked here on purpose; the page's own leave question is its dialog, tested here.
    admin = await openAdminPage(own, { context, problems: tabProblems, watch: 'scripts', nativeDialogs: 'problem but leaving', signIn: true });
    tab = admin.tab;
  });

  afterAll(async () => {
    await admin?.close();
    await own?.close();
  });

  it('shows an alias the app no longer composes apart, keeps it on save, and removes it when unticked', async () => {
    const now = new Date();
    // Stored when the app composed a shop plugin's events, since removed.
    await resolveToken(own.app.container, WebhookRepositoryToken).create({ key: 'legacy', name: 'Legacy shop', url: own.receiver.url, events: ['Umbraco.ContentPublish', 'shop.orderPlaced'], contentTypeKeys: [], headers: {}, sensitiveHeaders: [], enabled: true, secrets: [], createdAt: now, updatedAt: now });
    await admin.load('#/webhooks');
    await tab.getByRole('link', { name: 'Legacy shop', exact: true }).waitFor();
    expect(await tab.locator('ul.tags li.unknown').textContent()).toBe('shop.orderPlaced (not offered by this app)');
    await tab.getByRole('link', { name: 'Edit Legacy shop' }).click();
    await tab.getByRole('heading', { name: 'Edit Legacy shop' }).waitFor();
    const kept = () => tab.getByRole('group', { name: 'Not offered by this app' }).getByRole('checkbox', { name: /shop\.orderPlaced/ });
    expect(await kept().isChecked()).toBe(true);
    expect(await kept().getAttribute('aria-describedby')).toBe('not-offered-note');
    await tab.screenshot({ path: join(screenshots, '40-not-offered-alias.png'), fullPage: true });

    await tab.getByLabel('Name').fill('Legacy shop (renamed)');
    await tab.getByRole('button', { name: 'Save' }).click();
    await tab.getByRole('link', { name: 'Legacy shop (renamed)', exact: true }).waitFor();
    expect((await own.app.webhooks.get('legacy'))!.events).toEqual(['Umbraco.ContentPublish', 'shop.orderPlaced']);

    await tab.getByRole('link', { name: 'Edit Legacy shop (renamed)' }).click();
    await kept().uncheck();
    await tab.getByRole('button', { name: 'Save' }).click();
    await tab.getByRole('link', { name: 'Legacy shop (renamed)', exact: true }).waitFor();
    expect((await own.app.webhooks.get('legacy'))!.events).toEqual(['Umbraco.ContentPublish']);
  });

  it('rotates and revokes a secret without touching what is typed, asks before revoking in its own dialog, and saves the typed change after', async () => {
    await own.app.webhooks.create({ key: 'signed', name: 'Signed', url: own.receiver.url, events: ['Umbraco.ContentPublish'], secret: true });
    await admin.load('#/webhooks/signed');
    await tab.getByRole('heading', { name: 'Edit Signed' }).waitFor();
    await tab.getByLabel('Name').fill('Signed, renamed');
    await tab.locator('input[value="Umbraco.MediaSave"]').check();

    await tab.getByRole('button', { name: 'Rotate secret' }).click();
    await tab.locator('code.secret').waitFor();
    expect(await tab.evaluate('document.activeElement?.className')).toBe('secret-once');
    expect(await tab.getByLabel('Name').inputValue()).toBe('Signed, renamed');
    expect(await tab.locator('input[value="Umbraco.MediaSave"]').isChecked()).toBe(true);
    expect(await tab.locator('fieldset.secrets li').count()).toBe(2);
    await tab.getByRole('button', { name: 'I have copied it' }).click();
    expect(await activeId()).toBe('rotate-secret');

    const [first] = (await own.app.webhooks.get('signed'))!.secrets;
    const revoke = tab.getByRole('button', { name: `Revoke the secret ${first!.hint}` });
    const dialog = tab.getByRole('dialog', { name: `Revoke the secret ${first!.hint}?` });
    await revoke.click();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect((await own.app.webhooks.get('signed'))!.secrets).toHaveLength(2);
    await revoke.click();
    await dialog.getByRole('button', { name: `Revoke ${first!.hint}` }).click();
    await tab.getByRole('status').filter({ hasText: `Secret ${first!.hint} revoked.` }).waitFor();
    expect((await own.app.webhooks.get('signed'))!.secrets.map((s) => s.id)).not.toContain(first!.id);
    expect(await tab.getByLabel('Name').inputValue()).toBe('Signed, renamed');
    expect(await activeId()).toBe('rotate-secret');

    // The typed change is saved over the version the secret changes left: no 412.
    await tab.getByRole('button', { name: 'Save' }).click();
    await tab.getByRole('link', { name: 'Signed, renamed', exact: true }).waitFor();
    expect(await own.app.webhooks.get('signed')).toMatchObject({ name: 'Signed, renamed', events: ['Umbraco.ContentPublish', 'Umbraco.MediaSave'] });

    // Changed elsewhere meanwhile: the rotation is made, the form says so, and a save is refused, then put together with that change.
    await tab.getByRole('link', { name: 'Edit Signed, renamed' }).click();
    await tab.getByRole('heading', { name: 'Edit Signed, renamed' }).waitFor();
    await tab.getByLabel('Name').fill('Typed here');
    await own.app.webhooks.update('signed', { enabled: false });
    await tab.getByRole('button', { name: 'Rotate secret' }).click();
    await tab.getByRole('alert').filter({ hasText: 'This webhook was also changed elsewhere since this form was opened' }).waitFor();
    expect(await tab.getByLabel('Name').inputValue()).toBe('Typed here');
    await tab.getByRole('button', { name: 'Save' }).click();
    await tab.getByRole('alert').filter({ hasText: 'Not saved yet: this webhook was changed elsewhere' }).waitFor();
    expect(await own.app.webhooks.get('signed')).toMatchObject({ name: 'Signed, renamed', enabled: false });
    await tab.getByRole('button', { name: 'Load the webhook as it is now' }).click();
    await tab.getByRole('dialog', { name: 'Load the webhook as it is now?' }).getByRole('button', { name: 'Load it and discard my changes' }).click();
    await until(() => tab.getByLabel('Name').inputValue(), 'Signed, renamed');
    expect(await tab.getByLabel('Enabled', { exact: true }).isChecked()).toBe(false);
  });

  it("fills the form again for another webhook's edit route, names the tab after it, and asks before leaving unsaved changes", async () => {
    await own.app.webhooks.create({ key: 'first', name: 'First', url: `${own.receiver.origin}/first`, events: ['Umbraco.ContentPublish'] });
    await own.app.webhooks.create({ key: 'second', name: 'Second', url: `${own.receiver.origin}/second`, events: ['Umbraco.MediaSave'] });
    await admin.load('#/webhooks/first');
    await tab.getByRole('heading', { name: 'Edit First' }).waitFor();
    // Only the fragment changes (a link from one edit to another, back and forward).
    await admin.go('#/webhooks/second');
    await tab.getByRole('heading', { name: 'Edit Second' }).waitFor();
    expect(await tab.getByLabel('URL').inputValue()).toBe(`${own.receiver.origin}/second`);
    expect(await tab.locator('input[value="Umbraco.ContentPublish"]').isChecked()).toBe(false);
    await titled('Edit Second');
    await tab.goBack();
    await tab.getByRole('heading', { name: 'Edit First' }).waitFor();
    expect(await tab.getByLabel('URL').inputValue()).toBe(`${own.receiver.origin}/first`);

    await tab.getByLabel('Name').fill('First, edited');
    const sections = tab.getByRole('navigation', { name: 'Sections' });
    const leave = tab.getByRole('dialog', { name: 'Leave without saving?' });
    await sections.getByRole('link', { name: 'Deliveries' }).click();
    await leave.getByRole('button', { name: 'Stay' }).click();
    await leave.waitFor({ state: 'hidden' });
    expect(tab.url()).toMatch(/#\/webhooks\/first$/);
    expect(await tab.getByLabel('Name').inputValue()).toBe('First, edited');
    await sections.getByRole('link', { name: 'Deliveries' }).click();
    await leave.getByRole('button', { name: 'Leave and discard the changes' }).click();
    await tab.getByRole('heading', { name: 'Deliveries' }).waitFor();
    expect(tab.url()).toMatch(/#\/deliveries$/);
    expect(await own.app.webhooks.get('first')).toMatchObject({ name: 'First' });
    await titled('Deliveries');
  });

  it('keeps the focus on a filter or a pager that changes the address, moves it only to a new view, and keeps a badge one word', async () => {
    const log = resolveToken(own.app.container, DeliveryLogToken);
    await log.append(
      Array.from({ length: 30 }, (_, i) => ({
        key: `timed-out-${i}`,
        webhookKey: 'first',
        requestId: `msg_timed_out_${i}`,
        url: `${own.receiver.origin}/first`,
        eventAlias: 'Umbraco.ContentPublish',
        retryCount: 1,
        date: new Date(Date.now() - (i + 1) * 1000),
        requestHeaders: {},
        requestBody: '{}',
        responseHeaders: {},
        responseBody: '',
        errorKind: 'timeout' as const,
        errorMessage: 'timeout of 15000 ms exceeded',
        durationMs: 15_000,
        outcome: 'retrying' as const,
      })),
    );
    await admin.load('#/deliveries');
    await tab.locator('table.deliveries tbody tr').first().waitFor();
    const outcome = tab.getByRole('combobox', { name: 'Outcome' });
    await outcome.focus();
    await outcome.selectOption('retrying');
    await tab.waitForURL(/outcome=retrying/);
    await tab.locator('table.deliveries tbody tr').first().waitFor();
    expect(await activeId()).toBe('outcome');

    const next = tab.getByRole('button', { name: 'Next' });
    await next.focus();
    await tab.keyboard.press('Enter');
    await tab.waitForURL(/after=[\w-]+&page=2$/);
    await tab.getByText('Page 2, 30 in all').waitFor();
    expect(await tab.evaluate('document.activeElement?.textContent?.trim()')).toBe('Next');
    // The last page: Next does nothing, and still has the focus (aria-disabled, not disabled).
    expect(await next.getAttribute('aria-disabled')).toBe('true');
    await tab.keyboard.press('Enter');
    expect(tab.url()).toMatch(/&page=2$/);
    expect(await tab.locator('table.deliveries tbody tr').count()).toBe(5);

    // However narrow its column, "timeout" is one word on one line.
    await tab.setViewportSize({ width: 760, height: 900 });
    await tab.locator('.badge.kind-timeout').first().waitFor();
    const lines = await tab.evaluate(`(() => {
      const range = document.createRange();
      range.selectNodeContents(document.querySelector('.badge.kind-timeout'));
      return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
    })()`);
    expect(lines).toBe(1);
    await tab.setViewportSize({ width: 1280, height: 900 });

    await tab.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Dead letters' }).click();
    await until(() => tab.evaluate('document.activeElement?.tagName'), 'MAIN');
  });

  it("marks each field the server refused, in the form's words, and takes the focus to the first", async () => {
    await admin.load('#/webhooks/new');
    await tab.getByRole('heading', { name: 'Create webhook' }).waitFor();
    await titled('Create webhook');
    // The form takes what the API takes, from core's schema itself.
    expect(await tab.getByLabel('Name').getAttribute('maxlength')).toBe(String(webhookInputSchema.properties.name.maxLength));
    expect(await tab.getByLabel('URL').getAttribute('maxlength')).toBe(String(webhookInputSchema.properties.url.maxLength));
    await tab.getByLabel('URL').fill(own.receiver.url);
    await tab.getByLabel('Name').fill('Refused twice');
    await tab.locator('input[value="Umbraco.ContentPublish"]').check();
    await tab.getByRole('button', { name: 'Add header' }).click();
    await tab.getByLabel('Header name').fill('X Bad Name');
    await tab.getByLabel('Header value').fill('v');
    await tab.getByLabel(/Breaker opens after/).fill('99999999999');
    const create = tab.getByRole('button', { name: 'Create' });
    await create.focus();
    await tab.keyboard.press('Enter');
    const alert = tab.getByRole('alert');
    await alert.filter({ hasText: 'Not created: 2 fields need a change' }).waitFor();
    expect(await alert.textContent()).not.toMatch(/schema|HOOKWORK_ERR|GET |body /);
    expect(await activeId()).toBe('header-name-0');
    const header = tab.locator('#header-name-0');
    expect([await header.getAttribute('aria-invalid'), await header.getAttribute('aria-describedby')]).toEqual(['true', 'header-name-0-error']);
    expect(await tab.locator('#header-name-0-error').textContent()).toMatch(/^Header X Bad Name: contains U\+0020 \(space\) at character 2/);
    expect(await tab.locator('#breaker-threshold').getAttribute('aria-invalid')).toBe('true');
    expect(await tab.locator('#breaker-threshold-error').textContent()).toMatch(/^Breaker opens after: must be at most 1000000/);
    expect(await tab.locator('#url').getAttribute('aria-invalid')).toBeNull();
    await tab.screenshot({ path: join(screenshots, '41-fields-refused.png'), fullPage: true });
    // Typed again, a field's mark goes.
    await tab.getByLabel('Header name').fill('X-Good-Name');
    expect(await header.getAttribute('aria-invalid')).toBeNull();

    // A refusal of core's (the URL's scheme) finds its field the same way.
    await tab.getByLabel(/Breaker opens after/).fill('');
    await tab.getByLabel('URL').fill('ftp://127.0.0.1/x');
    await create.click();
    await tab.locator('#url-error').waitFor();
    expect(await activeId()).toBe('url');
    expect(await tab.locator('#url-error').textContent()).toMatch(/^URL: scheme ftp: is not allowed/);
    expect((await own.app.webhooks.list()).items.map((w) => w.name)).not.toContain('Refused twice');
  });

  it('says at create and edit that the URL will not be delivered where the SSRF guard will refuse it, and lists it so', async () => {
    await admin.load('#/webhooks/new');
    await tab.getByLabel('URL').fill('http://169.254.169.254/latest/meta-data');
    await tab.getByLabel('Name').fill('Metadata');
    await tab.locator('input[value="Umbraco.ContentPublish"]').check();
    await tab.getByLabel('Generate a signing secret (shown once)').uncheck();
    await tab.getByRole('button', { name: 'Create' }).click();
    await tab.getByRole('heading', { name: 'Edit Metadata' }).waitFor();
    // One note, warning-styled: created, but deliveries are refused, why, and the fix — no green
    // success note beside it that reads as all well.
    const warning = tab.locator('#url-blocked');
    await warning.waitFor();
    expect(await activeId()).toBe('url-blocked');
    expect(await warning.getAttribute('role')).toBe('status');
    expect(await warning.getAttribute('class')).toBe('warning');
    expect((await warning.textContent())!.replace(/\s+/g, ' ').trim()).toMatch(
      /^Created, but not delivered: delivery to 169\.254\.169\.254 was refused: .*ssrf\.allow.*\. The webhook is created, but each delivery to this URL is refused until the address is allowed, or the URL is changed to a public one\.$/,
    );
    expect(await tab.locator('main').getByRole('status').allTextContents().then((all) => all.map((t) => t.trim()).filter(Boolean))).toHaveLength(1);
    expect(await tab.locator('.notice').textContent()).toBe('');
    expect(await tab.locator('main').textContent()).not.toMatch(/will not be delivered/);
    await tab.getByRole('link', { name: 'Back to webhooks' }).click();
    await tab.getByRole('link', { name: 'Metadata', exact: true }).waitFor();
    expect(await tab.locator('p.url-blocked').textContent()).toMatch(/^Not delivered: delivery to 169\.254\.169\.254 was refused/);
  });

  it('keeps the focus on Send test event while it sends, and shows a webhook that does not exist as not found, with the way back', async () => {
    own.receiver.handler = ok;
    await admin.load('#/webhooks/first/test');
    await titled('Send test event to First');
    const send = tab.getByRole('button', { name: 'Send test event' });
    await send.focus();
    await tab.keyboard.press('Enter');
    await tab.getByRole('status').filter({ hasText: /^The receiver answered 200/ }).waitFor();
    expect(await tab.evaluate('document.activeElement?.textContent?.trim()')).toBe('Send test event');

    for (const route of ['#/webhooks/no-such-webhook', '#/webhooks/no-such-webhook/test']) {
      await admin.load(route);
      await tab.getByRole('heading', { name: 'Webhook not found' }).waitFor();
      expect(await tab.locator('main form').count()).toBe(0);
      expect(await tab.getByRole('link', { name: 'Back to webhooks' }).count()).toBe(1);
      expect(await tab.locator('main').textContent()).not.toMatch(/GET webhook|HOOKWORK_ERR/);
      await titled('Webhook not found');
    }
  });

  it('says what a redelivery did: put back in the queue, or already back there', async () => {
    own.receiver.handler = (_r, res) => void res.writeHead(500).end('down');
    await own.app.webhooks.create({ key: 'redo', name: 'Redo', url: `${own.receiver.origin}/redo`, events: ['Umbraco.ContentUnpublish'] });
    await own.app.publish(new ContentUnpublishedNotification({ unpublishedEntities: [blogPost('page-redo')] }));
    await own.app.drain();
    const [dead] = (await own.app.management.logs({ webhookKey: 'redo', outcomes: ['dead'] })).items;
    // Held back, so what is put back waits in the queue.
    const kept = own.app.settings.keepLogsForDays;
    own.app.updateSettings({ enabled: false });
    try {
      await admin.load(`#/deliveries/${dead!.key}`);
      const redeliver = tab.getByRole('button', { name: 'Redeliver' });
      await redeliver.click();
      await tab.getByRole('status').filter({ hasText: 'Put back in the queue, due now' }).waitFor();
      await redeliver.click();
      await tab.getByRole('alert').filter({ hasText: 'Not redelivered: it is already back in the queue' }).waitFor();
      expect(await tab.getByRole('status').textContent()).toBe('');
      expect(await own.app.management.queueCounts({ webhookKey: 'redo' })).toEqual({ pending: 1, inFlight: 0, dead: 0 });
      // Delivered since, and its attempts cleaned out of the log: no request has the id any more.
      // The page's words say so, and the field the API names (the path's `id`, which a program
      // sent) is not listed under them.
      own.receiver.handler = ok;
      own.app.updateSettings({ enabled: true });
      await own.app.drain();
      own.app.updateSettings({ keepLogsForDays: 1e-9 });
      await new Promise((resolve) => setTimeout(resolve, 5));
      await own.app.runCleanup();
      await redeliver.click();
      const gone = tab.getByRole('alert').filter({ hasText: 'This request is no longer in the queue' });
      await gone.waitFor();
      expect(await gone.locator('li').count()).toBe(0);
      expect(await gone.textContent()).not.toMatch(/which no queued or dead-lettered request has/);
    } finally {
      own.app.updateSettings({ enabled: true, keepLogsForDays: kept });
      own.receiver.handler = ok;
    }
  });

  it('draws the focus ring and the borders of fields at 3:1 or more against what is beside them (WCAG 1.4.11)', async () => {
    await admin.load('#/webhooks/new');
    await tab.getByLabel('URL').waitFor();
    const colours = (await tab.evaluate(`(() => {
      const url = document.querySelector('#url');
      url.focus();
      const field = getComputedStyle(url);
      const link = document.querySelector('.topbar nav a');
      link.focus();
      return { ring: field.outlineColor, border: field.borderTopColor, fieldBackground: field.backgroundColor, page: getComputedStyle(document.body).backgroundColor,
        topRing: getComputedStyle(link).outlineColor, topBar: getComputedStyle(document.querySelector('.topbar')).backgroundColor };
    })()`)) as Record<string, string>;
    const contrast = (a: string, b: string) => {
      const luminance = (rgb: string) => {
        const [r, g, bl] = rgb.match(/\d+(\.\d+)?/g)!.slice(0, 3).map((c) => Number(c) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
        return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
      };
      const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
      return (hi! + 0.05) / (lo! + 0.05);
    };
    expect(contrast(colours.ring!, colours.page!)).toBeGreaterThanOrEqual(3);
    expect(contrast(colours.ring!, colours.fieldBackground!)).toBeGreaterThanOrEqual(3);
    expect(contrast(colours.border!, colours.fieldBackground!)).toBeGreaterThanOrEqual(3);
    expect(contrast(colours.border!, colours.page!)).toBeGreaterThanOrEqual(3);
    expect(contrast(colours.topRing!, colours.topBar!)).toBeGreaterThanOrEqual(3);
  });

  it('reads a token link whatever it holds: a % or & in the token, a malformed or empty one said so, and the address bar always cleared', async () => {
    const odd = 'p%ct&amp=0123456789-abcdef';
    const host = Fastify({ logger: false });
    await host.register(hookworkAdmin, { prefix: PREFIX, app: own.app, auth: { token: odd }, apiReference: false });
    await host.listen({ port: 0, host: '127.0.0.1' });
    const origin = `http://127.0.0.1:${(host.server.address() as { port: number }).port}`;
    try {
      // As the server prints it (encoded), and as a person types it (raw).
      for (const fragment of [`#token=${encodeURIComponent(odd)}`, `#token=${odd}`]) {
        await tab.goto('about:blank');
        await tab.goto(`${origin}${PREFIX}/${fragment}`);
        await tab.getByRole('heading', { name: 'Webhooks' }).waitFor();
        expect(tab.url()).toBe(`${origin}${PREFIX}/#/webhooks`);
      }
      for (const [fragment, said] of [
        ['#token=', /The sign-in link holds no token after #token=/],
        ['#token=caf%C3%A9-0123456789abcdef', /The token in the sign-in link has characters no token has/],
        ['#token=%E0%A4%A-0123456789abcdef', /The token in that sign-in link was not accepted/],
        ['#token=wrong-token-0123456789abcdef', /The token in that sign-in link was not accepted/],
      ] as const) {
        await tab.goto('about:blank');
        await tab.goto(`${origin}${PREFIX}/${fragment}`);
        await tab.getByRole('alert').filter({ hasText: said }).waitFor();
        expect([fragment, tab.url()]).toEqual([fragment, `${origin}${PREFIX}/#/webhooks`]);
        // Asked to sign in, the token field has the focus.
        expect(await activeId()).toBe('token');
        await titled('Sign in');
      }
      // Signed in, Sign out forgets the token: a reload does not sign in again.
      await tab.getByLabel('Token').fill(odd);
      await tab.getByRole('button', { name: 'Sign in' }).click();
      await tab.getByRole('heading', { name: 'Webhooks' }).waitFor();
      await tab.getByRole('button', { name: 'Sign out' }).click();
      await tab.getByRole('heading', { name: 'Sign in' }).waitFor();
      await tab.reload();
      await tab.getByRole('heading', { name: 'Sign in' }).waitFor();
      expect(await activeId()).toBe('token');
    } finally {
      await host.close();
    }
  });

  it('ran without script errors or native dialogs', () => {
    expect(tabProblems).toEqual([]);
  });
});

/**
 * A host that signs people in with its own session (a cookie its `authenticate` reads): the page
 * asks for no token, says the host's session ended in those words, and signs out only where the
 * host gave its sign-out address.
 */
describe('the admin page on a host that signs in with its own session', () => {
  let own: AdminFixture;
  let host: FastifyInstance;
  let origin: string;
  let admin: AdminPage;
  let tab: Page;
  const tabProblems: string[] = [];

  beforeAll(async () => {
    own = await startAdminFixture();
    host = Fastify({ logger: false, routerOptions: { maxParamLength: 200 } });
    host.get('/login', (_request, reply) => reply.header('set-cookie', 'sid=alice; Path=/; HttpOnly; SameSite=Lax').type('text/plain').send('signed in'));
    host.get('/logout', (_request, reply) => reply.header('set-cookie', 'sid=; Path=/; Max-Age=0').type('text/plain').send('signed out'));
    const alice = (request: { headers: { cookie?: string } }) => (/(?:^|; )sid=alice(?:;|$)/.test(request.headers.cookie ?? '') ? { id: 'alice', name: 'Alice' } : undefined);
    await host.register(hookworkAdmin, { prefix: '/backoffice/webhooks', app: own.app, auth: { authenticate: alice, signOutUrl: '/logout' }, apiReference: false });
    await host.register(hookworkAdmin, { prefix: '/plain', app: own.app, auth: { authenticate: alice }, apiReference: false });
    await host.listen({ port: 0, host: '127.0.0.1' });
    origin = `http://127.0.0.1:${(host.server.address() as { port: number }).port}`;
    // The page here is the host's, at its own prefixes: addressed by full URL, not through admin.go().
    admin = await openAdminPage({ origin }, { context, problems: tabProblems, watch: 'scripts', nativeDialogs: 'problem' });
    tab = admin.tab;
  });

  afterAll(async () => {
    await admin?.close();
    await context.clearCookies();
    await host?.close();
    await own?.close();
  });

  it('asks for no token, signs in once the host has, says the session ended in those words keeping the form, and signs out at the host', async () => {
    await tab.goto(`${origin}/backoffice/webhooks/`);
    await tab.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await tab.locator('main').textContent()).toMatch(/You are not signed in to the application this page belongs to/);
    expect(await tab.getByLabel('Token').count()).toBe(0);
    expect(await tab.evaluate('document.activeElement?.id')).toBe('try-again');
    await tab.screenshot({ path: join(screenshots, '42-host-sign-in.png'), fullPage: true });

    // Signed in at the host (another tab), Try again lets the page in.
    const other = await context.newPage();
    await other.goto(`${origin}/login`);
    await tab.getByRole('button', { name: 'Try again' }).click();
    await tab.getByRole('heading', { name: 'Webhooks' }).waitFor();
    expect(await tab.locator('.who').textContent()).toMatch(/Alice/);
    expect(await tab.getByRole('link', { name: 'Sign out' }).getAttribute('href')).toBe('/logout');

    // The host's session ends mid-form: asked in those words, the form kept.
    await tab.getByRole('link', { name: 'Create webhook' }).click();
    await tab.getByLabel('Name').fill('Typed before the session ended');
    await context.clearCookies();
    await tab.getByLabel('URL').fill(own.receiver.url);
    await tab.locator('input[value="Umbraco.ContentPublish"]').check();
    await tab.getByRole('button', { name: 'Create' }).click();
    await tab.getByRole('heading', { name: 'Sign in again' }).waitFor();
    expect(await tab.getByRole('alert').textContent()).toMatch(/Your session with the application this page belongs to has ended/);
    expect(await tab.locator('main').textContent()).not.toMatch(/token/i);
    await other.goto(`${origin}/login`);
    await other.close();
    await tab.getByRole('button', { name: 'Try again' }).click();
    await tab.getByRole('heading', { name: 'Create webhook' }).waitFor();
    expect(await tab.getByLabel('Name').inputValue()).toBe('Typed before the session ended');
    await tab.getByRole('link', { name: 'Cancel' }).click();
    await tab.getByRole('dialog', { name: 'Leave without saving?' }).getByRole('button', { name: 'Leave and discard the changes' }).click();
    await tab.getByRole('heading', { name: 'Webhooks' }).waitFor();

    // Sign out goes to the host's sign-out; back on the page, it is signed out for real.
    await tab.getByRole('link', { name: 'Sign out' }).click();
    await tab.getByText('signed out').waitFor();
    await tab.goto(`${origin}/backoffice/webhooks/`);
    await tab.getByRole('heading', { name: 'Sign in' }).waitFor();
  });

  it("offers no Sign out where the host gave no sign-out address: the page cannot end the host's session", async () => {
    await tab.goto(`${origin}/login`);
    await tab.goto(`${origin}/plain/`);
    await tab.getByRole('heading', { name: 'Webhooks' }).waitFor();
    expect(await tab.locator('.who').textContent()).toMatch(/Alice/);
    expect(await tab.getByText('Sign out').count()).toBe(0);
  });

  it('ran without script errors or native dialogs', () => {
    expect(tabProblems).toEqual([]);
  });
});

/**
 * Bulk redelivery asks first, saying how many requests go to which webhook, and the log filters
 * by webhook. Its own app with two webhooks, each to its own path on one receiver, so every count
 * is known and the tour above is left alone; its own tab, whose script errors, CSP violations
 * and refused calls are counted here.
 */
describe('the admin page before a bulk redelivery, and the log by webhook', () => {
  let own: AdminFixture;
  let admin: AdminPage;
  let tab: Page;
  let orders: string;
  let search: string;
  /** The time between the two rounds of failures, in ms: one round died before it, one after. */
  let between: number;
  const tabProblems: string[] = [];
  const deadOf = async (webhookKey?: string) => (await own.app.management.deadLetters(webhookKey ? { webhookKey } : {})).total;
  const sentTo = (path: string) => own.receiver.requests.filter((r) => r.path === path).length;
  /** What each redelivery the server was asked for did: how many it put back. */
  const redeliveries = () => own.audits.filter((a) => a.action === 'deadLetters.redeliver').map((a) => a.details?.redelivered);
  const focused = (text: string) => until(tab, `document.activeElement?.textContent?.trim() === ${JSON.stringify(text)}`);
  const publishAll = async (...keys: string[]) => {
    for (const key of keys) await own.app.publish(new ContentPublishedNotification({ publishedEntities: [blogPost(key)] }));
    await own.app.drain();
  };

  beforeAll(async () => {
    own = await startAdminFixture({ page: true });
    admin = await openAdminPage(own, { context, problems: tabProblems });
    tab = admin.tab;
    own.receiver.handler = (_r, res) => void res.writeHead(500).end('down');
    orders = (await own.app.webhooks.create({ name: 'Orders', url: `${own.receiver.origin}/orders`, events: ['Umbraco.ContentPublish'] })).key;
    search = (await own.app.webhooks.create({ name: 'Search', url: `${own.receiver.origin}/search`, events: ['Umbraco.ContentPublish'] })).key;
    // One round dies, then (past the next whole second, as the page's time field counts in
    // seconds) a second round: "dead since" between them takes the second round only.
    await publishAll('early');
    const firstDied = Math.max(...(await own.app.management.deadLetters()).items.map((d) => d.deadAt!.getTime()));
    between = Math.floor(firstDied / 1000) * 1000 + 1000;
    await new Promise((resolve) => setTimeout(resolve, between - Date.now() + 20));
    await publishAll('late-1', 'late-2');
    expect([await deadOf(orders), await deadOf(search)]).toEqual([3, 3]);
  });

  afterAll(async () => {
    await admin?.close();
    await own?.close();
  });

  it('asks before redelivering every dead letter, naming the count, and Escape sends nothing', async () => {
    await admin.go(`#token=${TOKEN}`);
    await tab.getByRole('link', { name: 'Dead letters' }).click();
    expect(await settledCount(tab.locator('table.dead tbody tr'), 6)).toBe(6);
    const sent = own.receiver.requests.length;
    await tab.getByRole('button', { name: 'Redeliver all (6)' }).click();

    const dialog = tab.getByRole('dialog', { name: 'Redeliver all dead letters of every webhook?' });
    await dialog.waitFor();
    expect(await dialog.textContent()).toMatch(/6 requests, of every webhook, will be sent again to their receivers: put back in the queue, due now, with the retry count reset\./);
    expect(await dialog.getByRole('button', { name: 'Redeliver 6 requests' }).count()).toBe(1);
    // Cancel has the focus: Enter on a question not read changes nothing.
    await focused('Cancel');
    await tab.screenshot({ path: join(screenshots, '24-confirm-redeliver-all.png'), fullPage: true });

    await tab.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await focused('Redeliver all (6)');
    await own.app.drain();
    expect(redeliveries()).toEqual([]);
    expect([await deadOf(orders), await deadOf(search)]).toEqual([3, 3]);
    expect(own.receiver.requests.length).toBe(sent);
    expect(await tab.locator('table.dead tbody tr').count()).toBe(6);
  });

  it('redelivers a webhook\'s dead letters since a time once confirmed, and Cancel sends nothing', async () => {
    own.receiver.handler = (_r, res) => void res.writeHead(200).end('ok');
    await admin.go(`#/dead-letters?webhookKey=${encodeURIComponent(orders)}`);
    await tab.getByRole('heading', { name: 'Dead letters of Orders' }).waitFor();
    expect(await settledCount(tab.locator('table.dead tbody tr'), 3)).toBe(3);
    // The time as the page's datetime-local field takes it, in the browser's own time zone.
    const local = await tab.evaluate(
      `(() => { const d = new Date(${between}); const p = (n) => String(n).padStart(2, '0'); return d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()) + 'T' + p(d.getHours()) + ':' + p(d.getMinutes()) + (d.getSeconds() ? ':' + p(d.getSeconds()) : ''); })()`,
    );
    await tab.getByLabel('Dead since').fill(local as string);
    const sent = sentTo('/orders');

    await tab.getByRole('button', { name: 'Redeliver since' }).click();
    const dialog = tab.getByRole('dialog', { name: /^Redeliver the dead letters of Orders dead since \S.*\?$/ });
    await dialog.waitFor();
    expect(await dialog.textContent()).toMatch(/2 requests will be sent again to the receiver of Orders: put back in the queue, due now, with the retry count reset\. Those dead before \S.* stay, as do those that arrive after this count\./);
    await tab.screenshot({ path: join(screenshots, '25-confirm-redeliver-since.png'), fullPage: true });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await own.app.drain();
    expect(redeliveries()).toEqual([]);
    expect(await deadOf(orders)).toBe(3);
    expect(sentTo('/orders')).toBe(sent);

    await tab.getByRole('button', { name: 'Redeliver since' }).click();
    await dialog.getByRole('button', { name: 'Redeliver 2 requests' }).click();
    await tab.getByRole('status').getByText('2 requests put back in the queue').waitFor();
    await own.app.drain();
    expect(redeliveries()).toEqual([2]);
    expect([await deadOf(orders), await deadOf(search)]).toEqual([1, 3]);
    const redelivered = own.receiver.requests.filter((r) => r.path === '/orders').slice(sent);
    expect(redelivered.map((r) => JSON.parse(r.text).id).sort()).toEqual(['late-1', 'late-2']);
    expect(await settledCount(tab.locator('table.dead tbody tr'), 1)).toBe(1);
  });

  it('asks again after a confirmed redelivery (Escape still cancels), then redelivers a webhook\'s all and every webhook\'s', async () => {
    const sent = own.receiver.requests.length;
    await tab.getByRole('button', { name: 'Redeliver all (1)' }).click();
    const ofOrders = tab.getByRole('dialog', { name: 'Redeliver all dead letters of Orders?' });
    await ofOrders.waitFor();
    expect(await ofOrders.textContent()).toMatch(/1 request will be sent again to the receiver of Orders:/);
    await tab.keyboard.press('Escape');
    await ofOrders.waitFor({ state: 'hidden' });
    await own.app.drain();
    expect(redeliveries()).toEqual([2]);
    expect(own.receiver.requests.length).toBe(sent);

    await tab.getByRole('button', { name: 'Redeliver all (1)' }).click();
    await ofOrders.getByRole('button', { name: 'Redeliver 1 request' }).click();
    await tab.getByRole('status').getByText('1 request put back in the queue (all of this webhook).').waitFor();
    await tab.getByText('No dead letters.').waitFor();
    // "Redeliver all" is disabled now: the focus it had is on the view, not lost.
    // Polled from here: the page's CSP (script-src 'self') refuses the eval a polled string predicate needs.
    for (const deadline = Date.now() + 15_000; (await tab.evaluate("document.activeElement?.tagName")) !== 'MAIN' && Date.now() < deadline; ) await tab.waitForTimeout(50);
    expect(await tab.evaluate("document.activeElement?.tagName")).toBe('MAIN');
    await own.app.drain();
    expect(redeliveries()).toEqual([2, 1]);
    expect([await deadOf(orders), await deadOf(search)]).toEqual([0, 3]);

    await tab.getByRole('link', { name: 'All webhooks' }).click();
    await tab.getByRole('button', { name: 'Redeliver all (3)' }).click();
    const ofEvery = tab.getByRole('dialog', { name: 'Redeliver all dead letters of every webhook?' });
    await ofEvery.getByRole('button', { name: 'Redeliver 3 requests' }).click();
    await tab.getByRole('status').getByText('3 requests put back in the queue (all).').waitFor();
    await own.app.drain();
    expect(redeliveries()).toEqual([2, 1, 3]);
    expect(await deadOf()).toBe(0);
    expect([sentTo('/orders'), sentTo('/search')].map((n) => n > 0)).toEqual([true, true]);
    expect(own.receiver.requests.length).toBe(sent + 4);
  });

  it('filters the log by webhook from a select kept in the address, so back brings it again', async () => {
    const [ofOrders, all] = await Promise.all([own.app.management.logs({ webhookKey: orders }), own.app.management.logs()]);
    expect(all.total).toBeLessThanOrEqual(25);
    await tab.getByRole('link', { name: 'Deliveries', exact: true }).click();
    const filter = tab.locator('select[name="webhookKey"]');
    await filter.locator('option', { hasText: 'Search' }).waitFor({ state: 'attached' });
    expect(await filter.locator('option').allTextContents()).toEqual(['All webhooks', 'Orders', 'Search']);
    const rows = tab.locator('table.deliveries tbody tr');
    expect(await settledCount(rows, all.total)).toBe(all.total);

    await filter.selectOption({ label: 'Orders' });
    await tab.getByRole('heading', { name: 'Deliveries of Orders' }).waitFor();
    expect(tab.url()).toContain(`webhookKey=${encodeURIComponent(orders)}`);
    await tab.locator('nav.pager span').filter({ hasText: new RegExp(`^Page 1, ${ofOrders.total} in all$`) }).waitFor();
    expect(await settledCount(rows, ofOrders.total)).toBe(ofOrders.total);
    await tab.screenshot({ path: join(screenshots, '26-deliveries-by-webhook.png'), fullPage: true });

    await filter.selectOption({ label: 'All webhooks' });
    await tab.locator('nav.pager span').filter({ hasText: new RegExp(`^Page 1, ${all.total} in all$`) }).waitFor();
    expect(tab.url()).not.toContain('webhookKey');
    expect(await settledCount(rows, all.total)).toBe(all.total);
    expect(new Set(await tab.locator('table.deliveries tbody td[data-label="Webhook"]').allTextContents())).toEqual(new Set(['Orders', 'Search']));

    await tab.goBack();
    await tab.getByRole('heading', { name: 'Deliveries of Orders' }).waitFor();
    await until(tab, `document.querySelector('select[name="webhookKey"]').value === ${JSON.stringify(orders)}`);
    expect(await settledCount(rows, ofOrders.total)).toBe(ofOrders.total);
  });

  it('names a webhook in the address that was deleted, and still shows its log', async () => {
    const ofSearch = await own.app.management.logs({ webhookKey: search });
    await own.app.webhooks.delete(search);
    await admin.go(`#/webhooks`);
    await tab.getByRole('link', { name: 'Orders', exact: true }).waitFor();
    await admin.go(`#/deliveries?webhookKey=${encodeURIComponent(search)}`);
    const gone = tab.locator('p.gone');
    await gone.waitFor();
    expect(await gone.textContent()).toBe(`The webhook ${search} no longer exists (it was deleted). Its log stays until the retention cleanup removes it.`);
    expect(await tab.locator('select[name="webhookKey"] option:checked').textContent()).toBe(`${search} (no longer exists)`);
    expect(await tab.locator('select[name="webhookKey"] option').allTextContents()).toEqual(['All webhooks', `${search} (no longer exists)`, 'Orders']);
    expect(await settledCount(tab.locator('table.deliveries tbody tr'), ofSearch.total)).toBe(ofSearch.total);
    await tab.screenshot({ path: join(screenshots, '27-deliveries-deleted-webhook.png'), fullPage: true });
  });

  it('ran without script errors, CSP violations or refused calls', () => {
    expect(tabProblems).toEqual([]);
  });
});

/**
 * Deleting a webhook asks in the page's own dialog, saying what happens to what is left of it;
 * "Redeliver since" counts past the newest page of dead letters; the log's webhook filter offers
 * every webhook, past the API's largest page (1,000). Its own app and tab; dead letters are made
 * straight in the queue, each dead at a time chosen here.
 */
describe('the admin page before a delete, and past the first page of everything', () => {
  let own: AdminFixture;
  let admin: AdminPage;
  let tab: Page;
  const tabProblems: string[] = [];
  const focused = (text: string) => until(tab, `document.activeElement?.textContent?.trim() === ${JSON.stringify(text)}`);
  /** A whole second an hour ago: "dead since" takes what died at or after it. */
  const since = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
  let queued = 0;
  let calls = 0;
  /** The key of the webhook the first test deletes (its dead letters stay, the oldest). */
  let orders: string;
  /**
   * Puts requests of `webhookKey` straight in the queue; those given a time die then, the others
   * wait, due in some weeks: each call's due sooner than the last's, so its claim takes only its own.
   */
  async function queue(webhookKey: string, deadAt: (number | undefined)[]): Promise<void> {
    const queue = resolveToken(own.app.container, RequestQueueToken);
    const far = new Date(Date.now() + (100 - ++calls) * 86_400_000);
    // Published now, after its webhook was created: one published before would be a deleted predecessor's, and dropped.
    const requests = deadAt.map(() => ({ id: `msg_${++queued}`, webhookKey, eventAlias: 'Umbraco.ContentPublish', body: '{}', createdAt: new Date(), dueAt: far }));
    await queue.enqueue(requests);
    const claimed = await queue.claim({ owner: 'test', limit: requests.length, leaseMs: 60_000, now: far });
    expect(claimed.length).toBe(requests.length);
    for (const [i, at] of deadAt.entries()) {
      if (at === undefined) await queue.release('test', [requests[i]!.id]);
      else expect(await queue.deadLetter(requests[i]!.id, 'test', { attempts: 2, lastError: 'HTTP 500', now: new Date(at) })).toBe(true);
    }
  }
  /** `ms` as the page's datetime-local field takes it, in the browser's own time zone. */
  const localTime = async (ms: number) =>
    (await tab.evaluate(
      `(() => { const d = new Date(${ms}); const p = (n) => String(n).padStart(2, '0'); return d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()) + 'T' + p(d.getHours()) + ':' + p(d.getMinutes()) + (d.getSeconds() ? ':' + p(d.getSeconds()) : ''); })()`,
    )) as string;

  beforeAll(async () => {
    own = await startAdminFixture({ page: true });
    // The browser's own confirm() is not the page's dialog: no keyboard focus rules, no inert page.
    admin = await openAdminPage(own, { context, problems: tabProblems, nativeDialogs: 'problem' });
    tab = admin.tab;
  });

  afterAll(async () => {
    await admin?.close();
    await own?.close();
  });

  it('asks in a dialog before deleting a webhook, saying what becomes of its queued requests, dead letters and log; Escape and Cancel delete nothing', async () => {
    orders = (await own.app.webhooks.create({ name: 'Orders', url: `${own.receiver.origin}/orders`, events: ['Umbraco.ContentPublish'] })).key;
    await queue(orders, [undefined, since - 120_000, since - 110_000]);
    expect(await own.app.management.queueCounts({ webhookKey: orders })).toEqual({ pending: 1, inFlight: 0, dead: 2 });
    await admin.go(`#token=${TOKEN}`);
    const remove = tab.getByRole('button', { name: 'Delete Orders', exact: true });
    await remove.click();

    const dialog = tab.getByRole('dialog', { name: 'Delete the webhook Orders?' });
    await dialog.waitFor();
    expect(await dialog.getByRole('paragraph').textContent()).toBe(
      `Orders (${own.receiver.origin}/orders) gets no more events. Its 1 request waiting in the queue will not be sent: each is dropped, and logged as dropped. ` +
        'Its 2 dead letters are dropped with it, each logged as dropped. Its delivery log stays readable until the retention cleanup. Deleting cannot be undone.',
    );
    expect(await dialog.getByRole('button', { name: 'Delete Orders' }).count()).toBe(1);
    await focused('Cancel');
    await tab.screenshot({ path: join(screenshots, '28-confirm-delete-webhook.png'), fullPage: true });
    await tab.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await focused('Delete Orders');

    await remove.click();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await own.app.webhooks.get(orders)).toBeDefined();
    expect(own.audits.filter((a) => a.action === 'webhook.delete')).toEqual([]);

    await remove.click();
    await dialog.getByRole('button', { name: 'Delete Orders' }).click();
    await tab.getByText('No webhooks yet').waitFor();
    // Polled from here: the page's CSP (script-src 'self') refuses the eval a polled string predicate needs.
    for (const deadline = Date.now() + 15_000; (await tab.evaluate("document.activeElement?.tagName")) !== 'MAIN' && Date.now() < deadline; ) await tab.waitForTimeout(50);
    expect(await tab.evaluate("document.activeElement?.tagName")).toBe('MAIN');
    expect(await own.app.webhooks.get(orders)).toBeUndefined();
    expect(own.audits.filter((a) => a.action === 'webhook.delete').map((a) => [a.outcome, a.target])).toEqual([['succeeded', orders]]);
    // As the dialog said: the queued request and the dead letters went with it, each in its log as dropped.
    expect((await own.app.management.deadLetters()).items.some((r) => r.webhookKey === orders)).toBe(false);
    expect(await own.app.management.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 0 });
    expect((await own.app.management.logs({ webhookKey: orders, outcomes: ['dropped'] })).total).toBe(3);

    // Deleted elsewhere while the list was open: nothing is asked, the answer says why, the row goes.
    const gone = (await own.app.webhooks.create({ name: 'Gone', url: `${own.receiver.origin}/gone`, events: ['Umbraco.ContentPublish'] })).key;
    await tab.getByRole('button', { name: 'Refresh' }).click();
    await tab.getByRole('button', { name: 'Delete Gone', exact: true }).click();
    await tab.getByRole('dialog', { name: 'Delete the webhook Gone?' }).getByRole('button', { name: 'Cancel' }).click();
    await own.app.webhooks.delete(gone);
    await tab.getByRole('button', { name: 'Delete Gone', exact: true }).click();
    // In the page's words: no route a program would call, no code.
    const said = tab.getByRole('alert');
    await said.getByText('This webhook does not exist').waitFor();
    expect(await said.textContent()).not.toMatch(/GET webhook|HOOKWORK_ERR/);
    await tab.getByText('No webhooks yet').waitFor();
    expect(await tab.getByRole('dialog').count()).toBe(0);
    // That 404 (the page reads the webhook again, to delete it only as the list showed it) was the
    // answer meant; the browser logs it as a failed load too.
    const expected = [`404 for ${own.origin}${PREFIX}/api/v1/webhook/${gone}`, 'console: Failed to load resource: the server responded with a status of 404 (Not Found)'];
    expect(tabProblems.splice(0).sort()).toEqual(expected.sort());
  });

  it('counts every dead letter dead since a time before redelivering them, past the newest 50 the page lists, and pages to the rest', async () => {
    own.receiver.handler = (_r, res) => void res.writeHead(200).end('ok');
    const bulk = (await own.app.webhooks.create({ name: 'Bulk', url: `${own.receiver.origin}/bulk`, events: ['Umbraco.ContentPublish'] })).key;
    // 5 dead before the time, 55 since: the newest 50 all died since, so they alone cannot tell 55.
    await queue(bulk, [...Array.from({ length: 5 }, (_, i) => since - 60_000 + i), ...Array.from({ length: 55 }, (_, i) => since + 1_000 + i * 10)]);
    await admin.go(`#/dead-letters`);
    expect(await settledCount(tab.locator('table.dead tbody tr'), 50)).toBe(50);
    await tab.getByLabel('Dead since', { exact: true }).fill(await localTime(since));
    await tab.getByRole('button', { name: 'Redeliver since' }).click();
    const ofEvery = tab.getByRole('dialog', { name: /^Redeliver the dead letters of every webhook dead since \S.*\?$/ });
    await ofEvery.waitFor();
    expect(await ofEvery.getByRole('paragraph').textContent()).toMatch(/^55 requests will be sent again to their receivers: put back in the queue, due now, with the retry count reset\. Those dead before \S.* stay, as do those that arrive after this count\.$/);
    expect(await ofEvery.getByRole('button', { name: 'Redeliver 55 requests' }).count()).toBe(1);
    await ofEvery.getByRole('button', { name: 'Cancel' }).click();
    await ofEvery.waitFor({ state: 'hidden' });
    // Past the newest 50, the rest are a page away, the oldest last (Bulk's: Orders' went with it).
    const all = (await own.app.management.deadLetters({ limit: 1 })).total;
    await tab.locator('nav.pager span').filter({ hasText: `Page 1, ${all} in all` }).waitFor();
    await tab.getByRole('button', { name: 'Next' }).click();
    await tab.locator('nav.pager span').filter({ hasText: `Page 2, ${all} in all` }).waitFor();
    expect(tab.url()).toMatch(/#\/dead-letters\?after=[\w-]+&page=2$/);
    expect(await settledCount(tab.locator('table.dead tbody tr'), all - 50)).toBe(all - 50);
    expect(await tab.locator('table.dead tbody tr').last().locator('td[data-label="Webhook"]').textContent()).toBe('Bulk');

    await admin.go(`#/dead-letters?webhookKey=${encodeURIComponent(bulk)}`);
    await tab.getByRole('heading', { name: 'Dead letters of Bulk' }).waitFor();
    // West of Greenwich the field's last time is past the last time a JavaScript date holds: said in words, nothing sent.
    const cdp = await context.newCDPSession(tab);
    await cdp.send('Emulation.setTimezoneOverride', { timezoneId: 'America/New_York' });
    await tab.getByLabel('Dead since', { exact: true }).fill('275760-09-13T00:00');
    await tab.getByRole('button', { name: 'Redeliver since' }).click();
    expect(await tab.getByRole('alert').textContent()).toMatch(/275760-09-13 00:00 is past the last time this page can count from \(September 275760\); type an earlier time\. Nothing was sent\./);
    expect(await tab.getByRole('dialog').count()).toBe(0);
    await cdp.send('Emulation.setTimezoneOverride', { timezoneId: '' });
    await cdp.detach();
    await tab.getByLabel('Dead since', { exact: true }).fill(await localTime(since));
    await tab.getByRole('button', { name: 'Redeliver since' }).click();
    const ofBulk = tab.getByRole('dialog', { name: /^Redeliver the dead letters of Bulk dead since \S.*\?$/ });
    await ofBulk.getByRole('button', { name: 'Redeliver 55 requests' }).click();
    await tab.getByRole('status').getByText('55 requests put back in the queue').waitFor();
    await own.app.drain();
    expect(own.audits.filter((a) => a.action === 'deadLetters.redeliver').map((a) => a.details?.redelivered)).toEqual([55]);
    expect((await own.app.management.deadLetters({ webhookKey: bulk })).total).toBe(5);
    expect(own.receiver.requests.filter((r) => r.path === '/bulk').length).toBe(55);
  });

  it('offers every webhook in the log\'s filter, names every dead letter\'s webhook and walks the list by cursor to the last webhook, with more than 1,000 webhooks', async () => {
    const repository = resolveToken(own.app.container, WebhookRepositoryToken);
    const now = new Date();
    for (let i = 1; i <= 1_100; i++) {
      const n = String(i).padStart(4, '0');
      await repository.create({ key: `hook-${n}`, name: `Hook ${n}`, url: `${own.receiver.origin}/hooks`, events: ['Umbraco.ContentPublish'], contentTypeKeys: [], headers: {}, sensitiveHeaders: [], enabled: true, secrets: [], createdAt: now, updatedAt: now });
    }
    const { total } = await own.app.webhooks.list({ limit: 1 });
    expect(total).toBeGreaterThan(1_100);
    await queue('hook-1100', [Date.now()]);

    await admin.go('#/deliveries');
    const filter = tab.locator('select[name="webhookKey"]');
    await filter.locator('option', { hasText: 'Hook 1100' }).waitFor({ state: 'attached' });
    expect(await filter.locator('option').count()).toBe(1 + total);
    await filter.selectOption({ label: 'Hook 1100' });
    await tab.getByRole('heading', { name: 'Deliveries of Hook 1100' }).waitFor();
    expect(tab.url()).toContain('webhookKey=hook-1100');

    await admin.go('#/dead-letters');
    await tab.locator('table.dead tbody tr').first().locator('td[data-label="Webhook"]').getByText('Hook 1100').waitFor();

    // The list of webhooks walks them all by cursor, 100 a page, the position in the address.
    const pager = tab.getByRole('navigation', { name: 'Pages' });
    const next = pager.getByRole('button', { name: 'Next' });
    const shownKeys = async () => (await tab.locator('table.webhooks tbody td[data-label="Name"] a').evaluateAll((links) => links.map((a) => a.getAttribute('href')))).map((href) => decodeURIComponent(href!.replace('#/webhooks/', '').replace(/\?.*$/, '')));
    const onPage = async (page: number) => {
      await pager.locator('.page-label').filter({ hasText: new RegExp(`^Page ${page}, ${total.toLocaleString(BROWSER_LOCALE)} in all$`) }).waitFor();
      const rows = Math.min(100, total - (page - 1) * 100);
      expect(await settledCount(tab.locator('table.webhooks tbody tr'), rows)).toBe(rows);
      return shownKeys();
    };
    await admin.go('#/webhooks');
    const pages = Math.ceil(total / 100);
    const walked = await onPage(1);
    const firstPage = [...walked];
    for (let page = 2; page <= pages; page++) {
      await next.click();
      walked.push(...(await onPage(page)));
      expect(new URLSearchParams(new URL(tab.url()).hash.split('?')[1]).get('page')).toBe(String(page));
    }
    expect(walked).toHaveLength(total);
    expect(new Set(walked).size).toBe(total);
    expect(walked.at(-1)).toBe('hook-1100');
    expect(await next.getAttribute('aria-disabled')).toBe('true');
    // Back by Previous, and by the browser's back.
    await pager.getByRole('button', { name: 'Previous' }).click();
    expect(await onPage(pages - 1)).toEqual(walked.slice((pages - 2) * 100, (pages - 1) * 100));
    await tab.goBack();
    expect(await onPage(pages)).toEqual(walked.slice((pages - 1) * 100));

    // A link of before, paged by skip, opens the first page; Next from there goes on by cursor.
    await admin.go('#/webhooks?skip=1000');
    expect(await onPage(1)).toEqual(firstPage);
    await next.click();
    expect(await onPage(2)).toEqual(walked.slice(100, 200));
    expect(tab.url()).not.toContain('skip=');
  });

  it('offers every webhook in the log\'s filter when one is deleted while its pages are read: the second page goes on after the first page\'s last', async () => {
    const before = await own.app.webhooks.list({ limit: 1000 });
    expect(before.next).toBeDefined();
    // The first webhook of the second page: read by skip=1000 after a deletion on the first page, it was never offered.
    const firstOfSecond = (await own.app.webhooks.list({ after: before.next! })).items[0]!;
    let deleted: string | undefined;
    const pagesOfAll = (url: URL) => url.pathname.endsWith('/webhook') && url.searchParams.get('take') === '1000';
    // The real answer of the first page's request, passed on once a webhook of that page is deleted (through the app, between the two requests).
    await tab.route(
      pagesOfAll,
      async (route) => {
        const response = await route.fetch();
        if (deleted === undefined) {
          deleted = before.items[0]!.key;
          expect(await own.app.webhooks.delete(deleted)).toBe(true);
        }
        await route.fulfill({ response });
      },
    );
    try {
      await admin.go('#/deliveries');
      const filter = tab.locator('select[name="webhookKey"]');
      await filter.locator('option', { hasText: 'Hook 1100' }).waitFor({ state: 'attached' });
      expect(deleted).toBe(before.items[0]!.key);
      const offered = await filter.locator('option').evaluateAll((options) => options.map((o) => o.getAttribute('value') ?? ''));
      expect(offered).toContain(firstOfSecond.key);
      expect(offered).toHaveLength(1 + before.total);
      expect(new Set(offered).size).toBe(offered.length);
    } finally {
      await tab.unroute(pagesOfAll);
    }
  });

  it('ran without script errors, native dialogs or refused calls', () => {
    expect(tabProblems).toEqual([]);
  });
});

describe('the admin page when an action on a row is refused, or an answer comes late', () => {
  let own: AdminFixture;
  let admin: AdminPage;
  let tab: Page;
  const tabProblems: string[] = [];
  /** What the server answers for a fault: problem details, as the admin's error handler writes them. */
  const fault = {
    status: 500,
    contentType: 'application/problem+json',
    body: JSON.stringify({
      type: 'urn:hookwork:error:HOOKWORK_ERR_ADMIN_INTERNAL',
      title: 'The admin API failed on something that is not a coded hookwork error; the server log has the cause.',
      status: 500,
      detail: 'HOOKWORK_ERR_ADMIN_INTERNAL: the admin API failed; the server log has the cause',
      instance: '/admin/api/v1/webhook',
      code: 'HOOKWORK_ERR_ADMIN_INTERNAL',
    }),
  };

  beforeAll(async () => {
    own = await startAdminFixture({ page: true });
    admin = await openAdminPage(own, { context, problems: tabProblems });
    tab = admin.tab;
  });

  afterAll(async () => {
    await admin?.close();
    await own?.close();
  });

  it('says why the Enabled switch did not change a webhook, and shows the switch as the webhook still is', async () => {
    await own.app.webhooks.create({ key: 'billing', name: 'Billing', url: `${own.receiver.origin}/billing`, events: ['Umbraco.ContentPublish'] });
    await own.app.webhooks.create({ key: 'gone-meanwhile', name: 'Gone meanwhile', url: `${own.receiver.origin}/gone`, events: ['Umbraco.ContentPublish'] });
    await admin.go(`#token=${TOKEN}`);
    const billing = tab.getByRole('checkbox', { name: 'Enabled: Billing' });
    await billing.waitFor();

    // The server fails the change: the switch goes back to on, and the page says the change was not made.
    await tab.route('**/api/v1/webhook/billing', (route) => (route.request().method() === 'PATCH' ? route.fulfill(fault) : route.fallback()));
    // With the keyboard, as the switch is a native checkbox.
    await billing.focus();
    await tab.keyboard.press('Space');
    await until(tab, `document.querySelector('input[type=checkbox]')?.checked === true && [...document.querySelectorAll('[role=alert]')].some((a) => a.textContent.includes('The server failed on this request'))`);
    expect((await own.app.webhooks.get('billing'))?.enabled).toBe(true);
    await tab.unroute('**/api/v1/webhook/billing');

    // Deleted elsewhere while the list was open: switching it off says so, and its row goes.
    await own.app.webhooks.delete('gone-meanwhile');
    await tab.getByRole('checkbox', { name: 'Enabled: Gone meanwhile' }).focus();
    await tab.keyboard.press('Space');
    await until(tab, `!document.body.textContent.includes('Gone meanwhile')`);
    await tab.getByRole('alert').filter({ hasText: 'This webhook does not exist' }).waitFor({ timeout: 10_000 });
  });

  it('deletes or switches a webhook only as the list read it: one renamed or changed elsewhere since is left alone, said in words, and the list read again', async () => {
    await own.app.webhooks.create({ key: 'listed', name: 'Listed', url: `${own.receiver.origin}/listed`, events: ['Umbraco.ContentPublish'] });
    await admin.go(`#token=${TOKEN}`);
    await tab.getByRole('button', { name: 'Delete Listed', exact: true }).waitFor();
    const changed = tab.getByRole('alert').filter({ hasText: 'this webhook was changed since the list was read' });

    // Renamed elsewhere after the list was read: Delete asks nothing about a webhook the row misnames.
    await own.app.webhooks.update('listed', { name: 'Renamed' });
    await tab.getByRole('button', { name: 'Delete Listed', exact: true }).click();
    await changed.waitFor();
    expect(await changed.textContent()).toMatch(/Not deleted: .*nothing was changed\. The list is read again/s);
    expect(await tab.getByRole('dialog').count()).toBe(0);
    await tab.getByRole('button', { name: 'Delete Renamed', exact: true }).waitFor();

    // Changed elsewhere while the dialog names it: the delete is refused (412), not made.
    await tab.getByRole('button', { name: 'Delete Renamed', exact: true }).click();
    const dialog = tab.getByRole('dialog', { name: 'Delete the webhook Renamed?' });
    await dialog.waitFor();
    await own.app.webhooks.update('listed', { url: `${own.receiver.origin}/elsewhere` });
    await dialog.getByRole('button', { name: 'Delete Renamed' }).click();
    await changed.waitFor();
    expect(await own.app.webhooks.get('listed')).toMatchObject({ name: 'Renamed', url: `${own.receiver.origin}/elsewhere` });
    await tab.getByText(`${own.receiver.origin}/elsewhere`).waitFor();

    // Changed elsewhere again: switching it off from the stale row is refused, not made over that change.
    await own.app.webhooks.update('listed', { name: 'Switched elsewhere' });
    await tab.getByRole('checkbox', { name: 'Enabled: Renamed' }).focus();
    await tab.keyboard.press('Space');
    await tab.getByRole('alert').filter({ hasText: 'Not switched on or off: this webhook was changed since the list was read' }).waitFor();
    expect((await own.app.webhooks.get('listed'))?.enabled).toBe(true);
    await tab.getByRole('checkbox', { name: 'Enabled: Switched elsewhere' }).waitFor();
  });

  it('keeps the log of the filter the select shows when an answer for an earlier choice comes last (arrow keys through the Outcome select)', async () => {
    await own.app.webhooks.create({ key: 'feed', name: 'Feed', url: `${own.receiver.origin}/feed`, events: ['Umbraco.ContentUnpublish'] });
    const unpublish = async (key: string) => {
      await own.app.publish(new ContentUnpublishedNotification({ unpublishedEntities: [blogPost(key)] }));
      await own.app.drain();
    };
    own.receiver.handler = (_r, res) => void res.writeHead(200).end('ok');
    await unpublish('feed-1');
    await unpublish('feed-2');
    own.receiver.handler = (_r, res) => void res.writeHead(500).end('down');
    await unpublish('feed-3');
    own.receiver.handler = (_r, res) => void res.writeHead(200).end('ok');
    expect((await own.app.management.logs({ webhookKey: 'feed', outcomes: ['retrying'] })).total).toBe(1);

    await admin.go(`#token=${TOKEN}`);
    await tab.getByRole('heading', { name: 'Webhooks' }).waitFor();
    await admin.go('#/deliveries?webhookKey=feed');
    const outcomes = () => tab.evaluate(`[...document.querySelectorAll('table.deliveries tbody [data-label="Outcome"]')].map((cell) => cell.textContent.trim()).join(',')`);
    await until(tab, `document.querySelectorAll('table.deliveries tbody tr').length === 4`);

    // The answer for "delivered" is held back (a slow query), and comes after the one for "retrying".
    let held: Request | undefined;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const slow = (url: URL) => url.pathname.endsWith('/webhook/feed/logs') && url.searchParams.get('outcome') === 'delivered';
    await tab.route(
      slow,
      async (route) => {
        held = route.request();
        await released;
        await route.continue();
      },
    );
    const select = tab.getByLabel('Outcome');
    await select.focus();
    await tab.keyboard.press('ArrowDown');
    for (const deadline = Date.now() + 15_000; !held && Date.now() < deadline; ) await tab.waitForTimeout(50);
    expect(held).toBeDefined();
    await tab.keyboard.press('ArrowDown');
    expect(await select.inputValue()).toBe('retrying');
    await until(tab, `[...document.querySelectorAll('table.deliveries tbody [data-label="Outcome"]')].map((cell) => cell.textContent.trim()).join(',') === 'retrying'`);

    release();
    await (await held!.response())!.finished();
    // Frame after frame once the late answer is in: the log stays the one the select names.
    for (let frame = 0; frame < 10; frame++) {
      await tab.evaluate('new Promise((resolve) => requestAnimationFrame(() => resolve(true)))');
      expect(await outcomes()).toBe('retrying');
    }
    expect(await select.inputValue()).toBe('retrying');
    await tab.unroute(slow);
  });

  it('says a dead letter another operator redelivered meanwhile was not redelivered again, after its row goes', async () => {
    own.receiver.handler = (_r, res) => void res.writeHead(500).end('down');
    await own.app.webhooks.create({ key: 'ledger', name: 'Ledger', url: `${own.receiver.origin}/ledger`, events: ['Umbraco.ContentPublish'] });
    await own.app.publish(new ContentPublishedNotification({ publishedEntities: [blogPost('ledger-page')] }));
    await own.app.drain();
    const [dead] = (await own.app.management.deadLetters({ webhookKey: 'ledger' })).items;
    // Held back, so what is put back waits in the queue.
    own.app.updateSettings({ enabled: false });
    try {
      await admin.go(`#token=${TOKEN}`);
      await tab.getByRole('link', { name: 'Dead letters' }).click();
      const redeliver = tab.getByRole('button', { name: /^Redeliver the request to Ledger/ });
      await redeliver.waitFor();
      // Another operator puts it back first.
      expect((await own.app.redeliver({ ids: [dead!.id] })).redelivered).toBe(1);
      await redeliver.focus();
      await tab.keyboard.press('Enter');
      await redeliver.waitFor({ state: 'detached' });
      await tab.getByRole('alert').filter({ hasText: 'Not redelivered: it is already back in the queue' }).waitFor({ timeout: 10_000 });
      expect(await tab.getByRole('status').textContent()).toBe('');
    } finally {
      own.app.updateSettings({ enabled: true });
      own.receiver.handler = (_r, res) => void res.writeHead(200).end('ok');
    }
  });

  it('says in words when a save is refused for its size (by the API or a proxy) or the server fails on it, keeping what was typed', async () => {
    await admin.go(`#token=${TOKEN}`);
    await tab.getByRole('heading', { name: 'Webhooks' }).waitFor();
    await admin.go('#/webhooks/new');
    await tab.getByLabel('URL').fill(`${own.receiver.origin}/big`);
    await tab.getByLabel('Name').fill('Too big');
    await tab.getByRole('group', { name: 'Content', exact: true }).getByLabel(/Content Published/).check();
    // Pasted: 6,000 content-type keys, over a megabyte, more than the API reads in one request.
    await tab.evaluate(`(() => { const t = document.querySelector('#content-types'); t.value = Array.from({ length: 6000 }, (_, i) => 'type-' + i + '-' + 'k'.repeat(190)).join('\\n'); t.dispatchEvent(new Event('input', { bubbles: true })); })()`);
    const create = tab.getByRole('button', { name: 'Create' });
    const alert = tab.getByRole('alert');
    await create.click();
    await alert.filter({ hasText: 'Not sent: this is more than the server takes in one request' }).waitFor();
    expect(await alert.textContent()).not.toMatch(/bodyLimit|Fastify|\(body\)|OpenAPI/);
    expect(await tab.getByLabel('URL').inputValue()).toBe(`${own.receiver.origin}/big`);
    expect((await tab.locator('#content-types').inputValue()).split('\n')).toHaveLength(6000);

    // A proxy in front of the API refuses it for its size: not "wait a moment", which would not help.
    await tab.locator('#content-types').fill('blogPost');
    const api = `${own.origin}${PREFIX}/api/v1/webhook`;
    await tab.route(api, (route) => route.fulfill({ status: 413, contentType: 'text/html', body: '<html><body><h1>413 Request Entity Too Large</h1><hr>nginx</body></html>' }));
    await create.click();
    await alert.filter({ hasText: 'refused the request for its size' }).waitFor();
    expect(await alert.textContent()).not.toMatch(/restarting|Wait a moment/);
    await tab.unroute(api);

    // The server fails on it: said without the API's talk of coded errors.
    await tab.route(api, (route) => route.fulfill(fault));
    await create.click();
    await alert.filter({ hasText: 'The server failed on this request' }).waitFor();
    expect(await alert.textContent()).not.toMatch(/coded hookwork error/);
    expect(await tab.getByLabel('Name').inputValue()).toBe('Too big');
    await tab.unroute(api);
    expect((await own.app.webhooks.list()).items.map((w) => w.name)).not.toContain('Too big');

    await create.click();
    await tab.locator('code.secret').waitFor();
    expect((await own.app.webhooks.list()).items.map((w) => w.name)).toContain('Too big');
  });

  it('reads a view again once signed in again when the token was refused as it opened: an edit route never becomes an empty create form', async () => {
    await own.app.webhooks.create({ key: 'orders-api', name: 'Orders API', url: `${own.receiver.origin}/orders-api`, events: ['Umbraco.ContentPublish'] });
    await admin.go(`#token=${TOKEN}`);
    const edit = tab.getByRole('link', { name: 'Edit Orders API' });
    await edit.waitFor();
    // The token stops being accepted (rotated, the server restarted with another) before Edit is followed.
    await tab.evaluate("sessionStorage.setItem('hookwork-admin-token', 'a-token-the-server-no-longer-accepts')");
    await edit.click();
    await tab.getByRole('heading', { name: 'Sign in again' }).waitFor();
    await tab.keyboard.type(TOKEN);
    await tab.keyboard.press('Enter');
    await tab.getByRole('heading', { name: 'Edit Orders API' }).waitFor();
    expect(await tab.getByLabel('URL').inputValue()).toBe(`${own.receiver.origin}/orders-api`);
    expect(await tab.getByRole('heading', { name: 'Create webhook' }).count()).toBe(0);

    // So does a list: the log is read again, not left blank.
    await tab.evaluate("sessionStorage.setItem('hookwork-admin-token', 'a-token-the-server-no-longer-accepts')");
    await tab.getByRole('link', { name: 'Dead letters' }).click();
    await tab.getByRole('heading', { name: 'Sign in again' }).waitFor();
    await tab.keyboard.type(TOKEN);
    await tab.keyboard.press('Enter');
    await tab.getByRole('button', { name: /^Redeliver all \(\d+\)$/ }).waitFor();
  });

  it('shows no form on an edit route whose webhook could not be read, but what happened and Try again: never an empty form that creates a webhook', async () => {
    await own.app.webhooks.create({ key: 'invoices', name: 'Invoices', url: `${own.receiver.origin}/invoices`, events: ['Umbraco.ContentPublish'] });
    await admin.go(`#token=${TOKEN}`);
    await tab.getByRole('heading', { name: 'Webhooks' }).waitFor();
    const read = `${own.origin}${PREFIX}/api/v1/webhook/invoices`;
    await tab.route(read, (route) => route.fulfill(fault));
    await admin.go('#/webhooks/invoices');
    await tab.getByRole('alert').filter({ hasText: 'The server failed on this request' }).waitFor();
    expect(await tab.getByRole('heading', { name: 'Create webhook' }).count()).toBe(0);
    expect(await tab.getByRole('button', { name: 'Create' }).count()).toBe(0);
    expect(await tab.getByLabel('URL').count()).toBe(0);
    await tab.unroute(read);
    await tab.getByRole('button', { name: 'Try again' }).click();
    await tab.getByRole('heading', { name: 'Edit Invoices' }).waitFor();
    expect(await tab.getByLabel('URL').inputValue()).toBe(`${own.receiver.origin}/invoices`);
    expect(await tab.evaluate('document.activeElement?.id')).toBe('url');
  });

  it("says a host's refusal of an operator who lost the right to manage webhooks (403) as such, not as a refusal of a file Range", async () => {
    // The host's sign-in: a role in a cookie; an operator without the role is refused with its
    // framework's 403 (an http-errors error, as @fastify/sensible's httpErrors.forbidden() makes).
    const roles = await startAdminFixture({
      page: true,
      auth: {
        authenticate: (request) => {
          const role = /(?:^|; )hw-role=(\w+)/.exec(request.headers.cookie ?? '')?.[1];
          if (role === 'viewer') throw Object.assign(new Error('bob may not manage webhooks'), { statusCode: 403, status: 403, expose: true });
          return role === 'admin' ? { id: 'bob', name: 'Bob' } : undefined;
        },
      },
    });
    const cookie = (value: string) => context.addCookies([{ name: 'hw-role', value, url: roles.origin }]);
    try {
      await cookie('admin');
      await tab.goto(`${roles.origin}${PREFIX}/`);
      await tab.getByRole('heading', { name: 'Webhooks' }).waitFor();
      await cookie('viewer');
      await tab.getByRole('button', { name: 'Refresh' }).click();
      const alert = tab.getByRole('alert').filter({ hasText: 'Not allowed' });
      await alert.waitFor();
      expect(await alert.textContent()).toMatch(/The server answered 403 Forbidden: bob may not manage webhooks; nothing was changed\..*ask whoever runs the application/s);
      expect(await alert.textContent()).not.toMatch(/Range|Fastify|plugin/);
    } finally {
      await context.clearCookies({ name: 'hw-role' });
      await roles.close();
    }
  });

  it('asks before back or a reload throws away a form kept under the sign-in form when the token stopped working', async () => {
    await admin.go(`#token=${TOKEN}`);
    await tab.getByRole('link', { name: 'Create webhook' }).click();
    await tab.getByLabel('URL').click();
    await tab.keyboard.type(`${own.receiver.origin}/kept`);
    await tab.getByLabel('Name').click();
    await tab.keyboard.type('Kept under the sign-in form');
    await tab.getByRole('group', { name: 'Content', exact: true }).getByLabel(/Content Published/).check();
    await tab.evaluate("sessionStorage.setItem('hookwork-admin-token', 'a-token-the-server-no-longer-accepts')");
    await tab.getByRole('button', { name: 'Create' }).click();
    await tab.getByRole('heading', { name: 'Sign in again' }).waitFor();

    // Back, to look at something else first: the page asks, and Stay keeps the form.
    await tab.goBack();
    const leave = tab.getByRole('dialog', { name: 'Leave without saving?' });
    await leave.waitFor();
    await leave.getByRole('button', { name: 'Stay' }).click();
    expect(tab.url()).toMatch(/#\/webhooks\/new$/);

    // A reload, to sign in afresh: the browser asks first, as it does over any unsaved form.
    const asked: string[] = [];
    const answer = (dialog: { type(): string; accept(): Promise<void> }) => void (asked.push(dialog.type()), dialog.accept());
    tab.on('dialog', answer);
    try {
      await tab.reload();
      expect(asked).toEqual(['beforeunload']);
    } finally {
      tab.off('dialog', answer);
    }
  });

  it('says a secret another operator revoked first is gone, shows the secrets as they are, and keeps the typed change savable', async () => {
    await own.app.webhooks.create({ key: 'two-secrets', name: 'Two secrets', url: `${own.receiver.origin}/two`, events: ['Umbraco.ContentPublish'], secret: true });
    await own.app.webhooks.rotateSecret('two-secrets');
    const [first] = (await own.app.webhooks.get('two-secrets'))!.secrets;
    await admin.go(`#token=${TOKEN}`);
    await tab.getByRole('heading', { name: 'Webhooks' }).waitFor();
    await admin.go('#/webhooks/two-secrets');
    await tab.getByRole('heading', { name: 'Edit Two secrets' }).waitFor();
    await tab.getByLabel('Name').fill('Two secrets, renamed');

    // Another operator revokes it first.
    await own.app.webhooks.revokeSecret('two-secrets', first!.id);
    await tab.getByRole('button', { name: `Revoke the secret ${first!.hint}` }).click();
    await tab.getByRole('dialog', { name: `Revoke the secret ${first!.hint}?` }).getByRole('button', { name: `Revoke ${first!.hint}` }).click();
    await tab.getByRole('status').filter({ hasText: `Secret ${first!.hint} was already revoked` }).waitFor();
    expect(await tab.getByRole('button', { name: `Revoke the secret ${first!.hint}` }).count()).toBe(0);
    expect(await tab.locator('fieldset.secrets li').count()).toBe(1);
    expect(await tab.getByRole('alert').count()).toBe(0);
    expect(await tab.getByLabel('Name').inputValue()).toBe('Two secrets, renamed');

    // Only the secrets changed elsewhere: the typed change is saved, not refused as changed elsewhere.
    await tab.getByRole('button', { name: 'Save' }).click();
    await tab.getByRole('link', { name: 'Two secrets, renamed', exact: true }).waitFor();
    expect((await own.app.webhooks.get('two-secrets'))?.name).toBe('Two secrets, renamed');
  });

  it('says a test send was not made for an event the webhook stopped subscribing to meanwhile, and offers its events as they are', async () => {
    await own.app.webhooks.create({ key: 'two-events', name: 'Two events', url: `${own.receiver.origin}/two-events`, events: ['Umbraco.ContentPublish', 'Umbraco.MediaSave'] });
    await admin.go(`#token=${TOKEN}`);
    await tab.getByRole('heading', { name: 'Webhooks' }).waitFor();
    await admin.go('#/webhooks/two-events/test');
    const event = tab.getByLabel('Event');
    await event.selectOption('Umbraco.MediaSave');
    // Another operator takes the event off the webhook.
    await own.app.webhooks.update('two-events', { events: ['Umbraco.ContentPublish'] });
    await tab.getByRole('button', { name: 'Send test event' }).click();
    const alert = tab.getByRole('alert').filter({ hasText: 'Not sent: this webhook no longer subscribes to Umbraco.MediaSave' });
    await alert.waitFor();
    expect(await alert.textContent()).not.toMatch(/sendTestEvent|\{ alias \}|omit it/);
    await until(tab, `[...document.querySelectorAll('select[name=alias] option')].map((o) => o.value).join() === 'Umbraco.ContentPublish'`);
    await tab.getByRole('button', { name: 'Send test event' }).click();
    await tab.getByRole('status').filter({ hasText: 'The receiver answered 200' }).waitFor();
    expect(await tab.getByRole('alert').count()).toBe(0);
  });

  it("names each custom header row's controls after their row and header, so a screen reader does not hear \"Header value, Sensitive, Remove\" for every row", async () => {
    await admin.go(`#token=${TOKEN}`);
    await tab.getByRole('heading', { name: 'Webhooks' }).waitFor();
    await admin.go('#/webhooks/new');
    const add = tab.getByRole('button', { name: 'Add header' });
    await add.click();
    await add.click();
    await tab.getByRole('textbox', { name: 'Header name, row 1', exact: true }).fill('X-Api-Key');
    const names = (await tab.evaluate(
      `[...document.querySelectorAll('fieldset.headers .header-row input, fieldset.headers .header-row button')].map((el) => (el.labels?.length ? [...el.labels].map((l) => l.textContent).join(' ') : el.textContent).replace(/\\s+/g, ' ').trim())`,
    )) as string[];
    expect(names).toHaveLength(8);
    expect(new Set(names).size).toBe(8);
    for (const name of ['Header value, row 1 (X-Api-Key)', 'Header name, row 2', 'Header value, row 2']) await tab.getByRole('textbox', { name, exact: true }).waitFor();
    await tab.getByRole('checkbox', { name: 'Sensitive — header row 1 (X-Api-Key)', exact: true }).check();
    await tab.getByRole('button', { name: 'Remove header row 2', exact: true }).click();
    expect(await tab.locator('fieldset.headers .header-row').count()).toBe(1);
    expect(await tab.getByRole('textbox', { name: 'Header value, row 1 (X-Api-Key)', exact: true }).getAttribute('type')).toBe('password');
    // The form as it was opened again: nothing left to ask about when the next test goes elsewhere.
    await tab.getByRole('button', { name: 'Remove header row 1 (X-Api-Key)', exact: true }).click();
    expect(await tab.locator('fieldset.headers .header-row').count()).toBe(0);
  });

  it('says a save the server did not answer may or may not have been made, and what Save again will say, with no Refresh the editor does not have', async () => {
    await own.app.webhooks.create({ key: 'unanswered', name: 'Unanswered', url: `${own.receiver.origin}/unanswered`, events: ['Umbraco.ContentPublish'] });
    await admin.go(`#token=${TOKEN}`);
    await tab.getByRole('heading', { name: 'Webhooks' }).waitFor();
    await admin.go('#/webhooks/unanswered');
    await tab.getByRole('heading', { name: 'Edit Unanswered' }).waitFor();
    await tab.getByLabel('Name').fill('Unanswered, renamed');
    const write = `${own.origin}${PREFIX}/api/v1/webhook/unanswered`;
    await tab.route(write, (route) => (route.request().method() === 'PATCH' ? route.abort('connectionreset') : route.fallback()));
    await tab.getByRole('button', { name: 'Save' }).click();
    const alert = tab.getByRole('alert').filter({ hasText: 'The admin server did not answer' });
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/may or may not have been saved.*Save again/s);
    expect(await alert.textContent()).not.toMatch(/Refresh/);
    expect(await tab.getByLabel('Name').inputValue()).toBe('Unanswered, renamed');
    await tab.unroute(write);
    await tab.getByRole('button', { name: 'Save' }).click();
    await tab.getByRole('link', { name: 'Unanswered, renamed', exact: true }).waitFor();
  });

  it('says a rotation or revocation the server did not answer may or may not have been made, and what pressing it again does, with no Refresh the editor does not have', async () => {
    await own.app.webhooks.create({ key: 'unanswered-secret', name: 'Unanswered secret', url: `${own.receiver.origin}/unanswered-secret`, events: ['Umbraco.ContentPublish'], secret: true });
    const [first] = (await own.app.webhooks.get('unanswered-secret'))!.secrets;
    await admin.go(`#token=${TOKEN}`);
    await tab.getByRole('heading', { name: 'Webhooks' }).waitFor();
    await admin.go('#/webhooks/unanswered-secret');
    await tab.getByRole('heading', { name: 'Edit Unanswered secret' }).waitFor();
    await tab.getByLabel('Name').fill('Unanswered secret, renamed');

    const rotate = `${own.origin}${PREFIX}/api/v1/webhook/unanswered-secret/secret/rotate`;
    await tab.route(rotate, (route) => route.abort('connectionreset'));
    await tab.getByRole('button', { name: 'Rotate secret' }).click();
    const rotation = tab.getByRole('alert').filter({ hasText: 'a new secret may or may not have been made' });
    await rotation.waitFor();
    expect(await rotation.textContent()).toMatch(/press Rotate secret again/);
    expect(await rotation.textContent()).not.toMatch(/Refresh/);
    await tab.unroute(rotate);

    const revoke = `${own.origin}${PREFIX}/api/v1/webhook/unanswered-secret/secret/${first!.id}`;
    await tab.route(revoke, (route) => route.abort('connectionreset'));
    await tab.getByRole('button', { name: `Revoke the secret ${first!.hint}` }).click();
    await tab.getByRole('dialog', { name: `Revoke the secret ${first!.hint}?` }).getByRole('button', { name: `Revoke ${first!.hint}` }).click();
    const revocation = tab.getByRole('alert').filter({ hasText: `the secret ${first!.hint} may or may not have been revoked` });
    await revocation.waitFor();
    expect(await revocation.textContent()).toMatch(/revoke it again/);
    expect(await revocation.textContent()).not.toMatch(/Refresh/);
    await tab.unroute(revoke);
    expect(await tab.getByLabel('Name').inputValue()).toBe('Unanswered secret, renamed');
    // As said: revoked again once the server answers.
    await tab.getByRole('button', { name: `Revoke the secret ${first!.hint}` }).click();
    await tab.getByRole('dialog', { name: `Revoke the secret ${first!.hint}?` }).getByRole('button', { name: `Revoke ${first!.hint}` }).click();
    await tab.getByRole('status').filter({ hasText: `Secret ${first!.hint} revoked.` }).waitFor();
    // The form as it was opened: nothing left to ask about when the next test goes elsewhere.
    await tab.getByLabel('Name').fill('Unanswered secret');
  });
});

/**
 * "Redeliver all" counts, asks, then sent `{ all: true }`: a dead letter that died while the
 * question was open went with it, more than the user confirmed. The redelivery is now bounded by
 * the count (`deadUntil`: the newest dead time counted). Its own app and tab.
 */
describe('the admin page, a dead letter arriving while "Redeliver all" asks', () => {
  let own: AdminFixture;
  let admin: AdminPage;
  let tab: Page;
  const tabProblems: string[] = [];
  const deadIds = async () => (await own.app.management.deadLetters({ limit: 100 })).items.map((d) => (JSON.parse(d.body) as { id: string }).id);

  beforeAll(async () => {
    own = await startAdminFixture({ page: true });
    admin = await openAdminPage(own, { context, problems: tabProblems });
    tab = admin.tab;
  });
  afterAll(async () => {
    await admin?.close();
    await own?.close();
  });

  it.each([
    ['every webhook', (_key: string): string => '#/dead-letters', 'Redeliver all dead letters of every webhook?', 'all'],
    ["one webhook's", (key: string): string => `#/dead-letters?webhookKey=${encodeURIComponent(key)}`, 'Redeliver all dead letters of Arrivals?', 'all of this webhook'],
  ] as const)('redelivers (%s) only the dead letters it counted and asked about; one that died meanwhile stays dead', async (_title, route, question, what) => {
    own.receiver.handler = (_r, res) => void res.writeHead(500).end('down');
    const { key } = await own.app.webhooks.create({ name: 'Arrivals', url: `${own.receiver.origin}/arrivals`, events: ['Umbraco.ContentPublish'] });
    for (const id of ['counted-1', 'counted-2']) await publish(own.app, id);
    await own.app.drain();
    await admin.go(`#token=${TOKEN}`);
    await admin.go(route(key));
    expect(await settledCount(tab.locator('table.dead tbody tr'), 2)).toBe(2);

    await tab.getByRole('button', { name: 'Redeliver all (2)' }).click();
    const dialog = tab.getByRole('dialog', { name: question });
    await dialog.waitFor();
    expect(await dialog.textContent()).toMatch(/2 requests.* will be sent again to .*Dead letters that arrive after this count stay as they are\./);

    // While the question is open, another dead letter arrives (a millisecond later at least).
    await new Promise((resolve) => setTimeout(resolve, 5));
    await publish(own.app, 'died-while-asking');
    await own.app.drain();
    expect((await own.app.management.deadLetters()).total).toBe(3);

    own.receiver.handler = (_r, res) => void res.writeHead(200).end('ok');
    const sentBefore = own.receiver.requests.length;
    await dialog.getByRole('button', { name: 'Redeliver 2 requests' }).click();
    await tab.getByRole('status').getByText(`2 requests put back in the queue (${what}).`).waitFor();
    await own.app.drain();
    const sent = own.receiver.requests.slice(sentBefore).map((r) => (JSON.parse(r.text) as { id: string }).id);
    expect(sent.sort()).toEqual(['counted-1', 'counted-2']);
    expect(await deadIds()).toEqual(['died-while-asking']);
    expect(await settledCount(tab.locator('table.dead tbody tr'), 1)).toBe(1);

    // Left for the next case: nothing of this webhook.
    await own.app.webhooks.delete(key);
    expect(tabProblems).toEqual([]);
  });
});
