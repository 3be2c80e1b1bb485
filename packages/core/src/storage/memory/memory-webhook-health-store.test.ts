import { describeWebhookHealthStoreContract } from '@hookwork/core/testing';
import { MemoryWebhookHealthStore } from './memory-webhook-health-store';

describeWebhookHealthStoreContract('memory', () => ({ subject: new MemoryWebhookHealthStore() }));
