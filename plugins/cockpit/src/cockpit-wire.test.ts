import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHookwork, REDACTED, type Hookwork } from '@hookwork/core';
import { startTestReceiver, type ReceivedRequest, type TestReceiver } from '@hookwork/core/testing';
import { cockpitComposer, cockpitHost, cockpitWebhooks } from './index';

// Golden bodies: what Cockpit v1 POSTs for each event, as its sources build it
// (agentejo/cockpit at f7cd602b, the last v1 commit). modules/Cockpit/webhooks.php:36-44 makes
// every body in the listener it registers for each subscribed name:
//
//   json_encode(['event' => $evt, 'hook' => $webhook['name'], 'backend' => COCKPIT_ADMIN, 'args' => func_get_args()])
//
// so `event` is the name the webhook subscribed to (the module fires the plain and the
// name-spaced name as two triggers, each with the same arguments), `args` the trigger's
// argument list as it was when the listener ran, and `backend` COCKPIT_ADMIN: 1 for every
// request through index.php:11 (admin pages and the REST API alike), 0 for the CLI
// (bootstrap.php:67). Each case below cites the trigger it follows and gives the arguments as
// that line passes them; the body must be the same JSON, keys in Cockpit's order. (PHP's
// json_encode also escapes "/" as "\/" and non-ASCII as \uXXXX: the same JSON values, which is
// what receivers parse.)

interface WireCase {
  /** The trigger in Cockpit v1's sources this case follows. */
  source: string;
  event: string;
  args: unknown[];
  /** The name-spaced variant Cockpit also fires (`collections.save.after.posts`). */
  variant?: string;
  /** The args as sent, where hookwork differs on purpose (credentials redacted). */
  sent?: unknown[];
  /** COCKPIT_ADMIN for the request; 1 unless the event comes from the CLI. */
  backend?: 0 | 1;
}

const entry = { title: 'Hello', published: true, _mby: '5e1a', _by: '5e1a', _modified: 1595000000, _created: 1595000000, _id: '5f1c0e8a6c3964000035' };
const collection = { name: 'posts', label: 'Posts', _id: 'posts5f1c', fields: [{ name: 'title', type: 'text', localize: false, options: [] }], sortable: false, _created: 1594000000, _modified: 1595000000 };
const singleton = { name: 'settings', label: 'Settings', _id: 'settings5f1c', fields: [{ name: 'siteName', type: 'text' }], data: null, _created: 1594000000, _modified: 1595000000 };
const asset = { path: '/2020/07/15/hero.png', title: 'hero.png', mime: 'image/png', description: '', tags: [], size: 1024, image: true, width: 800, height: 600, colors: ['#ffffff'], folder: '', _id: '5f1c0f00', _created: 1595000000, _modified: 1595000000, _by: '5e1a' };
const account = { user: 'admin', name: 'Admin', email: 'admin@example.com', active: true, group: 'admin', i18n: 'en', api_key: 'account-8f2e1c', password: '$2y$10$hash', _reset_token: 'r3set', _created: 1594000000, _modified: 1595000000, _id: '5e1a' };
const accountSent = { ...account, api_key: REDACTED, password: REDACTED, _reset_token: REDACTED };

