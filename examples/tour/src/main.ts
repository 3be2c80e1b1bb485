#!/usr/bin/env node
// Runs the README's tour: `node dist/main.js` narrates it, `node dist/main.js --json` prints what
// it saw as one JSON line (the tests read that). The SQLite file lives in a temporary folder that
// is removed afterwards. No `import 'reflect-metadata'`: @hookwork/core loads it itself.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliArgumentError, isHookworkError, printCliError } from '@hookwork/core';
import { runTour } from './tour.js';

/** What it prints for --help. */
const USAGE = `usage: node examples/tour/dist/main.js [--json]\n  runs the README's tour, narrating each step; --json prints what it saw as one JSON line instead`;

// An option it does not take (a misspelt --json, an option of the quickstart's) is refused, not
// ignored: the run used to go on as if it had not been given.
const unknown = process.argv.slice(2).filter((arg) => arg !== '--json');
if (unknown.some((arg) => arg === '--help' || arg === '-h')) {
  console.log(USAGE);
  process.exit(0);
}
if (unknown.length > 0) {
  // One coded line, exit code 2, before anything is started.
  process.exit(printCliError('tour', cliArgumentError(`unknown option ${JSON.stringify(unknown[0])}; it takes --json and --help only`)));
}

// Piped into `head`: once the reader is gone the output is dropped and the run ends as it would,
// stopping its app and removing what it made, instead of dying on an EPIPE stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});

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
