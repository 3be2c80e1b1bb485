import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { documentedAdditions, documentedTsconfig } from '../docs/host-setup-tsconfig';

// A host project as a new user makes one, outside this repository: every public workspace package
// packed by `scripts/pack.mjs` (the way docs/host-setup.md says to install hookwork), installed
// with one `npm install` from the tarballs, then three host kinds — CommonJS with node10
// resolution, CommonJS with node16, ESM ("type": "module") — each compiled with exactly the
// tsconfig docs/host-setup.md gives (read from the page) and skipLibCheck off against the
// installed .d.ts, and run: every entry point of every package is
// imported, and the README's tour (examples/tour/src) runs against a receiver that verifies with
// `standardwebhooks`. No host imports reflect-metadata. A bundler's settings and "commonjs" without
// esModuleInterop are type-checked too. Catches a file left out of a package, a .d.ts needing types
// nobody installs or a compiler flag the page does not name, an entry point one module setting
// cannot see, and a README that does not work outside the checkout.
//
// One install is shared by the hosts (copied), better-sqlite3's addon is taken from this
// checkout's build when the versions match (building it takes minutes on 2 cores), and npm reads
// its cache first.

const root = join(__dirname, '..', '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const run = promisify(execFile);

// Packing, one install and five strict compiles take about two minutes on an idle 2-core machine;
// the bound is for a hung step, not a speed check, so it leaves room for a machine shared by others.
jest.setTimeout(480_000);

interface Packed {
  name: string;
  version: string;
  directory: string;
  file: string;
  files: string[];
}

interface HostKind {
  name: string;
  type: 'commonjs' | 'module';
  /** What the host adds to docs/host-setup.md's tsconfig, as that page's table of `module` settings says. */
  module: string;
  add: Record<string, unknown>;
}

const HOSTS: HostKind[] = [
  { name: 'commonjs-node10', type: 'commonjs', module: 'commonjs', add: { esModuleInterop: true } },
  { name: 'commonjs-node16', type: 'commonjs', module: 'node16', add: {} },
  { name: 'esm-node16', type: 'module', module: 'node16', add: {} },
];

/**
 * The tsconfig docs/host-setup.md recommends, read from the page, with skipLibCheck off (the page
 * promises it compiles so). This test once added `target` and `esModuleInterop` of its own, and
 * the page's tsconfig, without them, failed in a new project: ES5 cannot read `#private` fields,
 * and a .d.ts default-imported better-sqlite3.
 */
const strictOptions = { ...documentedTsconfig(), skipLibCheck: false };

const rootVersion = (name: string) => (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
const notInTour = Object.keys((JSON.parse(readFileSync(join(__dirname, 'not-in-tour.json'), 'utf8')) as { packages: Record<string, string> }).packages);

/** Every public package of packages/* and plugins/*, found independently of scripts/pack.mjs. */
function publicWorkspacePackages(): string[] {
  const names: string[] = [];
  for (const parent of ['packages', 'plugins']) {
    for (const entry of readdirSync(join(root, parent))) {
      const file = join(root, parent, entry, 'package.json');
      if (!existsSync(file)) continue;
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as { name: string; private?: boolean };
      if (!manifest.private) names.push(manifest.name);
    }
  }
  return names.sort();
}

/** The import specifiers of a package's entry points (`@hookwork/core`, `@hookwork/core/testing`). */
function entryPoints(pack: Packed): string[] {
  const manifest = JSON.parse(readFileSync(join(root, pack.directory, 'package.json'), 'utf8')) as { exports?: Record<string, unknown> };
  const subpaths = Object.keys(manifest.exports ?? { '.': null }).filter((p) => p !== './package.json' && !p.includes('*'));
  return subpaths.map((p) => (p === '.' ? pack.name : `${pack.name}/${p.slice(2)}`));
}

/** A module importing every entry point: loaded ones by value, packages not in the tour by type only. */
function entryPointsModule(packs: Packed[]): string {
  const lines: string[] = [];
  const loaded: string[] = [];
  packs.flatMap((pack) => entryPoints(pack).map((specifier) => ({ pack, specifier }))).forEach(({ pack, specifier }, i) => {
    if (notInTour.includes(pack.name)) lines.push(`import type * as entry${i} from '${specifier}';`, `export type Entry${i} = typeof entry${i};`);
    else {
      lines.push(`import * as entry${i} from '${specifier}';`);
      loaded.push(`  '${specifier}': Object.keys(entry${i}).length,`);
    }
  });
  return `${lines.join('\n')}\n\n/** How many named exports each loaded entry point has. */\nexport const entryPoints: Record<string, number> = {\n${loaded.join('\n')}\n};\n`;
}

/**
 * The peer dependencies of the packed packages, optional ones included: a host that imports an
 * adapter entry point (`@hookwork/receiver/fastify`) has that framework installed.
 */
function peerDependencies(packs: Packed[]): [string, string][] {
  const peers = new Map<string, string>();
  for (const pack of packs) {
    const manifest = JSON.parse(readFileSync(join(root, pack.directory, 'package.json'), 'utf8')) as { peerDependencies?: Record<string, string> };
    for (const [name, range] of Object.entries(manifest.peerDependencies ?? {})) if (!name.startsWith('@hookwork/')) peers.set(name, range);
  }
  return [...peers];
}

/** npm with this machine's cache first, quiet. */
async function npmIn(cwd: string, args: string[]): Promise<void> {
  await run(npm, [...args, '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd, env: { ...process.env, npm_config_loglevel: 'error' } });
}

/**
 * Native addons (better-sqlite3) were installed without running their build: take this
 * checkout's build of the same version, or build it when the versions differ.
 */
async function provideNativeAddons(project: string): Promise<void> {
  const modules = join(project, 'node_modules');
  const names = readdirSync(modules).flatMap((n) => (n.startsWith('@') ? readdirSync(join(modules, n)).map((m) => `${n}/${m}`) : [n]));
  for (const name of names) {
    if (!existsSync(join(modules, name, 'binding.gyp'))) continue;
    const ours = join(root, 'node_modules', name);
    const installed = (JSON.parse(readFileSync(join(modules, name, 'package.json'), 'utf8')) as { version: string }).version;
    if (existsSync(join(ours, 'build', 'Release')) && rootVersion(name) === installed) cpSync(join(ours, 'build'), join(modules, name, 'build'), { recursive: true });
    else await npmIn(project, ['rebuild', name]);
  }
}

async function compile(project: string, tsconfig: string): Promise<void> {
  try {
    await run(process.execPath, [tsc, '-p', tsconfig], { cwd: project });
  } catch (error) {
    throw new Error(`${project} (${tsconfig}) did not compile against the packed packages:\n${(error as { stdout?: string }).stdout ?? String(error)}`, { cause: error });
  }
}

/** The errors of a type check (no emit), one per line, paths relative to the project. */
async function typeErrors(project: string, tsconfig: string): Promise<string[]> {
  try {
    await run(process.execPath, [tsc, '-p', tsconfig, '--pretty', 'false'], { cwd: project });
    return [];
  } catch (error) {
    const out = (error as { stdout?: string }).stdout;
    if (!out) throw error;
    return out.split('\n').filter((line) => /error TS\d+/.test(line));
  }
}

async function runJson<T>(project: string, script: string, args: string[] = []): Promise<T> {
  // The timeout bounds a hung run; the tour must end by itself once app.stop() resolved.
  const { stdout } = await run(process.execPath, [script, ...args], { cwd: project, timeout: 60_000 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as T;
}

interface TourResult {
  events: string[];
  publishFailures: number;
  enqueued: number;
  received: { path: string; event: string; test: boolean; body: unknown }[];
  refused: number;
  log: { eventAlias: string; statusCode?: number; retryCount: number; outcome: string }[];
  deadLetters: { eventAlias: string; attempts: number }[];
  redelivered: number;
  testSend: { ok: boolean; statusCode?: number };
  deadLettersAfterRedelivery: number;
  admin: { status: number; total: number };
}

describe('hookwork installed from its packed tarballs into host projects', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookwork-hosts-'));
  let packs: Packed[] = [];
  let bundlerErrors: string[] = [];
  let noInteropErrors: string[] = [];
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeAll(async () => {
    const { stdout } = await run(process.execPath, [join(root, 'scripts', 'pack.mjs'), '--out', join(dir, 'packs'), '--json'], { cwd: root });
    packs = JSON.parse(stdout) as Packed[];

    // One install, as docs/host-setup.md says: every tarball at once, nothing else of hookwork's.
    const install = join(dir, 'install');
    mkdirSync(install);
    const dependencies = Object.fromEntries([
      ...packs.map((p) => [p.name, `file:${p.file}`]),
      ...peerDependencies(packs),
      ['standardwebhooks', `^${rootVersion('standardwebhooks')}`],
      ['@types/node', `^${rootVersion('@types/node')}`],
    ]);
    writeFileSync(join(install, 'package.json'), JSON.stringify({ name: 'hookwork-host', private: true, dependencies }, null, 2));
    await npmIn(install, ['install', '--ignore-scripts']);
    await provideNativeAddons(install);

    const entries = entryPointsModule(packs);
    const tourSources = join(root, 'examples', 'tour', 'src');
    for (const host of HOSTS) {
      const project = join(dir, host.name);
      mkdirSync(project);
      cpSync(join(install, 'node_modules'), join(project, 'node_modules'), { recursive: true, verbatimSymlinks: true });
      writeFileSync(join(project, 'package.json'), JSON.stringify({ name: `hookwork-host-${host.name}`, private: true, type: host.type, dependencies }, null, 2));
      for (const file of readdirSync(tourSources)) if (file.endsWith('.ts') && !file.endsWith('.test.ts')) copyFileSync(join(tourSources, file), join(project, file));
      copyFileSync(join(__dirname, 'host', 'metadata-check.ts'), join(project, 'metadata-check.ts'));
      writeFileSync(join(project, 'entry-points.ts'), entries);
      writeFileSync(join(project, 'load.ts'), "import { entryPoints } from './entry-points.js';\nconsole.log(JSON.stringify(entryPoints));\n");
      const tsconfig = (options: object, outDir: string, files: string[]) => ({ compilerOptions: { ...strictOptions, module: host.module, ...host.add, outDir, ...options }, files });
      writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(tsconfig({}, 'dist', ['main.ts', 'tour.ts', 'receiver.ts', 'entry-points.ts', 'load.ts', 'metadata-check.ts']), null, 2));
      // The two settings under which injection silently breaks: start() must refuse them. Without
      // metadata the type rules are those of the strict compile above, so that one is only emitted.
      writeFileSync(join(project, 'tsconfig.no-metadata.json'), JSON.stringify(tsconfig({ emitDecoratorMetadata: false, noCheck: true }, 'dist-no-metadata', ['metadata-check.ts']), null, 2));
      writeFileSync(join(project, 'tsconfig.standard-decorators.json'), JSON.stringify(tsconfig({ experimentalDecorators: false, emitDecoratorMetadata: false }, 'dist-standard-decorators', ['metadata-check.ts']), null, 2));
    }
    // Type checks only, of the other settings the page's table names: a bundler's, and "commonjs"
    // without esModuleInterop (which only Fastify's types, not hookwork's, may need there).
    const typeChecked = ['main.ts', 'tour.ts', 'receiver.ts', 'entry-points.ts', 'metadata-check.ts'];
    const checkOnly = (module: string, add: object) => JSON.stringify({ compilerOptions: { ...strictOptions, module, ...add, noEmit: true }, files: typeChecked }, null, 2);
    writeFileSync(join(dir, 'esm-node16', 'tsconfig.bundler.json'), checkOnly('preserve', { moduleResolution: 'bundler' }));
    writeFileSync(join(dir, 'commonjs-node10', 'tsconfig.no-interop.json'), checkOnly('commonjs', {}));
    // Two at a time: the machine has two cores.
    const compiles = [
      ...HOSTS.flatMap((host) => ['tsconfig.json', ...(host.name === 'commonjs-node10' ? ['tsconfig.no-metadata.json', 'tsconfig.standard-decorators.json'] : [])].map((c) => () => compile(join(dir, host.name), c))),
      async () => void (bundlerErrors = await typeErrors(join(dir, 'esm-node16'), 'tsconfig.bundler.json')),
      async () => void (noInteropErrors = await typeErrors(join(dir, 'commonjs-node10'), 'tsconfig.no-interop.json')),
    ];
    await Promise.all([0, 1].map(async () => {
      for (let next = compiles.shift(); next; next = compiles.shift()) await next();
    }));
  });

  it('packs every public package of the workspaces, each with a README', () => {
    expect(packs.map((p) => p.name)).toEqual(publicWorkspacePackages());
    expect(packs.map((p) => p.name)).toEqual(expect.arrayContaining(['@hookwork/core', '@hookwork/cms', '@hookwork/sqlite', '@hookwork/plugin-cockpit']));
    for (const pack of packs) expect([pack.name, pack.files.includes('README.md')]).toEqual([pack.name, true]);
    // No test code, fixtures or keys in what a host installs.
    for (const pack of packs) expect([pack.name, pack.files.filter((f) => /\.test\.|test-support|test-fixtures|\.pem$/.test(f))]).toEqual([pack.name, []]);
  });

  it('installs one @hookwork/core, which every other package names a peer (never a copy of its own)', () => {
    // A package that depended on core got its own nested copy whenever the host's core differed,
    // and start() refused the app with HOOKWORK_ERR_DUPLICATE_CORE.
    const copies: string[] = [];
    const walk = (modules: string, depth: number) => {
      if (depth > 6 || !existsSync(modules)) return;
      for (const entry of readdirSync(modules)) {
        if (entry.startsWith('.')) continue;
        const names = entry.startsWith('@') ? readdirSync(join(modules, entry)).map((n) => join(entry, n)) : [entry];
        for (const name of names) {
          if (name === join('@hookwork', 'core')) copies.push(join(modules, name));
          walk(join(modules, name, 'node_modules'), depth + 1);
        }
      }
    };
    walk(join(dir, 'install', 'node_modules'), 0);
    expect(copies).toEqual([join(dir, 'install', 'node_modules', '@hookwork', 'core')]);
    for (const pack of packs.filter((p) => p.name !== '@hookwork/core')) {
      const manifest = JSON.parse(readFileSync(join(root, pack.directory, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; peerDependencies?: Record<string, string> };
      expect([pack.name, manifest.dependencies?.['@hookwork/core']]).toEqual([pack.name, undefined]);
      if (pack.name !== '@hookwork/receiver') expect([pack.name, manifest.peerDependencies?.['@hookwork/core']]).toEqual([pack.name, pack.version]);
    }
  });

  it.each(HOSTS.map((h) => [h.name]))('loads every entry point of every package in a %s host', async (name) => {
    const loaded = await runJson<Record<string, number>>(join(dir, name), 'dist/load.js');
    const expected = packs.filter((p) => !notInTour.includes(p.name)).flatMap(entryPoints);
    expect(Object.keys(loaded).sort()).toEqual(expected.sort());
    for (const [specifier, count] of Object.entries(loaded)) expect([specifier, count > 0]).toEqual([specifier, true]);
  });

  it.each(HOSTS.map((h) => [h.name]))('runs the README tour in a %s host against a verifying receiver, and exits', async (name) => {
    const result = await runJson<TourResult>(join(dir, name), 'dist/main.js', ['--json']);
    expect(result.events).toEqual(expect.arrayContaining(['Umbraco.ContentPublish', 'Umbraco.MediaSave', 'shop.orderPlaced']));
    expect(result.publishFailures).toBe(0);
    expect(result.enqueued).toBe(3);
    expect(result.refused).toBe(0); // every signature verified with standardwebhooks
    const byPath = (path: string, test = false) => result.received.filter((r) => r.path === path && r.test === test).map(({ event, body }) => ({ event, body }));
    // The custom event and the replaced payload (the host service was injected).
    expect(byPath('/hooks')).toEqual(
      expect.arrayContaining([
        { event: 'Umbraco.ContentPublish', body: { myData: 'Your data', publishedContent: '<h1>Home</h1>' } },
        { event: 'shop.orderPlaced', body: { id: 'o-1', total: 42 } },
      ]),
    );
    expect(byPath('/hooks')).toHaveLength(2);
    expect(result.log.map((e) => [e.eventAlias, e.statusCode, e.retryCount, e.outcome]).sort()).toEqual([
      ['Umbraco.ContentPublish', 204, 0, 'delivered'],
      ['shop.orderPlaced', 204, 0, 'delivered'],
    ]);
    // The receiver that was down: a dead letter after the first attempt and one retry, delivered once redelivered.
    expect(result.deadLetters).toEqual([{ eventAlias: 'shop.orderPlaced', attempts: 2 }]);
    expect(result.redelivered).toBe(1);
    expect(byPath('/backup')).toEqual([{ event: 'shop.orderPlaced', body: { id: 'o-1', total: 42 } }]);
    expect(result.deadLettersAfterRedelivery).toBe(0);
    // The test send reached the receiver, marked as a test.
    expect(result.testSend).toEqual({ ok: true, statusCode: 204 });
    expect(byPath('/hooks', true).map((r) => r.event)).toEqual(['Umbraco.ContentPublish']);
    // Step 6: the standalone admin server answered with the two webhooks, then closed (else the process would not exit).
    expect(result.admin).toEqual({ status: 200, total: 2 });
  });

  it("compiles with each module setting docs/host-setup.md's table names, adding what the table says", () => {
    for (const host of HOSTS) {
      const added = documentedAdditions(host.module);
      for (const [key, value] of Object.entries(host.add)) expect([host.name, added]).toEqual([host.name, expect.stringContaining(`"${key}": ${JSON.stringify(value)}`)]);
    }
    expect(documentedAdditions('preserve')).toContain('"moduleResolution": "bundler"');
    // Type-checked with a bundler's settings: every entry point and the tour.
    expect(bundlerErrors).toEqual([]);
  });

  it('needs no esModuleInterop for any hookwork declaration (module "commonjs")', () => {
    // sqlite's .d.ts default-imported better-sqlite3 (`export =`): TS1259 in every CommonJS host
    // without esModuleInterop. Only other packages' types may need it (Fastify's logger does,
    // which docs/host-setup.md says); none of hookwork's, and none of the host's own files.
    const ours = noInteropErrors.filter((line) => !/^node_modules\/(?!@hookwork\/)/.test(line));
    expect(ours).toEqual([]);
  });

  it('starts a host whose injected event has decorator metadata', async () => {
    expect(await runJson(join(dir, 'commonjs-node10'), 'dist/metadata-check.js')).toEqual({ started: true });
  });

  it.each([
    ['without emitDecoratorMetadata', 'dist-no-metadata'],
    ['with TypeScript standard decorators', 'dist-standard-decorators'],
  ])('refuses at start() a host compiled %s, naming the two tsconfig flags', async (_how, outDir) => {
    const result = await runJson<{ started: boolean; code: string; message: string }>(join(dir, 'commonjs-node10'), `${outDir}/metadata-check.js`);
    expect(result).toMatchObject({ started: false, code: 'HOOKWORK_ERR_DECORATOR_METADATA_MISSING' });
    expect(result.message).toContain('MyContentPublishedWebhookEvent');
    expect(result.message).toMatch(/"experimentalDecorators": true and "emitDecoratorMetadata": true/);
  });
});
