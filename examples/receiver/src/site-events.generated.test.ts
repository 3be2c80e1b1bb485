import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The committed catalogue and the types generated from it are what `npm run catalogue` makes of
// the sender's composers today: run both steps (the built bins) and compare.

const example = join(__dirname, '..');
const root = join(example, '..', '..');

describe('the generated site events', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookwork-example-receiver-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('are up to date with the sender composition (run npm run catalogue -w @hookwork/example-receiver when this fails)', () => {
    const catalogue = join(dir, 'hookwork-catalogue.json');
    const types = join(dir, 'site-events.generated.ts');
    execFileSync(process.execPath, [join(root, 'packages/core/dist/cli/hookwork.js'), 'catalogue', '--composers', join(example, 'dist/sender-composers.js'), '--title', 'Site CMS', '--out', catalogue], { stdio: 'pipe' });
    execFileSync(process.execPath, [join(root, 'packages/receiver/dist/cli/hookwork-types.js'), catalogue, '--out', types, '--name', 'SiteEvent'], { stdio: 'pipe', cwd: dir });
    expect(readFileSync(catalogue, 'utf8')).toBe(readFileSync(join(example, 'hookwork-catalogue.json'), 'utf8'));
    expect(readFileSync(types, 'utf8')).toBe(readFileSync(join(example, 'src/site-events.generated.ts'), 'utf8'));
  });
});
