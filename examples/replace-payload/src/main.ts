#!/usr/bin/env node
import 'reflect-metadata';
import { cliArgumentError, isHookworkError, printCliError } from '@hookwork/core';
import { runReplacePayloadExample } from './replace-payload-example';
import { startTestReceiver } from '@hookwork/core/testing';

/** What it prints for --help. */
const USAGE = `usage: node examples/replace-payload/dist/main.js\n  runs the example against a receiver on 127.0.0.1 and prints what it got; it takes no options`;

// An option it does not take (a misspelt --json, an option of the quickstart's) is refused, not
// ignored: the run used to go on as if it had not been given.
const unknown = process.argv.slice(2);
if (unknown.some((arg) => arg === '--help' || arg === '-h')) {
  console.log(USAGE);
  process.exit(0);
}
if (unknown.length > 0) {
  // One coded line, exit code 2, before anything is started.
  process.exit(printCliError('replace-payload', cliArgumentError(`unknown option ${JSON.stringify(unknown[0])}; it takes no options (--help shows what it does)`)));
}

// Piped into `head`: once the reader is gone the output is dropped and the run ends as it would,
// stopping its app and removing what it made, instead of dying on an EPIPE stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});

/** Runs the example against a receiver on 127.0.0.1 and prints what the receiver got. */
async function main(): Promise<void> {
  const receiver = await startTestReceiver();
  try {
    await runReplacePayloadExample({ url: receiver.origin, print: (line) => console.log(line) });
    console.log(`\nthe receiver got ${receiver.requests.length} requests:`);
    for (const { method, path, headers, text: body } of receiver.requests) {
      console.log(`\n${method} ${path}  umb-webhook-event: ${String(headers['umb-webhook-event'])}`);
      console.log(body);
    }
  } finally {
    await receiver.close();
  }
}

main().catch((error: unknown) => {
  console.error(`replace-payload example failed: ${isHookworkError(error) ? error.message : (error as Error)?.stack ?? String(error)}`);
  process.exitCode = 1;
});
