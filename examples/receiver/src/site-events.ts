/**
 * The webhooks this receiver takes, as a union of `{ alias, payload }`: the CMS's document
 * events in their Minimal payload shape (docs/cms-events.md). Written by hand here; a generated
 * union from the sender's catalogue document takes its place unchanged.
 */
export type SiteEvent =
  | {
      alias: 'Umbraco.ContentPublish';
      /** The published document and the cultures published, with their dates. */
      payload: { id: string; cultures: { culture: string | null; publishDate: string | null }[] };
    }
  | { alias: 'Umbraco.ContentUnpublish'; payload: { id: string } }
  | { alias: 'Umbraco.ContentDelete'; payload: { id: string } };

/** The aliases of {@link SiteEvent}: the events to subscribe the webhook to. */
export const SITE_EVENT_ALIASES: readonly SiteEvent['alias'][] = ['Umbraco.ContentPublish', 'Umbraco.ContentUnpublish', 'Umbraco.ContentDelete'];
