import type { Page } from 'playwright-core';
import { launchAdminBrowser, watchProblems, type AdminBrowser } from './test-support/admin-browser';
import { PREFIX, startAdminFixture, TOKEN, type AdminFixture } from './test-support/admin-fixture';

jest.setTimeout(180_000);

/**
 * A custom header named as a credential (`X-Api-Key`) saved without *Sensitive* is shown in clear
 * in every view and in the delivery log, to whoever reads them: the editor ticks Sensitive for a
 * new row named so, before its value is typed, and the operator may un-tick it. A real admin on
 * 127.0.0.1 over a SQLite file, Debian's Chromium.
 */
let fixture: AdminFixture;
let browser: AdminBrowser;
let tab: Page;
const problems: string[] = [];

beforeAll(async () => {
  fixture = await startAdminFixture({ page: true });
  browser = await launchAdminBrowser();
  tab = browser.page;
  watchProblems(tab, problems);
  await tab.goto(`${fixture.origin}${PREFIX}/#token=${TOKEN}`);
  await tab.getByRole('heading', { name: 'Webhooks' }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await fixture?.close();
});

const sensitive = (row: number, name: string) => tab.getByRole('checkbox', { name: `Sensitive — header row ${row} (${name})`, exact: true });
const value = (row: number, name: string) => tab.getByRole('textbox', { name: `Header value, row ${row} (${name})`, exact: true });

describe('the webhook editor and credential headers', () => {
  it('ticks Sensitive for a new header named as a credential, before its value is typed, and stores it sensitive; other names stay plain, and an un-tick is kept', async () => {
    await tab.goto(`${fixture.origin}${PREFIX}/#/webhooks/new`);
    await tab.getByRole('heading', { name: 'Create webhook' }).waitFor();
    await tab.getByLabel('URL').fill(fixture.receiver.url);
    await tab.getByRole('group', { name: 'Content', exact: true }).getByLabel(/Content Published/).check();
    const add = tab.getByRole('button', { name: 'Add header' });
    for (let i = 0; i < 4; i++) await add.click();
    // Typed as an operator types, a character at a time: the row is judged as its name grows.
    await tab.getByRole('textbox', { name: 'Header name, row 1', exact: true }).pressSequentially('X-Api-Key');
    await tab.getByRole('textbox', { name: 'Header name, row 2', exact: true }).pressSequentially('X-Tenant');
    await tab.getByRole('textbox', { name: 'Header name, row 3', exact: true }).pressSequentially('X-Auth-Token');
    await tab.getByRole('textbox', { name: 'Header name, row 4', exact: true }).pressSequentially('X-Author');
    expect([await sensitive(1, 'X-Api-Key').isChecked(), await sensitive(2, 'X-Tenant').isChecked(), await sensitive(3, 'X-Auth-Token').isChecked(), await sensitive(4, 'X-Author').isChecked()]).toEqual([true, false, true, false]);
    expect(await value(1, 'X-Api-Key').getAttribute('type')).toBe('password');
    expect(await value(2, 'X-Tenant').getAttribute('type')).toBe('text');
    // The operator's choice stands: un-ticked, it stays so while the value is typed.
    await sensitive(3, 'X-Auth-Token').uncheck();
    await value(1, 'X-Api-Key').fill('k3y-from-the-page');
    await value(2, 'X-Tenant').fill('acme');
    await value(3, 'X-Auth-Token').fill('plain-by-choice');
    await value(4, 'X-Author').fill('ops');
    expect(await sensitive(3, 'X-Auth-Token').isChecked()).toBe(false);
    await tab.getByRole('button', { name: 'Create' }).click();
    await tab.getByRole('link', { name: 'Back to webhooks' }).waitFor();

    const [stored] = (await fixture.app.webhooks.list()).items;
    expect(stored!.headers).toEqual({ 'X-Api-Key': '[redacted]', 'X-Tenant': 'acme', 'X-Auth-Token': 'plain-by-choice', 'X-Author': 'ops' });
    expect([...stored!.sensitiveHeaders].sort()).toEqual(['x-api-key']);
    expect(problems).toEqual([]);
  });

  // Missed: credential words run together (X-AccessToken, X-AuthToken, X-ApiToken), plurals, JWT,
  // Bearer, Passphrase. Flagged: keys that name something (Idempotency-Key, X-Public-Key), whose
  // value the operator then saw masked and never shown again.
  it('judges names as credentials also when their words run together or are plural, and not a key that names something', async () => {
    await tab.goto('about:blank');
    await tab.goto(`${fixture.origin}${PREFIX}/#/webhooks/new`);
    await tab.getByRole('heading', { name: 'Create webhook' }).waitFor();
    const names: Record<string, boolean> = {
      'X-AccessToken': true, 'X-AuthToken': true, 'X-ApiToken': true, 'x-api-keys': true, 'X-Secrets': true, 'X-JWT': true, 'X-Bearer': true, 'X-Passphrase': true,
      'X-Authority': false, 'Proxy-Authorization': true, Cookie: true, 'X-Signature': true, 'x-api-key': true, 'Api-Key': true, 'X-Secret-Token': true, 'Ocp-Apim-Subscription-Key': true,
      'Idempotency-Key': false, 'X-Public-Key': false, 'X-Cache-Key': false, 'X-Author': false, 'X-Monkey': false,
    };
    const add = tab.getByRole('button', { name: 'Add header' });
    const ticked: Record<string, boolean> = {};
    let row = 0;
    for (const name of Object.keys(names)) {
      await add.click();
      row++;
      await tab.getByRole('textbox', { name: `Header name, row ${row}`, exact: true }).fill(name);
      ticked[name] = await sensitive(row, name).isChecked();
    }
    expect(ticked).toEqual(names);
    expect(problems).toEqual([]);
  });

  // The un-tick was kept only until the name changed again: the row was judged afresh at the next
  // character, and a name still reading as a credential ticked it again under the operator's eyes.
  it("keeps the operator's un-tick while the name is typed on, and its tick while the name goes on to read as no credential", async () => {
    // A fresh load: the first test left the page on the list (a hash change alone keeps it there).
    await tab.goto('about:blank');
    await tab.goto(`${fixture.origin}${PREFIX}/#/webhooks/new`);
    await tab.getByRole('heading', { name: 'Create webhook' }).waitFor();
    const add = tab.getByRole('button', { name: 'Add header' });
    await add.click();
    await add.click();
    const name1 = tab.getByRole('textbox', { name: /^Header name, row 1/ });
    await name1.pressSequentially('X-Token');
    expect(await sensitive(1, 'X-Token').isChecked()).toBe(true);
    await sensitive(1, 'X-Token').uncheck();
    // Focused again, the caret is at the start: the operator goes to the end and types on.
    await name1.press('End');
    await name1.pressSequentially('-Type');
    expect(await sensitive(1, 'X-Token-Type').isChecked()).toBe(false);
    const name2 = tab.getByRole('textbox', { name: /^Header name, row 2/ });
    await name2.pressSequentially('X-Tenant');
    await sensitive(2, 'X-Tenant').check();
    await name2.press('End');
    await name2.pressSequentially('-Id');
    expect(await sensitive(2, 'X-Tenant-Id').isChecked()).toBe(true);
    expect(problems).toEqual([]);
  });
});
