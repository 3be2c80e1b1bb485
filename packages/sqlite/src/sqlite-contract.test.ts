import { pollingQueue, type DeliveryLog, type RequestQueue, type Storage, type WebhookHealthStore, type WebhookRepository } from '@hookwork/core';
import { describeConcurrentCallersContract, describeDeliveryLogContract, describeKeyRulesContract, describeQueueEngineContract, describeRequestQueueContract, describeWebhookHealthStoreContract, describeWebhookRepositoryContract, queueEngineHarness, type ContractSubject } from '@hookwork/core/testing';
import { openSqliteStorage, sqliteStorage } from './sqlite-storage';
import { makeTempDir } from './testing/temp-dir';

/** A fresh store in its own temp file; openAnother opens a second connection, as another process would. */
function fresh<T>(pick: (storage: Storage) => T): ContractSubject<T> {
  const temp = makeTempDir();
  const opened: Storage[] = [openSqliteStorage({ file: temp.file() })];
  return {
    subject: pick(opened[0]!),
    openAnother: async () => {
      const another = openSqliteStorage({ file: temp.file() });
      opened.push(another);
      return pick(another);
    },
    cleanup: async () => {
      for (const storage of opened) await storage.close();
      temp.remove();
    },
  };
}

describeWebhookRepositoryContract('sqlite', () => fresh<WebhookRepository>((s) => s.webhooks));
describeRequestQueueContract('sqlite', () => fresh<RequestQueue>((s) => s.queue), { fifo: true });
describeWebhookHealthStoreContract('sqlite', () => fresh<WebhookHealthStore>((s) => s.health!));
describeDeliveryLogContract('sqlite', () => fresh<DeliveryLog>((s) => s.deliveryLog));

describeQueueEngineContract(
  'polling(sqlite)',
  () => {
    const temp = makeTempDir();
    return queueEngineHarness(pollingQueue(), sqliteStorage({ file: temp.file() }), { cleanup: async () => temp.remove() });
  },
);

describeKeyRulesContract('sqlite', () => {
  const temp = makeTempDir();
  return { subject: { storage: sqliteStorage({ file: temp.file() }) }, cleanup: async () => temp.remove() };
});

describeConcurrentCallersContract('sqlite', () => {
  const temp = makeTempDir();
  return { subject: { storage: sqliteStorage({ file: temp.file() }) }, cleanup: async () => temp.remove() };
});
