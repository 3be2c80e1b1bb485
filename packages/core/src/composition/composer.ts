import type { CollectionExtension } from './collection-extension';
import type { WebhooksBuilder } from './webhooks-builder';

/**
 * Composes an app at startup, as Umbraco's `IComposer`: receives the builder and picks the
 * webhook events, registers services and adjusts settings. Composers run in the order the app
 * lists them, so an app's own composer listed after a package's can `clear()`, `remove()` or
 * `replace()` what the package added.
 */
export interface Composer {
  /**
   * Adds, removes or replaces events (`builder.webhookEvents()`), registers services
   * (`builder.services`) and adjusts settings (`builder.settings`). Runs once, at
   * `createHookwork()`.
   */
  compose(builder: WebhooksBuilder): void;
  /** A name for error messages (a package name such as "@hookwork/cms"). */
  readonly name?: string;
  /**
   * The collection extensions this composer installs. Declaring them lets the app name the
   * package when its method is called before the composer ran.
   */
  readonly extensions?: readonly CollectionExtension[];
}

/** A composer class (instantiated with `new`) or a composer object. */
export type ComposerLike = Composer | (new () => Composer);