const CASES: WireCase[] = [
  // modules/Collections/bootstrap.php
  { source: 'modules/Collections/bootstrap.php:406-407', event: 'collections.save.after', args: ['posts', entry, true], variant: 'posts' },
  { source: 'modules/Collections/bootstrap.php:401-402', event: 'collections.save.before', args: ['posts', { title: 'Hello' }, false], variant: 'posts' },
  { source: 'modules/Collections/Controller/Import.php:63-64', event: 'collections.save.after', args: ['posts', { ...entry, _id: 'imported1' }, false], variant: 'posts' },
  { source: 'modules/Collections/bootstrap.php:437-438', event: 'collections.remove.before', args: ['posts', { _id: entry._id }], variant: 'posts' },
  { source: 'modules/Collections/bootstrap.php:442-443', event: 'collections.remove.after', args: ['posts', true], variant: 'posts' },
  { source: 'modules/Collections/bootstrap.php:245-246', event: 'collections.find.before', args: ['posts', { filter: { published: true }, sort: { _created: -1 }, limit: 10 }, false], variant: 'posts' },
  { source: 'modules/Collections/bootstrap.php:272-273', event: 'collections.find.after', args: ['posts', [entry], false], variant: 'posts' },
  { source: 'modules/Collections/bootstrap.php:51', event: 'collections.createcollection', args: [collection] },
  { source: 'modules/Collections/bootstrap.php:74-75', event: 'collections.updatecollection', args: [collection], variant: 'posts' },
  { source: 'modules/Collections/bootstrap.php:125-126', event: 'collections.removecollection', args: ['posts'], variant: 'posts' },
  { source: 'modules/Collections/Controller/Admin.php:401-402', event: 'collections.reorder', args: ['posts', [{ _id: 'a', _o: 0 }, { _id: 'b', _o: 1, _pid: 'a' }]], variant: 'posts' },
  // modules/Singletons/bootstrap.php
  { source: 'modules/Singletons/bootstrap.php:82-83', event: 'singleton.save.after', args: [singleton], variant: 'settings' },
  { source: 'modules/Singletons/bootstrap.php:44-45', event: 'singleton.save.before', args: [singleton], variant: 'settings' },
  { source: 'modules/Singletons/bootstrap.php:106-107', event: 'singleton.remove', args: [singleton], variant: 'settings' },
  { source: 'modules/Singletons/bootstrap.php:124-125', event: 'singleton.saveData.after', args: [singleton, { siteName: 'My site', _mby: '5e1a' }], variant: 'settings' },
  { source: 'modules/Singletons/bootstrap.php:119-120', event: 'singleton.saveData.before', args: [singleton, { siteName: 'My site' }], variant: 'settings' },
  { source: 'modules/Singletons/bootstrap.php:171-172', event: 'singleton.getData.after', args: [singleton, { siteName: 'My site' }], variant: 'settings' },
  // modules/Forms/bootstrap.php
  { source: 'modules/Forms/bootstrap.php:212-213', event: 'forms.save.after', args: ['contact', { data: { name: 'Ann', message: 'Hi' }, _created: 1595000000, _id: '5f1c1000' }], variant: 'contact' },
  { source: 'modules/Forms/bootstrap.php:207-208', event: 'forms.save.before', args: ['contact', { data: { name: 'Ann', message: 'Hi' } }], variant: 'contact' },
  { source: 'modules/Forms/bootstrap.php:285', event: 'forms.submit.before', args: ['contact', { name: 'Ann' }, { name: 'contact', email_forward: 'team@example.com' }, { subject: 'New form data for: contact' }] },
  { source: 'modules/Forms/bootstrap.php:337', event: 'forms.submit.after', args: ['contact', { name: 'Ann' }, { name: 'contact', email_forward: 'team@example.com' }] },
  { source: 'modules/Forms/bootstrap.php:245', event: 'forms.open.before', args: ['contact', { id: 'contact-form', class: '' }] },
  { source: 'modules/Forms/bootstrap.php:268', event: 'forms.close.after', args: [null, {}] },
  // modules/Cockpit: media and assets
  { source: 'modules/Cockpit/Controller/Media.php:129', event: 'cockpit.media.upload', args: [['/storage/uploads/hero.png'], ['/storage/uploads/huge.tif']] },
  { source: 'modules/Cockpit/Controller/Media.php:239', event: 'cockpit.media.removefiles', args: [['/storage/uploads/hero.png']] },
  { source: 'modules/Cockpit/Controller/Media.php:272', event: 'cockpit.media.rename', args: ['/storage/uploads/hero.png', '/storage/uploads/banner.png'] },
  { source: 'modules/Cockpit/module/assets.php:121', event: 'cockpit.assets.save', args: [[asset]] },
  { source: 'modules/Cockpit/module/assets.php:115', event: 'cockpit.asset.save', args: [asset] },
  { source: 'modules/Cockpit/module/assets.php:222', event: 'cockpit.assets.updatefile', args: [{ ...asset, path: '/2020/07/16/hero-2.png' }, asset] },
  { source: 'modules/Cockpit/module/assets.php:251', event: 'cockpit.assets.remove', args: [[asset]] },
  { source: 'modules/Cockpit/module/assets.php:20', event: 'cockpit.assets.list', args: [[asset]] },
  // modules/Cockpit: system, REST API, accounts
  {
    source: 'modules/Cockpit/rest-api.php:96-105',
    event: 'cockpit.api.authenticate',
    args: [{ token: 'account-8f2e1c', authenticated: false, resource: 'collections', query: { path: 'collections/get/posts', parts: ['collections', 'get/posts'], params: ['get', 'posts'] }, user: null }],
    sent: [{ token: REDACTED, authenticated: false, resource: 'collections', query: { path: 'collections/get/posts', parts: ['collections', 'get/posts'], params: ['get', 'posts'] }, user: null }],
  },
  { source: 'modules/Cockpit/rest-api.php:149', event: 'cockpit.api.erroronrequest', args: ['/api/collections/get/posts', 'Collection not found'] },
  {
    source: 'modules/Cockpit/Controller/Auth.php:32 (an e-mail typed: Auth.php:27-30)',
    event: 'cockpit.authentication.failed',
    args: [{ user: '', password: 'hunter2', email: 'admin@example.com' }, 'Csrf validation failed'],
    sent: [{ user: '', password: REDACTED, email: 'admin@example.com' }, 'Csrf validation failed'],
  },
  { source: 'modules/Cockpit/Controller/Auth.php:44', event: 'cockpit.authentication.success', args: [account], sent: [accountSent] },
  { source: 'modules/Cockpit/Controller/Accounts.php:170', event: 'cockpit.accounts.save', args: [account, true], sent: [accountSent, true] },
  { source: 'modules/Cockpit/module/auth.php:76', event: 'cockpit.account.logout', args: [account], sent: [accountSent] },
  { source: 'modules/Cockpit/admin.php:218', event: 'cockpit.request.error', args: ['401'] },
  // zipfile is a value carried as it is (on Cockpit's server, the path its path('#tmp:') gives, in a
  // folder of that server's): nothing reads or writes it here, so a file name stands in for it.
  { source: 'modules/Cockpit/Controller/Settings.php:72', event: 'cockpit.update.before', args: [{ package: 'https://example.com/package.json', zipfile: 'cockpit-update.zip', target: 'cockpit', options: {} }] },
  { source: 'modules/Cockpit/cli/export.php:34 (CLI: COCKPIT_ADMIN 0)', event: 'cockpit.export', args: [{ target: '/backups' }], backend: 0 },
  // No arguments: Lime's trigger($event, $params = []) calls the listener with none, so func_get_args() is [].
  { source: 'bootstrap.php:282', event: 'cockpit.bootstrap', args: [] },
  { source: 'modules/Cockpit/bootstrap.php:56', event: 'cockpit.clearcache', args: [] },
  { source: 'index.php:54', event: 'admin.init', args: [] },
  { source: 'lib/Lime/App.php:829', event: 'shutdown', args: [] },
  { source: 'modules/Cockpit/views/layouts/app.php:90', event: 'cockpit.menu.modules', args: [] },
];

