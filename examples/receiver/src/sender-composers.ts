import type { Composer } from '@hookwork/core';
import { cmsComposer, ContentDeletedWebhookEvent, ContentPublishedWebhookEvent, ContentUnpublishedWebhookEvent } from '@hookwork/cms';

/**
 * The sending side's composition, as the CMS team would hand it over: the three document events
 * the search receiver subscribes to, in the default (Minimal) payload shape. `npm run catalogue`
 * runs `hookwork catalogue` on it, then `hookwork-types` on the document, to write
 * `src/site-events.generated.ts`. A receiver team without the sender's code asks for the
 * document instead (the admin API serves it) and runs only the second step.
 */
export const composers: Composer[] = [
  cmsComposer({ events: 'none' }),
  { compose: (builder) => void builder.webhookEvents().add(ContentPublishedWebhookEvent, ContentUnpublishedWebhookEvent, ContentDeletedWebhookEvent) },
];
