import type { DependencyContainer } from 'tsyringe';
import { HookworkError } from '../errors/hookwork-error';
import { resolveSettings } from '../settings/resolve-settings';
import type { DeepReadonly, HookworkSettings, HookworkSettingsInput } from '../settings/settings';
import { WebhookEventCollectionBuilder, guardExtensions, type ExtensionOwner } from './webhook-event-collection-builder';

/**
 * Settings as composers see them: read, and adjust (validated at once). Frozen once the app is
 * built, as the event collection is: the app has taken its settings by then, and a change here
 * would be lost silently.
 */
export class SettingsBuilder {
  private frozen = false;

  constructor(private value: HookworkSettings) {}

  /** The settings so far. */
  get current(): DeepReadonly<HookworkSettings> {
    return this.value;
  }

  /**
   * Changes some settings; HOOKWORK_ERR_INVALID_SETTINGS names every bad key.
   * HOOKWORK_ERR_COLLECTION_FROZEN after createHookwork() has returned: change the settings of a
   * running app with `app.updateSettings()`.
   */
  update(input: HookworkSettingsInput): this {
    if (this.frozen) {
      throw new HookworkError(
        'HOOKWORK_ERR_COLLECTION_FROZEN',
        'builder.settings.update() was called after the app was built, and would change nothing; change settings inside a composer passed to createHookwork(), or those of the running app with app.updateSettings({ … })',
      );
    }
    this.value = resolveSettings(input, this.value);
    return this;
  }

  /** @internal freezes the settings when the app is built. */
  freeze(): void {
    this.frozen = true;
  }
}

/**
 * What composers receive: the app's own tsyringe child container (`services`), its settings
 * and its webhook event collection. Nothing here is shared between apps.
 */
export class WebhooksBuilder {
  private readonly collection: WebhookEventCollectionBuilder;
  private readonly guarded: WebhookEventCollectionBuilder;

  /** @internal created by createHookwork(). */
  constructor(
    /** The app's container: register host services here (`services.registerInstance(ContentCache, cache)`). */
    readonly services: DependencyContainer,
    /** The app's settings. */
    readonly settings: SettingsBuilder,
    pendingOwners: ReadonlyMap<string, ExtensionOwner> = new Map(),
  ) {
    this.collection = new WebhookEventCollectionBuilder(pendingOwners);
    this.guarded = guardExtensions(this.collection);
  }

  /** The app's webhook event collection (`.clear().addCms(…).replace(Old, New)`). */
  webhookEvents(): WebhookEventCollectionBuilder {
    return this.guarded;
  }
}
