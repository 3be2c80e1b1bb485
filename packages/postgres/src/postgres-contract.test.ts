import pg from 'pg';
import { pollingQueue, type DeliveryLog, type RequestQueue, type Storage, type WebhookHealthStore, type WebhookRepository } from '@hookwork/core';
import { describeConcurrentCallersContract, describeDeliveryLogContract, describeKeyRulesContract, describeQueueEngineContract, describeRequestQueueContract, describeWebhookHealthStoreContract, describeWebhookRepositoryContract, queueEngineHarness, type ContractSubject, type HostTransactionHandle } from '@hookwork/core/testing';
import { openPostgresStorage, postgresStorage } from './postgres-storage';
import { withTestDatabase } from './testing/test-schema';

const db = withTestDatabase('contract');

/** A fresh store in its own schema; openAnother opens a second store on it, as another process would. */
async function fresh<T>(pick: (storage: Storage<unknown>) => T): Promise<ContractSubject<T>> {
  const schema = db.schema();
  const open = () => openPostgresStorage({ connectionString: db.url, schema, poolSize: 4 });
  const opened: Storage<unknown>[] = [await open()];
  return {
    subject: pick(opened[0]!),
    openAnother: async () => {
      const another = await open();
      opened.push(another);
      return pick(another);
    },
    cleanup: async () => {
      for (const storage of opened) await storage.close();
      await db.drop(schema);
    },
  };
}

describeWebhookRepositoryContract('postgres', () => fresh<WebhookRepository>((s) => s.webhooks));
describeRequestQueueContract('postgres', () => fresh<RequestQueue>((s) => s.queue as RequestQueue), { supportsHostTransaction: true, fifo: true });
describeWebhookHealthStoreContract('postgres', () => fresh<WebhookHealthStore>((s) => s.health!));
describeDeliveryLogContract('postgres', () => fresh<DeliveryLog>((s) => s.deliveryLog));

/** The host's own connections, for the engine contract's transactions. */
let host: pg.Pool | undefined;
afterAll(async () => {
  await host?.end();
});

/** A host transaction on a client of the host's pool: BEGIN run; its COMMIT fails when PostgreSQL rolled it back (it was aborted). */
async function begin(): Promise<HostTransactionHandle> {
  host ??= new pg.Pool({ connectionString: db.url, max: 6 });
  const client = await host.connect();
  await client.query('BEGIN');
  let released = false;
  const end = async (statement: 'COMMIT' | 'ROLLBACK') => {
    if (released) return;
    released = true;
    try {
      const result = await client.query(statement);
      if (statement === 'COMMIT' && result.command !== 'COMMIT') throw new Error(`the host transaction did not commit: PostgreSQL answered COMMIT with ${result.command} (the transaction was aborted)`);
    } finally {
      client.release();
    }
  };
  return { transaction: client, commit: () => end('COMMIT'), rollback: () => end('ROLLBACK') };
}

describeQueueEngineContract(
  'polling(postgres)',
  () => {
    const schema = db.schema();
    return queueEngineHarness(pollingQueue(), postgresStorage({ connectionString: db.url, schema, poolSize: 4 }), { cleanup: () => db.drop(schema), begin });
  },
);

describeKeyRulesContract('postgres', () => {
  const schema = db.schema();
  return { subject: { storage: postgresStorage({ connectionString: db.url, schema, poolSize: 4 }) }, cleanup: () => db.drop(schema) };
});

describeConcurrentCallersContract('postgres', () => {
  const schema = db.schema();
  return { subject: { storage: postgresStorage({ connectionString: db.url, schema, poolSize: 4 }) }, cleanup: () => db.drop(schema) };
});
