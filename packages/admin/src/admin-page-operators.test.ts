import type { Page } from 'playwright-core';
import { openAdminPage, until, type AdminPage } from './test-support/admin-browser';
import { publish, startAdminFixture, TOKEN, type AdminFixture } from './test-support/admin-fixture';

jest.setTimeout(180_000);

/**
 * Back-office operators at work on the admin page, as one meets it after `npm start -- --admin`:
 * a real admin server on 127.0.0.1 over a SQLite file, Debian's Chromium; a second operator acts
 * through the app (as their own tab's page would through the API) while the first has a form open.
 */
let fixture: AdminFixture;
let admin: AdminPage;
let tab: Page;
const problems: string[] = [];

beforeAll(async () => {
  fixture = await startAdminFixture({ page: true });
  // Leaving a form with unsaved changes (these tests leave some behind) asks, as it should.
  admin = await openAdminPage(fixture, { problems, nativeDialogs: 'problem but leaving' });
  tab = admin.tab;
});

afterAll(async () => {
  await admin?.close();
  await fixture?.close();
});

const openEditor = async (key: string, name: string) => {
  await admin.load(`#token=${TOKEN}`);
  await tab.getByRole('link', { name: `Edit ${name}` }).click();
  await tab.getByRole('heading', { name: `Edit ${name}` }).waitFor();
  expect(await tab.getByLabel('Name').inputValue()).toBe(name);
  return key;
};

