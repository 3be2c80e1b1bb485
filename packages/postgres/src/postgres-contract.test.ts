import { pollingQueue, type DeliveryLog, type RequestQueue, type Storage, type WebhookHealthStore, type WebhookRepository } from '@hookwork/core';
import { describeConcurrentCallersContract, describeDeliveryLogContract, describeKeyRulesContract, describeQueueEngineContract, describeRequestQueueContract, describeWebhookHealthStoreContract, describeWebhookRepositoryContract, queueEngineHarness, type ContractSubject } from '@hookwork/core/testing';
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

describeQueueEngineContract(
  'polling(postgres)',
  () => {
    const schema = db.schema();
    return queueEngineHarness(pollingQueue(), postgresStorage({ connectionString: db.url, schema, poolSize: 4 }), { cleanup: () => db.drop(schema) });
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
