import { writeSync } from 'node:fs';

/**
 * Writes one JSON line to stdout with a blocking write, retried while the pipe is full: when
 * this returns, the line is in the kernel's pipe buffer and survives a SIGKILL that follows at
 * once. (process.stdout.write may queue the line in the process, where a kill loses it.)
 */
export function reportLine(event: Record<string, unknown>): void {
  const bytes = Buffer.from(`${JSON.stringify(event)}\n`);
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(1, bytes, offset);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      // The reader is behind: wait for it (Atomics.wait sleeps without spinning).
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
    }
  }
}
