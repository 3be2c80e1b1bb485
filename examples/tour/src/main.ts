#!/usr/bin/env node
// Runs the README's tour: `node dist/main.js` narrates it, `node dist/main.js --json` prints what
// it saw as one JSON line (the tests read that). The SQLite file lives in a temporary folder that
// is removed afterwards. No `import 'reflect-metadata'`: @hookwork/core loads it itself.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isHookworkError } from '@hookwork/core';
import { runTour } from './tour.js';

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const dataDir = mkdtempSync(join(tmpdir(), 'hookwork-tour-'));
  try {
    const result = await runTour(dataDir, json ? undefined : (line) => console.log(line));
    console.log(json ? JSON.stringify(result) : `the receiver verified ${result.received.length} requests; the process exits now that the app is stopped`);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`tour failed: ${isHookworkError(error) ? error.message : ((error as Error)?.stack ?? String(error))}`);
  process.exitCode = 1;
});
