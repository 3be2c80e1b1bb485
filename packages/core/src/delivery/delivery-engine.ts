import { injectable } from 'tsyringe';
import type { RedeliverSelector, WebhookRequest } from '../storage/request-queue';

/** What sendTestEvent() returns: the receiver's answer to one example request. */
export interface TestEventResult {
  ok: boolean;
  statusCode?: number;
  headers: Record<string, string>;
  body: string;
  durationMs: number;
  errorKind?: string;
  errorMessage?: string;
}

/**
 * The delivery side of an app: the dispatcher, retries, dead letters, cleanup and test sends.
 * PLACEHOLDER until the delivery engine lands: it delivers nothing.
 */
@injectable()
export class DeliveryEngine {
  start(): void {}
  wake(): void {}
  async stop(): Promise<void> {}
  async drain(_options: { timeoutMs?: number } = {}): Promise<void> {}
  async sendTestEvent(_webhookKey: string, _options: { alias?: string } = {}): Promise<TestEventResult> {
    throw new Error('not implemented yet');
  }
  async redeliver(_selector: RedeliverSelector): Promise<number> {
    return 0;
  }
  async listDeadLetters(_query: { webhookKey?: string; limit?: number; offset?: number } = {}): Promise<WebhookRequest[]> {
    return [];
  }
}
