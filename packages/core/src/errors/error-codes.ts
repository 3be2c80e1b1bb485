/**
 * The one catalogue of hookwork's coded errors: code → what it means.
 * docs/errors.md documents every code listed here; a test keeps the two in step.
 */
export const ERROR_CODES = {
  HOOKWORK_ERR_NOT_A_WEBHOOK_EVENT: 'A class given to the event collection is not itself decorated with @WebhookEvent.',
  HOOKWORK_ERR_REPLACE_TARGET_MISSING: 'replace(Old, New) was called while Old is not in the collection.',
  HOOKWORK_ERR_COLLECTION_FROZEN: 'The event collection was changed after the app was built.',
  HOOKWORK_ERR_EXTENSION_NOT_COMPOSED: 'A builder extension method (such as addCms) was called, but the package that contributes it was not composed before.',
  HOOKWORK_ERR_EXTENSION_CONFLICT: 'Two packages contribute a builder extension method of the same name.',
  HOOKWORK_ERR_INVALID_EVENT_DECLARATION: '@WebhookEvent was given a bad name, type, alias, synonym or pattern, or no notification class.',
  HOOKWORK_ERR_DUPLICATE_ALIAS: 'Two composed webhook events claim the same alias.',
  HOOKWORK_ERR_INVALID_SETTINGS: 'One or more settings have a wrong value; the message names every bad key.',
  HOOKWORK_ERR_SETTINGS_FILE: 'The settings file could not be read or is not valid JSON.',
  HOOKWORK_ERR_INVALID_WEBHOOK: 'A webhook definition was refused (URL, events, headers, content-type keys); nothing was stored.',
  HOOKWORK_ERR_WEBHOOK_NOT_FOUND: 'No webhook has the given key.',
  HOOKWORK_ERR_WEBHOOK_EXISTS: 'A webhook with the given key already exists.',
  HOOKWORK_ERR_INVALID_NOTIFICATION: 'publish() was given something that is not a notification object.',
  HOOKWORK_ERR_PAYLOAD_NOT_SERIALIZABLE: 'An event produced a payload that cannot be serialised to JSON (circular, BigInt, …).',
  HOOKWORK_ERR_PAYLOAD_TOO_LARGE: 'An event produced a payload larger than maxPayloadBytes.',
  HOOKWORK_ERR_ENQUEUE_FAILED: 'The request queue refused or failed to store webhook requests.',
  HOOKWORK_ERR_HANDLER_FAILED: 'A webhook event handler threw while handling a notification.',
  HOOKWORK_ERR_APP_NOT_STARTED: 'The app was used before start() resolved.',
  HOOKWORK_ERR_APP_STOPPED: 'The app was used after stop().',
  HOOKWORK_ERR_APP_ALREADY_STARTED: 'start() was called on an app that is already started (or starting).',
  HOOKWORK_ERR_EVENT_NOT_RESOLVABLE: 'A composed event class cannot be created from the app\'s container (a service it injects is not registered or not nameable).',
  HOOKWORK_ERR_INVALID_PAGE: 'A listing was asked for with a limit or offset that is not a whole number in range.',
  HOOKWORK_ERR_DRAIN_TIMEOUT: 'drain() gave up before the queue was empty.',
  HOOKWORK_ERR_STORAGE: 'The storage backend failed an operation.',
  HOOKWORK_ERR_STORAGE_OPEN_FAILED: 'The storage could not be opened (path not writable, missing driver, bad connection).',
  HOOKWORK_ERR_STORAGE_CORRUPT: 'The storage file is not a database hookwork can read.',
  HOOKWORK_ERR_STORAGE_LOCKED: 'The storage is locked by another program past the busy timeout.',
  HOOKWORK_ERR_STORAGE_SCHEMA_TOO_NEW: 'The storage was written by a newer hookwork whose schema this version does not know.',
  HOOKWORK_ERR_SSRF_BLOCKED: 'Delivery to a loopback, private, link-local or otherwise internal address was refused.',
  HOOKWORK_ERR_INVALID_SECRET: 'A signing secret is not of the form whsec_<base64>.',
  HOOKWORK_ERR_REQUEST_NOT_FOUND: 'No queued or dead-lettered request has the given id.',
  HOOKWORK_ERR_INVALID_REDELIVER_SELECTOR: 'redeliver() was given a selector without ids or a webhook key, or with values of the wrong type.',
  HOOKWORK_ERR_COCKPIT_UNKNOWN_EVENT: 'A Cockpit host triggered an event name that no Cockpit event (built-in or added by a plugin) has.',
  HOOKWORK_ERR_COCKPIT_INVALID_TRIGGER: 'A Cockpit trigger got bad options (backend flag, arguments) or a name-spaced event name instead of the plain one.',
  HOOKWORK_ERR_INVALID_CMS_OPTIONS: 'addCms(), a CMS sub-builder or cmsComposer() was given an argument or payload type it does not understand.',
  HOOKWORK_ERR_ALIAS_NOT_SUBSCRIBED: 'sendTestEvent() was asked for an event alias the webhook does not subscribe to.',
} as const;

/** A code of hookwork's error catalogue. */
export type HookworkErrorCode = keyof typeof ERROR_CODES;
