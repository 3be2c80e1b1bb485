#!/usr/bin/env node
// Packs every public workspace package (packages/*, plugins/*) into one folder, so a host
// project outside this repository installs them with one line:
//
//   npm install /path/to/hookwork/hookwork-packs/*.tgz
//
// The packages are not on the npm registry yet. Installed together, each tarball's dependency on
// another hookwork package (`"@hookwork/core": "0.1.0"`) is met by the tarball beside it; one
// tarball alone would send npm to the registry for the others.
//
// Before writing anything it checks what a host would trip over: every package ships a README
// and every source map in it points at files that are shipped too.
//
// Usage: node scripts/pack.mjs [--out <dir>] [--json]
//   --out   the folder (default ./hookwork-packs); its old hookwork tarballs are replaced
//   --json  print [{ name, version, directory, file, files }] instead of the install line
// Run `npm run build` first (`npm run pack` does both).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, posix, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/**
 * The public packages of the workspaces (`folder/*` patterns and plain folders). Examples and
 * test fixtures are private, so they are never packed.
 */
function workspacePackages() {
  const { workspaces } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const folders = workspaces.flatMap((pattern) => {
    if (!pattern.includes('*')) return [join(root, pattern)];
    if (!pattern.endsWith('/*') || pattern.slice(0, -2).includes('*')) throw new Error(`scripts/pack.mjs understands workspaces "folder/*" and "folder"; got "${pattern}"`);
    const parent = join(root, pattern.slice(0, -2));
    return readdirSync(parent, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(parent, e.name));
  });
  const found = [];
  for (const folder of folders) {
    const file = join(folder, 'package.json');
    if (!existsSync(file)) continue;
    const manifest = JSON.parse(readFileSync(file, 'utf8'));
    if (manifest.private) continue;
    found.push({ name: manifest.name, version: manifest.version, directory: relative(root, folder) });
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

/** What is wrong with one packed package: no README, a source map naming a file not shipped. */
function problemsOf(pack) {
  const shipped = new Set(pack.files.map((f) => f.path));
  const problems = [];
  if (![...shipped].some((path) => /^readme(\.md)?$/i.test(path))) problems.push('ships no README.md');
  for (const path of shipped) {
    if (!path.endsWith('.map')) continue;
    const map = JSON.parse(readFileSync(join(root, pack.directory, path), 'utf8'));
    (map.sources ?? []).forEach((source, i) => {
      // A map that carries a source's text itself (sourcesContent, as a browser bundle's does) needs no file.
      if (typeof map.sourcesContent?.[i] === 'string') return;
      const target = posix.normalize(posix.join(posix.dirname(path), map.sourceRoot ?? '', source));
      if (!shipped.has(target)) problems.push(`${path} points at ${target}, which is not shipped`);
    });
  }
  return problems;
}

function main(argv) {
  const json = argv.includes('--json');
  const outAt = argv.indexOf('--out');
  const out = resolve(outAt >= 0 ? argv[outAt + 1] ?? '' : join(root, 'hookwork-packs'));
  const packages = workspacePackages();
  const unbuilt = packages.filter((p) => !existsSync(join(root, p.directory, 'dist')));
  if (unbuilt.length > 0) {
    console.error(`not built: ${unbuilt.map((p) => p.name).join(', ')}; run \`npm run build\` first (or \`npm run pack\`, which does)`);
    process.exit(1);
  }

  mkdirSync(out, { recursive: true });
  for (const file of readdirSync(out)) if (/^hookwork-.*\.tgz$/.test(file)) rmSync(join(out, file));
  const packed = JSON.parse(
    execFileSync(npm, ['pack', '--json', '--pack-destination', out, ...packages.flatMap((p) => ['-w', p.name])], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, npm_config_loglevel: 'error' },
    }),
  );
  const result = packages.map((p) => {
    const pack = packed.find((entry) => entry.name === p.name);
    if (!pack) throw new Error(`npm pack gave nothing for ${p.name}`);
    return { ...p, file: join(out, pack.filename), files: pack.files.map((f) => f.path).sort() };
  });

  const problems = result.flatMap((p) => problemsOf({ ...p, files: p.files.map((path) => ({ path })) }).map((problem) => `${p.name}: ${problem}`));
  if (problems.length > 0) {
    for (const file of result) rmSync(file.file, { force: true });
    console.error(`refusing to hand out these packages:\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }

  if (json) {
    console.log(JSON.stringify(result, null, 2));
    return;
  }
  for (const p of result) console.log(`${p.name}@${p.version}  ${p.file}`);
  console.log(`\nIn your project (the packages are not published on the npm registry yet):\n\n  npm install ${join(out, '*.tgz')}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
