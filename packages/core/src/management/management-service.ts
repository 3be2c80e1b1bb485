import { readOrRefuse } from '../model/caller-input';
import { HookworkError, shownValue } from '../errors/hookwork-error';
import { nearestName, unknownOption } from '../errors/nearest-name';
import { shownList } from '../errors/shown-list';
import { checkKey, isWebhookObject } from '../model/key-rules';
import { isPlainObject, objectKind } from '../model/plain-object';
import { dateProblem } from '../model/date-problem';
import type { WebhookEventCatalogue, WebhookEventDescriptor } from '../events/webhook-event-catalogue';
import type { DeliveryLogEntry } from '../model/delivery-log-entry';
import type { CursorPageRequest, Page } from '../model/page';
import type { WebhookRequest } from '../model/webhook-request';
import type { DeliveryLog, DeliveryLogQuery } from '../ports/delivery-log';
import type { DeadLetterQuery, QueueCountsQuery, QueueEngine } from '../ports/queue-engine';
import type { QueueCounts, RedeliverSelector } from '../ports/request-queue';
import type { Clock } from '../runtime/clock';
import type { CleanupResult, LogCleanup } from '../delivery/log-cleanup';
import type { WebhookHealthMonitor } from '../delivery/health/webhook-health-monitor';
import type { WebhookHealth } from '../model/webhook-health';
import type { CatalogueDocument, CatalogueDocumentOptions } from './catalogue-document';
import { DEFAULT_PAGE_SIZE } from './page-check';
import { cursorPage } from './cursor-page';
import { DELIVERY_OUTCOMES, STATUS_CLASSES } from './view-schemas';
import type { TestEventResult, TestSender } from './test-send';
import type { Webhooks, WebhookService } from './webhook-service';
import { quoted } from '../errors/visible-text';

/** What {@link ManagementService} works with; `engine` is the app's queue engine once started. */
export interface ManagementDeps {
  webhooks: WebhookService;
  catalogue: WebhookEventCatalogue;
  deliveryLog: () => DeliveryLog;
  /**
   * The webhook key of `requestId`'s entries in the delivery log, this app's entries still waiting
   * to be written included (so a request it settled a moment ago counts), or undefined when the log
   * holds none: a request gone from the queue that the log knows was delivered, dropped or given
   * up on — not a typo.
   */
  logged: (requestId: string) => Promise<string | undefined>;
  engine: () => QueueEngine<unknown>;
  testSender: TestSender;
  clock: Clock;
  /** The retention job (log entries and dead letters past their days). */
  cleanup: Pick<LogCleanup, 'run'>;
  health: Pick<WebhookHealthMonitor, 'health'>;
  /** Builds the app's catalogue document (createCatalogueDocument over the app). */
  catalogueDocument: (options?: CatalogueDocumentOptions) => CatalogueDocument;
  /** Told the ids of redelivered requests (so `drain()` waits for them). */
  onRedelivered?: (ids: readonly string[]) => void;
}

/**
 * What a redelivery did: how many dead letters it put back, and how many it left where they are
 * because their webhook was deleted (delivering them would only drop them). Deleting a webhook
 * drops its dead letters; those left are ones whose attempt was out at that moment, and a webhook
 * created again with the same key never receives them.
 */
export interface RedeliverResult {
  /** Dead letters put back in the queue, due now. */
  redelivered: number;
  /** Dead letters the selector named that were left dead: their webhook was deleted. */
  skipped: number;
}


const OUTCOMES = new Set<string>(DELIVERY_OUTCOMES);
const CLASSES = new Set<string>(STATUS_CLASSES);

/**
 * The one door of management: everything an operator does to an app — webhooks and their
 * secrets, the event catalogue, the delivery log, dead letters and redelivery, test sends,
 * queue counts and retention — in one typed service, `app.management`. The admin HTTP API
 * (`@hookwork/admin`) wraps it one to one; the app object's own methods (`app.webhooks`,
 * `app.logs()`, …) are this service too. Every listing returns a {@link Page}; bad input is
 * refused with a coded error (HOOKWORK_ERR_INVALID_PAGE, _INVALID_QUERY, …) before anything is
 * read or stored. Usable once the app has started (HOOKWORK_ERR_APP_NOT_STARTED before).
 */
