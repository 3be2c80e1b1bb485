// Builds the admin page into dist/page: type-checks page/src (tsc, DOM types), then bundles it
// with esbuild — Lit and the components into one ES module, the API reference starter, the
// stylesheet. Part of the root `npm run build`; nothing here is fetched at run time.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'page');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

try {
  execFileSync(process.execPath, [tsc, '-p', join(root, 'page', 'tsconfig.json')], { stdio: 'inherit' });
} catch {
  console.error('@hookwork/admin: the admin page (page/src) has type errors; see above');
  process.exit(1);
}
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
// The API's limits on a webhook, from core's own schema (built by tsc -b before this runs): the
// page holds core's types only, so they are written into the bundle, never copied by hand.
const { webhookInputSchema } = createRequire(import.meta.url)('@hookwork/core');
const limits = {
  nameMaxLength: webhookInputSchema.properties.name.maxLength,
  descriptionMaxLength: webhookInputSchema.properties.description.maxLength,
  urlMaxLength: webhookInputSchema.properties.url.maxLength,
  minRatePerSecond: webhookInputSchema.properties.rateLimit.properties.perSecond.minimum,
};
const common = {
  bundle: true,
  minify: true,
  sourcemap: true,
  target: 'es2022',
  legalComments: 'linked',
  logLevel: 'warning',
  tsconfig: join(root, 'page', 'tsconfig.json'),
  define: { __WEBHOOK_LIMITS__: JSON.stringify(limits) },
};
await build({ ...common, entryPoints: { admin: join(root, 'page', 'src', 'main.ts') }, format: 'esm', outdir: out });
await build({ ...common, entryPoints: { reference: join(root, 'page', 'src', 'reference.ts') }, format: 'iife', outdir: out });
await build({ ...common, entryPoints: { admin: join(root, 'page', 'src', 'admin.css') }, outdir: out });
console.log(`@hookwork/admin: page built into ${out}`);
