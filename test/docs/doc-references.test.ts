import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import * as admin from '@hookwork/admin';
import * as bullmq from '@hookwork/bullmq';
import * as cms from '@hookwork/cms';
import * as core from '@hookwork/core';
import * as cockpit from '@hookwork/plugin-cockpit';
import * as postgres from '@hookwork/postgres';
import * as receiver from '@hookwork/receiver';
import * as sqlite from '@hookwork/sqlite';

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

  const ENTRIES: Record<string, Record<string, unknown>> = {
    '@hookwork/core': core,
    '@hookwork/cms': cms,
    '@hookwork/sqlite': sqlite,
    '@hookwork/postgres': postgres,
    '@hookwork/bullmq': bullmq,
    '@hookwork/admin': admin,
    '@hookwork/plugin-cockpit': cockpit,
    '@hookwork/receiver': receiver,
  };
  const everyPage = () => pages().map((page) => readFileSync(page, 'utf8')).join('\n');
  const named = (text: string, name: string) => new RegExp(`(?<![\\w$])${name.replace(/\$/g, '\\$')}(?![\\w$])`).test(text);

  // composition.md listed nine of core's thirteen tokens: a host that replaces the queue engine or
  // reads the tracer found no name to resolve it by.
  it('name every injection token a package exports (core\'s in composition.md\'s table)', () => {
    const composition = readFileSync(join(ROOT, 'docs', 'composition.md'), 'utf8');
    const all = everyPage();
    const missing: string[] = [];
    for (const [entry, exports] of Object.entries(ENTRIES)) {
      for (const [name, value] of Object.entries(exports)) {
        if (typeof value !== 'symbol') continue;
        if (!named(entry === '@hookwork/core' ? composition : all, name)) missing.push(`${entry}: ${name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  // Each package's catalogue constant was exported and named nowhere: a host mapping codes to its
  // own handling could not find them.
  it("name every package's exported error catalogue in errors.md", () => {
    const errors = readFileSync(join(ROOT, 'docs', 'errors.md'), 'utf8');
    const isCatalogue = (value: unknown) => value !== null && typeof value === 'object' && typeof (value as { owner?: unknown }).owner === 'string' && typeof (value as { create?: unknown }).create === 'function';
    const catalogues = Object.entries(ENTRIES).flatMap(([entry, exports]) => Object.entries(exports).filter(([name, value]) => isCatalogue(value) || /_ERROR_CODES$/.test(name)).map(([name]) => `${entry}: ${name}`));
    expect(catalogues.length).toBeGreaterThanOrEqual(Object.keys(ENTRIES).length);
    expect(catalogues.filter((line) => !named(errors, line.split(': ')[1]!))).toEqual([]);
  });

  // errors.md opens with an index of its codes: a code whose entry was added below and not to the
  // index is one a reader scanning the index never finds.
  it('list every code errors.md has an entry for in its index of codes', () => {
    const errors = readFileSync(join(ROOT, 'docs', 'errors.md'), 'utf8');
    const index = errors.slice(errors.indexOf('## Index of codes'), errors.indexOf('\n## ', errors.indexOf('## Index of codes') + 1));
    const entries = [...errors.matchAll(/^### ((?:HOOKWORK|RECEIVER)_ERR_[A-Z0-9_]+)\s*$/gm)].map((match) => match[1]!);
    expect(entries.length).toBeGreaterThan(50);
    expect([...new Set(entries)].filter((code) => !named(index, code))).toEqual([]);
  });

  // About 30 entries said when their error happens and not what to do about it; the page promises
  // every entry a Fix (`Fix:`, or `Fix (Express):` where it depends on the setting).
  it('give every entry of errors.md a Fix', () => {
    const errors = readFileSync(join(ROOT, 'docs', 'errors.md'), 'utf8');
    const entries = errors.split(/^(?=#{1,3} )/m).filter((entry) => /^### (?:HOOKWORK|RECEIVER)_ERR_[A-Z0-9_]+\s*$/m.test(entry.split('\n')[0]!));
    expect(entries.length).toBeGreaterThan(50);
    expect(entries.filter((entry) => !/\bFix(?: \([^)]*\))?:/.test(entry)).map((entry) => entry.split('\n')[0])).toEqual([]);
  });

  // docs/cms-events.md's wire samples were ```json blocks carrying // comments and several bodies
  // each: pasted into a receiver's test or a JSON tool, none parsed. A block fenced as json is
  // one JSON document as sent (comments go in the prose, or the fence says jsonc).
  it('hold only JSON that parses in their json blocks', () => {
    const broken: string[] = [];
    for (const page of pages()) {
      const text = readFileSync(page, 'utf8');
      for (const block of text.matchAll(/^( *)```json[ \t]*\n([\s\S]*?)^\1```/gm)) {
        try {
          JSON.parse(block[2]!);
        } catch (error) {
          broken.push(`${relative(ROOT, page)}:${text.slice(0, block.index).split('\n').length} ${(error as Error).message}`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  // The README calls examples/tour "every step below", but step 1 composed addUser() and the tour
  // did not: a user comparing the two saw 9 events where the README's app has 24.
  it("compose in examples/tour the events the README's tour composes", () => {
    const chain = (text: string) => /\.addCms\(\(cms\) => [^\n]*?\)\)/.exec(text)?.[0];
    const readme = chain(readFileSync(join(ROOT, 'README.md'), 'utf8'));
    expect(readme).toBeDefined();
    expect(chain(readFileSync(join(ROOT, 'examples', 'tour', 'src', 'tour.ts'), 'utf8'))).toBe(readme);
  });

  // Nothing checked that a page's relative links lead anywhere: a renamed page or heading would
  // leave a new user at GitHub's 404 or at the top of a long page.
  it('link only to files, and headings, that exist', () => {
    const withPackages = [
      ...pages(),
      join(ROOT, 'CHANGELOG.md'),
      ...['packages', 'plugins'].flatMap((dir) => readdirSync(join(ROOT, dir)).map((name) => join(ROOT, dir, name, 'README.md'))).filter((path) => statSync(path, { throwIfNoEntry: false })?.isFile()),
    ];
    const withoutCode = (text: string) => text.replace(/^( *)```[\s\S]*?^\1```/gm, '');
    // GitHub's heading anchors: lower case, punctuation but - and _ dropped, a space a -; a heading
    // repeated on a page gets `-1`, `-2`, … after its first (errors.md's two
    // HOOKWORK_ERR_STORAGE_PERMISSION_DENIED entries: the PostgreSQL one is `…_denied-1`).
    const headings = (page: string) => {
      const anchors = new Set<string>();
      for (const [, heading] of withoutCode(readFileSync(page, 'utf8')).matchAll(/^#+ (.+)$/gm)) {
        const slug = heading!.trim().toLowerCase().replace(/[^\p{L}\p{N}_\- ]/gu, '').replace(/ /g, '-');
        let anchor = slug;
        for (let n = 1; anchors.has(anchor); n++) anchor = `${slug}-${n}`;
        anchors.add(anchor);
      }
      return anchors;
    };
    const broken: string[] = [];
    for (const page of withPackages) {
      for (const [, link] of withoutCode(readFileSync(page, 'utf8')).matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(link!)) continue;
        const [path, anchor] = link!.split('#') as [string, string | undefined];
        const target = path === '' ? page : join(dirname(page), decodeURIComponent(path));
        if (!statSync(target, { throwIfNoEntry: false })) broken.push(`${relative(ROOT, page)}: ${link} (no such file)`);
        else if (anchor && target.endsWith('.md') && !headings(target).has(anchor)) broken.push(`${relative(ROOT, page)}: ${link} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });
});