export interface Management {
  /** Webhook definitions: create, get, update, delete, list, secrets. */
  readonly webhooks: Webhooks;
  /** The composed events in collection order (for an event picker). */
  events(): readonly WebhookEventDescriptor[];
  /**
   * Delivery log entries, newest first: every webhook's, or narrowed by webhook, outcome, HTTP
   * status class, event or request. HOOKWORK_ERR_WEBHOOK_NOT_FOUND when `webhookKey` names no webhook and no entry.
   * A page answers `next` when more entries follow: pass it as `after` for the next page, which
   * holds the entries strictly after the last one, whatever was logged or cleaned up meanwhile
   * (an `offset` counts from the newest at each request, so entries logged between pages repeat).
   * A cursor of `deadLetters()`, or changed, is HOOKWORK_ERR_INVALID_CURSOR; `after` with `offset`
   * is HOOKWORK_ERR_INVALID_PAGE.
   */
  logs(query?: DeliveryLogQuery): Promise<Page<DeliveryLogEntry>>;
  /** One webhook's log entries, newest first (`logs({ webhookKey, ...page })`). */
  logs(webhookKey: string, page?: CursorPageRequest): Promise<Page<DeliveryLogEntry>>;
  /** One delivery log entry with its request and response; HOOKWORK_ERR_DELIVERY_NOT_FOUND when there is none. */
  delivery(key: string): Promise<DeliveryLogEntry>;
  /**
   * Dead-lettered requests, newest dead first, of every webhook or of one; with `deadSince`, only
   * those dead at or after that time (the total is then what `redeliver({ deadSince })` puts back);
   * with `deadUntil`, only those dead at or before it.
   * A page answers `next` when more follow: pass it as `after` for the page strictly after it,
   * whatever died, was redelivered or cleaned up meanwhile (HOOKWORK_ERR_INVALID_CURSOR for a
   * cursor of `logs()` or a changed one; `after` with `offset` is HOOKWORK_ERR_INVALID_PAGE).
   */
  deadLetters(query?: DeadLetterQuery): Promise<Page<WebhookRequest>>;
  /**
   * Puts dead-lettered requests back in the queue, due now, attempts reset: by `ids`; all of a
   * webhook's (optionally only those dead since `deadSince`); every webhook's dead since
   * `deadSince`; or every dead letter (`{ all: true }`). `deadUntil` bounds any of these but `ids`
   * from above (dead at or before it): give the newest dead time of a count the user confirmed, so
   * that dead letters arriving after the count are not put back with it. Dead letters of a deleted webhook are
   * left as they are and counted as `skipped`; HOOKWORK_ERR_DEAD_LETTER_WEBHOOK_DELETED when the
   * one id asked for is such a dead letter.
   */
  redeliver(selector: RedeliverSelector): Promise<RedeliverResult>;
  /** Sends an example request to a webhook now, once, and returns the receiver's answer. */
  sendTestEvent(webhookKey: string, options?: { alias?: string }): Promise<TestEventResult>;
  /** Requests by state: pending (incl. waiting to retry), in flight, dead; of every webhook or one. */
  queueCounts(query?: QueueCountsQuery): Promise<QueueCounts>;
  /**
   * Runs a retention round now (it also runs hourly) and returns what it deleted. The round first
   * drops (and logs as `dropped`) the queued requests of webhooks that no longer exist, which a
   * deletion cut short left behind; those are counted apart, in `droppedRequests`.
   */
  runCleanup(): Promise<CleanupResult>;
  /**
   * A webhook's health: its circuit breaker, failing streak and a receiver's pause, as every
   * process sharing the store sees them — read from the store at each call (its `get`), never from
   * the copy delivery keeps, so another process's failures show at once.
   * HOOKWORK_ERR_WEBHOOK_NOT_FOUND when there is no such webhook.
   */
  health(webhookKey: string): Promise<WebhookHealth>;
  /**
   * The composed events as an OpenAPI 3.1 document with a `webhooks` entry per event (payload
   * schemas in the app's payload shape, headers, CloudEvents envelope): see createCatalogueDocument().
   */
  catalogueDocument(options?: CatalogueDocumentOptions): CatalogueDocument;
}

/** The {@link Management} door of one app. */
export class ManagementService implements Management {
  constructor(private readonly deps: ManagementDeps) {}

  /** Webhook definitions: create, get, update, delete, list, secrets. */
  get webhooks(): Webhooks {
    return this.deps.webhooks;
  }

  /** The composed events in collection order (for an event picker). */
  events(): readonly WebhookEventDescriptor[] {
    return this.deps.catalogue.list();
  }

