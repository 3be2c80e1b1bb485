#!/usr/bin/env node
import 'reflect-metadata';
import { isHookworkError } from '@hookwork/core';
import { runReplacePayloadExample } from './replace-payload-example';
import { startTestReceiver } from '@hookwork/core/testing';

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
