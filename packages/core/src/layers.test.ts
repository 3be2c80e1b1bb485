import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { preProcessFile } from 'typescript';

/**
 * docs/architecture.md promises that core's folders form layers: a folder uses only folders
 * below it, so no import circle runs between folders, and core's source names no plugin package.
 * This reads every non-test source file's imports (TypeScript's own pre-processor) and checks both.
 */
const root = __dirname;
/** Folders that only tests use; they may reach anywhere. */
const TEST_ONLY = new Set(['test-support']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** The top folder of core/src a file lives in ('' for index.ts itself). */
const folderOf = (file: string): string => {
  const parts = relative(root, file).split(sep);
  return parts.length > 1 ? parts[0]! : '';
};

const files = sourceFiles(root).filter((file) => !TEST_ONLY.has(folderOf(file)));
const imports = files.map((file) => ({ file, specifiers: preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map((i) => i.fileName) }));

/** Folder → the folders it imports, each with one file that does it (for the failure message). */
function folderGraph(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const { file, specifiers } of imports) {
    const from = folderOf(file);
    if (!from) continue;
    for (const specifier of specifiers.filter((s) => s.startsWith('.'))) {
      const to = folderOf(resolve(dirname(file), specifier));
      if (!to || to === from) continue;
      const edges = graph.get(from) ?? new Map<string, string>();
      if (!edges.has(to)) edges.set(to, relative(root, file));
      graph.set(from, edges);
    }
  }
  return graph;
}

describe("core's folders", () => {
  it('have no import circle between them', () => {
    const graph = folderGraph();
    const circles: string[] = [];
    // A folder is on a circle when it reaches itself; the path says which files close it.
    for (const start of graph.keys()) {
      const seen = new Set<string>();
      const stack: string[][] = [[start]];
      while (stack.length > 0) {
        const path = stack.pop()!;
        for (const [next, via] of graph.get(path[path.length - 1]!) ?? []) {
          if (next === start) circles.push(`${[...path, next].join(' → ')} (last step: ${via})`);
          else if (!seen.has(next)) {
            seen.add(next);
            stack.push([...path, next]);
          }
        }
      }
    }
    expect(circles).toEqual([]);
  });

  it('name no plugin package: core imports no other @hookwork package', () => {
    const named = imports.flatMap(({ file, specifiers }) => specifiers.filter((s) => s.startsWith('@hookwork/')).map((s) => `${relative(root, file)}: ${s}`));
    expect(named).toEqual([]);
  });
});
