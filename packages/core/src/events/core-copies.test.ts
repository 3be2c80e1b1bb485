import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createHookwork } from '../composition/create-hookwork';
import { linkedPluginFolder } from './core-copies';
import type { Hookwork } from '../composition/hookwork-app';
import { isHookworkError } from '../errors/hookwork-error';
import { WebhookEventBase } from './webhook-event-base';
import { WebhookEvent } from './webhook-event.decorator';

// A third-party plugin installed from a folder (`npm install ../acme-commerce`) or pinning another
// version of core brings its own copy of @hookwork/core, and its event classes extend that copy's
// WebhookEventBase. Here that copy is real: the built package copied into a node_modules of its own
// in a temporary folder, beside links to the dependencies this copy of core resolves (so they
// resolve as an install's would: the same tsyringe, unless the copy brings its own), loaded by
// require, and an event class built on it composed into an app of this copy.

const repo = join(__dirname, '..', '..', '..', '..');
const coreRoot = join(repo, 'packages', 'core');

class OrderPlaced {
  constructor(readonly id: string) {}
}

type CoreModule = { WebhookEventBase: typeof WebhookEventBase; WebhookEvent: typeof WebhookEvent };

/** Where the package at `from` finds its dependency `name`: its own node_modules first, then the repo's. */
function installedDependency(from: string, name: string): string {
  for (const modules of [join(from, 'node_modules'), join(repo, 'node_modules')]) if (existsSync(join(modules, name, 'package.json'))) return join(modules, name);
  throw new Error(`${from}'s dependency ${name} is not installed: run npm install`);
}

