import type { SiteEvent } from './site-events.generated';

/**
 * The webhooks this receiver takes, as a union of `{ alias, payload }`: the CMS's document
 * events in their Minimal payload shape, generated from the sender's catalogue document
 * (`hookwork-catalogue.json`) by `hookwork-types` — `npm run catalogue` regenerates both, and a
 * test fails when the committed files are behind.
 */
export type { SiteEvent } from './site-events.generated';

/** The aliases of {@link SiteEvent}: the events to subscribe the webhook to. */
export const SITE_EVENT_ALIASES: readonly SiteEvent['alias'][] = ['Umbraco.ContentPublish', 'Umbraco.ContentUnpublish', 'Umbraco.ContentDelete'];
