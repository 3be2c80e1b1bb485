import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

// `npx hookwork` in a checkout ran nothing ("could not determine executable to run"): npm links a
// workspace's bins into node_modules/.bin at install, before the first build, and skips a bin whose
// file is missing then — every bin named a file in dist/. Each bin is now a committed file that
// runs the build, and says to build when there is none.

const ROOT = join(__dirname, '..', '..');
const run = promisify(execFile);

/** Every workspace package that declares commands, with its bins (command → file). */
function workspaceBins(): { dir: string; bins: Record<string, string> }[] {
  const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] };
  const dirs = execFileSync('git', ['ls-files', '--', ...root.workspaces.map((w) => `${w}/package.json`)], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((file) => file.slice(0, -'/package.json'.length));
  return dirs.flatMap((dir) => {
    const { bin } = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as { bin?: Record<string, string> };
    return bin ? [{ dir, bins: bin }] : [];
  });
}

describe('the commands of the workspace packages', () => {
  it('are executable files in git, outside any build output, so npm links them before the first build', () => {
    const found = workspaceBins();
    expect(found.map((p) => Object.keys(p.bins)).flat().sort()).toEqual(['hookwork', 'hookwork-quickstart', 'hookwork-types']);
    for (const { dir, bins } of found) {
      for (const file of Object.values(bins)) {
        const path = join(dir, file).replace(/\\/g, '/');
        expect(path).not.toMatch(/\/dist\//);
        // Mode 100755: tracked, and executable as npm links it.
        expect([path, execFileSync('git', ['ls-files', '--stage', '--', path], { cwd: ROOT, encoding: 'utf8' }).split(' ')[0]]).toEqual([path, '100755']);
      }
    }
  });

  it('run the build: hookwork --version and hookwork-types --help answer through their bins', async () => {
    expect((await run(process.execPath, [join(ROOT, 'packages/core/bin/hookwork.js'), '--version'])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect((await run(process.execPath, [join(ROOT, 'packages/receiver/bin/hookwork-types.js'), '--help'])).stdout).toMatch(/^usage: hookwork-types /);
  });

  it('say to build when the checkout is not built yet, with exit code 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookwork-bin-'));
    try {
      for (const { dir: pkg, bins } of workspaceBins()) {
        for (const [command, file] of Object.entries(bins)) {
          // The bin alone, where its package has no dist/ (a fresh clone).
          const copy = join(dir, pkg, file);
          mkdirSync(join(copy, '..'), { recursive: true });
          copyFileSync(join(ROOT, pkg, file), copy);
          const failed = await run(process.execPath, [copy, '--help']).then(() => undefined, (error: { code: number; stdout: string; stderr: string }) => error);
          expect([command, failed?.code, failed?.stdout]).toEqual([command, 1, '']);
          expect(failed?.stderr).toMatch(/^[a-z-]+: .* is not built \(dist\/[a-z/-]+\.js is missing\); run npm run build in the checkout first\n$/);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