  /**
   * Delivery log entries, newest first: every webhook's, or narrowed by webhook, outcome, HTTP
   * status class, event or request. HOOKWORK_ERR_WEBHOOK_NOT_FOUND when `webhookKey` names no webhook and no entry
   * (the log of a deleted webhook stays readable until it is cleaned up).
   */
  logs(query?: DeliveryLogQuery): Promise<Page<DeliveryLogEntry>>;
  /** One webhook's log entries, newest first (`logs({ webhookKey, ...page })`). */
  logs(webhookKey: string, page?: CursorPageRequest): Promise<Page<DeliveryLogEntry>>;
  async logs(givenQuery?: DeliveryLogQuery | string, givenPage?: CursorPageRequest): Promise<Page<DeliveryLogEntry>> {
    const queryOrKey = readOrRefuse(givenQuery, (path, problem) => invalidQuery('logs', `query${path ? `.${path}` : ''} ${problem}`));
    const page = readOrRefuse(givenPage, (path, problem) => invalidQuery('logs', `page${path ? `.${path}` : ''} ${problem}`));
    if (typeof queryOrKey !== 'string' && page !== undefined) {
      // logs(hook?.key, { limit }) with no key would otherwise list every webhook's log.
      throw invalidQuery('logs', `was given a page with a webhook key that is ${queryOrKey === null ? 'null' : typeof queryOrKey}; pass the key as a string, or logs({ limit, offset }) for every webhook`);
    }
    const given = (page as { webhookKey?: unknown } | undefined)?.webhookKey;
    if (typeof queryOrKey === 'string' && isPlainObject(page) && given !== undefined && given !== queryOrKey) {
      // logs('w1', { webhookKey: 'w2' }) read w1's log while asking for w2's.
      throw invalidQuery('logs', `was given the webhook key ${quoted(queryOrKey)} and a page with webhookKey ${shownValue(given)}; name the webhook once (logs(key, { limit, offset }) or logs({ webhookKey, limit, offset }))`);
    }
    if (typeof queryOrKey === 'string' && page !== undefined && page !== null && !isPlainObject(page)) throw invalidQuery('logs', `takes a plain page object such as { limit: 50 }${gotKind(page)}`);
    if (isWebhookObject(queryOrKey)) throw invalidQuery('logs', `was given a webhook, not its key; pass its key: logs(hook.key) or logs({ webhookKey: hook.key }) (here ${quoted(queryOrKey.key)})`);
    const query: DeliveryLogQuery = typeof queryOrKey === 'string' ? { ...(page ?? {}), webhookKey: queryOrKey } : (queryOrKey ?? {});
    if (!isPlainObject(query)) throw invalidQuery('logs', `takes a plain query object such as { webhookKey, limit: 50 }${gotKind(query)}`);
    refuseUnknownKeys('logs', query, LOG_QUERY_KEYS);
    const { webhookKey, outcomes, statusClasses, eventAlias, requestId } = query;
    if (webhookKey !== undefined && typeof webhookKey !== 'string') throw invalidQuery('logs', 'was given a webhookKey that is not a string');
    if (eventAlias !== undefined && typeof eventAlias !== 'string') throw invalidQuery('logs', 'was given an eventAlias that is not a string');
    if (requestId !== undefined && typeof requestId !== 'string') throw invalidQuery('logs', 'was given a requestId that is not a string');
    if (webhookKey !== undefined) checkKey('logs()', typeof queryOrKey === 'string' ? 'webhookKey' : 'query.webhookKey', webhookKey, 'webhookKey');
    if (eventAlias !== undefined) checkKey('logs()', 'query.eventAlias', eventAlias, 'eventAlias');
    if (requestId !== undefined) checkKey('logs()', 'query.requestId', requestId, 'requestId');
    if (outcomes !== undefined && (!Array.isArray(outcomes) || outcomes.some((o) => !OUTCOMES.has(o)))) {
      throw invalidQuery('logs', `was given outcomes ${shownGiven(outcomes)}; use a list of ${[...OUTCOMES].join(', ')}`);
    }
    if (statusClasses !== undefined && (!Array.isArray(statusClasses) || statusClasses.some((c) => !CLASSES.has(c)))) {
      throw invalidQuery('logs', `was given statusClasses ${shownGiven(statusClasses)}; use a list of ${[...CLASSES].join(', ')}`);
    }
    const log = this.deps.deliveryLog();
    const result = await cursorPage('logs', query, log.pagesByPosition === true, (paging) =>
      log.list({
        ...paging,
        ...(webhookKey !== undefined ? { webhookKey } : {}),
        ...(outcomes !== undefined ? { outcomes } : {}),
        ...(statusClasses !== undefined ? { statusClasses } : {}),
        ...(eventAlias !== undefined ? { eventAlias } : {}),
        ...(requestId !== undefined ? { requestId } : {}),
      }),
    );
    if (webhookKey !== undefined && result.total === 0) {
      // A deleted webhook's log is read until it is cleaned up: nothing matching the filters is not "no such webhook".
      const filtered = outcomes !== undefined || statusClasses !== undefined || eventAlias !== undefined || requestId !== undefined;
      await this.requireKnown(webhookKey, 'the log holds nothing of it', filtered ? async () => (await this.deps.deliveryLog().list({ webhookKey, limit: 1 })).total > 0 : undefined);
    }
    return result;
  }

