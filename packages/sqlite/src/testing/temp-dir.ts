import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh directory under the OS temp dir for one test's database files, and its removal. */
export function makeTempDir(prefix = 'hookwork-sqlite-'): { dir: string; file: (name?: string) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, file: (name = 'hookwork.db') => join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) };
}
