#!/usr/bin/env node
import { ReceiverError } from '@hookwork/receiver';
import { MemorySearchIndex } from './search-index';
import { createSiteReceiver, serveReceiver, type Framework } from './site-receiver';

// Runs the site-search receiver: WEBHOOK_SECRET=whsec_… node dist/main.js [node|express|fastify|fetch] [port]
// Several secrets (a rotation) are comma separated. Give the printed URL to the sender's webhook.
const USAGE = 'usage: WEBHOOK_SECRET=whsec_… node examples/receiver/dist/main.js [node|express|fastify|fetch] [port]';

/**
 * A command line it cannot run: one line, RECEIVER_ERR_INVALID_CLI_ARGUMENT and what to change (as
 * hookwork's commands print their refusals), exit code 2, before anything listens.
 */
function refuse(problem: string): never {
  process.stderr.write(`receiver: ${new ReceiverError('RECEIVER_ERR_INVALID_CLI_ARGUMENT', problem).message.replace(/\s*\n\s*/g, ' ')}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  // It used to answer every mistake with the usage alone, leaving the user to guess which one.
  if (args.length > 2) refuse(`takes at most two arguments, the framework and the port; got ${args.length}: ${USAGE}`);
  const [framework = 'node', port = '3000'] = args;
  if (!['node', 'express', 'fastify', 'fetch'].includes(framework)) refuse(`the framework must be node, express, fastify or fetch; got "${framework}"`);
  if (!/^\d+$/.test(port) || Number(port) > 65535) refuse(`the port must be a whole number from 1 to 65535, or 0 for a free one; got "${port}"`);
  const secrets = (process.env.WEBHOOK_SECRET ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (secrets.length === 0) refuse('set WEBHOOK_SECRET to the webhook\'s signing secret (whsec_…; several, comma separated, during a rotation)');
  const index = new MemorySearchIndex();
  let receiver: ReturnType<typeof createSiteReceiver>;
  try {
    receiver = createSiteReceiver({
      secrets,
      index,
      onAnswer: (answer) => process.stdout.write(`${answer.status} ${answer.outcome} ${answer.id ?? '-'}  index: ${[...index.documents.keys()].join(', ') || '(empty)'}\n`),
    });
  } catch (error) {
    // The kit's coded refusal of a secret (a placeholder, a truncated copy): the input's mistake.
    refuse(`WEBHOOK_SECRET was refused: ${error instanceof ReceiverError ? error.message.slice(error.code.length + 2) : (error as Error)?.message ?? String(error)}`);
  }
  let served: Awaited<ReturnType<typeof serveReceiver>>;
  try {
    served = await serveReceiver(receiver, framework as Framework, Number(port));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException)?.code;
    // A running program's trouble, not the command line's: exit code 1, and what to do.
    if (code === 'EADDRINUSE') throw new Error(`cannot listen on 127.0.0.1:${port}: another process is listening there; stop it, or give another port (node examples/receiver/dist/main.js ${framework} 3001)`, { cause: error });
    if (code === 'EACCES') throw new Error(`cannot listen on 127.0.0.1:${port}: this process may not bind it (ports below 1024 need privileges); give a port from 1024`, { cause: error });
    throw error;
  }
  process.stdout.write(`receiving on ${served.url} with ${framework}; Ctrl-C stops it\n`);
  const stop = () => void served.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // Piped into a reader that goes away (| head): stop serving and exit quietly, not on an EPIPE stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    stop();
  });
}

// A port in use, or another failure to start: one line and exit code 1, no stack trace.
main().catch((error: unknown) => {
  process.stderr.write(`receiver: ${(error as Error)?.message ?? String(error)}\n`);
  process.exit(1);
});