  /** One delivery log entry with its request and response; HOOKWORK_ERR_DELIVERY_NOT_FOUND when there is none. */
  async delivery(key: string): Promise<DeliveryLogEntry> {
    checkKey('delivery()', 'key', key, 'deliveryKey');
    const entry = await this.deps.deliveryLog().get(key);
    if (!entry) throw new HookworkError('HOOKWORK_ERR_DELIVERY_NOT_FOUND', `no delivery log entry has the key ${quoted(key)}; it may have been cleaned up (keepLogsForDays); list entries with app.logs()`);
    return entry;
  }

  /** Dead-lettered requests, newest dead first, of every webhook or of one, optionally only those dead since a time. */
  async deadLetters(given: DeadLetterQuery = {}): Promise<Page<WebhookRequest>> {
    const query = readOrRefuse(given, (path, problem) => invalidQuery('deadLetters', `query${path ? `.${path}` : ''} ${problem}`));
    if (isWebhookObject(query)) throw invalidQuery('deadLetters', `was given a webhook, not a query; pass its key: deadLetters({ webhookKey: hook.key }) (here ${quoted(query.key)})`);
    if (!isPlainObject(query)) throw invalidQuery('deadLetters', `takes a plain query object such as { webhookKey, limit: 50 }${gotKind(query)}`);
    refuseUnknownKeys('deadLetters', query, DEAD_LETTER_QUERY_KEYS);
    if (query.webhookKey !== undefined && typeof query.webhookKey !== 'string') throw invalidQuery('deadLetters', 'was given a webhookKey that is not a string');
    if (query.webhookKey !== undefined) checkKey('deadLetters()', 'query.webhookKey', query.webhookKey, 'webhookKey');
    const deadSinceProblem = query.deadSince !== undefined ? dateProblem('deadSince', query.deadSince) : undefined;
    if (deadSinceProblem) throw invalidQuery('deadLetters', deadSinceProblem);
    const deadUntilProblem = query.deadUntil !== undefined ? dateProblem('deadUntil', query.deadUntil) : undefined;
    if (deadUntilProblem) throw invalidQuery('deadLetters', deadUntilProblem);
    // As redeliver() refuses it: an empty page read as "no dead letters in that window".
    const reversed = reversedWindowProblem(query.deadSince, query.deadUntil, 'lists');
    if (reversed) throw new HookworkError('HOOKWORK_ERR_INVALID_QUERY', `deadLetters() ${reversed}`, { details: [{ field: 'deadUntil', problem: reversed }] });
    const engine = this.deps.engine();
    const result = await cursorPage('deadLetters', query, engine.pagesDeadByPosition === true, (paging) =>
      engine.listDead({
        ...paging,
        ...(query.webhookKey !== undefined ? { webhookKey: query.webhookKey } : {}),
        ...(query.deadSince !== undefined ? { deadSince: new Date(query.deadSince.getTime()) } : {}),
        ...(query.deadUntil !== undefined ? { deadUntil: new Date(query.deadUntil.getTime()) } : {}),
      }),
      DEFAULT_PAGE_SIZE,
    );
    if (query.webhookKey !== undefined && result.total === 0) await this.requireKnown(query.webhookKey, 'no dead letter is of it', query.deadSince !== undefined || query.deadUntil !== undefined ? this.holdsDeadOf(query.webhookKey) : undefined);
    return result;
  }

