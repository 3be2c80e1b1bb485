#!/usr/bin/env node
import 'reflect-metadata';
import { join } from 'node:path';
import { isHookworkError, printCliError } from '@hookwork/core';
import { checkNpmTookNoOptions, parseOptions, USAGE, type QuickstartOptions } from './cli-options';
import { forTheCommandLine } from './flag-messages';
import { QuickstartStopped, runQuickstart } from './quickstart';
import { RunTimeoutError } from './run-tracker';

/** Why the run was told to stop, and the exit code each gives (128 + signal number, as shells do). */
const STOP_EXIT_CODES = { SIGINT: 130, SIGTERM: 143, EPIPE: 0 } as const;
type StopReason = keyof typeof STOP_EXIT_CODES;

// Ctrl-C, a SIGTERM, or a closed stdout (piped into `head`): stop the app before exiting, so it
// gives back the requests it has claimed — otherwise the next run finds them in flight under
// their lease. A second Ctrl-C while stopping exits at once.
const stopping = new AbortController();
function stop(reason: StopReason): void {
  if (stopping.signal.aborted) {
    if (reason === 'EPIPE') return;
    process.stderr.write(`\nquickstart: exited at once (a second ${reason}) without stopping the app: the requests it had claimed wait for their lease to expire (a minute) before a run takes them again\n`);
    process.exit(STOP_EXIT_CODES[reason]);
  }
  stopping.abort(reason);
  // A stop that waits for attempts under way (a receiver that is slow to answer) says so, and how
  // to cut it short, rather than leave the terminal silent after Ctrl-C; a quick one says nothing more.
  if (reason !== 'EPIPE') {
    setTimeout(() => {
      process.stderr.write(`\nquickstart: stopping (${reason}): waiting for the attempts under way to end (${reason === 'SIGINT' ? 'press Ctrl-C again' : 'send it again'} to exit at once)\n`);
    }, 1_000).unref();
  }
  // Stopping waits for running attempts (up to the app's stopTimeout); never longer than this.
  setTimeout(() => process.exit(STOP_EXIT_CODES[reason]), 15_000).unref();
}
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') return stop('EPIPE');
  throw error;
});

async function main(): Promise<number> {
  let options: QuickstartOptions | undefined;
  try {
    checkNpmTookNoOptions(process.env, process.argv.slice(2));
    options = parseOptions(process.argv.slice(2), join(__dirname, '..', '.data'));
    if (options.help) {
      console.log(USAGE);
      return 0;
    }
    const progress = process.stdout.isTTY ? (line: string) => process.stdout.write(`\r${line}`) : undefined;
    const result = await runQuickstart(options, (line) => console.log(line), progress, stopping.signal);
    if (options.admin && stopping.signal.aborted && stopping.signal.reason !== 'EPIPE') console.log('\nquickstart: stopped the admin page and the app');
    const ok = result.delivered === result.published && result.deadLettered === 0 && (result.rejected?.length ?? 0) === 0;
    if (!ok) console.error('quickstart: not every request was delivered and verified; see the log above');
    return ok ? 0 : 1;
  } catch (error) {
    // The command line was wrong: one coded line, exit code 2, nothing started or written.
    if (isHookworkError(error, 'HOOKWORK_ERR_INVALID_CLI_ARGUMENT')) return printCliError('quickstart', error);
    if (error instanceof QuickstartStopped || stopping.signal.aborted) {
      const reason = stopping.signal.reason as StopReason;
      if (reason !== 'EPIPE') console.error(`\nquickstart: stopped (${reason}); the app gave its claimed requests back, so the next run starts at once`);
      return STOP_EXIT_CODES[reason];
    }
    if (error instanceof RunTimeoutError) {
      console.error(`quickstart: ${error.message}`);
      return 1;
    }
    // A server that cannot be reached, refuses the login, the database or the schema: one line,
    // its fix naming the flag typed (--redis, --postgres), not the library option a program sets.
    if (isHookworkError(error) && options) {
      console.error(`quickstart: ${forTheCommandLine(error.message, options)}`);
      return 1;
    }
    throw error;
  }
}

main().then(
  (code) => {
    // Once stopped, exit even if something of the interrupted run is still open; otherwise let
    // the output drain and the process end by itself.
    if (stopping.signal.aborted) process.exit(code);
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`quickstart: ${isHookworkError(error) ? error.message : (error as Error)?.stack ?? error}`);
    process.exitCode = 1;
  },
);
