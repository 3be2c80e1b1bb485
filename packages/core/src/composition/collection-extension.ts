import type { WebhookEventCollectionBuilder } from './webhook-event-collection-builder';

/** A builder method contributed by a package: `this` is the app's collection builder. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type CollectionExtensionMethod = (this: WebhookEventCollectionBuilder, ...args: any[]) => WebhookEventCollectionBuilder;

/**
 * Builder methods a package contributes to `webhookEvents()` — the TypeScript analogue of C#
 * extension methods such as Umbraco's `AddCms`. Types come from module augmentation; the
 * methods come at run time when the package's composer installs them on the app's builder:
 *
 * ```ts
 * declare module '@hookwork/core' {
 *   interface WebhookEventCollectionBuilder { addCommerce(): this }
 * }
 * export const commerceExtension = defineCollectionExtension('@acme/commerce', {
 *   addCommerce() { return this.add(OrderPlacedWebhookEvent); },
 * });
 * export const commerceComposer = (): Composer => ({
 *   name: '@acme/commerce',
 *   extensions: [commerceExtension],
 *   compose: (builder) => builder.webhookEvents().install(commerceExtension),
 * });
 * ```
 */
export interface CollectionExtension {
  /** The npm package that contributes the methods; named by errors. */
  readonly packageName: string;
  /** How an app composes the package, for error messages (e.g. "cmsComposer()"). */
  readonly composerHint?: string;
  /** The methods, by name: each becomes `builder.webhookEvents().<name>(…)` once the package is composed. */
  readonly methods: Readonly<Record<string, CollectionExtensionMethod>>;
}

/** Declares a package's collection builder methods (see {@link CollectionExtension}). */
export function defineCollectionExtension(
  packageName: string,
  methods: Record<string, CollectionExtensionMethod>,
  options: { composerHint?: string } = {},
): CollectionExtension {
  return Object.freeze({ packageName, composerHint: options.composerHint, methods: Object.freeze({ ...methods }) });
}