  /**
   * Puts dead-lettered requests back in the queue, due now, attempts reset: by `ids`; all of a
   * webhook's (optionally only those dead since `deadSince`); every webhook's dead since
   * `deadSince`; or every dead letter (`{ all: true }`) — exactly one of these forms, each but `ids`
   * optionally bounded by `deadUntil`: `ids` with `webhookKey`, `deadSince` or `deadUntil`, `all`
   * with `ids`, `webhookKey` or `deadSince`, or a `deadUntil` before `deadSince`, is
   * HOOKWORK_ERR_INVALID_REDELIVER_SELECTOR.
   * An id (one, or any of a list) that names no queued or dead-lettered request and no attempt
   * in the delivery log is HOOKWORK_ERR_REQUEST_NOT_FOUND naming it, and nothing is redelivered; a
   * queued one, or one the log knows but that is gone (another redelivery took it first and it was
   * delivered since), is left as it is (neither redelivered nor skipped; one asked for alone is
   * HOOKWORK_ERR_REQUEST_NOT_DEAD). Dead letters whose webhook was deleted are
   * left as they are and counted as `skipped` (a single one asked for is
   * HOOKWORK_ERR_DEAD_LETTER_WEBHOOK_DELETED, as is one the deletion already removed): put back,
   * each was only dropped when its turn came.
   */
  async redeliver(given: RedeliverSelector): Promise<RedeliverResult> {
    const selector = readOrRefuse(given, (path, problem) => new HookworkError('HOOKWORK_ERR_INVALID_REDELIVER_SELECTOR', `redeliver() selector${path ? `.${path}` : ''} ${problem}`, { details: [{ field: path || '(root)', problem }] }));
    if (isWebhookObject(selector)) {
      const problem = `was given a webhook, not a selector; pass its key: redeliver({ webhookKey: hook.key }) (here ${quoted(selector.key)})`;
      throw new HookworkError('HOOKWORK_ERR_INVALID_REDELIVER_SELECTOR', `redeliver() ${problem}`, { details: [{ field: '(root)', problem }] });
    }
    const problem = selectorProblem(selector);
    if (problem) {
      const given = selector && typeof selector === 'object' ? Object.keys(selector).filter((key) => SELECTOR_KEYS.includes(key)) : [];
      throw new HookworkError('HOOKWORK_ERR_INVALID_REDELIVER_SELECTOR', `redeliver() ${problem}; pass exactly one of ${SELECTOR_FORMS}`, {
        details: given.map((field) => ({ field, problem: `is part of a selector that is none of ${SELECTOR_FORMS}` })),
      });
    }
    selector.ids?.forEach((id, i) => checkKey('redeliver()', `selector.ids[${i}]`, id, 'requestId'));
    if (selector.webhookKey !== undefined) checkKey('redeliver()', 'selector.webhookKey', selector.webhookKey, 'webhookKey');
    const engine = this.deps.engine();
    const { webhookKeys, skipped } = selector.ids ? await this.webhooksOfIds(selector.ids) : selector.webhookKey !== undefined ? await this.webhooksOfKey(selector.webhookKey, windowOf(selector)) : { webhookKeys: await this.deps.webhooks.keys(), skipped: undefined };
    const ids = webhookKeys.length === 0 ? [] : await engine.redeliver({ ...selector, webhookKeys }, this.deps.clock.now());
    // One id that was dead when looked at, and that the engine did not put back: another
    // redelivery (a second operator, another tab or instance) or a deletion took it meanwhile. Said
    // as it would have been a moment later, never answered { redelivered: 0 }, which the admin API
    // sent as a 200 and its page showed as "put back in the queue".
    if (ids.length === 0 && skipped === 0 && selector.ids && new Set(selector.ids).size === 1) await this.webhooksOfIds(selector.ids);
    if (ids.length === 0 && skipped === 0 && selector.webhookKey !== undefined) await this.requireKnown(selector.webhookKey, 'no dead letter is of it', selector.deadSince !== undefined || selector.deadUntil !== undefined ? this.holdsDeadOf(selector.webhookKey) : undefined);
    this.deps.onRedelivered?.(ids);
    // Every webhook's: what is still dead of the selection is of deleted webhooks (or died since).
    const left = skipped ?? (await engine.listDead({ limit: 1, ...windowOf(selector) })).total;
    return { redelivered: ids.length, skipped: left };
  }

