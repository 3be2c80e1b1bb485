import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Packs @hookwork/core and @hookwork/cms as npm would publish them, installs the tarballs into a
// project of its own (not a workspace member), compiles a host with that project's tsconfig and
// runs it against a receiver on 127.0.0.1. Catches a missing export, a file left out of the
// package, a .d.ts that only compiles inside the workspace, or a decorator setting a host needs.
const root = join(__dirname, '..', '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

jest.setTimeout(300_000);

describe('hookwork installed from its packed tarballs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookwork-host-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('compiles and runs a host that composes addCms and a custom event', () => {
    const packs = join(dir, 'packs');
    mkdirSync(packs);
    execFileSync(npm, ['pack', '--silent', '--pack-destination', packs, '-w', '@hookwork/core', '-w', '@hookwork/cms'], { cwd: root, stdio: 'pipe', env: { ...process.env, npm_config_loglevel: 'error' } });
    const tarballs = readdirSync(packs);
    const core = tarballs.find((t) => t.startsWith('hookwork-core-'))!;
    const cms = tarballs.find((t) => t.startsWith('hookwork-cms-'))!;
    expect([core, cms].every(Boolean)).toBe(true);

    const project = join(dir, 'host');
    cpSync(join(__dirname, 'host'), project, { recursive: true });
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({
        name: 'hookwork-host-check',
        private: true,
        dependencies: { '@hookwork/core': `file:../packs/${core}`, '@hookwork/cms': `file:../packs/${cms}`, 'reflect-metadata': '^0.2.2', '@types/node': '^20.19.0' },
        overrides: { '@hookwork/core': `file:../packs/${core}` },
      }),
    );
    execFileSync(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd: project, stdio: 'pipe' });
    // The host's own tsconfig (commonjs, node10 resolution, skipLibCheck off) against the installed .d.ts.
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    try {
      execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: project, stdio: 'pipe', env: { ...process.env, NODE_PATH: '' } });
    } catch (error) {
      throw new Error(`the host did not compile against the packed packages:\n${(error as { stdout?: Buffer }).stdout?.toString()}`, { cause: error });
    }
    const output = execFileSync(process.execPath, ['dist/host.js'], { cwd: project, encoding: 'utf8', timeout: 60_000 });
    const result = JSON.parse(output.trim().split('\n').pop()!) as { events: number; received: { event: string; body: { id: string } }[] };
    expect(result.events).toBe(6);
    expect(result.received.map((r) => r.event)).toEqual(['Umbraco.ContentPublish', 'shop.orderPlaced']);
    expect(result.received[1]!.body).toEqual({ id: 'o-1', total: 42 });
    expect(result.received[0]!.body).toMatchObject({ id: 'k-1' });
  });
});
