import { html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { api, type EventDescriptor, type Page } from './api';
import { formatCount, LightElement, problemView, refusedEntry, statusLine } from './shared';

/** The file name a downloaded catalogue document is saved under. */
const CATALOGUE_FILE = 'hookwork-catalogue.json';

/**
 * The event catalogue: every composed event in collection order, grouped by type, and the
 * catalogue document (OpenAPI 3.1 with a `webhooks` entry per event) to download for receiver
 * teams. The document is fetched with the page's credentials and saved from memory: a plain link
 * could not carry the bearer token.
 */
@customElement('hw-catalogue')
export class CataloguePage extends LightElement {
  @state() private events: EventDescriptor[] | undefined;
  @state() private error: unknown;
  @state() private note = '';

  override connectedCallback(): void {
    super.connectedCallback();
    this.load();
  }

  private load(): void {
    void api<Page<EventDescriptor>>('GET', 'webhook/events?take=1000').then(
      (page) => ((this.events = page.items), (this.error = undefined)),
      (error: unknown) => (this.error = error),
    );
  }

  protected override signedInAgain(): void {
    if (refusedEntry(this.error) && !this.events) this.load();
  }

  private async download(): Promise<void> {
    try {
      const document_ = await api<{ webhooks: Record<string, unknown> }>('GET', 'webhook/catalogue');
      const url = URL.createObjectURL(new Blob([JSON.stringify(document_, null, 2)], { type: 'application/json' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = CATALOGUE_FILE;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      this.note = `Saved ${CATALOGUE_FILE}: ${formatCount(Object.keys(document_.webhooks).length)} events.`;
      this.error = undefined;
    } catch (error) {
      this.error = error;
    }
  }

  override render() {
    const groups = new Map<string, EventDescriptor[]>();
    for (const event of this.events ?? []) groups.set(event.eventType, [...(groups.get(event.eventType) ?? []), event]);
    return html`<div class="page-head">
        <h1>Event catalogue</h1>
        <button type="button" class="primary" @click=${this.download}>Download the catalogue document</button>
      </div>
      <p class="muted">
        What a webhook can subscribe to, in the order the app composed it. The catalogue document is OpenAPI 3.1 with a <code>webhooks</code> entry per event (headers and payload
        schemas): receiver teams generate types from it with <code>npx hookwork-types ${CATALOGUE_FILE}</code>. The API serves it at <code>api/v1/webhook/catalogue</code>.
      </p>
      ${problemView(this.error)} ${statusLine(this.note)}
      ${!this.events
        ? this.error
          ? nothing
          : html`<p class="muted">Loading…</p>`
        : [...groups].map(
            ([type, events]) => html`<h2>${type}</h2>
              <table class="grid catalogue">
                <thead>
                  <tr>
                    <th scope="col">Event</th>
                    <th scope="col">Alias</th>
                    <th scope="col">Also matches</th>
                  </tr>
                </thead>
                <tbody>
                  ${events.map(
                    (e) => html`<tr>
                      <td data-label="Event">${e.eventName}</td>
                      <td data-label="Alias"><code>${e.alias}</code></td>
                      <td data-label="Also matches">${[...e.synonyms, ...e.patterns].length ? html`<ul class="tags">${[...e.synonyms, ...e.patterns].map((a) => html`<li>${a}</li>`)}</ul>` : html`<span class="muted">—</span>`}</td>
                    </tr>`,
                  )}
                </tbody>
              </table>`,
          )}`;
  }
}
