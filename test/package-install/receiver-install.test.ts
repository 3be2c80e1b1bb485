import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Packs @hookwork/receiver as npm would publish it and installs the tarball ALONE into a project of
// its own: a receiver team needs no hookwork core, Express or Fastify. The project compiles with
// node10 and node16 resolution (the subpath entries need typesVersions for node10), skipLibCheck
// off, and receives a signed request over real HTTP on 127.0.0.1.
const root = join(__dirname, '..', '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

jest.setTimeout(300_000);

describe('@hookwork/receiver installed from its packed tarball', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookwork-receiver-host-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('installs without hookwork core, Express or Fastify, compiles under node10 and node16, and verifies', () => {
    const packs = join(dir, 'packs');
    mkdirSync(packs);
    execFileSync(npm, ['pack', '--silent', '--pack-destination', packs, '-w', '@hookwork/receiver'], { cwd: root, stdio: 'pipe', env: { ...process.env, npm_config_loglevel: 'error' } });
    const tarball = readdirSync(packs).find((t) => t.startsWith('hookwork-receiver-'))!;
    expect(tarball).toBeDefined();
    const listed = execFileSync('tar', ['-tzf', join(packs, tarball)], { encoding: 'utf8' }).split('\n');
    expect(listed).toContain('package/dist/adapters/fastify.d.ts');
    expect(listed.filter((f) => /\.test\.|test-support/.test(f))).toEqual([]);

    const project = join(dir, 'host');
    cpSync(join(__dirname, 'receiver-host'), project, { recursive: true });
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'hookwork-receiver-host-check', private: true, dependencies: { '@hookwork/receiver': `file:../packs/${tarball}`, '@types/node': '^20.19.0' } }),
    );
    execFileSync(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd: project, stdio: 'pipe' });
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    for (const config of ['tsconfig.node16.json', 'tsconfig.node10.json']) {
      try {
        execFileSync(process.execPath, [tsc, '-p', config], { cwd: project, stdio: 'pipe', env: { ...process.env, NODE_PATH: '' } });
      } catch (error) {
        throw new Error(`the receiver host did not compile with ${config}:\n${(error as { stdout?: Buffer }).stdout?.toString()}`, { cause: error });
      }
    }
    const output = execFileSync(process.execPath, ['dist/receiver-host.js'], { cwd: project, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NODE_PATH: '' } });
    expect(JSON.parse(output.trim().split('\n').pop()!)).toEqual({
      seen: ['publish doc-1'],
      statuses: [200, 401],
      missing: ['@hookwork/core', 'express', 'fastify'],
      coded: false,
    });
  });
});
