#!/usr/bin/env node
import { MemorySearchIndex } from './search-index';
import { createSiteReceiver, serveReceiver, type Framework } from './site-receiver';

// Runs the site-search receiver: WEBHOOK_SECRET=whsec_… node dist/main.js [node|express|fastify|fetch] [port]
// Several secrets (a rotation) are comma separated. Give the printed URL to the sender's webhook.
async function main(): Promise<void> {
  const [framework = 'node', port = '3000'] = process.argv.slice(2);
  const secrets = (process.env.WEBHOOK_SECRET ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (!['node', 'express', 'fastify', 'fetch'].includes(framework) || !/^\d+$/.test(port) || Number(port) > 65535 || secrets.length === 0) {
    process.stderr.write('usage: WEBHOOK_SECRET=whsec_… node dist/main.js [node|express|fastify|fetch] [port]\n');
    process.exit(2);
  }
  const index = new MemorySearchIndex();
  const receiver = createSiteReceiver({
    secrets,
    index,
    onAnswer: (answer) => process.stdout.write(`${answer.status} ${answer.outcome} ${answer.id ?? '-'}  index: ${[...index.documents.keys()].join(', ') || '(empty)'}\n`),
  });
  const served = await serveReceiver(receiver, framework as Framework, Number(port));
  process.stdout.write(`receiving on ${served.url} with ${framework}\n`);
  const stop = () => void served.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

// A secret the kit refuses (coded, saying why) or a port in use: one line and exit 2, no stack.
main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error)?.message ?? String(error)}\n`);
  process.exit(2);
});
