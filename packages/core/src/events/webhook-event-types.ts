/** The kinds of webhook events, as Umbraco's `Constants.WebhookEvents.Types`. */
export const WebhookEventTypes = Object.freeze({
  Content: 'Content',
  Media: 'Media',
  Element: 'Element',
  Member: 'Member',
  Other: 'Other',
} as const);

/** One of {@link WebhookEventTypes}. */
export type WebhookEventType = (typeof WebhookEventTypes)[keyof typeof WebhookEventTypes];
