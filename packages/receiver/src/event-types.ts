/**
 * One kind of event a sender sends: its alias (the value of the event header, e.g.
 * `Umbraco.ContentPublish`) and the type of its JSON body. A receiver is typed with a union of
 * these — written by hand, or generated from the sender's catalogue document — so that
 * `switch (event.alias)` narrows `event.payload`:
 *
 * ```ts
 * type SiteEvents =
 *   | { alias: 'Umbraco.ContentPublish'; payload: { id: string; cultures: { culture: string | null }[] } }
 *   | { alias: 'Umbraco.ContentDelete'; payload: { id: string } };
 * ```
 *
 * The default, `WebhookEventShape` itself, is "any alias, unknown payload".
 */
export interface WebhookEventShape {
  /** The event alias. */
  alias: string;
  /** The parsed JSON body. */
  payload: unknown;
}

/**
 * The CloudEvents 1.0 attributes of a request sent in CloudEvents format (hookwork's per-webhook
 * `format`, or any CloudEvents HTTP sender): from the structured envelope, or from the `ce-*`
 * headers of binary mode (percent-decoded). Extension attributes are kept under their names.
 */
export interface CloudEventAttributes {
  /** The CloudEvents version, `1.0`. */
  readonly specversion: string;
  /** The event id: hookwork sends the `webhook-id` (the same on every retry). */
  readonly id: string;
  /** A URI reference naming the sender (hookwork: the webhook format's `source`). */
  readonly source: string;
  /** The event type: hookwork sends the alias; the kit dispatches by it. */
  readonly type: string;
  /** When the event was published, RFC 3339 (`2026-11-22T08:30:00Z`); a retry carries the same time. */
  readonly time?: string;
  /** What the event is about within the source (hookwork: the format's `subject` or `subjectFrom`), when set. */
  readonly subject?: string;
  /** The media type of the data, `application/json` for hookwork. */
  readonly datacontenttype?: string;
  /** Extension attributes, as sent (lower-case names). */
  readonly [extension: string]: unknown;
}

/** What the kit adds to every event it hands over, beside `alias` and `payload`. */
export interface WebhookMetadata<TId extends string | undefined = string> {
  /**
   * `webhook-id`: the same on every retry and redelivery of one request, so it identifies the
   * request (the kit deduplicates by it; a CloudEvent without it, by its `source` and `id`). Always
   * present on a verified request; in unsigned mode it is `undefined` when the sender sends none
   * (Umbraco doesn't, nor do most CloudEvents senders).
   */
  readonly id: TId;
  /** `webhook-timestamp` as a Date (when this attempt was signed), if sent. */
  readonly timestamp: Date | undefined;
  /** Retries before this attempt (0 on the first), from hookwork's or Umbraco's header, if sent. */
  readonly retryCount: number | undefined;
  /** True for a test send (`hookwork-test: true`): the body is an example, not a real event. */
  readonly test: boolean;
  /**
   * Where the alias came from: the header (`hookwork-event`, `umb-webhook-event`, or a custom
   * name), or for a CloudEvent `ce-type` (binary mode) or `type` (the structured envelope), or
   * `type` for another Standard Webhooks sender's body (`{ "type", "timestamp", "data" }`).
   */
  readonly eventHeader: string;
  /** Every request header, names lower case (without `content-encoding` once an adapter decoded the body). */
  readonly headers: Readonly<Record<string, string>>;
  /** The body exactly as received — decoded, if it was sent compressed: what was signed. */
  readonly rawBody: Buffer;
  /** The CloudEvents attributes, when the request came in CloudEvents format; else undefined. */
  readonly cloudEvent: CloudEventAttributes | undefined;
}

/**
 * An event as handlers get it: one member of the union `E` with the {@link WebhookMetadata}.
 * It stays a union, so `switch (event.alias)` narrows `event.payload`.
 */
export type ReceivedEvent<E extends WebhookEventShape = WebhookEventShape, TId extends string | undefined = string> = E extends WebhookEventShape
  ? Readonly<E> & WebhookMetadata<TId>
  : never;

/**
 * The members of `E` whose alias `A` is: the one with that literal alias, one whose alias is a
 * pattern `A` fits (`collections.save.after.${string}`), or — for the default, any alias — the
 * shape itself. (`Extract<E, { alias: A }>` gave `never` for the last two: an untyped receiver's
 * `handlers: { 'a': (event) => … }` got an `event` it could not use.)
 */
export type EventOfAlias<E extends WebhookEventShape, A extends E['alias']> = E extends WebhookEventShape ? (A extends E['alias'] ? E : never) : never;

/**
 * Handles one event. Returning (or resolving, when it returns a promise) means "processed" (the
 * receiver answers 200); throwing or rejecting means "failed" (the receiver answers 500 and the
 * sender retries). What it returns or resolves to is ignored, so a handler may be written as the
 * call it makes — `({ payload }) => index.upsert(payload.id)`, whatever `upsert` resolves to.
 */
export type WebhookHandler<Ev> = (event: Ev) => unknown;

/**
 * A handler per alias, each given its event narrowed to that alias. Aliases not listed go to
 * `unhandled` (by default acknowledged with 200 and otherwise ignored).
 */
export type WebhookHandlers<E extends WebhookEventShape, TId extends string | undefined = string> = {
  readonly [A in E['alias']]?: WebhookHandler<ReceivedEvent<EventOfAlias<E, A>, TId>>;
};
