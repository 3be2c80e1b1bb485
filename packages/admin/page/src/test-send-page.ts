import { html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { api, ApiError, seg, type EventDescriptor, type Page, type TestResult, type WebhookView } from './api';
import { bodyBlock, ariaDisabled, errorText, formatDuration, headersTable, isProblem, LightElement, listRoute, nameView, problemView, refusedEntry, statusBadge } from './shared';

/**
 * A test send to a webhook deleted since this page was opened (404): said as such. Its code is the
 * page's own, so these words are shown, not the general ones for the API's code ("or the link is
 * wrong"), which fit a link opened, not a page whose webhook another operator deleted.
 */
const deletedSinceOpened = (error: ApiError) =>
  new ApiError({
    ...error.problem,
    code: 'WEBHOOK_DELETED_SINCE_OPENED',
    errors: undefined,
    title: 'Not sent: this webhook was deleted since this page was opened',
    detail: 'It was deleted in another tab or by someone else. Nothing was sent to its URL.',
  });

/** Send test event: one example request now, and the receiver's answer shown as text. */
@customElement('hw-test-send')
export class TestSendPage extends LightElement {
  @property() webhookKey = '';
  /** The query of the list this view was opened from (its search, its page): *Back to webhooks* returns to it. */
  @property({ attribute: false }) listQuery = new URLSearchParams();
  @state() private webhook: WebhookView | undefined;
  @state() private alias = '';
  @state() private result: TestResult | undefined;
  @state() private sending = false;
  @state() private error: unknown;
  /** The composed events' names by alias (`Content Published`), as the editor and the log's filter show them. */
  @state() private eventNames = new Map<string, string>();

  /** The key asked for names no webhook (deleted, or a wrong link). */
  @state() private missing = false;
  private loads = 0;

  protected override signedInAgain(): void {
    if (refusedEntry(this.error) && !this.webhook) void this.load();
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('webhookKey')) void this.load();
  }

  /** Loads the webhook of `webhookKey`, from nothing: nothing of another webhook (its answer, its error) stays. */
  private async load(): Promise<void> {
    const turn = ++this.loads;
    this.webhook = undefined;
    this.result = undefined;
    this.error = undefined;
    this.missing = false;
    try {
      // The names are a nicety: without them (a catalogue not read) each event is offered by its alias.
      const [webhook, catalogue] = await Promise.all([api<WebhookView>('GET', `webhook/${seg(this.webhookKey)}`), api<Page<EventDescriptor>>('GET', 'webhook/events?take=1000').catch(() => undefined)]);
      if (turn !== this.loads) return;
      if (catalogue) this.eventNames = new Map(catalogue.items.map((e) => [e.alias, e.eventName]));
      this.webhook = webhook;
      this.alias = webhook.events[0] ?? '';
      nameView(this, `Send test event to ${webhook.name || webhook.key}`);
    } catch (error) {
      if (turn !== this.loads) return;
      if (isProblem(error, 'HOOKWORK_ERR_WEBHOOK_NOT_FOUND')) {
        this.missing = true;
        nameView(this, 'Webhook not found');
      } else this.error = error;
    }
  }

  private async send(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    // The button keeps the focus while sending (aria-disabled): a second press does nothing.
    if (this.sending) return;
    this.sending = true;
    this.result = undefined;
    const alias = this.alias;
    try {
      this.result = await api<TestResult>('POST', `webhook/${seg(this.webhookKey)}/test`, { alias });
      this.error = undefined;
    } catch (error) {
      this.error = isProblem(error, 'HOOKWORK_ERR_WEBHOOK_NOT_FOUND') ? deletedSinceOpened(error) : error;
      if (isProblem(error, 'HOOKWORK_ERR_ALIAS_NOT_SUBSCRIBED')) await this.eventGone(error, alias);
    } finally {
      this.sending = false;
    }
  }

  /**
   * The event picked is no longer one of the webhook's (it was changed elsewhere since this page
   * was read): said in words — the API's name a library call and a body field — and the webhook's
   * events read again, so the select offers what can be sent.
   */
  private async eventGone(error: ApiError, alias: string): Promise<void> {
    try {
      const webhook = await api<WebhookView>('GET', `webhook/${seg(this.webhookKey)}`);
      this.webhook = webhook;
      this.alias = webhook.events[0] ?? '';
    } catch {
      // The refusal below still says what happened; the select stays as it was.
    }
    this.error = new ApiError({
      ...error.problem,
      errors: undefined,
      title: `Not sent: this webhook no longer subscribes to ${alias}`,
      detail: 'It was changed elsewhere (another tab or person) since this page was opened. Its events are shown as they are now: pick one and send again.',
    });
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
    if (this.missing) {
      return html`<div class="page-head"><h1>Webhook not found</h1></div>
        <p class="gone">No webhook has the key <code>${this.webhookKey}</code>: it was deleted (here, in another tab or by someone else), or the link is wrong.</p>
        <p><a href=${listRoute('#/webhooks', this.listQuery)}>Back to webhooks</a></p>`;
    }
    return html`<div class="page-head">
        <h1>Send test event${w ? html` to <span class="name">${w.name || w.key}</span>` : nothing}</h1>
        <a href=${listRoute('#/webhooks', this.listQuery)}>Back to webhooks</a>
      </div>
      ${problemView(this.error)}
      ${w
        ? html`<p>Sends one example request to <code>${w.url}</code> now — not queued, not retried, marked with <code>hookwork-test: true</code>, logged with outcome <em>test</em>.</p>
            <form class="filters" @submit=${this.send}>
              <label
                >Event
                <select name="alias" @change=${(e: Event) => (this.alias = (e.target as HTMLSelectElement).value)}>
                  ${w.events.map((a) => html`<option value=${a} ?selected=${a === this.alias}>${this.eventNames.has(a) ? `${this.eventNames.get(a)} (${a})` : a}</option>`)}
                </select></label
              >
              <button type="submit" class="primary" aria-disabled=${ariaDisabled(this.sending)}>${this.sending ? 'Sending…' : 'Send test event'}</button>
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
