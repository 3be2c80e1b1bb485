import { html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { allWebhooks, api, qs, seg, type EventDescriptor, type LogEntry, type Page, type WebhookView } from './api';
import { cursorPager, isBadCursor, listProblem, positionOf, withoutPosition, withPosition, type ListPosition } from './cursor-pager';
import { formatCount, formatDate, formatDuration, go, LightElement, listRoute, OUTCOME_TEXT, outcomeBadge, refusedEntry, STATUS_CLASS_TEXT, statusBadge } from './shared';

const PAGE_SIZE = 25;
const OUTCOMES = Object.keys(OUTCOME_TEXT);
/** The status filter: one class, every answer that is an error, or no answer (`statusClass=4xx,5xx` in the route; repeated to the API). */
const STATUS_CHOICES: readonly (readonly [value: string, label: string])[] = [
  ...Object.entries(STATUS_CLASS_TEXT).filter(([c]) => c !== 'none'),
  ['4xx,5xx', '4xx or 5xx'],
  ['none', STATUS_CLASS_TEXT.none],
];

/** `query` without the parameter `name`. */
const without = (query: URLSearchParams, name: string): URLSearchParams => {
  const next = new URLSearchParams(query);
  next.delete(name);
  return next;
};

/**
 * The delivery log: date, event, status coloured by class, retry count, duration, outcome; paged
 * by cursor (attempts logged while someone pages never list a row twice or hide one);
 * filtered by webhook, status class, outcome and event, and to one request's attempts (`requestId`,
 * from a dead letter or a delivery's detail: why it failed, attempt by attempt). A webhook in the route that is no longer
 * among the webhooks (deleted: its log is kept until the cleanup) is named as such.
 */
@customElement('hw-deliveries')
export class DeliveriesPage extends LightElement {
  /** The route's query: webhookKey, statusClass (comma-separated), outcome, eventAlias, requestId, and the position (after, back, page). */
  @property({ attribute: false }) query = new URLSearchParams();

  @state() private log: Page<LogEntry> | undefined;
  @state() private events: EventDescriptor[] = [];
  @state() private names = new Map<string, string>();
  /** The webhooks by name, for the filter; undefined until loaded. */
  @state() private webhooks: WebhookView[] | undefined;
  /** Whether `webhooks` is every webhook (read page by page until the total). */
  @state() private allListed = false;
  @state() private error: unknown;
  /** Which read of the log is the latest: an earlier one's answer is dropped. */
  private loads = 0;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.loadLists();
  }

  protected override signedInAgain(): void {
    if (!refusedEntry(this.error) && this.webhooks !== undefined) return;
    if (this.webhooks === undefined) void this.loadLists();
    void this.load();
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('query')) void this.load();
  }

  private async loadLists(): Promise<void> {
    try {
      this.events = (await api<Page<EventDescriptor>>('GET', 'webhook/events?take=1000')).items;
      const webhooks = await allWebhooks();
      this.names = new Map(webhooks.items.map((w) => [w.key, w.name || w.key]));
      this.webhooks = [...webhooks.items].sort((a, b) => (a.name || a.key).localeCompare(b.name || b.key));
      this.allListed = webhooks.items.length >= webhooks.total;
    } catch (error) {
      this.error = error;
    }
  }

  private async load(): Promise<void> {
    const q = this.query;
    const webhookKey = q.get('webhookKey') ?? undefined;
    const search = qs({
      after: positionOf(q).after,
      take: PAGE_SIZE,
      statusClass: q.get('statusClass')?.split(',') ?? undefined,
      outcome: q.get('outcome') ?? undefined,
      eventAlias: q.get('eventAlias') ?? undefined,
      requestId: q.get('requestId') ?? undefined,
      // The list shows no body: each is cut to a preview (a page of 64 KiB bodies was megabytes); the detail reads its entry whole.
      bodies: 'preview',
    });
    const turn = ++this.loads;
    try {
      const log = await api<Page<LogEntry>>('GET', webhookKey ? `webhook/${seg(webhookKey)}/logs${search}` : `webhook/logs${search}`);
      // An answer for filters changed since (a select gone through with the arrow keys asks once
      // per option) is dropped: it would show another filter's log under the select's.
      if (turn !== this.loads) return;
      this.log = log;
      this.error = undefined;
    } catch (error) {
      if (turn !== this.loads) return;
      this.error = error;
      // The rows of the page before are not this position's: the refusal stands alone, with its way back.
      if (isBadCursor(error)) this.log = undefined;
    }
  }

  /** The route at `query`, so back/forward, a reload and a link keep the filters and the page. */
  private routeTo(query: URLSearchParams): string {
    const text = query.toString();
    return `#/deliveries${text ? `?${text}` : ''}`;
  }

  /** Changes the filters through the route; the list starts again at its first page. */
  private navigate(change: Record<string, string | undefined>): void {
    const next = withoutPosition(this.query);
    for (const [name, value] of Object.entries(change)) {
      if (value === undefined || value === '') next.delete(name);
      else next.set(name, value);
    }
    go(this.routeTo(next));
  }

  /** Goes to another page of the log, the filters kept. */
  private turnTo(position: ListPosition): void {
    go(this.routeTo(withPosition(this.query, position)));
  }

  /**
   * The webhook filter: All, then each webhook by name (with its key where two share a name). A
   * key in the route that is not listed keeps an option of its own, so the select never claims
   * "All webhooks" while the log is one webhook's; once every webhook is known, it says the
   * webhook no longer exists.
   */
  private webhookFilter(webhookKey: string | null) {
    const webhooks = this.webhooks ?? [];
    const shown = (w: WebhookView) => w.name || w.key;
    const shared = new Set(webhooks.map(shown).filter((name, i, all) => all.indexOf(name) !== i));
    const unlisted = webhookKey && !this.names.has(webhookKey) ? webhookKey : undefined;
    return html`<label
      >Webhook
      <select name="webhookKey" @change=${(e: Event) => this.navigate({ webhookKey: (e.target as HTMLSelectElement).value })}>
        <option value="" .selected=${live(!webhookKey)}>All webhooks</option>
        ${unlisted ? html`<option value=${unlisted} .selected=${live(true)}>${this.isGone(unlisted) ? `${unlisted} (no longer exists)` : unlisted}</option>` : nothing}
        ${webhooks.map((w) => html`<option value=${w.key} .selected=${live(w.key === webhookKey)}>${shared.has(shown(w)) ? `${shown(w)} (${w.key})` : shown(w)}</option>`)}
      </select></label
    >`;
  }

  /** True when every webhook is known and `key` is not one of them (deleted, or never was). */
  private isGone(key: string): boolean {
    return this.webhooks !== undefined && this.allListed && !this.names.has(key);
  }

  override render() {
    const q = this.query;
    const position = positionOf(q);
    const webhookKey = q.get('webhookKey');
    const requestId = q.get('requestId');
    const filtered = withoutPosition(q).toString() !== '';
    return html`<div class="page-head">
        <h1>Deliveries${webhookKey ? html` of <span class="name">${this.names.get(webhookKey) ?? webhookKey}</span>` : nothing}</h1>
        ${webhookKey ? html`<a href="#/deliveries">All webhooks</a>` : nothing}
      </div>
      <form class="filters" @submit=${(e: Event) => e.preventDefault()}>
        ${this.webhookFilter(webhookKey)}
        <label
          >Status
          <select name="statusClass" @change=${(e: Event) => this.navigate({ statusClass: (e.target as HTMLSelectElement).value })}>
            <option value="" .selected=${live(!q.get('statusClass'))}>Any</option>
            ${STATUS_CHOICES.map(([value, label]) => html`<option value=${value} .selected=${live(q.get('statusClass') === value)}>${label}</option>`)}
          </select></label
        >
        <label
          >Outcome
          <select name="outcome" @change=${(e: Event) => this.navigate({ outcome: (e.target as HTMLSelectElement).value })}>
            <option value="" .selected=${live(!q.get('outcome'))}>Any</option>
            ${OUTCOMES.map((o) => html`<option value=${o} .selected=${live(q.get('outcome') === o)}>${o}</option>`)}
          </select></label
        >
        <label
          >Event
          <select name="eventAlias" @change=${(e: Event) => this.navigate({ eventAlias: (e.target as HTMLSelectElement).value })}>
            <option value="" .selected=${live(!q.get('eventAlias'))}>Any</option>
            ${this.events.map((e) => html`<option value=${e.alias} .selected=${live(q.get('eventAlias') === e.alias)}>${e.eventName} (${e.alias})</option>`)}
          </select></label
        >
        <button type="button" @click=${() => this.load()}>Refresh</button>
      </form>
      ${webhookKey && this.isGone(webhookKey)
        ? html`<p class="gone">The webhook <code>${webhookKey}</code> no longer exists (it was deleted). Its log stays until the retention cleanup removes it.</p>`
        : nothing}
      ${requestId
        ? html`<p class="request-filter">
            Only the attempts of the request <code>${requestId}</code>, newest first: the first row is its last attempt.
            <a href=${this.routeTo(without(withoutPosition(q), 'requestId'))}>Show every request${webhookKey ? ' of this webhook' : ''}</a>
          </p>`
        : nothing}
      ${listProblem(this.error, this.routeTo(withoutPosition(q)))}
      ${!this.log
        ? this.error
          ? nothing
          : html`<p class="muted">Loading…</p>`
        : this.log.items.length === 0
          ? position.page > 1
            ? html`<p class="empty">No deliveries on this page${this.log.total > 0 ? ` (there are ${formatCount(this.log.total)})` : ''}. <a href=${this.routeTo(withoutPosition(q))}>First page</a>.</p>`
            : html`<p class="empty">No deliveries${filtered ? ' match these filters' : ' yet'}.</p>`
          : html`<table class="grid deliveries">
                <thead>
                  <tr>
                    <th scope="col">Date</th>
                    ${webhookKey ? nothing : html`<th scope="col">Webhook</th>`}
                    <th scope="col">Event</th>
                    <th scope="col">Status</th>
                    <th scope="col">Retry count</th>
                    <th scope="col">Duration</th>
                    <th scope="col">Outcome</th>
                  </tr>
                </thead>
                <tbody>
                  ${this.log.items.map(
                    (e) => html`<tr>
                      <td data-label="Date"><a href=${listRoute(`#/deliveries/${seg(e.key)}`, q)}>${formatDate(e.date)}</a></td>
                      ${webhookKey ? nothing : html`<td data-label="Webhook">${this.names.get(e.webhookKey) ?? e.webhookKey}</td>`}
                      <td data-label="Event"><code>${e.eventAlias}</code></td>
                      <td data-label="Status">${statusBadge(e.statusCode, e.errorKind)}</td>
                      <td data-label="Retry count">${formatCount(e.retryCount)}</td>
                      <td data-label="Duration">${formatDuration(e.durationMs)}</td>
                      <td data-label="Outcome">${outcomeBadge(e.outcome)}</td>
                    </tr>`,
                  )}
                </tbody>
              </table>
              ${cursorPager(position, this.log, (at) => this.turnTo(at))}`}`;
  }
}
