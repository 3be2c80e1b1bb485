import { html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { api, ApiError, qs, seg, type LogEntry, type WebhookView } from './api';
import { bodyBlock, ariaDisabled, errorText, formatCount, formatDate, formatDuration, headersTable, LightElement, listRoute, outcomeBadge, problemView, refusedEntry, statusBadge, statusLine } from './shared';

/**
 * One delivery attempt in full: the webhook it went to (by name and key: several webhooks may share
 * a URL), request headers and body, response headers and body, error — all as text.
 */
@customElement('hw-delivery-detail')
export class DeliveryDetail extends LightElement {
  @property() entryKey = '';
  /** The query of the deliveries list this view was opened from (its filters, its page): *Back to deliveries* returns to it. */
  @property({ attribute: false }) listQuery = new URLSearchParams();
  @state() private entry: LogEntry | undefined;
  @state() private error: unknown;
  @state() private note = '';
  /** The entry's webhook as it is now; null once the API said it no longer exists; undefined until read (or when it could not be). */
  @state() private webhook: WebhookView | null | undefined;

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
    this.webhook = undefined;
    try {
      const entry = await api<LogEntry>('GET', `webhook/logs/${seg(this.entryKey)}`);
      if (turn !== this.loads) return;
      this.entry = entry;
    } catch (error) {
      if (turn === this.loads) this.error = error;
      return;
    }
    await this.loadWebhook(turn);
  }

  /**
   * Reads the entry's webhook, for its name: the entry holds its key and URL alone. A webhook
   * deleted since (its log is kept until the cleanup) is said as such; any other failure leaves the
   * key shown alone, as the attempt itself was read.
   */
  private async loadWebhook(turn: number): Promise<void> {
    try {
      const webhook = await api<WebhookView>('GET', `webhook/${seg(this.entry!.webhookKey)}`);
      if (turn === this.loads) this.webhook = webhook;
    } catch (error) {
      if (turn === this.loads && error instanceof ApiError && error.problem.status === 404) this.webhook = null;
    }
  }

  /** The webhook the attempt went to: its name (a link to it) and key; or its key, and that it was deleted. */
  private webhookView(key: string) {
    const w = this.webhook;
    if (w === null) return html`<code>${key}</code> <span class="muted">(no longer exists: it was deleted)</span>`;
    return html`<a href="#/webhooks/${seg(key)}">${w?.name || key}</a>${w?.name ? html` <code>${key}</code>` : nothing}`;
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
        <a href=${listRoute('#/deliveries', this.listQuery)}>Back to deliveries</a>
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
              <dt>Webhook</dt>
              <dd>${this.webhookView(e.webhookKey)}</dd>
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
