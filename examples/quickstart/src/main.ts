#!/usr/bin/env node
import 'reflect-metadata';
import { join } from 'node:path';
import { isHookworkError } from '@hookwork/core';
import { parseOptions, USAGE, UsageError } from './cli-options';
import { runQuickstart } from './quickstart';

// Piped into `head` and the like: a closed stdout ends the program quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

async function main(): Promise<number> {
  let options;
  try {
    options = parseOptions(process.argv.slice(2), join(__dirname, '..', '.data'));
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`quickstart: ${error.message}`);
      return 2;
    }
    throw error;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const progress = process.stdout.isTTY ? (line: string) => process.stdout.write(`\r${line}`) : undefined;
  const result = await runQuickstart(options, (line) => console.log(line), progress);
  const ok = result.delivered === result.published && result.deadLettered === 0 && (result.rejected?.length ?? 0) === 0;
  if (!ok) console.error('quickstart: not every request was delivered and verified; see the log above');
  return ok ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`quickstart failed: ${isHookworkError(error) ? error.message : (error as Error)?.stack ?? error}`);
    process.exitCode = 1;
  },
);