describe('the admin page while another operator deletes the webhook a form is open on', () => {
  it('says a save was not made because the webhook was deleted since the form was opened, keeping what was typed', async () => {
    await fixture.app.webhooks.create({ key: 'deleted-under-save', name: 'Orders feed', url: fixture.receiver.url, events: ['Umbraco.ContentPublish'] });
    await openEditor('deleted-under-save', 'Orders feed');
    await tab.getByLabel('Name').fill('Orders feed (EU)');
    await fixture.app.webhooks.delete('deleted-under-save');

    await tab.getByRole('button', { name: 'Save' }).click();
    const alert = tab.getByRole('alert');
    await alert.waitFor();
    // The page's words for this form, not those for a link to a webhook that is not there ("or the link is wrong").
    expect(await alert.textContent()).toMatch(/Not saved: this webhook was deleted since this form was opened.*another tab or by someone else.*what you typed is still here/s);
    expect(await alert.textContent()).not.toMatch(/link is wrong/);
    expect(await tab.getByLabel('Name').inputValue()).toBe('Orders feed (EU)');
    expect(await fixture.app.webhooks.get('deleted-under-save')).toBeUndefined();
    // Said at the top of the form, out of sight of the Save button pressed at its foot: the focus goes there.
    expect(await tab.evaluate('document.activeElement?.className')).toBe('problem');
  });

  it('takes the focus, and the eye, from Save at the foot of the form to a conflict said at its top, with Save again the next Tab', async () => {
    await fixture.app.webhooks.create({ key: 'changed-under-save', name: 'Price feed', url: fixture.receiver.url, events: ['Umbraco.ContentPublish'] });
    await openEditor('changed-under-save', 'Price feed');
    await tab.getByLabel('Name').fill('Price feed (EU)');
    // The other operator switches it off meanwhile (the API answers the next save 412: If-Match no longer matches).
    await fixture.app.webhooks.update('changed-under-save', { enabled: false });

    await tab.getByRole('button', { name: 'Save' }).click();
    const alert = tab.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/Not saved yet: this webhook was changed elsewhere since this form was opened/);
    expect(await tab.evaluate('document.activeElement?.className')).toBe('problem');
    // On screen, not 700 pixels above the button that was pressed.
    const box = (await alert.boundingBox())!;
    const viewport = tab.viewportSize()!;
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.y + box.height).toBeLessThanOrEqual(viewport.height);
    await tab.keyboard.press('Tab');
    expect(await tab.evaluate('document.activeElement?.textContent?.trim()')).toBe('Save again');
    expect(await fixture.app.webhooks.get('changed-under-save')).toMatchObject({ name: 'Price feed', enabled: false });
    // The colleague's switch-off is taken into the form, the rename kept: saving undoes neither.
    expect(await tab.getByLabel('Enabled').isChecked()).toBe(false);
    await tab.keyboard.press('Enter');
    await tab.getByRole('heading', { name: 'Webhooks' }).waitFor();
    expect(await fixture.app.webhooks.get('changed-under-save')).toMatchObject({ name: 'Price feed (EU)', enabled: false });
    await fixture.app.webhooks.delete('changed-under-save');
  });

  it('says a save was refused because another operator rotated the secret, shows the secrets as they are, and saves the typed change with Save again', async () => {
    await fixture.app.webhooks.create({ key: 'rotated-under-save', name: 'Invoice feed', url: fixture.receiver.url, events: ['Umbraco.ContentPublish'], secret: true });
    await openEditor('rotated-under-save', 'Invoice feed');
    await tab.getByLabel('Name').fill('Invoice feed (EU)');
    // The other operator rotates the secret meanwhile: the representation the form was built from
    // (its secrets) changed, so its ETag did and the save is refused (412) — for a reason of its own.
    const rotated = await fixture.app.webhooks.rotateSecret('rotated-under-save');

    await tab.getByRole('button', { name: 'Save' }).click();
    const alert = tab.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/Not saved: this webhook's signing secrets were changed elsewhere since this form was opened.*rotated or revoked a secret.*nothing else of the webhook changed.*save again/s);
    expect(await alert.textContent()).not.toMatch(/would undo their change|Load the webhook as it is now/);
    expect(await tab.evaluate('document.activeElement?.className')).toBe('problem');
    // The secrets as they are now: the new one listed, by its hint.
    expect(await tab.locator('fieldset.secrets').textContent()).toContain(rotated.secret.slice(-4));
    expect(await tab.getByLabel('Name').inputValue()).toBe('Invoice feed (EU)');
    expect((await fixture.app.webhooks.get('rotated-under-save'))!.name).toBe('Invoice feed');

    await tab.keyboard.press('Tab');
    expect(await tab.evaluate('document.activeElement?.textContent?.trim()')).toBe('Save again');
    await tab.keyboard.press('Enter');
    await tab.getByRole('heading', { name: 'Webhooks' }).waitFor();
    const stored = (await fixture.app.webhooks.get('rotated-under-save'))!;
    expect(stored.name).toBe('Invoice feed (EU)');
    expect(stored.secrets.map((s) => s.id)).toContain(rotated.secretId);
    await fixture.app.webhooks.delete('rotated-under-save');
  });

  it('says no secret was made when the webhook was deleted before Rotate secret was pressed', async () => {
    await fixture.app.webhooks.create({ key: 'deleted-under-rotate', name: 'Stock feed', url: fixture.receiver.url, events: ['Umbraco.ContentPublish'], secret: true });
    await openEditor('deleted-under-rotate', 'Stock feed');
    await fixture.app.webhooks.delete('deleted-under-rotate');

    await tab.getByRole('button', { name: 'Rotate secret' }).click();
    const alert = tab.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/No secret made: this webhook was deleted since this form was opened/);
    expect(await alert.textContent()).not.toMatch(/link is wrong/);
    expect(await tab.locator('code.secret').count()).toBe(0);
    expect(await tab.evaluate('document.activeElement?.className')).toBe('problem');
  });
});

