import type { ListPosition, PageRequest, PositionedPage } from '../model/page';
import { createToken } from '../runtime/tokens';
import type { Webhook } from '../model/webhook';

/**
 * Stores webhook definitions. `getByAlias` is on the hot path of every notification: a backend
 * answers it from an index on the event aliases, never by scanning every webhook.
 * Validation happens before the repository (in WebhookService); a repository stores what it is given.
 */
export interface WebhookRepository {
  /** Stores a new webhook; HOOKWORK_ERR_WEBHOOK_EXISTS when the key is taken. */
  create(webhook: Webhook): Promise<void>;
  /** Replaces a stored webhook; HOOKWORK_ERR_WEBHOOK_NOT_FOUND when absent. */
  update(webhook: Webhook): Promise<void>;
  /**
   * Reads the stored webhook `key` and replaces it with `change(current)`, as one step against
   * every other writer of the store — other processes on the same database included — so that two
   * changes made at once (an operator's edit, a secret rotation, an auto-disable) never undo each
   * other. `change` runs synchronously, perhaps more than once (a backend that compares and
   * retries calls it again with the newer webhook); it returns the replacement, or `undefined` to
   * leave the webhook as it is, and what it throws is thrown from here with nothing stored.
   * Resolves with the webhook as stored afterwards; HOOKWORK_ERR_WEBHOOK_NOT_FOUND when absent.
   * Core calls it (and {@link deleteIf}) for one webhook one call at a time per app, so a backend
   * that compares and retries only retries for writes of other processes.
   *
   * Optional: without it, core changes a webhook with {@link get} then {@link update}, one change
   * at a time per app, and two processes changing one webhook at once can lose one change.
   */
  modify?(key: string, change: (current: Webhook) => Webhook | undefined): Promise<Webhook>;
  /** Deletes a webhook; false when it did not exist. */
  delete(key: string): Promise<boolean>;
  /**
   * Reads the stored webhook `key` and deletes it if `condition(current)` is true, as one step
   * against every other writer of the store — other processes on the same database included — so
   * that a change made meanwhile is never deleted unseen (a conditional delete under an entity tag
   * that another process's edit has made stale). `condition` runs synchronously, perhaps more than
   * once (a backend that compares and retries calls it again with the newer webhook); what it
   * throws is thrown from here with nothing deleted. Resolves true when the webhook was deleted,
   * false when it did not exist (`condition` is not called) or `condition` returned false.
   *
   * Optional: without it, core deletes conditionally with {@link get} then {@link delete}, one
   * change at a time per app, and a change made by another process between the two can be lost.
   */
  deleteIf?(key: string, condition: (current: Webhook) => boolean): Promise<boolean>;
  /**
   * A webhook by key, or undefined: as stored now, with every change committed by any process
   * sharing the store (read from the store, not from a cache a notification has yet to drop).
   * Management reads through it — `app.webhooks.get`, the admin API's `GET webhook/{id}` and its
   * `ETag` — so a change saved through one instance is read back as saved through another.
   */
  get(key: string): Promise<Webhook | undefined>;
  /** Webhooks ordered by creation time; equal times in the order they were created. */
  list(page?: PageRequest): Promise<Webhook[]>;
  /**
   * A page of {@link list}'s order by position: the webhooks strictly after `afterPosition` when
   * given (created later, or at its time and after it in the store's tie-breaker — a creation
   * sequence, unique among the stored webhooks), else from `offset` (never given together). Answers
   * `nextPosition`, the {@link ListPosition} of the page's last webhook (`at`: its `createdAt`),
   * when more follow, and `total`, every stored webhook (not narrowed by the position), of one
   * moment with the page. A walk by position lists every webhook stored throughout it exactly
   * once, whatever is created or deleted between its pages. A `tie` this store cannot have made is
   * HOOKWORK_ERR_INVALID_CURSOR ({@link invalidPositionError} with `webhooks.list`).
   *
   * Optional: without it, core pages this store by offset behind the cursors of `webhooks.list()`
   * (a walk by `after` then lists a webhook twice, or misses one, when a webhook is created or
   * deleted between pages) and reads it whole (its own walks) by offset too.
   */
  listPage?(query?: WebhookListQuery): Promise<PositionedPage<Webhook>>;
  /** Webhooks (enabled or not) whose `events` contain exactly this alias, ordered as {@link list}. */
  getByAlias(alias: string): Promise<Webhook[]>;
  /**
   * The webhooks {@link getByAlias} answers, not copied: the store's own decoded objects, the same
   * object for a webhook for as long as it is unchanged (a change gives a new object, never an
   * object changed in place). Callers must not change them. Publishing reads through it, so each
   * webhook's secret-free `WebhookInfo` is made once per object instead of at every publish, and
   * no copy is made. Optional: without it, publishing copies with getByAlias and makes the info of
   * each copy afresh (about 0.5 µs per subscribed webhook per publish, against 0.1 µs with it).
   */
  getSharedByAlias?(alias: string): Promise<readonly Webhook[]>;
  /**
   * The webhook {@link get} answers, not copied: the store's own decoded object (never changed in
   * place; callers must not change it), and as fresh as the store can tell — a change committed by
   * any process sharing the store is seen at the next read (the built-in stores: SQLite checks
   * `PRAGMA data_version`, PostgreSQL drops its answers on the change's notification, memory holds
   * the one copy). Delivery reads each attempt's webhook through it, so a deletion, a disable or a
   * secret rotated with no grace period made by another instance stops that instance's sending at
   * once. Optional: without it, delivery keeps what `get` answered for up to a second (at most
   * `period`), and another instance's change is seen within that time.
   */
  getShared?(key: string): Promise<Webhook | undefined>;
  /** How many webhooks are stored. */
  count(): Promise<number>;
}

/**
 * What {@link WebhookRepository.listPage} is asked for: at most `limit` webhooks, from `offset` or
 * strictly after `afterPosition` (a `nextPosition` the same store answered; core reads it from the
 * caller's `after` cursor). Named apart from `after`, as the delivery log's and dead letters' are.
 */
export interface WebhookListQuery extends PageRequest {
  /** List the webhooks strictly after this place (a `nextPosition` this store answered). */
  afterPosition?: ListPosition;
}

/** Injection token of the app's {@link WebhookRepository}. */
export const WebhookRepositoryToken = createToken<WebhookRepository>('hookwork.WebhookRepository');
