import { mkdirSync } from 'node:fs';
import { UsageError } from './cli-options';

/**
 * Creates the --data-dir folder when missing. A path that cannot be a folder is the user's to
 * fix, so it is a one-line UsageError (exit code 2), not a stack trace.
 */
export function ensureDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new UsageError(`--data-dir ${dir} is a file; give a directory`);
    if (code === 'ENOTDIR') throw new UsageError(`--data-dir ${dir}: a part of that path is a file; give a directory`);
    throw new UsageError(`--data-dir ${dir} could not be created (${code ?? (error as Error).message}); give a directory you can write to`);
  }
}
