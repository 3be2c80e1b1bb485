import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { cliArgumentError } from '@hookwork/core';

/**
 * Creates the --data-dir folder when missing. A path that cannot be a folder is the user's to
 * fix, so it is HOOKWORK_ERR_INVALID_CLI_ARGUMENT in one line (exit code 2), not a stack trace.
 */
export function ensureDataDir(dir: string): void {
  try {
    makeDirectory(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw cliArgumentError(`--data-dir ${dir} is a file; give a directory`);
    if (code === 'ENOTDIR') throw cliArgumentError(`--data-dir ${dir}: a part of that path is a file; give a directory`);
    throw cliArgumentError(`--data-dir ${dir} could not be created (${code ?? (error as Error).message}); give a directory you can write to`);
  }
}

/**
 * `mkdir -p` that fails instead of hanging: Node's `mkdirSync(dir, { recursive: true })` spins for
 * ever, at full CPU and deaf to Ctrl-C, on a path it cannot create under a parent that reports
 * ENOENT (`--data-dir /proc/x`). Each missing part is made with a plain mkdir, which throws.
 */
function makeDirectory(directory: string): void {
  const missing: string[] = [];
  for (let current = directory; ; current = dirname(current)) {
    let exists: boolean;
    try {
      exists = statSync(current) !== undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      exists = false;
    }
    if (exists || dirname(current) === current) break;
    missing.unshift(current);
  }
  for (const part of missing) mkdirSync(part);
  // An existing path that is a file: mkdir's own answer, as before.
  if (missing.length === 0 && !statSync(directory).isDirectory()) mkdirSync(directory);
}