describe('the admin page putting a refused save together with what another operator saved meanwhile', () => {
  /** The merge view's row for `field`: its cells' text (Field, Yours, Stored now, Saved). */
  const row = async (field: string) => (await tab.locator('table.merge tr', { has: tab.locator(`th[scope=row]:text-is("${field}")`) }).locator('th, td').allTextContents()).map((t) => t.trim().replace(/\s+/g, ' '));

  it('keeps the URL typed and the events stored, asks only about the description both changed, and saves the merged webhook', async () => {
    await fixture.app.webhooks.create({ key: 'merged-under-save', name: 'Stock feed', description: 'Stock levels', url: fixture.receiver.url, events: ['Umbraco.ContentPublish'] });
    await openEditor('merged-under-save', 'Stock feed');
    // This operator moves the URL and rewrites the description...
    const url = `${fixture.receiver.url}/eu`;
    await tab.getByLabel('URL').fill(url);
    await tab.getByLabel('Description', { exact: true }).fill('Stock levels, EU warehouse');
    // ...while another adds an event and rewrites the description too, and saves first.
    await fixture.app.webhooks.update('merged-under-save', { events: ['Umbraco.ContentPublish', 'Umbraco.ContentUnpublish'], description: 'Stock levels (publish and unpublish)' });

    await tab.getByRole('button', { name: 'Save' }).click();
    const alert = tab.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/Not saved yet: this webhook was changed elsewhere since this form was opened.*one field you both changed waits for you to choose/s);
    // Said at the top of the form: the focus goes there, as for every refusal that names no field.
    expect(await tab.evaluate('document.activeElement?.className')).toBe('problem');
    expect(await tab.locator('table.merge th[scope=row]').allTextContents()).toEqual(['URL', 'Description', 'Events']);
    expect(await row('URL')).toEqual(['URL', url, fixture.receiver.url, 'As you typed it']);
    expect(await row('Events')).toEqual(['Events', 'Umbraco.ContentPublish', 'Umbraco.ContentPublish, Umbraco.ContentUnpublish', 'As stored now']);
    expect((await row('Description')).slice(0, 3)).toEqual(['Description', 'Stock levels, EU warehouse', 'Stock levels (publish and unpublish)']);
    // One conflict, one choice: a radio group named for its field.
    expect(await tab.getByRole('radiogroup').count()).toBe(1);
    expect(await tab.getByRole('radiogroup', { name: 'Description: changed here and elsewhere, keep which?' }).count()).toBe(1);
    // The form holds the merge: the URL typed, the events stored, the description still as typed.
    expect(await tab.getByLabel('URL').inputValue()).toBe(url);
    expect(await tab.locator('input[name=event][value="Umbraco.ContentUnpublish"]').isChecked()).toBe(true);
    expect(await tab.getByLabel('Description', { exact: true }).inputValue()).toBe('Stock levels, EU warehouse');

    // Saving before choosing sends nothing and takes the focus to the choice.
    await tab.getByRole('button', { name: 'Save again' }).click();
    await until(tab, `document.activeElement?.id === 'conflict-description'`);
    expect(await tab.getByRole('radiogroup').getAttribute('aria-invalid')).toBe('true');
    expect((await fixture.app.webhooks.get('merged-under-save'))!.url).toBe(fixture.receiver.url);

    // By keyboard: the arrow picks Use theirs, which fills the field; then Save again.
    await tab.keyboard.press('ArrowDown');
    expect(await tab.getByRole('radio', { name: 'Use theirs for Description' }).isChecked()).toBe(true);
    expect(await tab.getByLabel('Description', { exact: true }).inputValue()).toBe('Stock levels (publish and unpublish)');
    // Changed the mind: Keep mine puts back what was typed.
    await tab.getByRole('radio', { name: 'Keep mine for Description' }).check();
    expect(await tab.getByLabel('Description', { exact: true }).inputValue()).toBe('Stock levels, EU warehouse');
    await tab.getByRole('button', { name: 'Save again' }).click();
    await tab.getByRole('heading', { name: 'Webhooks' }).waitFor();
    expect(await fixture.app.webhooks.get('merged-under-save')).toMatchObject({
      name: 'Stock feed',
      url,
      description: 'Stock levels, EU warehouse',
      events: ['Umbraco.ContentPublish', 'Umbraco.ContentUnpublish'],
    });
    await fixture.app.webhooks.delete('merged-under-save');
  });

  it('takes a rotated secret and a rename made elsewhere together, keeping the URL typed, and Save again saves over both', async () => {
    await fixture.app.webhooks.create({ key: 'rotated-renamed', name: 'Refund feed', url: fixture.receiver.url, events: ['Umbraco.ContentPublish'], secret: true });
    await openEditor('rotated-renamed', 'Refund feed');
    const url = `${fixture.receiver.url}/refunds`;
    await tab.getByLabel('URL').fill(url);
    const rotated = await fixture.app.webhooks.rotateSecret('rotated-renamed');
    await fixture.app.webhooks.update('rotated-renamed', { name: 'Refund feed (audited)' });

    await tab.getByRole('button', { name: 'Save' }).click();
    const alert = tab.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/Not saved yet: this webhook was changed elsewhere/);
    expect(await alert.textContent()).not.toMatch(/choose/);
    expect(await tab.getByRole('radiogroup').count()).toBe(0);
    expect(await row('Name')).toEqual(['Name', 'Refund feed', 'Refund feed (audited)', 'As stored now']);
    expect(await row('URL')).toEqual(['URL', url, fixture.receiver.url, 'As you typed it']);
    expect(await tab.locator('fieldset.secrets').textContent()).toContain(rotated.secret.slice(-4));
    expect(await tab.getByLabel('Name', { exact: true }).inputValue()).toBe('Refund feed (audited)');

    await tab.getByRole('button', { name: 'Save again' }).click();
    await tab.getByRole('heading', { name: 'Webhooks' }).waitFor();
    const stored = (await fixture.app.webhooks.get('rotated-renamed'))!;
    expect(stored).toMatchObject({ name: 'Refund feed (audited)', url });
    expect(stored.secrets.map((s) => s.id)).toContain(rotated.secretId);
    await fixture.app.webhooks.delete('rotated-renamed');
  });
});

