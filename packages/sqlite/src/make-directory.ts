import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * `mkdir -p` that fails instead of hanging. Node's `mkdirSync(dir, { recursive: true })` spins
 * for ever, at full CPU and deaf to signals, on a path it cannot create under an existing parent
 * that reports ENOENT (`/proc/x`: Node 20 retries the parent again and again). So: find the
 * deepest part that exists, then create each missing one below it with a plain mkdir, which
 * throws the system's error (ENOENT, EACCES, ENOTDIR, EEXIST for a file).
 */
export function makeDirectory(directory: string): void {
  const missing: string[] = [];
  for (let dir = directory; ; dir = dirname(dir)) {
    let exists = true;
    try {
      statSync(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      exists = false;
    }
    if (exists || dirname(dir) === dir) break;
    missing.unshift(dir);
  }
  for (const dir of missing) {
    try {
      mkdirSync(dir);
    } catch (error) {
      // Made meanwhile by another process opening the same store: that is what was wanted.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(dir).isDirectory()) throw error;
    }
  }
}
