import { html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { api, qs, seg, type LogEntry } from './api';
import { bodyBlock, ariaDisabled, errorText, formatCount, formatDate, formatDuration, headersTable, LightElement, outcomeBadge, problemView, refusedEntry, statusBadge, statusLine } from './shared';

/** One delivery attempt in full: request headers and body, response headers and body, error — all as text. */
@customElement('hw-delivery-detail')
export class DeliveryDetail extends LightElement {
  @property() entryKey = '';
  @state() private entry: LogEntry | undefined;
  @state() private error: unknown;
  @state() private note = '';

  @state() private redelivering = false;
  private loads = 0;

  protected override signedInAgain(): void {
    if (refusedEntry(this.error) && !this.entry) void this.load();
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('entryKey')) void this.load();
  }

  /** Loads the entry of `entryKey`, from nothing: nothing of another entry (its note, its error) stays. */
  private async load(): Promise<void> {
    const turn = ++this.loads;
    this.entry = undefined;
    this.note = '';
    this.error = undefined;
    try {
      const entry = await api<LogEntry>('GET', `webhook/logs/${seg(this.entryKey)}`);
      if (turn !== this.loads) return;
      this.entry = entry;
    } catch (error) {
      if (turn === this.loads) this.error = error;
    }
  }

  /**
   * Puts the request back in the queue, and says what happened: a 200 put it back; a request
   * already back in the queue, gone from it, or of a deleted webhook is the API's 409 or 404, said
   * in words (inWords). The button keeps the focus meanwhile (aria-disabled).
   */
  private async redeliver(): Promise<void> {
    if (this.redelivering) return;
    this.redelivering = true;
    this.note = '';
    try {
      await api<{ redelivered: number }>('POST', `dead-letter/${seg(this.entry!.requestId)}/redeliver`);
      this.note = 'Put back in the queue, due now, with the retry count reset. Its next attempt shows in the deliveries.';
      this.error = undefined;
    } catch (error) {
      this.error = error;
    } finally {
      this.redelivering = false;
    }
  }

  override render() {
    const e = this.entry;
    return html`<div class="page-head">
        <h1>Delivery</h1>
        <a href="#/deliveries">Back to deliveries</a>
      </div>
      ${problemView(this.error)} ${statusLine(this.note)}
      ${!e
        ? nothing
        : html`<dl class="summary">
              <dt>Date</dt>
              <dd>${formatDate(e.date)}</dd>
              <dt>Event</dt>
              <dd><code>${e.eventAlias}</code></dd>
              <dt>Status</dt>
              <dd>${statusBadge(e.statusCode, e.errorKind)}</dd>
              <dt>Outcome</dt>
              <dd>${outcomeBadge(e.outcome)}</dd>
              <dt>Retry count</dt>
              <dd>${formatCount(e.retryCount)}</dd>
              <dt>Duration</dt>
              <dd>${formatDuration(e.durationMs)}</dd>
              <dt>Request id</dt>
              <dd>
                <code>${e.requestId}</code> <a href="#/deliveries?${qs({ webhookKey: e.webhookKey, requestId: e.requestId }).slice(1)}">every attempt of this request</a> ·
                <a href="#/deliveries?webhookKey=${seg(e.webhookKey)}">webhook's deliveries</a>
              </dd>
              <dt>URL</dt>
              <dd><code>${e.url}</code></dd>
            </dl>
            ${e.outcome === 'dead' ? html`<button type="button" class="primary" aria-disabled=${ariaDisabled(this.redelivering)} @click=${this.redeliver}>Redeliver</button>` : nothing}
            ${e.errorKind || e.errorMessage
              ? html`<section class="error-box">
                  <h2>Error</h2>
                  ${e.errorKind ? html`<p><strong>${e.errorKind}</strong>: ${errorText(e.errorKind)}</p>` : nothing}
                  ${e.errorMessage ? html`<p class="error-text">${e.errorMessage}</p>` : nothing}
                  ${e.errorKind === 'invalid' ? html`<p><a href="#/webhooks/${seg(e.webhookKey)}">Edit the webhook</a>, then redeliver.</p>` : nothing}
                </section>`
              : nothing}
            <section>
              <h2>Request</h2>
              ${headersTable(e.requestHeaders, 'Request headers')} ${bodyBlock(e.requestBody, 'Request body')}
            </section>
            <section>
              <h2>Response</h2>
              ${headersTable(e.responseHeaders, 'Response headers')} ${bodyBlock(e.responseBody, 'Response body')}
            </section>`}`;
  }
}
