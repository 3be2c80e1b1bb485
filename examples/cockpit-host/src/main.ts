#!/usr/bin/env node
import 'reflect-metadata';
import { isHookworkError } from '@hookwork/core';
import { runCockpitHostExample } from './cockpit-host-example';
import { startTestReceiver } from '@hookwork/core/testing';

/** Runs the example against a receiver on 127.0.0.1 and prints what the receiver got. */
async function main(): Promise<void> {
  const receiver = await startTestReceiver();
  try {
    await runCockpitHostExample({ url: receiver.origin, print: (line) => console.log(line) });
    console.log(`\nthe receiver got ${receiver.requests.length} requests:`);
    for (const { method, path, headers, text: body } of receiver.requests) {
      console.log(`\n${method} ${path}`);
      for (const name of ['content-type', 'authorization', 'x-index', 'hookwork-event', 'hookwork-retry-count']) {
        if (headers[name] !== undefined) console.log(`${name}: ${String(headers[name])}`);
      }
      console.log(body);
    }
  } finally {
    await receiver.close();
  }
}

main().catch((error: unknown) => {
  console.error(`cockpit-host example failed: ${isHookworkError(error) ? error.message : (error as Error)?.stack ?? String(error)}`);
  process.exitCode = 1;
});
