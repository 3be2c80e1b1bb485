#!/usr/bin/env node
import 'reflect-metadata';
import { isHookworkError } from '@hookwork/core';
import { runCustomEventExample } from './custom-event-example';
import { startTestReceiver } from '@hookwork/core/testing';

/** Runs the example against a receiver on 127.0.0.1 and prints what the receiver got. */
async function main(): Promise<void> {
  const receiver = await startTestReceiver();
  try {
    await runCustomEventExample({ url: receiver.origin, print: (line) => console.log(line) });
    console.log(`\nthe receiver got ${receiver.requests.length} requests:`);
    for (const { method, path, headers, text: body } of receiver.requests) {
      console.log(`\n${method} ${path}  hookwork-event: ${String(headers['hookwork-event'])}`);
      console.log(body);
    }
  } finally {
    await receiver.close();
  }
}

main().catch((error: unknown) => {
  console.error(`custom-event example failed: ${isHookworkError(error) ? error.message : (error as Error)?.stack ?? String(error)}`);
  process.exitCode = 1;
});
