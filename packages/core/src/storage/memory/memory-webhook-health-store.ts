import { gcraStep, type TokenGrant, type TokenRate, type WebhookHealthRecord, type WebhookHealthState, type WebhookHealthStore } from '../../ports/webhook-health-store';
import { cloneData } from './clone-data';

/** Webhook health in memory: one process's view (the fallback for stores without health of their own). */
export class MemoryWebhookHealthStore implements WebhookHealthStore {
  private readonly records = new Map<string, WebhookHealthRecord>();
  /** GCRA theoretical arrival times, ms. */
  private readonly tats = new Map<string, number>();

  /** {@inheritDoc WebhookHealthStore.get} */
  async get(webhookKey: string): Promise<WebhookHealthRecord | undefined> {
    const record = this.records.get(webhookKey);
    return record && cloneData(record);
  }

  /** {@inheritDoc WebhookHealthStore.compareAndSet} */
  async compareAndSet(webhookKey: string, expectedVersion: number, state: WebhookHealthState): Promise<WebhookHealthRecord | undefined> {
    if ((this.records.get(webhookKey)?.version ?? 0) !== expectedVersion) return undefined;
    const record: WebhookHealthRecord = { webhookKey, version: expectedVersion + 1, state: cloneData(state) };
    this.records.set(webhookKey, record);
    return cloneData(record);
  }

  /** {@inheritDoc WebhookHealthStore.update} */
  async update(webhookKey: string, change: (current: WebhookHealthRecord | undefined) => WebhookHealthState | undefined): Promise<WebhookHealthRecord | undefined> {
    // One process's memory: nothing else runs between the read and the write.
    const current = this.records.get(webhookKey);
    const state = change(current && cloneData(current));
    if (state === undefined) return current && cloneData(current);
    const record: WebhookHealthRecord = { webhookKey, version: (current?.version ?? 0) + 1, state: cloneData(state) };
    this.records.set(webhookKey, record);
    return cloneData(record);
  }

  /** {@inheritDoc WebhookHealthStore.takeToken} */
  async takeToken(webhookKey: string, rate: TokenRate, now: Date): Promise<TokenGrant> {
    const { grant, tat } = gcraStep(this.tats.get(webhookKey), rate, now.getTime());
    if (tat !== undefined) this.tats.set(webhookKey, tat);
    return grant;
  }

  /** {@inheritDoc WebhookHealthStore.list} */
  async list(): Promise<WebhookHealthRecord[]> {
    return [...this.records.values()].map(cloneData);
  }

  /** {@inheritDoc WebhookHealthStore.delete} */
  async delete(webhookKey: string): Promise<void> {
    this.records.delete(webhookKey);
    this.tats.delete(webhookKey);
  }
}
