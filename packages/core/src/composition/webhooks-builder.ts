import type { DependencyContainer } from 'tsyringe';
import { resolveSettings } from '../settings/resolve-settings';
import type { HookworkSettings, HookworkSettingsInput } from '../settings/settings';
import { WebhookEventCollectionBuilder, guardExtensions, type ExtensionOwner } from './webhook-event-collection-builder';

/** Settings as composers see them: read, and adjust (validated at once). */
export class SettingsBuilder {
  constructor(private value: HookworkSettings) {}

  /** The settings so far. */
  get current(): Readonly<HookworkSettings> {
    return this.value;
  }

  /** Changes some settings; HOOKWORK_ERR_INVALID_SETTINGS names every bad key. */
  update(input: HookworkSettingsInput): this {
    this.value = resolveSettings(input, this.value);
    return this;
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
