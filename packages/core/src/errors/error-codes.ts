/** What one error code means and the HTTP status the management API answers it with. */
export interface ErrorCodeDefinition {
  /** What the code means in general (docs/errors.md says more). */
  readonly summary: string;
  /** The HTTP status an API answers with (RFC 9110): 400 bad input, 404 missing, 409 conflict, 503 unavailable, 500 a fault. */
  readonly status: number;
}

const BAD_INPUT = 400;
const NOT_FOUND = 404;
const CONFLICT = 409;
const PRECONDITION_FAILED = 412;
const UNAVAILABLE = 503;
const FAULT = 500;

/**
 * @hookwork/core's coded errors: code → what it means and its HTTP status. docs/errors.md
 * documents every code; a test keeps the two in step. Other packages own their codes (see
 * defineErrorCodes()).
 */
export const ERROR_CODES = Object.freeze({
  HOOKWORK_ERR_NOT_A_WEBHOOK_EVENT: { summary: 'A class given to the event collection is not itself decorated with @WebhookEvent.', status: FAULT },
  HOOKWORK_ERR_REPLACE_TARGET_MISSING: { summary: 'replace(Old, New) was called while Old is not in the collection.', status: FAULT },
  HOOKWORK_ERR_REPLACEMENT_UNRELATED: { summary: 'replace(Old, New) was given a New that handles another notification under another alias, so it stands in for nothing of Old.', status: FAULT },
  HOOKWORK_ERR_ASYNC_COMPOSITION: { summary: 'A composer\'s compose(), a builder extension method or its configure callback returned a promise; composition runs synchronously.', status: FAULT },
  HOOKWORK_ERR_COMPOSER_FAILED: { summary: 'A composer threw while it was created or composed; the composer is named and its error is the cause.', status: FAULT },
  HOOKWORK_ERR_COLLECTION_FROZEN: { summary: 'The event collection or the builder\'s settings were changed after the app was built.', status: FAULT },
  HOOKWORK_ERR_EXTENSION_NOT_COMPOSED: { summary: 'A builder extension method (such as addCms) was called, but the package that contributes it was not composed before.', status: FAULT },
  HOOKWORK_ERR_EXTENSION_CONFLICT: { summary: 'Two packages contribute a builder extension method of the same name.', status: FAULT },
  HOOKWORK_ERR_INVALID_EVENT_DECLARATION: { summary: '@WebhookEvent was given a bad name, type, alias, synonym or pattern, an unknown option, or no notification class.', status: FAULT },
  HOOKWORK_ERR_DUPLICATE_ALIAS: { summary: 'Two composed webhook events claim the same alias.', status: FAULT },
  HOOKWORK_ERR_DECORATOR_METADATA_MISSING: { summary: 'A composed event class was compiled without experimentalDecorators or emitDecoratorMetadata, or inherits the constructor of an undecorated base class, so its injected services cannot be provided.', status: FAULT },
  HOOKWORK_ERR_INVALID_OPTIONS: { summary: 'createHookwork() or loadSettings() was given an unknown option, a value of the wrong kind (a composer that is not one, a path instead of a storage backend) or options that contradict each other; or an option of createHookwork() or of a built-in transport (createHttpTransport(), createUndiciTransport()) could not be read.', status: FAULT },
  HOOKWORK_ERR_INVALID_SETTINGS: { summary: 'One or more settings have a wrong value, or a combination the storage or queue cannot honour; the message names every bad key.', status: BAD_INPUT },
  HOOKWORK_ERR_SETTINGS_FILE: { summary: 'The settings file could not be read, is not valid JSON, lacks the settings section, or gives one key twice (in spellings that differ in case, or nested and with a colon).', status: FAULT },
  HOOKWORK_ERR_INVALID_WEBHOOK: { summary: 'A webhook definition was refused (URL, events, headers, content-type keys); nothing was stored.', status: BAD_INPUT },
  HOOKWORK_ERR_WEBHOOK_NOT_FOUND: { summary: 'No webhook has the given key.', status: NOT_FOUND },
  HOOKWORK_ERR_WEBHOOK_EXISTS: { summary: 'A webhook with the given key already exists.', status: CONFLICT },
  HOOKWORK_ERR_SECRET_NOT_FOUND: { summary: 'The webhook has no signing secret with the given id.', status: NOT_FOUND },
  HOOKWORK_ERR_WEBHOOK_CHANGED: { summary: 'A change to a webhook was made under an ifMatch precondition its current state does not meet (it was changed since it was read); nothing was changed. details hold the webhook as it is now and its entity tag.', status: PRECONDITION_FAILED },
  HOOKWORK_ERR_SECRET_HEADERS_ORIGIN_CHANGED: { summary: "An update would move a webhook to another origin (scheme, host or port) and keep its sensitive header values, given for the old one: they are given again in the update or removed; nothing was changed.", status: CONFLICT },
  HOOKWORK_ERR_TOO_MANY_SECRETS: { summary: 'A secret rotation would leave more signing secrets on the webhook than the signature header can carry to a receiver.', status: CONFLICT },
  HOOKWORK_ERR_INVALID_NOTIFICATION: { summary: 'A notification was refused: publish() was given something that is not a notification object (null, a string, a plain object literal, a promise, an array), or a notification\'s data lacks a field or holds one of another type than it takes (the message names the field and the type expected).', status: BAD_INPUT },
  HOOKWORK_ERR_PAYLOAD_NOT_SERIALIZABLE: { summary: 'An event produced a payload that JSON cannot hold (circular, BigInt, …) or would send without its contents (a Map or Set, a function, a typed array, an invalid Date, an entity whose data is in getters).', status: FAULT },
  HOOKWORK_ERR_PAYLOAD_TOO_LARGE: { summary: 'An event produced a payload larger than maxPayloadBytes.', status: 413 },
  HOOKWORK_ERR_ENQUEUE_FAILED: { summary: 'The request queue refused or failed to store webhook requests, and none of them was stored: publishing again is safe.', status: UNAVAILABLE },
  HOOKWORK_ERR_ENQUEUE_UNCERTAIN: {
    summary: 'The request queue failed after the requests may have reached it (the connection was lost before its answer): they may or may not be stored. Publish again with the same idempotencyKey to store each at most once.',
    status: UNAVAILABLE,
  },
  HOOKWORK_ERR_INVALID_TRANSACTION: { summary: 'publish() was given a transaction the queue cannot enqueue in: the store joins none (memory, SQLite, BullMQ), or the object is not an open transaction of the store\'s driver.', status: BAD_INPUT },
  HOOKWORK_ERR_INVALID_FIRED_ALIAS: { summary: "An event's getAliasesForNotification() returned something other than a list of its own alias, synonyms and pattern variants, each once.", status: FAULT },
  HOOKWORK_ERR_INVALID_EVENT_ANSWER: { summary: "An event's shouldFireWebhookForNotification(), getEntitiesFromNotification(), getContentTypeKey() or createExampleNotification() returned a value of the wrong kind.", status: FAULT },
  HOOKWORK_ERR_HANDLER_FAILED: { summary: 'A webhook event handler threw while handling a notification.', status: FAULT },
  HOOKWORK_ERR_APP_NOT_STARTED: { summary: 'The app was used before start() resolved.', status: UNAVAILABLE },
  HOOKWORK_ERR_APP_STOPPED: { summary: 'The app was used after stop().', status: UNAVAILABLE },
  HOOKWORK_ERR_APP_ALREADY_STARTED: { summary: 'start() was called on an app that is already started (or starting).', status: CONFLICT },
  HOOKWORK_ERR_EVENT_NOT_RESOLVABLE: { summary: "A composed event class cannot be created from the app's container (a service it injects is not registered or not nameable).", status: FAULT },
  HOOKWORK_ERR_DUPLICATE_CORE: { summary: 'A composed event class extends the WebhookEventBase of another copy of @hookwork/core than the one the app runs (a plugin with its own nested copy).', status: FAULT },
  HOOKWORK_ERR_EVENT_REGISTERED_GLOBALLY: { summary: "A composed event class is registered in tsyringe's global container (@singleton()), so apps in one process would share one instance.", status: FAULT },
  HOOKWORK_ERR_INVALID_PAYLOAD_SCHEMA: { summary: "A composed event's describePayload() threw or returned something that is not a JSON Schema object.", status: FAULT },
  HOOKWORK_ERR_INVALID_PAGE: { summary: 'A listing was asked for with a limit or offset that is not a whole number in range.', status: BAD_INPUT },
  HOOKWORK_ERR_INVALID_CURSOR: { summary: 'A listing that pages by cursor (webhooks.list(), logs(), deadLetters()) was given an `after` that is no `next` cursor of that listing: changed, cut short, made up, or of another listing.', status: BAD_INPUT },
  HOOKWORK_ERR_INVALID_QUERY: { summary: 'A listing was given a filter of the wrong kind or a key that is not a filter (a webhook key that is not a string, an unknown outcome or status class, `outcome` for `outcomes`).', status: BAD_INPUT },
  HOOKWORK_ERR_INVALID_ARGUMENT: { summary: 'A call was given an argument or option of the wrong kind or out of range (a webhook key that is not a string, a grace period, an unknown publish() or drain() option, an idempotencyKey that is not 1 to 200 visible ASCII characters), or a key that cannot name anything stored (empty, or holding U+0000 or a lone surrogate).', status: BAD_INPUT },
  HOOKWORK_ERR_INVALID_CLI_ARGUMENT: { summary: 'A command line (npx hookwork, the quickstart, an example) was refused before it did anything: an unknown option, a missing value, a value out of range, a bad URL, options that contradict each other or go only with another, or options npm took for itself; exit code 2.', status: BAD_INPUT },
  HOOKWORK_ERR_OUTPUT_FILE: { summary: 'The command line (npx hookwork catalogue) could not write its --out file: a missing directory, no permission, a directory where the file belongs.', status: FAULT },
  HOOKWORK_ERR_DRAIN_TIMEOUT: { summary: 'drain() gave up before what it waited for was settled.', status: FAULT },
  HOOKWORK_ERR_CAPABILITY_MISSING: { summary: 'A stored webhook or an option asks for something the storage or queue engine cannot do (FIFO delivery on a queue without it).', status: CONFLICT },
  HOOKWORK_ERR_STORAGE: { summary: 'The storage backend failed an operation.', status: UNAVAILABLE },
  HOOKWORK_ERR_INVALID_STORAGE_OPTIONS: { summary: 'A storage backend (sqliteStorage(), postgresStorage(), …) was given an option it does not know or a value of the wrong kind.', status: FAULT },
  HOOKWORK_ERR_STORAGE_OPEN_FAILED: { summary: 'The storage could not be opened (path not writable, missing driver, bad connection).', status: UNAVAILABLE },
  HOOKWORK_ERR_STORAGE_CORRUPT: { summary: 'The storage file is not a database hookwork can read.', status: FAULT },
  HOOKWORK_ERR_STORAGE_LOCKED: { summary: 'The storage is locked by another program past the busy timeout.', status: UNAVAILABLE },
  HOOKWORK_ERR_STORAGE_SCHEMA_TOO_NEW: { summary: 'The storage was written by a newer hookwork whose schema this version does not know.', status: FAULT },
  HOOKWORK_ERR_INVALID_RESOLVER_ANSWER: { summary: 'The delivery.resolver function answered a host name with something other than an array of { address, family } IP addresses.', status: FAULT },
  HOOKWORK_ERR_SSRF_BLOCKED: { summary: 'Delivery to a loopback, private, link-local or otherwise internal address was refused.', status: BAD_INPUT },
  HOOKWORK_ERR_INVALID_SECRET: { summary: 'A signing secret is not of the form whsec_<base64>.', status: BAD_INPUT },
  HOOKWORK_ERR_REQUEST_NOT_FOUND: { summary: 'No queued or dead-lettered request has the given id.', status: NOT_FOUND },
  HOOKWORK_ERR_REQUEST_NOT_DEAD: { summary: 'The one request asked to be redelivered is not a dead letter: it is still in the queue (waiting for an attempt or being attempted), or it was redelivered already and has left the queue since.', status: CONFLICT },
  HOOKWORK_ERR_DEAD_LETTER_WEBHOOK_DELETED: { summary: 'The one dead letter asked to be redelivered is of a webhook that was deleted: it is left as it is, or was removed with the webhook.', status: CONFLICT },
  HOOKWORK_ERR_DELIVERY_NOT_FOUND: { summary: 'No delivery log entry has the given key (it may have been cleaned up).', status: NOT_FOUND },
  HOOKWORK_ERR_INVALID_REDELIVER_SELECTOR: { summary: 'redeliver() was given a selector without ids, a webhook key, a time or all, one that combines them as no selector does (ids with webhookKey or deadSince, all with anything), or values of the wrong type.', status: BAD_INPUT },
  HOOKWORK_ERR_ALIAS_NOT_SUBSCRIBED: { summary: 'sendTestEvent() was asked for an event alias the webhook does not subscribe to.', status: BAD_INPUT },
} satisfies Record<string, ErrorCodeDefinition>);

/** A code of @hookwork/core's catalogue. */
export type HookworkErrorCode = keyof typeof ERROR_CODES;