  /**
   * The webhooks of the dead letters `ids` names that still exist, and how many of those dead
   * letters are of a deleted one. One id of a deleted webhook is refused with the reason.
   */
  private async webhooksOfIds(ids: readonly string[]): Promise<{ webhookKeys: string[]; skipped: number }> {
    const engine = this.deps.engine();
    const requests = new Map<string, Awaited<ReturnType<typeof engine.get>>>();
    for (const id of new Set(ids)) requests.set(id, await engine.get(id));
    // One id or a thousand, the same rule: an id that names no queued or dead request is refused,
    // before anything is put back — a list answered { redelivered: 0 } hid a typo or an id long
    // cleaned up, where the same id alone was a 404. An id whose attempts the delivery log holds
    // was a request: another redelivery (a second operator's, another instance's) took it first
    // and it was delivered or dropped since; like a queued one it is left to that, not refused.
    const unknown: string[] = [];
    const loggedUnder = new Map<string, string>();
    for (const [id, request] of requests) {
      if (request) continue;
      const key = await this.deps.logged(id);
      if (key === undefined) unknown.push(id);
      else loggedUnder.set(id, key);
    }
    if (unknown.length > 0) {
      const shown = shownList(unknown, { show: (id) => quoted(id), max: 5 });
      throw new HookworkError(
        'HOOKWORK_ERR_REQUEST_NOT_FOUND',
        `no queued or dead-lettered request has the id${unknown.length > 1 ? 's' : ''} ${shown}${ids.length > 1 ? '; nothing was redelivered' : ''} (a dead letter past keepDeadLettersForDays is cleaned up); list dead letters with app.deadLetters()`,
        // The selector field at fault, so an API can name it beside the caller's input; `ids`, the
        // ids of it that name nothing (all of them: the message shows the first few).
        { details: [{ field: 'ids', problem: `holds ${shown}, which no queued or dead-lettered request has (a dead letter past keepDeadLettersForDays is cleaned up); list dead letters with app.deadLetters()`, ids: unknown }] },
      );
    }
    const exists = new Map<string, boolean>();
    let skipped = 0;
    for (const [id, request] of requests) {
      if (request?.state !== 'dead') {
        // One asked for alone is said, as a deleted webhook's is: answered { redelivered: 0 }, a
        // page showed "put back in the queue" for a request another tab had already put back. Gone
        // from the queue (known to the log): another redelivery took it first, and it was
        // delivered or dropped since.
        if (requests.size === 1) {
          // Gone, and its webhook with it: the deletion removed it (a dead letter, or a request
          // still queued), logged as `dropped` — not "redelivered already", which sent the
          // operator looking for another tab's redelivery that never was.
          const goneKey = request ? undefined : loggedUnder.get(id);
          if (goneKey !== undefined && (await this.deps.webhooks.get(goneKey)) === undefined) {
            throw new HookworkError(
              'HOOKWORK_ERR_DEAD_LETTER_WEBHOOK_DELETED',
              `request ${id} was not redelivered: its webhook ${quoted(goneKey)} was deleted, and the requests queued or dead-lettered for it were removed with it, so nothing of it is left to put back; its attempts and the deletion's dropped entry are in the delivery log — create the webhook again and publish anew to send it`,
              { details: { id, webhookKey: goneKey, state: 'gone' } },
            );
          }
          const where = !request
            ? 'it is no dead letter any more — redelivered already (another tab, another instance, a bulk redelivery) and delivered or dropped since; its attempts are in the delivery log'
            : `it is not a dead letter but still in the queue, ${request.state === 'inflight' ? 'being attempted now' : `waiting for its next attempt (due ${request.dueAt.toISOString()})`} — redelivered already, or never dead; it is delivered or dead-lettered on its own, and its attempts are in the delivery log`;
          throw new HookworkError('HOOKWORK_ERR_REQUEST_NOT_DEAD', `request ${id} was not redelivered: ${where}`, { details: { id, state: request?.state ?? 'gone' } });
        }
        continue;
      }
      const key = request.webhookKey;
      if (!exists.has(key)) exists.set(key, (await this.deps.webhooks.get(key)) !== undefined);
      if (exists.get(key)) continue;
      if (ids.length === 1) {
        throw new HookworkError(
          'HOOKWORK_ERR_DEAD_LETTER_WEBHOOK_DELETED',
          `dead letter ${id} was not redelivered: its webhook ${quoted(key)} was deleted, so it would only be dropped; it stays a dead letter until the retention cleanup — a webhook created under the key again is another webhook, which never receives it: its body is in the delivery log, so publish anew or send it yourself`,
        );
      }
      skipped++;
    }
    return { webhookKeys: [...exists].filter(([, live]) => live).map(([key]) => key), skipped };
  }

  /** A webhook's dead letters: all of them redeliverable, or, when it was deleted, all left (and counted). */
  private async webhooksOfKey(webhookKey: string, window: { deadSince?: Date; deadUntil?: Date }): Promise<{ webhookKeys: string[]; skipped: number }> {
    if (await this.deps.webhooks.get(webhookKey)) return { webhookKeys: [webhookKey], skipped: 0 };
    const { total } = await this.deps.engine().listDead({ webhookKey, limit: 1, ...window });
    return { webhookKeys: [], skipped: total };
  }

