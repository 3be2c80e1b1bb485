import { describeWebhookRepositoryContract } from '@hookwork/core/testing';
import { MemoryWebhookRepository } from './memory-webhook-repository';

describeWebhookRepositoryContract('memory', () => ({ subject: new MemoryWebhookRepository() }));
