import type { PayloadType } from '../settings/settings';

/**
 * A JSON Schema object (the 2020-12 dialect of OpenAPI 3.1; the keywords payload schemas use —
 * `type`, `properties`, `required`, `additionalProperties`, `items`, `anyOf`, `enum`, `const`,
 * `title`, `description` — mean the same in draft-07).
 */
export type JsonSchema = { readonly [keyword: string]: unknown };

/** What {@link WebhookEventBase.describePayload} is told. */
export interface PayloadDescriptionContext {
  /**
   * The payload shape the event sends in this app: the option its composing extension attached
   * (`addCms({ payloadType })`), else the `payloadType` setting.
   */
  readonly payloadType: PayloadType;
}
