import { html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { allWebhooks, api, ApiError, qs, seg, stateOf, versioned, type EventDescriptor, type Health, type Page, type QueueCounts, type WebhookView } from './api';
import type { ConfirmDialog } from './confirm-dialog';
import './confirm-dialog';
import { cursorPager, isBadCursor, listProblem, positionOf, withPosition, type ListPosition } from './cursor-pager';
import { flowTags, formatCount, go, healthView, isolated, LightElement, listRoute, refusedEntry, statusLine } from './shared';

const PAGE_SIZE = 100;

/**
 * Whether `webhook` is one a back-office user looking for `words` means: each word (any case) is
 * somewhere in its name, key, URL, description, or one of its events (the alias, or the event's
 * name as the catalogue gives it: *Content Published*).
 */
function matches(webhook: WebhookView, words: readonly string[], eventNames: ReadonlyMap<string, string>): boolean {
  const text = [webhook.name, webhook.key, webhook.url, webhook.description, ...webhook.events.flatMap((alias) => [alias, eventNames.get(alias) ?? ''])].join('\n').toLowerCase();
  return words.every((word) => text.includes(word));
}

/**
 * A change from a row refused because the webhook is no longer as the list read it (changed in
 * another tab or by another operator): what happened, and what to do. `refused` is the API's 412
 * when there is one.
 */
const changedSinceListed = (what: 'deleted' | 'switched', refused?: ApiError) =>
  new ApiError({
    ...(refused?.problem ?? { status: 412, code: 'HOOKWORK_ERR_ADMIN_PRECONDITION_FAILED' }),
    errors: undefined,
    title: `Not ${what === 'deleted' ? 'deleted' : 'switched on or off'}: this webhook was changed since the list was read`,
    detail: `Another tab or person changed it meanwhile (its name, URL, events or switch may not be what the list showed), and nothing was changed. The list is read again: check the webhook as it is now, and ${what === 'deleted' ? 'delete' : 'switch'} it again if you still mean to.`,
  });

const isPreconditionFailed = (error: unknown): error is ApiError => error instanceof ApiError && error.problem.status === 412;

/**
 * What switching a webhook did, as an operator who means to pause a receiver needs to know it: a
 * webhook switched off gets no requests for the events published meanwhile (they are not kept for
 * later), and the requests already queued wait for it (docs/delivery.md, *Disabled webhook*).
 */
const switched = (name: string, enabled: boolean) =>
  enabled
    ? `${name} is switched on: events from now on are sent to it, and its requests that waited in the queue go now.`
    : `${name} is switched off: events from now on are not sent to it, nor kept to send later. Its requests already in the queue wait, and go when it is switched on again.`;

/**
 * An event alias with a line-break opportunity after each dot (`Umbraco.<wbr>ContentPublish`): in
 * a narrow Events column it breaks there, not inside a word (`Umbraco.ContentDel` / `ete`).
 */
const dotted = (alias: string) => {
  const parts = alias.split('.');
  return parts.map((part, i) => (i < parts.length - 1 ? html`${part}.<wbr />` : part));
};

/**
 * Webhooks: enabled (a switch), name, URL, events, content types, health; and what to do with each.
 * 100 a page by cursor (`after` in the route, as the deliveries and the dead letters), so every
 * webhook is reachable however many there are, and one deleted or created by another operator
 * while someone pages moves no other out of sight nor onto a page twice (as `skip` did).
 */
@customElement('hw-webhook-list')
export class WebhookList extends LightElement {
  /** The route's query: the position (after, back, page). */
  @property({ attribute: false }) query = new URLSearchParams();
  @query('hw-confirm') private confirmDialog!: ConfirmDialog;
  @state() private webhooks: Page<WebhookView> | undefined;
  @state() private health = new Map<string, Health>();
  @state() private error: unknown;
  /** What the last switch did, in words: switching off is no pause that keeps events for later. */
  @state() private note = '';
  /** Which read of the list is the latest: an earlier one's answer is dropped. */
  private loads = 0;

  protected override signedInAgain(): void {
    if (refusedEntry(this.error)) void this.load();
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (!changed.has('query')) return;
    // Other words, or none: what the last search found is not the answer (nor its count).
    const before = changed.get('query') as URLSearchParams | undefined;
    if ((before?.get('q') ?? '') !== (this.query.get('q') ?? '')) this.webhooks = undefined;
    void this.load();
  }

  /** The words looked for (`q` in the route), lower case; none when the whole list is shown. */
  private get words(): string[] {
    return (this.query.get('q') ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  }

  private async load(): Promise<void> {
    if (this.words.length > 0) return this.find(this.words);
    const turn = ++this.loads;
    try {
      // The same page of the list (after the same webhook), so each row finds its health by key.
      const page = qs({ after: positionOf(this.query).after, take: PAGE_SIZE });
      const [webhooks, health] = await Promise.all([api<Page<WebhookView>>('GET', `webhook${page}`), api<Page<Health>>('GET', `webhook/health${page}`)]);
      const byKey = new Map(health.items.map((h) => [h.webhookKey, h]));
      await this.healthOfUnpaired(webhooks.items, byKey);
      // The answer of an earlier read (another page asked for since, Next pressed twice) is dropped.
      if (turn !== this.loads) return;
      this.webhooks = webhooks;
      this.health = byKey;
      this.error = undefined;
    } catch (error) {
      if (turn !== this.loads) return;
      this.error = error;
      // The rows of the page before are not this position's: the refusal stands alone, with its way back.
      if (isBadCursor(error)) this.webhooks = undefined;
    }
  }

  /**
   * The webhooks `words` find, in creation order, among every webhook (read as the deliveries'
   * filter reads them, by cursor): a few hundred webhooks are pages of 100, and what someone looks
   * for by name, URL or event is on any of them. The first {@link PAGE_SIZE} found are shown, each
   * with its health read on its own; `total` is how many were found.
   */
  private async find(words: readonly string[]): Promise<void> {
    const turn = ++this.loads;
    try {
      const [all, events] = await Promise.all([allWebhooks(), api<Page<EventDescriptor>>('GET', 'webhook/events?take=1000')]);
      const eventNames = new Map(events.items.map((e) => [e.alias, e.eventName]));
      const found = all.items.filter((w) => matches(w, words, eventNames));
      const shown = found.slice(0, PAGE_SIZE);
      const byKey = new Map<string, Health>();
      await this.healthOfUnpaired(shown, byKey);
      if (turn !== this.loads) return;
      this.webhooks = { items: shown, total: found.length };
      this.health = byKey;
      this.error = undefined;
    } catch (error) {
      if (turn !== this.loads) return;
      this.error = error;
    }
  }

  /** Looks for the words typed (through the route, so back and a link keep them), from the first page. */
  private findSubmitted(event: SubmitEvent): void {
    event.preventDefault();
    const typed = String(new FormData(event.target as HTMLFormElement).get('q') ?? '').trim();
    go(`#/webhooks${qs({ q: typed })}`);
  }

  /**
   * The health of each of `webhooks` the health page left out, read one by one into `byKey`. The
   * two reads of a page are two moments: a webhook created between them with an earlier creation
   * time (another process's clock) lands inside the health page and pushes the page's last webhook
   * off it. Normally none is left out, and nothing more is read; one deleted meanwhile has none.
   */
  private async healthOfUnpaired(webhooks: readonly WebhookView[], byKey: Map<string, Health>): Promise<void> {
    const unpaired = webhooks.filter((w) => !byKey.has(w.key));
    const read = await Promise.all(unpaired.map((w) => api<Health>('GET', `webhook/${seg(w.key)}/health`).catch((error: unknown) => (error instanceof ApiError && error.problem.status === 404 ? undefined : Promise.reject(error)))));
    for (const health of read) if (health) byKey.set(health.webhookKey, health);
  }

  /** Goes to another page of the list, through the route (so back/forward, a reload and a link keep it). */
  private turnTo(position: ListPosition): void {
    const query = withPosition(this.query, position).toString();
    go(`#/webhooks${query ? `?${query}` : ''}`);
  }

  /**
   * The version (ETag) of `webhook` as the list read it, for If-Match: the webhook is read again
   * and its tag taken only if it is still as listed — the list holds no tags, and a tag read now
   * would let a change go through over a webhook another operator changed since the list showed it.
   * Throws when it was changed meanwhile ({@link changedSinceListed}) or cannot be read.
   */
  private async listedVersion(webhook: WebhookView, what: 'deleted' | 'switched'): Promise<string | undefined> {
    const now = await versioned<WebhookView>('GET', `webhook/${seg(webhook.key)}`);
    if (stateOf(now.value) !== stateOf(webhook)) throw changedSinceListed(what);
    // No tag (a proxy that drops it): the comparison above is the check, the change made without If-Match.
    return now.etag;
  }

  /**
   * Switches a webhook on or off, then reads the list again, made only over the webhook as the list
   * read it (If-Match). A refusal (a webhook deleted or changed meanwhile, a server failing) is said
   * once the list is read again — the read's own success would otherwise clear it, and the switch
   * go back without a word.
   */
  private async toggle(webhook: WebhookView, enabled: boolean): Promise<void> {
    let failure: unknown;
    // The note of a switch before stays until this one's answer: clearing it now would draw the
    // list again, and the switch (live) back to what the list read, under the user's click.
    try {
      await versioned('PATCH', `webhook/${seg(webhook.key)}`, { enabled }, await this.listedVersion(webhook, 'switched'));
    } catch (error) {
      failure = isPreconditionFailed(error) ? changedSinceListed('switched', error) : error;
    }
    await this.load();
    this.note = failure === undefined ? switched(webhook.name || webhook.key, enabled) : '';
    if (failure !== undefined) this.error = failure;
  }

  /**
   * Deletes a webhook once confirmed in the page's dialog, which says what the API does to what is
   * left of it, counted now: its queued requests and dead letters are dropped, each logged as
   * dropped (the API answers once those entries are written), and its delivery log stays until the
   * retention cleanup. Made only over the webhook as the list read it and the dialog names it
   * (If-Match): one renamed or changed since is not deleted, and the list is read again.
   */
  private async deleteWebhook(webhook: WebhookView): Promise<void> {
    const name = webhook.name || webhook.key;
    this.note = '';
    let counts: QueueCounts;
    let version: string | undefined;
    try {
      version = await this.listedVersion(webhook, 'deleted');
      counts = await api<QueueCounts>('GET', `queue/counts${qs({ webhookKey: webhook.key })}`);
    } catch (error) {
      // Most often the webhook was deleted or changed meanwhile (elsewhere, or in another tab): the
      // list is read again so its row shows it as it is, and the answer says why nothing was asked.
      await this.load();
      this.error = error;
      return;
    }
    const queued = counts.pending + counts.inFlight;
    const yes = await this.confirmDialog.ask({
      title: html`Delete the webhook ${isolated(name)}?`,
      body: html`${isolated(name)} (${isolated(webhook.url)}) gets no more events. ${[

        queued === 0
          ? 'None of its requests is waiting in the queue.'
          : `${queued === 1 ? 'Its 1 request' : `Its ${formatCount(queued)} requests`} waiting in the queue will not be sent: each is dropped, and logged as dropped.`,
        counts.dead === 0
          ? 'It has no dead letters.'
          : counts.dead === 1
            ? 'Its dead letter is dropped with it, and logged as dropped.'
            : `Its ${formatCount(counts.dead)} dead letters are dropped with it, each logged as dropped.`,
        'Its delivery log stays readable until the retention cleanup. Deleting cannot be undone.',
      ].join(' ')}`,
      confirm: `Delete ${name}`,
    });
    if (!yes) return;
    let failure: unknown;
    try {
      await versioned('DELETE', `webhook/${seg(webhook.key)}`, undefined, version);
    } catch (error) {
      // Changed while the dialog was open: what it named is not what would be deleted.
      failure = isPreconditionFailed(error) ? changedSinceListed('deleted', error) : error;
    }
    await this.load();
    // Said after the list is read again, which clears the error of an earlier read.
    if (failure !== undefined) this.error = failure;
    await this.updateComplete;
    // The row's Delete button is gone: the focus it had goes to the view, not to nowhere.
    const active = document.activeElement;
    if (!active || active === document.body) this.closest('main')?.focus();
  }

  /** The search form, and under it what the search found (or that it found nothing). */
  private findForm() {
    const q = this.query.get('q') ?? '';
    const words = this.words;
    const total = this.webhooks?.total ?? 0;
    return html`<form class="filters" role="search" @submit=${this.findSubmitted}>
        <label
          >Find a webhook
          <input type="search" name="q" .value=${live(q)} aria-describedby="find-hint" />
        </label>
        <button type="submit">Find</button>
        ${words.length > 0 ? html`<a href="#/webhooks">Show every webhook</a>` : nothing}
        <span id="find-hint" class="muted">by name, URL or event (<i>erp</i>, <i>shop.example.com</i>, <i>Content Published</i>)</span>
      </form>
      ${words.length > 0 && this.webhooks && !this.error
        ? html`<p class="found" role="status">
            ${total === 0
              ? `No webhook has “${q.trim()}” in its name, URL or events.`
              : total > PAGE_SIZE
                ? `${formatCount(total)} webhooks found; the first ${formatCount(PAGE_SIZE)} are shown: add a word to narrow the search.`
                : `${total === 1 ? '1 webhook' : `${formatCount(total)} webhooks`} found.`}
          </p>`
        : nothing}`;
  }

  override render() {
    const items = this.webhooks?.items ?? [];
    const position = positionOf(this.query);
    const finding = this.words.length > 0;
    return html`<div class="page-head">
        <h1>Webhooks</h1>
        <span class="head-actions"><button type="button" @click=${() => this.load()}>Refresh</button> <a class="button primary" href=${listRoute('#/webhooks/new', this.query)}>Create webhook</a></span>
      </div>
      ${this.findForm()} ${listProblem(this.error, '#/webhooks')} ${statusLine(this.note)}
      <hw-confirm></hw-confirm>
      ${!this.webhooks
        ? this.error
          ? nothing
          : html`<p class="muted">Loading…</p>`
        : items.length === 0
          ? finding
            ? nothing
            : position.page > 1
            ? html`<p class="empty">No webhooks on this page${this.webhooks.total > 0 ? ` (there are ${formatCount(this.webhooks.total)})` : ''}. <a href="#/webhooks">First page</a>.</p>`
            : html`<p class="empty">No webhooks yet. <a href="#/webhooks/new">Create one</a>.</p>`
          : html`<table class="grid webhooks">
              <thead>
                <tr>
                  <th scope="col">Enabled</th>
                  <th scope="col">Name</th>
                  <th scope="col">URL</th>
                  <th scope="col">Events</th>
                  <th scope="col">Content types</th>
                  <th scope="col">Health</th>
                  <th scope="col"><span class="visually-hidden">Actions</span></th>
                </tr>
              </thead>
              <tbody>
                ${items.map(
                  (w) => html`<tr>
                    <td data-label="Enabled">
                      <label class="switch"
                        ><input type="checkbox" .checked=${live(w.enabled)} @change=${(e: Event) => this.toggle(w, (e.target as HTMLInputElement).checked)} /><span class="visually-hidden"
                          >Enabled: ${w.name || w.url}</span
                        ></label
                      >
                    </td>
                    <td data-label="Name" class="name-cell"><a href=${listRoute(`#/webhooks/${seg(w.key)}`, this.query)}>${w.name || w.key}</a></td>
                    <td data-label="URL" class="url"><code>${w.url}</code>${w.urlBlocked ? html`<p class="url-blocked"><strong>Not delivered:</strong> ${w.urlBlocked}</p>` : nothing}</td>
                    <td data-label="Events" class="events-cell">
                      <ul class="tags">
                        ${w.events.map((e) =>
                          w.unknownEvents.includes(e) ? html`<li class="unknown">${dotted(e)}<span class="visually-hidden"> (not offered by this app)</span></li>` : html`<li>${dotted(e)}</li>`,
                        )}
                      </ul>
                    </td>
                    <td data-label="Content types">${w.contentTypeKeys.length ? html`<ul class="tags">${w.contentTypeKeys.map((k) => html`<li>${k}</li>`)}</ul>` : html`<span class="muted">All</span>`}</td>
                    <td data-label="Health" class="health-cell">${healthView(this.health.get(w.key))} ${flowTags(w)}</td>
                    <td data-label="Actions" class="actions">
                      <a href="#/deliveries?webhookKey=${seg(w.key)}">Deliveries<span class="visually-hidden"> of ${w.name || w.key}</span></a>
                      <a href=${listRoute(`#/webhooks/${seg(w.key)}/test`, this.query)}>Send test<span class="visually-hidden"> to ${w.name || w.key}</span></a>
                      <a href=${listRoute(`#/webhooks/${seg(w.key)}`, this.query)}>Edit<span class="visually-hidden"> ${w.name || w.key}</span></a>
                      <button type="button" class="link danger" @click=${() => this.deleteWebhook(w)}>Delete<span class="visually-hidden"> ${w.name || w.key}</span></button>
                    </td>
                  </tr>`,
                )}
              </tbody>
            </table>
            ${finding ? nothing : cursorPager(position, this.webhooks, (at) => this.turnTo(at))}`}`;
  }
}