  /** Sends an example request to a webhook now, once, and returns the receiver's answer (see TestSender). */
  async sendTestEvent(webhookKey: string, givenOptions?: { alias?: string }): Promise<TestEventResult> {
    checkKey('sendTestEvent()', 'webhookKey', webhookKey, 'webhookKey');
    const options = readOrRefuse(givenOptions, (path, problem) => new HookworkError('HOOKWORK_ERR_INVALID_ARGUMENT', `sendTestEvent() options${path ? `.${path}` : ''} ${problem}`));
    // `{ alia: … }` or a bare alias string sent the default event, as though it were asked for.
    if (options !== undefined && !isPlainObject(options)) {
      throw new HookworkError('HOOKWORK_ERR_INVALID_ARGUMENT', `sendTestEvent(): options must be a plain object such as { alias: 'content.published' }; got ${options !== null && typeof options === 'object' ? objectKind(options) : shownValue(options)}`);
    }
    const unknown = options && unknownOption(Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)), ['alias']);
    if (unknown) throw new HookworkError('HOOKWORK_ERR_INVALID_ARGUMENT', `sendTestEvent(): ${unknown.text}`);
    if (options?.alias !== undefined) checkKey('sendTestEvent()', 'options.alias', options.alias, 'eventAlias');
    return this.deps.testSender.send(webhookKey, options);
  }

  /**
   * Runs a retention round now (it also runs hourly): deletes log entries older than
   * `keepLogsForDays` and dead letters older than `keepDeadLettersForDays`, in batches, after
   * dropping what deletions cut short left queued (`droppedRequests`).
   */
  runCleanup(): Promise<CleanupResult> {
    return this.deps.cleanup.run();
  }

  /** A webhook's health: breaker, failing streak, a receiver's pause (see {@link Management.health}). */
  async health(webhookKey: string): Promise<WebhookHealth> {
    checkKey('health()', 'webhookKey', webhookKey, 'webhookKey');
    const webhook = await this.deps.webhooks.get(webhookKey);
    if (!webhook) {
      throw new HookworkError('HOOKWORK_ERR_WEBHOOK_NOT_FOUND', `no webhook has the key ${quoted(webhookKey)}; list them with app.webhooks.list()`);
    }
    const state = await this.deps.health.health(webhook);
    const date = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms));
    const view: WebhookHealth = { webhookKey, breaker: state?.breaker ?? 'closed', consecutiveFailures: state?.consecutiveFailures ?? 0 };
    const optional = { openedAt: date(state?.openedAt), probeAt: date(state?.probeAt), failingSince: date(state?.failingSince), pausedUntil: state?.pausedUntil !== undefined && state.pausedUntil > this.deps.clock.now().getTime() ? date(state.pausedUntil) : undefined };
    for (const [key, value] of Object.entries(optional)) if (value !== undefined) (view as unknown as Record<string, Date>)[key] = value;
    return view;
  }

  catalogueDocument(options?: CatalogueDocumentOptions): CatalogueDocument {
    return this.deps.catalogueDocument(options);
  }

  /**
   * A key that found nothing: fine for a webhook that exists (or once existed: its log and dead
   * letters outlive it), HOOKWORK_ERR_WEBHOOK_NOT_FOUND for a key nothing knows — a typo must not
   * read as "all is well", the same for every listing.
   */
  /**
   * Refuses a key that names no webhook and nothing else: `stillHolds`, for a listing narrowed
   * past the key (filters, a time), says whether anything unfiltered is of that key — a deleted
   * webhook's log and dead letters stay until the cleanup, so "none match" is not "no such webhook".
   */
  private async requireKnown(webhookKey: string, why: string, stillHolds?: () => Promise<boolean>): Promise<void> {
    if (await this.deps.webhooks.get(webhookKey)) return;
    if (stillHolds && (await stillHolds())) return;
    throw new HookworkError('HOOKWORK_ERR_WEBHOOK_NOT_FOUND', `no webhook has the key ${quoted(webhookKey)} and ${why}; list webhooks with app.webhooks.list()`, {
      // The filter or selector field at fault, so an API can name it beside the caller's input.
      details: [{ field: 'webhookKey', problem: `is ${quoted(webhookKey)}, which no webhook has (and ${why}); list webhooks with app.webhooks.list()` }],
    });
  }

  /** Whether any dead letter is of `webhookKey`, whenever it died. */
  private holdsDeadOf(webhookKey: string): () => Promise<boolean> {
    return async () => (await this.deps.engine().listDead({ webhookKey, limit: 1 })).total > 0;
  }

  /** Requests by state: pending (incl. waiting to retry), in flight, dead; of every webhook or one. */
  async queueCounts(givenQuery: QueueCountsQuery = {}): Promise<QueueCounts> {
    const query = readOrRefuse(givenQuery, (path, problem) => invalidQuery('queueCounts', `query${path ? `.${path}` : ''} ${problem}`));
    if (!isPlainObject(query) || (query.webhookKey !== undefined && typeof query.webhookKey !== 'string')) {
      throw invalidQuery('queueCounts', 'takes { webhookKey? } with a string key');
    }
    refuseUnknownKeys('queueCounts', query, ['webhookKey']);
    if (query.webhookKey !== undefined) checkKey('queueCounts()', 'query.webhookKey', query.webhookKey, 'webhookKey');
    const counts = await this.deps.engine().counts(query.webhookKey !== undefined ? { webhookKey: query.webhookKey } : {});
    if (query.webhookKey !== undefined && counts.pending + counts.inFlight + counts.dead === 0) await this.requireKnown(query.webhookKey, 'the queue holds nothing of it');
    return counts;
  }
}

const LOG_QUERY_KEYS = ['webhookKey', 'outcomes', 'statusClasses', 'eventAlias', 'requestId', 'limit', 'offset', 'after'] as const;
const DEAD_LETTER_QUERY_KEYS = ['webhookKey', 'deadSince', 'deadUntil', 'limit', 'offset', 'after'] as const;
const SELECTOR_KEYS = ['ids', 'webhookKey', 'deadSince', 'deadUntil', 'all'];
/** The selectors redeliver() takes, as its refusals name them. */
const SELECTOR_FORMS = '{ ids: [...] }, { webhookKey, deadSince?, deadUntil? }, { deadSince, deadUntil? } or { all: true, deadUntil? }';

/** The dead-time window of a selector, for counting what it selects. */
function windowOf(selector: RedeliverSelector): { deadSince?: Date; deadUntil?: Date } {
  return { ...(selector.deadSince ? { deadSince: selector.deadSince } : {}), ...(selector.deadUntil ? { deadUntil: selector.deadUntil } : {}) };
}

