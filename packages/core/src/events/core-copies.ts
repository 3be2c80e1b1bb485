import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { WEBHOOK_EVENT_BASE_MARK } from './webhook-event.decorator';

/**
 * @internal set on WebhookEventBase as a registered symbol, so a class built on another copy of
 * @hookwork/core says where that copy lives (the directory of its package.json).
 */
export const CORE_LOCATION = Symbol.for('hookwork:core-location');

/** The directory of the package.json above `file` (the package root), or `file`'s directory. */
export function packageRootOf(file: string): string {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === '@hookwork/core') return dir;
      } catch {
        // not a readable manifest: keep looking upwards
      }
    }
    if (dirname(dir) === dir) return dirname(file);
  }
}

/** This copy's package root, found once. */
let ownRoot: string | undefined;
export const ownCoreRoot = () => (ownRoot ??= packageRootOf(__filename));

/**
 * Where the WebhookEventBase that `type` extends was loaded from, when it is not `base` (this
 * copy's): another copy of @hookwork/core, nested in a plugin's node_modules. undefined when
 * `type` extends `base`, or is no webhook event at all (the decorator refuses those).
 */
export function foreignCoreOf(type: Function, base: Function): string | undefined {
  if (type.prototype instanceof base) return undefined;
  let prototype: object | null = type.prototype as object | null;
  while (prototype && !Object.prototype.hasOwnProperty.call(prototype, WEBHOOK_EVENT_BASE_MARK)) prototype = Object.getPrototypeOf(prototype) as object | null;
  if (!prototype) return undefined;
  const foreignBase = (prototype as { constructor: Function }).constructor;
  const told = (foreignBase as unknown as Record<symbol, unknown>)[CORE_LOCATION];
  if (typeof told === 'string') return told;
  // A copy from before CORE_LOCATION: the module that exports that base names it.
  for (const [file, loaded] of Object.entries(require.cache)) {
    if ((loaded?.exports as { WebhookEventBase?: unknown } | undefined)?.WebhookEventBase === foreignBase) return packageRootOf(file);
  }
  return 'another copy of @hookwork/core (its location unknown)';
}

/**
 * The folder of the plugin whose own node_modules holds the copy of core at `copy`, when that
 * folder is no installed package (no node_modules above it): a plugin linked in development (npm
 * link, `npm install ../plugin`, a workspace) with core among its devDependencies. `npm dedupe`
 * never touches such a folder's node_modules. undefined for a copy nested in an installed package.
 */
export function linkedPluginFolder(copy: string, own: string = ownCoreRoot()): string | undefined {
  const parts = copy.split(/[\\/]/);
  if (parts.length < 4 || parts.slice(-3).join('/') !== 'node_modules/@hookwork/core') return undefined;
  const folder = parts.slice(0, -3);
  if (folder.includes('node_modules')) return undefined;
  const path = folder.join(sep) || sep;
  // The app's own folder, not a plugin's: the running core is nested below it (a package that
  // depends on core calls createHookwork), and deleting that copy would break the app's imports.
  return own.startsWith(path.endsWith(sep) ? path : path + sep) ? undefined : path;
}
