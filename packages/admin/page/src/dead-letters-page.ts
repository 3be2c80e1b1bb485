import { html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { api, qs, type DeadLetter, type Page, type WebhookView } from './api';
import { formatDate, LightElement, problemView, statusLine } from './shared';

const PAGE_SIZE = 50;

/** Dead letters, newest dead first, with redeliver one, all (of a webhook or every one), or since a time. */
@customElement('hw-dead-letters')
export class DeadLettersPage extends LightElement {
  @property({ attribute: false }) query = new URLSearchParams();
  @state() private dead: Page<DeadLetter> | undefined;
  @state() private names = new Map<string, string>();
  @state() private since = '';
  @state() private note = '';
  @state() private error: unknown;

  override connectedCallback(): void {
    super.connectedCallback();
    void api<Page<WebhookView>>('GET', 'webhook?take=1000').then(
      (webhooks) => (this.names = new Map(webhooks.items.map((w) => [w.key, w.name || w.key]))),
      (error: unknown) => (this.error = error),
    );
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('query')) void this.load();
  }

  private get webhookKey(): string | undefined {
    return this.query.get('webhookKey') ?? undefined;
  }

  private async load(): Promise<void> {
    try {
      this.dead = await api<Page<DeadLetter>>('GET', `dead-letter${qs({ take: PAGE_SIZE, webhookKey: this.webhookKey })}`);
      this.error = undefined;
    } catch (error) {
      this.error = error;
    }
  }

  private async redeliver(selector: object, what: string): Promise<void> {
    try {
      const { redelivered } = await api<{ redelivered: number }>('POST', 'dead-letter/redeliver', selector);
      this.note = `${redelivered} ${redelivered === 1 ? 'request' : 'requests'} put back in the queue (${what}).`;
      this.error = undefined;
    } catch (error) {
      this.error = error;
    }
    await this.load();
  }

  private redeliverSince(event: SubmitEvent): void {
    event.preventDefault();
    if (!this.since) return;
    const deadSince = new Date(this.since).toISOString();
    void this.redeliver({ deadSince, ...(this.webhookKey ? { webhookKey: this.webhookKey } : {}) }, `dead since ${new Date(this.since).toLocaleString()}`);
  }

  override render() {
    const key = this.webhookKey;
    const items = this.dead?.items ?? [];
    return html`<div class="page-head">
        <h1>Dead letters${key ? html` of <span class="name">${this.names.get(key) ?? key}</span>` : nothing}</h1>
        ${key ? html`<a href="#/dead-letters">All webhooks</a>` : nothing}
      </div>
      <p class="muted">Requests whose retries ran out. Redelivering puts them back in the queue, due now, with the retry count reset.</p>
      ${problemView(this.error)} ${statusLine(this.note)}
      <div class="bulk">
        <button type="button" ?disabled=${items.length === 0} @click=${() => this.redeliver(key ? { webhookKey: key } : { all: true }, key ? 'all of this webhook' : 'all')}>
          Redeliver all${this.dead ? ` (${this.dead.total})` : ''}
        </button>
        <form class="since" @submit=${this.redeliverSince}>
          <label for="dead-since">Dead since</label>
          <input id="dead-since" type="datetime-local" step="1" required .value=${this.since} @input=${(e: Event) => (this.since = (e.target as HTMLInputElement).value)} />
          <button type="submit">Redeliver since</button>
        </form>
      </div>
      ${!this.dead
        ? this.error
          ? nothing
          : html`<p class="muted">Loading…</p>`
        : items.length === 0
          ? html`<p class="empty">No dead letters.</p>`
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
                    <td data-label="Webhook">${this.names.get(d.webhookKey) ?? d.webhookKey}</td>
                    <td data-label="Event"><code>${d.eventAlias}</code></td>
                    <td data-label="Attempts">${d.attempts}</td>
                    <td data-label="Last error" class="error-text">${d.lastError ?? '—'}</td>
                    <td data-label="Actions" class="actions">
                      <a href="#/deliveries?${qs({ webhookKey: d.webhookKey }).slice(1)}">Deliveries<span class="visually-hidden"> of ${this.names.get(d.webhookKey) ?? d.webhookKey}</span></a>
                      <button type="button" @click=${() => this.redeliver({ ids: [d.id] }, d.id)}>
                        Redeliver<span class="visually-hidden"> the request to ${this.names.get(d.webhookKey) ?? d.webhookKey}, dead at ${formatDate(d.deadAt)}</span>
                      </button>
                    </td>
                  </tr>`,
                )}
              </tbody>
            </table>`}`;
  }
}
