import type { CockpitEventClass } from './cockpit-webhook-event';
import { COCKPIT_EVENT_TABLE, type CockpitEventName } from './cockpit-event-table';
import { defineCockpitEvent } from './define-cockpit-event';

/**
 * The webhook event class of every built-in Cockpit event, keyed by event name; each is its
 * own class (`CollectionsSaveAfterCockpitEvent`, …), so `replace(Old, New)` works by class:
 *
 * ```ts
 * builder.webhookEvents().replace(CockpitEvents['collections.save.after'], MyCollectionsSaveAfter);
 * ```
 *
 * A record rather than 66 named exports: Cockpit users know events by name, not by class
 * name. The most commonly replaced ones are also exported by name below.
 */
export const CockpitEvents: Readonly<Record<CockpitEventName, CockpitEventClass>> = Object.freeze(
  Object.fromEntries(COCKPIT_EVENT_TABLE.map((definition) => [definition.name, defineCockpitEvent(definition)])) as Record<CockpitEventName, CockpitEventClass>,
);

/** `collections.save.after` `[name, entry, isUpdate]`. */
export const CollectionsSaveAfterCockpitEvent = CockpitEvents['collections.save.after'];
/** `collections.remove.after` `[name, result]`. */
export const CollectionsRemoveAfterCockpitEvent = CockpitEvents['collections.remove.after'];
/** `forms.save.after` `[name, entry]`. */
export const FormsSaveAfterCockpitEvent = CockpitEvents['forms.save.after'];
/** `singleton.saveData.after` `[singleton, data]`. */
export const SingletonSaveDataAfterCockpitEvent = CockpitEvents['singleton.saveData.after'];
/** `cockpit.media.upload` `[uploaded, failed]`. */
export const CockpitMediaUploadCockpitEvent = CockpitEvents['cockpit.media.upload'];
/** `cockpit.assets.save` `[assets]`. */
export const CockpitAssetsSaveCockpitEvent = CockpitEvents['cockpit.assets.save'];