/** Links into `<dir>/node_modules` each dependency of the package at `from` not there yet; `copied` ones are copies instead. */
function provideDependencies(dir: string, from: string, copied: ReadonlySet<string>): void {
  const { dependencies = {} } = JSON.parse(readFileSync(join(from, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  for (const name of Object.keys(dependencies)) {
    const at = join(dir, 'node_modules', name);
    if (existsSync(at)) continue;
    mkdirSync(dirname(at), { recursive: true });
    const source = installedDependency(from, name);
    if (!copied.has(name)) {
      symlinkSync(source, at, 'dir');
      continue;
    }
    cpSync(source, at, { recursive: true });
    provideDependencies(dir, source, copied);
  }
}

/** A copy of the built @hookwork/core in `<dir>/node_modules`, with its own tsyringe when asked. */
function secondCopy(dir: string, ownTsyringe: boolean): CoreModule {
  const target = join(dir, 'node_modules', '@hookwork', 'core');
  mkdirSync(target, { recursive: true });
  cpSync(join(coreRoot, 'package.json'), join(target, 'package.json'));
  cpSync(join(coreRoot, 'dist'), join(target, 'dist'), { recursive: true });
  provideDependencies(dir, coreRoot, new Set(ownTsyringe ? ['tsyringe'] : []));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(target) as CoreModule;
}

/** The plugin's event class, as `acme-commerce` would declare it, on the given copy of core. */
function pluginEvent(core: CoreModule): typeof WebhookEventBase<OrderPlaced> {
  class OrderPlacedWebhookEvent extends core.WebhookEventBase<OrderPlaced> {
    override convertNotificationToRequestPayload(notification: OrderPlaced) {
      return { id: notification.id };
    }
  }
  core.WebhookEvent('Order Placed', 'Commerce', { alias: 'acme.orderPlaced', notification: OrderPlaced })(OrderPlacedWebhookEvent as never);
  return OrderPlacedWebhookEvent;
}

describe('an event class built on another copy of @hookwork/core', () => {
  let dir: string;
  let app: Hookwork | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hookwork-core-copy-'));
  });
  afterEach(async () => {
    await app?.stop();
    app = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  // Before: with tsyringe shared, start() failed with HOOKWORK_ERR_EVENT_NOT_RESOLVABLE about an
  // unregistered Symbol(hookwork.Settings), advising to register services; with a second tsyringe
  // too, start() passed and every publish() failed with "Cannot destructure property 'settings' of
  // 'this.deps'", nothing delivered.
  it.each([
    ['sharing tsyringe', false],
    ['with its own tsyringe as well', true],
  ])('is refused by start() (%s) with HOOKWORK_ERR_DUPLICATE_CORE, naming both copies and the fix', async (_how, ownTsyringe) => {
    const Foreign = pluginEvent(secondCopy(dir, ownTsyringe));
    app = createHookwork({ composers: [{ compose: (builder) => void builder.webhookEvents().add(Foreign) }] });
    const error = await app.start().then(() => undefined, (caught: unknown) => caught);
    expect(isHookworkError(error, 'HOOKWORK_ERR_DUPLICATE_CORE')).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain(`OrderPlacedWebhookEvent extends the WebhookEventBase of the @hookwork/core at ${join(dir, 'node_modules', '@hookwork', 'core')}, but this app runs the @hookwork/core at ${coreRoot}`);
    expect(message).toMatch(/declare @hookwork\/core as a peerDependency .* then npm dedupe/);
    // The copy sits in the node_modules of a folder of its own, as a plugin linked in development
    // has it (npm link, npm install ../plugin): npm dedupe never reaches it, and the message said only that.
    expect(message).toContain(`the plugin at ${dir} is linked from a folder of its own (npm link, npm install ../plugin, a workspace), and that folder's node_modules holds its own copy (its devDependency), which npm dedupe does not touch: install the plugin as a packed tarball (npm pack in ${dir}, then npm install <the .tgz>), or delete ${join(dir, 'node_modules', '@hookwork', 'core')} while you work on it`);
    expect(app.state).toBe('created');
    app = undefined;
  });

  it('names only the dependency fix for a copy nested in an installed plugin (a pinned core of another version)', async () => {
    const plugin = join(dir, 'node_modules', 'acme-commerce');
    const Foreign = pluginEvent(secondCopy(plugin, false));
    app = createHookwork({ composers: [{ compose: (builder) => void builder.webhookEvents().add(Foreign) }] });
    const error = await app.start().then(() => undefined, (caught: unknown) => caught);
    expect(isHookworkError(error, 'HOOKWORK_ERR_DUPLICATE_CORE')).toBe(true);
    expect((error as Error).message).toMatch(/declare @hookwork\/core as a peerDependency .* then npm dedupe \(npm ls @hookwork\/core shows the copies\)$/);
    app = undefined;
  });

  it('is taken when it extends this copy: the same plugin code on one core starts and fires', async () => {
    const Own = pluginEvent({ WebhookEventBase, WebhookEvent });
    app = createHookwork({ composers: [{ compose: (builder) => void builder.webhookEvents().add(Own) }] });
    await app.start();
    await app.webhooks.create({ url: 'https://example.com/hook', events: ['acme.orderPlaced'] });
    const result = await app.publish(new OrderPlaced('o-1'));
    expect(result.failures).toEqual([]);
  });
});

describe('the folder a linked plugin is said to be', () => {
  it('is never the app\'s own folder: a copy at the root of the folder this app\'s running core is nested in is the app\'s, not a linked plugin\'s', () => {
    // A package depending on core (not peer) calls createHookwork, so the running copy is nested,
    // while the app's event classes extend the root copy: the message told the host to delete the
    // app's own node_modules/@hookwork/core.
    const app = join(tmpdir(), 'shop');
    const rootCopy = join(app, 'node_modules', '@hookwork', 'core');
    expect(linkedPluginFolder(rootCopy, join(app, 'node_modules', 'hookwork-starter', 'node_modules', '@hookwork', 'core'))).toBeUndefined();
    // A plugin linked from a folder of its own is still named.
    const plugin = join(tmpdir(), 'acme-plugin');
    expect(linkedPluginFolder(join(plugin, 'node_modules', '@hookwork', 'core'), rootCopy)).toBe(plugin);
    // Nor is a folder whose name only begins with the app's.
    expect(linkedPluginFolder(join(`${app}-plugin`, 'node_modules', '@hookwork', 'core'), rootCopy)).toBe(`${app}-plugin`);
  });
});
