#!/usr/bin/env node
import 'reflect-metadata';
import { isHookworkError } from '@hookwork/core';
import { runReplacePayloadExample } from './replace-payload-example';
import { startReceiver } from './receiver';

/** Runs the example against a receiver on 127.0.0.1 and prints what the receiver got. */
async function main(): Promise<void> {
  const receiver = await startReceiver();
  try {
    await runReplacePayloadExample({ url: receiver.url, print: (line) => console.log(line) });
    console.log(`\nthe receiver got ${receiver.received.length} requests:`);
    for (const { method, path, headers, body } of receiver.received) {
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