/** The body Cockpit's webhooks.php:39-44 builds, keys in its order. */
const cockpitBody = (event: string, args: unknown[], backend: 0 | 1) => JSON.stringify({ event, hook: 'Golden', backend, args });

describe("Cockpit's body on the wire, event by event (golden bodies from Cockpit v1's sources)", () => {
  let app: Hookwork;
  let receiver: TestReceiver;
  let seen = 0;

  beforeAll(async () => {
    receiver = await startTestReceiver();
    app = createHookwork({ composers: [cockpitComposer(), { compose: (b) => b.webhookEvents().addCockpit() }], settings: { ssrf: { allow: ['127.0.0.1'] } } });
    await app.start();
    const events = [...new Set(CASES.flatMap((c) => (c.variant ? [c.event, `${c.event}.${c.variant}`] : [c.event])))];
    await cockpitWebhooks(app).create({ name: 'Golden', url: receiver.url, events });
  });
  afterAll(async () => {
    await app.stop();
    await receiver.close();
  });

  /** The requests this trigger made, in the order of the names Cockpit fires them under. */
  async function requestsOf(count: number): Promise<ReceivedRequest[]> {
    const got = (await receiver.waitFor(seen + count)).slice(seen);
    seen += count;
    const event = (r: ReceivedRequest) => (JSON.parse(r.text) as { event: string }).event;
    return got.sort((a, b) => event(a).length - event(b).length);
  }

  it.each(CASES.map((c) => [`${c.event} (${c.source})`, c] as const))('%s', async (_title, c) => {
    const backend = c.backend ?? 1;
    await cockpitHost(app, { backend: backend === 1 }).trigger(c.event, ...c.args);
    const names = c.variant ? [c.event, `${c.event}.${c.variant}`] : [c.event];
    const requests = await requestsOf(names.length);
    expect(requests.map((r) => r.text)).toEqual(names.map((name) => cockpitBody(name, c.sent ?? c.args, backend)));
    for (const request of requests) {
      expect(request.method).toBe('POST');
      // webhooks.php:46-49: Content-Type: application/json and the body's Content-Length.
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['content-length']).toBe(String(Buffer.byteLength(request.text)));
    }
  });

  it("sends, to a webhook without a secret, only headers docs/cockpit.md's headers row names (a receiver moving from Cockpit reads it)", async () => {
    await cockpitHost(app).trigger('cockpit.clearcache');
    const [request] = await requestsOf(1);
    const doc = readFileSync(join(__dirname, '../../../docs/cockpit.md'), 'utf8');
    const row = doc.split('\n').find((line) => line.startsWith('| headers |'))!.toLowerCase();
    // The row said user-agent, the event header and a retry-count header: webhook-id and
    // webhook-timestamp (sent with or without a secret) and the client's accept headers went unsaid.
    expect(Object.keys(request!.headers).filter((name) => !['host', 'connection'].includes(name) && !row.includes(`\`${name}\``))).toEqual([]);
    expect(request!.headers['webhook-signature']).toBeUndefined();
  });

  it("fires no name-spaced variant for an event Cockpit does not name-space (forms.submit.before, collections.createcollection)", async () => {
    // Subscribing to such a variant is refused (no composed class handles it), so nothing could ever fire it.
    await expect(cockpitWebhooks(app).create({ name: 'Variant', url: receiver.url, events: ['forms.submit.before.contact'] })).rejects.toMatchObject({ code: 'HOOKWORK_ERR_INVALID_WEBHOOK' });
    await expect(cockpitWebhooks(app).create({ name: 'Variant', url: receiver.url, events: ['collections.createcollection.posts'] })).rejects.toMatchObject({ code: 'HOOKWORK_ERR_INVALID_WEBHOOK' });
  });
});
