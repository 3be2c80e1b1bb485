import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** The repo's TypeScript and script sources (not builds, not dependencies). */
function sources(dir: string, found: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sources(path, found);
    else if (/\.(ts|tsx|mts|mjs)$/.test(name)) found.push(path);
  }
  return found;
}

/** The pages a user reads: docs/, the README and each example's. */
function pages(): string[] {
  const docs = readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => join(ROOT, 'docs', name));
  const examples = readdirSync(join(ROOT, 'examples')).map((name) => join(ROOT, 'examples', name, 'README.md')).filter((path) => statSync(path, { throwIfNoEntry: false })?.isFile());
  return [join(ROOT, 'README.md'), ...docs, ...examples];
}

describe('the docs', () => {
  // docs/performance.md named a method of SQLite's request queue long after it was replaced (by
  // dueAround()): a reader looking for it found nothing. Each `name()` a page quotes must still be
  // in the code (this file, which quotes none, is left out).
  it('name only functions and methods that are still in the code', () => {
    const identifiers = new Set<string>();
    for (const dir of ['packages', 'plugins', 'examples', 'bench', 'test', 'scripts']) {
      for (const file of sources(join(ROOT, dir))) if (file !== __filename) for (const word of readFileSync(file, 'utf8').match(/[A-Za-z_$][\w$]*/g) ?? []) identifiers.add(word);
    }
    const missing: string[] = [];
    for (const page of pages()) {
      for (const [, name] of readFileSync(page, 'utf8').matchAll(/`([A-Za-z_$][\w$]*)\(\)`/g)) {
        if (!identifiers.has(name!)) missing.push(`${relative(ROOT, page)}: ${name}()`);
      }
    }
    expect(missing).toEqual([]);
  });
});