describe('Send test event in the words of the editor', () => {
  it("offers each of the webhook's events by its name and alias, as the editor and the log's filter do", async () => {
    await fixture.app.webhooks.create({ key: 'named-events', name: 'Named events', url: fixture.receiver.url, events: ['Umbraco.ContentPublish', 'Umbraco.MediaSave'] });
    await admin.load(`#token=${TOKEN}`);
    await tab.getByRole('link', { name: 'Send test to Named events' }).click();
    const select = tab.getByLabel('Event');
    await select.waitFor();
    const labels = `[...document.querySelectorAll('select[name=alias] option')].map((o) => o.textContent).join('|')`;
    await until(tab, `${labels} === 'Content Published (Umbraco.ContentPublish)|Media Saved (Umbraco.MediaSave)'`);
    // The value sent is the alias.
    await select.selectOption({ label: 'Media Saved (Umbraco.MediaSave)' });
    await tab.getByRole('button', { name: 'Send test event' }).click();
    await tab.getByRole('status').filter({ hasText: 'The receiver answered' }).waitFor();
    expect(fixture.receiver.requests.at(-1)?.headers['hookwork-event']).toBe('Umbraco.MediaSave');
    await fixture.app.webhooks.delete('named-events');
  });
});

describe('the admin page while another operator deletes the webhook a test send is open on', () => {
  it('says the test event was not sent because the webhook was deleted since the page was opened', async () => {
    await fixture.app.webhooks.create({ key: 'deleted-under-test', name: 'Search index', url: fixture.receiver.url, events: ['Umbraco.ContentPublish'] });
    await admin.load(`#token=${TOKEN}`);
    await tab.getByRole('link', { name: 'Send test to Search index' }).click();
    await tab.getByRole('heading', { name: 'Send test event to Search index' }).waitFor();
    await fixture.app.webhooks.delete('deleted-under-test');

    await tab.getByRole('button', { name: 'Send test event' }).click();
    const alert = tab.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/Not sent: this webhook was deleted since this page was opened.*Nothing was sent to its URL/s);
    expect(await alert.textContent()).not.toMatch(/link is wrong/);
  });
});

/**
 * How many lines `word` is drawn across in `element`'s text (evaluated in the page; the tests compile
 * without the DOM's types): 1 when it is whole on one line. Reads the text nodes in order, as drawn.
 */
const LINES_OF_WORD = `([element, word]) => {
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  const nodes = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) nodes.push(node);
  const text = nodes.map((n) => n.data).join('');
  let at = text.indexOf(word);
  if (at < 0) return -1;
  const range = document.createRange();
  const place = (offset) => { for (const n of nodes) { if (offset <= n.data.length) return [n, offset]; offset -= n.data.length; } };
  range.setStart(...place(at));
  range.setEnd(...place(at + word.length));
  return new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top))).size;
}`;

