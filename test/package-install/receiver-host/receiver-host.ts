import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNodeHandler, createReceiver, isReceiverError, type ReceivedEvent } from '@hookwork/receiver';
import { captureRawBody, expressReceiver } from '@hookwork/receiver/express';
import { Webhook } from 'standardwebhooks';

// A receiver project that has only @hookwork/receiver installed: no hookwork core, no Express, no
// Fastify. It compiles against the packed .d.ts and receives a signed request over real HTTP.
type Events = { alias: 'Umbraco.ContentPublish'; payload: { id: string } } | { alias: 'Umbraco.ContentDelete'; payload: { id: string } };

async function main(): Promise<void> {
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const seen: string[] = [];
  const receiver = createReceiver<Events>({
    secrets: secret,
    handle: (event: ReceivedEvent<Events>) => {
      if (event.alias === 'Umbraco.ContentPublish') seen.push(`publish ${event.payload.id}`);
    },
  });
  void [captureRawBody, expressReceiver(receiver)];
  const server = createServer(createNodeHandler(receiver));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const body = '{"id":"doc-1"}';
  const sent = new Date();
  const headers = {
    'content-type': 'application/json',
    'hookwork-event': 'Umbraco.ContentPublish',
    'webhook-id': 'msg_install_1',
    'webhook-timestamp': String(Math.floor(sent.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign('msg_install_1', sent, body),
  };
  const statuses: number[] = [];
  for (const signature of [headers['webhook-signature'], 'v1,AAAA']) {
    const response = await fetch(url, { method: 'POST', headers: { ...headers, 'webhook-signature': signature }, body });
    statuses.push(response.status);
  }
  server.close();
  const missing = ['@hookwork/core', 'express', 'fastify'].filter((name) => {
    try {
      require.resolve(name);
      return false;
    } catch {
      return true;
    }
  });
  console.log(JSON.stringify({ seen, statuses, missing, coded: isReceiverError(new Error('x')) }));
}

void main();
