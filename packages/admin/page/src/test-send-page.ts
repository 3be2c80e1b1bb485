import { html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { api, seg, type TestResult, type WebhookView } from './api';
import { bodyBlock, errorText, formatDuration, headersTable, LightElement, problemView, statusBadge } from './shared';

/** Send test event: one example request now, and the receiver's answer shown as text. */
@customElement('hw-test-send')
export class TestSendPage extends LightElement {
  @property() webhookKey = '';
  @state() private webhook: WebhookView | undefined;
  @state() private alias = '';
  @state() private result: TestResult | undefined;
  @state() private sending = false;
  @state() private error: unknown;

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('webhookKey')) void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.webhook = await api<WebhookView>('GET', `webhook/${seg(this.webhookKey)}`);
      this.alias = this.webhook.events[0] ?? '';
    } catch (error) {
      this.error = error;
    }
  }

  private async send(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    this.sending = true;
    this.result = undefined;
    try {
      this.result = await api<TestResult>('POST', `webhook/${seg(this.webhookKey)}/test`, { alias: this.alias });
      this.error = undefined;
    } catch (error) {
      this.error = error;
    } finally {
      this.sending = false;
    }
  }

  /** The answer in one sentence, for the status line a screen reader announces. */
  private summary(r: TestResult): string {
    const took = formatDuration(r.durationMs);
    if (r.statusCode !== undefined) return `The receiver answered ${r.statusCode} in ${took}: ${r.ok ? 'accepted' : 'not accepted'}.`;
    return `No answer after ${took}: ${r.errorKind ? errorText(r.errorKind) : 'the request failed'}.`;
  }

  override render() {
    const w = this.webhook;
    const r = this.result;
    return html`<div class="page-head">
        <h1>Send test event${w ? html` to <span class="name">${w.name || w.key}</span>` : nothing}</h1>
        <a href="#/webhooks">Back to webhooks</a>
      </div>
      ${problemView(this.error)}
      ${w
        ? html`<p>Sends one example request to <code>${w.url}</code> now — not queued, not retried, marked with <code>hookwork-test: true</code>, logged with outcome <em>test</em>.</p>
            <form class="filters" @submit=${this.send}>
              <label
                >Event
                <select name="alias" @change=${(e: Event) => (this.alias = (e.target as HTMLSelectElement).value)}>
                  ${w.events.map((a) => html`<option value=${a} ?selected=${a === this.alias}>${a}</option>`)}
                </select></label
              >
              <button type="submit" class="primary" ?disabled=${this.sending}>${this.sending ? 'Sending…' : 'Send test event'}</button>
            </form>`
        : nothing}
      <p class="test-status" role="status">${this.sending ? 'Sending the test event…' : r ? this.summary(r) : nothing}</p>
      ${r
        ? html`<section class="test-result">
            <h2>The receiver's answer</h2>
            <dl class="summary">
              <dt>Status</dt>
              <dd>${statusBadge(r.statusCode, r.errorKind)} ${r.ok ? 'accepted' : 'not accepted'}</dd>
              <dt>Duration</dt>
              <dd>${formatDuration(r.durationMs)}</dd>
              <dt>Request id</dt>
              <dd><code>${r.requestId}</code> (${r.payload} payload)</dd>
              ${r.errorMessage
                ? html`<dt>Error</dt>
                    <dd class="error-text">${r.errorKind}: ${r.errorMessage}</dd>`
                : nothing}
            </dl>
            ${headersTable(r.headers, 'Response headers')} ${bodyBlock(r.body, 'Response body')}
          </section>`
        : nothing}`;
  }
}