/** A misspelt filter (`webhookkey`, `outcome`, `take`) must not widen a listing to everything. */
function refuseUnknownKeys(method: string, query: object, known: readonly string[]): void {
  const unknown = Object.keys(query).filter((key) => !known.includes(key) && (query as Record<string, unknown>)[key] !== undefined);
  if (unknown.length === 0) return;
  // The filter meant, for the first few (`lmit`, `webhook` for webhookKey), as every other refusal of a key says.
  const near = unknown.slice(0, 5).flatMap((key) => {
    // Umbraco's skip/take (the admin API's own names), other page sizes and cursors are no edit
    // away from limit/offset/after: nearestName knows them from its one table of other names.
    const meant = nearestName(key, known);
    return meant === undefined ? [] : [`${meant} for ${shownValue(key)}`];
  });
  throw invalidQuery(method, `was given ${shownList(unknown)}, which ${unknown.length > 1 ? 'are not filters' : 'is not a filter'}; the filters are ${known.join(', ')}${near.length > 0 ? `; did you mean ${near.join(', ')}?` : ''}`);
}

/** `; got a Map` for a non-plain object given where a plain one belongs, else nothing. */
function gotKind(value: unknown): string {
  return value !== null && typeof value === 'object' ? `; got ${objectKind(value)}` : '';
}

/** A list the caller gave, as a refusal shows it: its first items and how many more (anything else as itself). */
function shownGiven(value: unknown): string {
  return Array.isArray(value) ? `[${shownList(value)}]` : shownValue(value);
}


function invalidQuery(method: string, problem: string): HookworkError {
  return new HookworkError('HOOKWORK_ERR_INVALID_QUERY', `${method}() ${problem}`);
}

/**
 * Why a window of dead letters whose `deadUntil` is before its `deadSince` is refused (it holds
 * none), or undefined: one wording for redeliver() and deadLetters(). Both dates valid.
 */
function reversedWindowProblem(deadSince: Date | undefined, deadUntil: Date | undefined, verb: 'selects' | 'lists'): string | undefined {
  if (deadSince === undefined || deadUntil === undefined || deadUntil.getTime() >= deadSince.getTime()) return undefined;
  return `was given a deadUntil (${deadUntil.toISOString()}) before its deadSince (${deadSince.toISOString()}), which ${verb} nothing; pass a deadUntil at or after deadSince`;
}

function selectorProblem(selector: RedeliverSelector | undefined): string | undefined {
  if (!isPlainObject(selector)) return `needs a plain selector object${gotKind(selector)}`;
  const unknown = Object.keys(selector).filter((key) => !SELECTOR_KEYS.includes(key));
  // A misspelt narrowing (`webhook`, `since`) would otherwise redeliver far more than asked.
  if (unknown.length > 0) return `was given ${shownList(unknown)}, which ${unknown.length > 1 ? 'are' : 'is'} not part of a selector`;
  const { ids, webhookKey, deadSince, deadUntil, all } = selector;
  if (ids !== undefined && (!Array.isArray(ids) || ids.length === 0 || ids.some((id) => typeof id !== 'string'))) return 'was given ids that are not a non-empty array of request ids';
  if (webhookKey !== undefined && typeof webhookKey !== 'string') return 'was given a webhookKey that is not a string';
  if (deadSince !== undefined) {
    const problem = dateProblem('deadSince', deadSince);
    if (problem) return problem;
  }
  if (deadUntil !== undefined) {
    const problem = dateProblem('deadUntil', deadUntil);
    if (problem) return problem;
    if (ids !== undefined) return 'was given ids together with deadUntil, which no selector combines (ids name the dead letters themselves); pass the ids alone';
    const reversed = reversedWindowProblem(deadSince, deadUntil, 'selects');
    if (reversed) return reversed;
  }
  if (all !== undefined && all !== true) return 'was given all that is not true';
  if (all && (ids !== undefined || webhookKey !== undefined || deadSince !== undefined)) return 'was given { all: true } with a narrower selector; pass one or the other';
  // ids name the dead letters themselves: a webhookKey or deadSince beside them was read as a
  // filter of them by some paths and ignored by others — no form combines them.
  if (ids !== undefined && (webhookKey !== undefined || deadSince !== undefined)) return `was given ids together with ${webhookKey !== undefined ? 'webhookKey' : 'deadSince'}, which no selector combines (ids name the dead letters themselves); pass the ids alone`;
  if (ids === undefined && webhookKey === undefined && deadSince === undefined && !all) return `needs ids, a webhookKey, a deadSince or { all: true } (everything at once must be asked for explicitly${deadUntil !== undefined ? ': every dead letter up to deadUntil is { all: true, deadUntil }' : ''})`;
  return undefined;
}