describe('the webhooks list in a desktop window', () => {
  it('breaks a name between its words and an event alias after its dot, never inside a word', async () => {
    await fixture.app.webhooks.create({ key: 'words-whole', name: 'Quickstart receiver', url: fixture.receiver.url, events: ['Umbraco.ContentDelete', 'Umbraco.ContentPublish', 'Umbraco.ContentUnpublish'], contentTypeKeys: ['6f1ab7a6-3d3a-4c8e-9d8e-0b9f1c1d2e01'] });
    // The narrowest desktop window (a laptop's, a browser beside another): the list's columns share the least room.
    await tab.setViewportSize({ width: 1100, height: 900 });
    await admin.load(`#token=${TOKEN}`);
    const name = tab.getByRole('link', { name: 'Quickstart receiver', exact: true });
    await name.waitFor();
    // Evaluated as text: the tests compile without the DOM's types. The first link to the webhook is its name.
    const nameLink = `document.querySelector('a[href="#/webhooks/words-whole"]')`;
    const lines = (element: string, word: string) => tab.evaluate(`(${LINES_OF_WORD})([${element}, ${JSON.stringify(word)}])`);
    expect(await lines(nameLink, 'Quickstart')).toBe(1);
    expect(await lines(nameLink, 'receiver')).toBe(1);
    for (const word of ['ContentDelete', 'ContentPublish', 'ContentUnpublish']) {
      expect(await lines(`[...${nameLink}.closest('tr').querySelectorAll('ul.tags li')].find((li) => li.textContent.endsWith('.${word}'))`, word)).toBe(1);
    }
    const row = tab.getByRole('row').filter({ has: name });
    // The room comes from the other columns, not from past the window's edge.
    expect(await tab.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBeLessThanOrEqual(0);
    // The alias reads as it is: the break opportunity adds no character.
    expect(await row.locator('ul.tags li').first().textContent()).toBe('Umbraco.ContentDelete');
    await tab.setViewportSize({ width: 1280, height: 900 });
    await fixture.app.webhooks.delete('words-whole');
  });
});

describe('the deliveries in the words of the delivery detail', () => {
  it('heads the log\'s retry column Retry count, as the detail and Umbraco\'s delivery log name it', async () => {
    await fixture.app.webhooks.create({ key: 'retry-words', name: 'Retry words', url: fixture.receiver.url, events: ['Umbraco.ContentPublish'] });
    await publish(fixture.app, 'retry-words-page');
    await admin.load(`#token=${TOKEN}`);
    await tab.getByRole('link', { name: 'Deliveries of Retry words' }).click();
    const header = tab.getByRole('columnheader', { name: 'Retry count', exact: true });
    await header.waitFor();
    // On a phone the row is a card, each value labelled as its column is headed.
    expect(await tab.locator('td[data-label="Retry count"]').count()).toBeGreaterThan(0);
    await tab.getByRole('link', { name: /UTC/ }).first().click();
    await tab.getByText('Retry count', { exact: true }).waitFor();
    await fixture.app.webhooks.delete('retry-words');
  });
});

describe('the admin page when a form is refused', () => {
  it('keeps the event groups side by side under the Events refusal: the message spans the box, not one column of it', async () => {
    await admin.load(`#token=${TOKEN}`);
    await tab.getByRole('link', { name: 'Create webhook' }).click();
    const groups = tab.locator('fieldset.events > fieldset.event-group');
    // The form is drawn once the catalogue is read: measured before, there is nothing to measure.
    await groups.nth(1).waitFor();
    const tops = async () => Promise.all((await groups.all()).map(async (group) => Math.round((await group.boundingBox())!.y)));
    const before = await tops();
    // Content and Media side by side in a 1280-pixel window.
    expect(before).toHaveLength(2);
    expect(before[0]).toBe(before[1]);

    await tab.getByLabel('URL').fill(fixture.receiver.url);
    await tab.getByRole('button', { name: 'Create' }).click();
    const message = tab.locator('#events-error');
    await message.waitFor();
    const after = await tops();
    expect(after[0]).toBe(after[1]);
    // The message is above both groups, as wide as the box.
    const box = (await message.boundingBox())!;
    expect(box.y + box.height).toBeLessThanOrEqual(after[0]!);
    expect(box.width).toBeGreaterThan((await groups.first().boundingBox())!.width * 1.5);
  });

  it('ran without script errors or native dialogs', () => {
    // The refused saves and rotations above answer 400, 404 and 412 on purpose: only the rest is a problem.
    expect(problems.filter((p) => !/^(?:400|404|412) for .*\/api\/v1\/webhook/.test(p) && !/^console: Failed to load resource: the server responded with a status of (?:400|404|412)/.test(p))).toEqual([]);
  });
});
