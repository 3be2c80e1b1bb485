import { html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { allWebhooks, api, qs, type DeadLetter, type Page } from './api';
import type { ConfirmDialog } from './confirm-dialog';
import './confirm-dialog';
import { cursorPager, isBadCursor, listProblem, positionOf, withoutPosition, withPosition, type ListPosition } from './cursor-pager';
import { formatCount, formatDate, go, isolated, LightElement, localZoneName, refusedEntry, statusLine, whenBlocked } from './shared';

const PAGE_SIZE = 50;

const requests = (n: number) => `${formatCount(n)} ${n === 1 ? 'request' : 'requests'}`;

/**
 * Dead letters, newest dead first, 50 a page by cursor (`after` in the route: a dead letter
 * redelivered or dead-lettered while someone pages hides no other), with redeliver one, all (of a
 * webhook or every one), or since a time. Redelivering many asks first, saying how many requests go to which webhook's receiver:
 * one click must not re-send thousands of webhooks. What is sent is bounded by the count asked
 * about (`deadUntil`: the newest dead time counted), so the question stays true of what is sent.
 */
@customElement('hw-dead-letters')
export class DeadLettersPage extends LightElement {
  @property({ attribute: false }) query = new URLSearchParams();
  @query('hw-confirm') private confirmDialog!: ConfirmDialog;
  @state() private dead: Page<DeadLetter> | undefined;
  @state() private names = new Map<string, string>();
  @state() private since = '';
  @state() private note = '';
  @state() private error: unknown;
  /** Which read of the page is the latest: an earlier one's answer is dropped. */
  private loads = 0;

  override connectedCallback(): void {
    super.connectedCallback();
    this.loadNames();
  }

  private loadNames(): void {
    void allWebhooks().then(
      (webhooks) => (this.names = new Map(webhooks.items.map((w) => [w.key, w.name || w.key]))),
      (error: unknown) => (this.error = error),
    );
  }

  protected override signedInAgain(): void {
    if (!refusedEntry(this.error)) return;
    this.loadNames();
    void this.load();
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('query')) void this.load();
  }

  private get webhookKey(): string | undefined {
    return this.query.get('webhookKey') ?? undefined;
  }

  /** The webhook's name (its key when it has none, or is not known here). */
  private nameOf(key: string): string {
    return this.names.get(key) ?? key;
  }

  /** Loads the page of dead letters the route asks for (the newest by default); false when the API did not answer with them. */
  private async load(): Promise<boolean> {
    const turn = ++this.loads;
    try {
      const dead = await api<Page<DeadLetter>>('GET', `dead-letter${qs({ after: positionOf(this.query).after, take: PAGE_SIZE, webhookKey: this.webhookKey })}`);
      // The answer of an earlier read (another page asked for since) is dropped: the later read's stands.
      if (turn !== this.loads) return false;
      this.dead = dead;
      this.error = undefined;
      return true;
    } catch (error) {
      if (turn !== this.loads) return false;
      this.error = error;
      // The rows of the page before are not this position's: the refusal stands alone, with its way back.
      if (isBadCursor(error)) this.dead = undefined;
      return false;
    }
  }

  /** The route at `query`, so back/forward, a reload and a link keep the webhook and the page. */
  private routeTo(query: URLSearchParams): string {
    const text = query.toString();
    return `#/dead-letters${text ? `?${text}` : ''}`;
  }

  private turnTo(position: ListPosition): void {
    go(this.routeTo(withPosition(this.query, position)));
  }

  private async redeliver(selector: object, what: string): Promise<void> {
    // What an earlier action did is not what this one did.
    this.note = '';
    let failure: unknown;
    try {
      const { redelivered, skipped } = await api<{ redelivered: number; skipped: number }>('POST', 'dead-letter/redeliver', selector);
      const left = skipped > 0 ? ` ${formatCount(skipped)} left as ${skipped === 1 ? 'it is' : 'they are'}: ${skipped === 1 ? 'its' : 'their'} webhook was deleted.` : '';
      this.note = `${formatCount(redelivered)} ${redelivered === 1 ? 'request' : 'requests'} put back in the queue (${what}).${left}`;
      this.error = undefined;
    } catch (error) {
      failure = error;
    }
    await this.load();
    // A refusal (already back in the queue, its webhook deleted) is said after the page is read
    // again: that read's success clears the error of an earlier read, and took this one with it.
    if (failure !== undefined) this.error = failure;
    await this.updateComplete;
    // The row redelivered is gone, and "Redeliver all" is disabled once nothing is left: the focus
    // they held goes to the view, not to nowhere.
    const active = document.activeElement;
    if (!active || active === document.body || (active instanceof HTMLButtonElement && active.disabled)) this.closest('main')?.focus();
  }

  /**
   * How many dead letters `filter` selects now, and the newest one's dead time: the `deadUntil`
   * that keeps a redelivery to what was counted (one that dies while the question is open is not
   * sent with it). Undefined when the API did not answer (its problem is shown).
   */
  private async count(filter: { webhookKey?: string; deadSince?: string }): Promise<{ total: number; deadUntil?: string } | undefined> {
    try {
      const { total, items } = await api<Page<DeadLetter>>('GET', `dead-letter${qs({ take: 1, ...filter })}`);
      this.error = undefined;
      return { total, ...(items[0]?.deadAt ? { deadUntil: items[0].deadAt } : {}) };
    } catch (error) {
      this.error = error;
      return undefined;
    }
  }

  /** Every dead letter of the webhook shown (or of every webhook) counted now, once the count is confirmed. */
  private async redeliverAll(): Promise<void> {
    const key = this.webhookKey;
    // The count as it is now, not as it was when the page loaded; the page is read again with it.
    const [counted] = await Promise.all([this.count({ webhookKey: key }), this.load()]);
    if (!counted) return;
    const { total, deadUntil } = counted;
    if (total === 0 || deadUntil === undefined) {
      this.note = 'No dead letters to redeliver.';
      return;
    }
    const later = 'Dead letters that arrive after this count stay as they are.';
    const yes = await this.confirmDialog.ask(
      key
        ? {
            title: html`Redeliver all dead letters of ${isolated(this.nameOf(key))}?`,
            body: html`${requests(total)} will be sent again to the receiver of ${isolated(this.nameOf(key))}: put back in the queue, due now, with the retry count reset. ${later}`,
            confirm: `Redeliver ${requests(total)}`,
          }
        : {
            title: 'Redeliver all dead letters of every webhook?',
            body: `${requests(total)}, of every webhook, will be sent again to their receivers: put back in the queue, due now, with the retry count reset. ${later}`,
            confirm: `Redeliver ${requests(total)}`,
          },
    );
    // Bounded by what was counted: { all: true } alone also sent what died while the question was open.
    if (yes) await this.redeliver(key ? { webhookKey: key, deadUntil } : { all: true, deadUntil }, key ? 'all of this webhook' : 'all');
  }

  /**
   * Those dead since the time typed, once confirmed, with their exact count: the API counts the
   * dead letters dead since then, as the redelivery will select them.
   */
  private async redeliverSince(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (!this.since) return;
    const key = this.webhookKey;
    const since = new Date(this.since);
    // The field takes years up to 275760, a little past what a JavaScript date holds.
    if (Number.isNaN(since.getTime())) {
      this.error = new Error(`${this.since.replace('T', ' ')} is past the last time this page can count from (September 275760); type an earlier time. Nothing was sent.`);
      return;
    }
    const when = formatDate(since.toISOString());
    const scope = key ? html`of ${isolated(this.nameOf(key))}` : 'of every webhook';
    const counted = await this.count({ webhookKey: key, deadSince: since.toISOString() });
    if (!counted) return;
    const { total, deadUntil } = counted;
    if (total === 0 || deadUntil === undefined) {
      this.note = `No dead letter ${key ? `of \u2068${this.nameOf(key)}\u2069` : 'of every webhook'} died since ${when}: nothing to redeliver.`;
      return;
    }
    const yes = await this.confirmDialog.ask({
      title: html`Redeliver the dead letters ${scope} dead since ${when}?`,
      body: html`${requests(total)} will be sent again to ${key ? html`the receiver of ${isolated(this.nameOf(key))}` : 'their receivers'}: put back in the queue, due now, with the retry count reset. Those dead before ${when} stay, as do those that arrive after this count.`,
      confirm: `Redeliver ${requests(total)}`,
    });
    if (yes) await this.redeliver({ deadSince: since.toISOString(), deadUntil, ...(key ? { webhookKey: key } : {}) }, `dead since ${when}`);
  }

  /** A link to the dead letters of one webhook, where *Redeliver all* redelivers that webhook's alone. */
  private deadLettersOf(webhookKey: string) {
    const name = this.nameOf(webhookKey);
    return html`<a href=${this.routeTo(new URLSearchParams({ webhookKey }))} aria-label=${`${name}: its dead letters`}>${name}</a>`;
  }

  override render() {
    const key = this.webhookKey;
    const items = this.dead?.items ?? [];
    const position = positionOf(this.query);
    return html`<div class="page-head">
        <h1>Dead letters${key ? html` of <bdi class="name">${this.nameOf(key)}</bdi>` : nothing}</h1>
        <span class="head-actions">${key ? html`<a href="#/dead-letters">All webhooks</a> ` : nothing}<button type="button" @click=${() => this.load()}>Refresh</button></span>
      </div>
      <p class="muted">Requests whose retries ran out. Redelivering puts them back in the queue, due now, with the retry count reset.</p>
      ${listProblem(this.error, this.routeTo(withoutPosition(this.query)))} ${statusLine(this.note)}
      <div class="bulk">
        <button type="button" ?disabled=${(this.dead?.total ?? 0) === 0} @click=${this.redeliverAll}>
          Redeliver all${this.dead ? ` (${formatCount(this.dead.total)})` : ''}
        </button>
        <form class="since" @submit=${this.redeliverSince} @invalid=${whenBlocked(() => (this.error = undefined))}>
          <label for="dead-since">Dead since</label>
          <input id="dead-since" type="datetime-local" step="1" required aria-describedby="dead-since-zone" .value=${this.since} @input=${(e: Event) => (this.since = (e.target as HTMLInputElement).value)} />
          <span id="dead-since-zone" class="muted">${localZoneName()}, this browser's time zone</span>
          <button type="submit">Redeliver since</button>
        </form>
      </div>
      <hw-confirm></hw-confirm>
      ${!this.dead
        ? this.error
          ? nothing
          : html`<p class="muted">Loading…</p>`
        : items.length === 0
          ? this.dead.total > 0
            ? html`<p class="empty">No dead letters on this page (there are ${formatCount(this.dead.total)}). <a href=${this.routeTo(withoutPosition(this.query))}>First page</a>.</p>`
            : html`<p class="empty">No dead letters.</p>`
          : html`<table class="grid dead">
              <thead>
                <tr>
                  <th scope="col">Dead at</th>
                  <th scope="col">Webhook</th>
                  <th scope="col">Event</th>
                  <th scope="col">Attempts</th>
                  <th scope="col">Last error</th>
                  <th scope="col"><span class="visually-hidden">Actions</span></th>
                </tr>
              </thead>
              <tbody>
                ${items.map(
                  (d) => html`<tr>
                    <td data-label="Dead at">${formatDate(d.deadAt)}</td>
                    <td data-label="Webhook">${key ? this.nameOf(d.webhookKey) : this.deadLettersOf(d.webhookKey)}</td>
                    <td data-label="Event"><code>${d.eventAlias}</code></td>
                    <td data-label="Attempts">${formatCount(d.attempts)}</td>
                    <td data-label="Last error" class="error-text">${d.lastError ?? '—'}</td>
                    <td data-label="Actions" class="actions">
                      <a href="#/deliveries?${qs({ webhookKey: d.webhookKey, requestId: d.id }).slice(1)}">Attempts<span class="visually-hidden"> of the request to ${this.nameOf(d.webhookKey)}, dead at ${formatDate(d.deadAt)}</span></a>
                      <button type="button" @click=${() => this.redeliver({ ids: [d.id] }, d.id)}>
                        Redeliver<span class="visually-hidden"> the request to ${this.nameOf(d.webhookKey)}, dead at ${formatDate(d.deadAt)}</span>
                      </button>
                    </td>
                  </tr>`,
                )}
              </tbody>
            </table>
            ${position.page > 1 || this.dead.next !== undefined ? cursorPager(position, this.dead, (at) => this.turnTo(at)) : nothing}`}`;
  }
}
