import { html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { api, ApiError, seg, versioned, type CreatedWebhook, type EventDescriptor, type Health, type Page, type WebhookView } from './api';
import { formatDate, go, healthView, LightElement, problemView, whenBlocked } from './shared';

/**
 * The slowest rate a webhook takes (core's MIN_RATE_PER_SECOND, the API's rateLimit.perSecond
 * minimum: one request in 11.6 days). The page holds core's types only, not its code, so the
 * number is here; admin-page.test.ts checks it against the API's schema.
 */
const MIN_RATE_PER_SECOND = 0.000001;

/** A save refused because the webhook changed since the form was filled (412): what happened, and what to do. */
const changedElsewhere = (error: ApiError) =>
  new ApiError({
    ...error.problem,
    errors: undefined,
    title: 'Not saved: this webhook was changed elsewhere since this form was opened',
    detail: 'Another tab or person saved it meanwhile, and saving this form would undo their change. Nothing was changed. Open the webhook again (Back to webhooks, then Edit) to see it as it is now, and make your change there; what you typed is still here to copy.',
  });

/** The event types whose events fire per entity, where a content-type filter applies (Umbraco's rule; Element from Umbraco 18). */
const FILTERED_TYPES = new Set(['Content', 'Media', 'Element']);

/** The origins a URL change moves between (RFC 6454: scheme, host, port), or undefined when it stays or the new URL does not parse (the server names that). */
function movedOrigin(stored: string, typed: string): { from: string; to: string } | undefined {
  try {
    const from = new URL(stored).origin;
    const to = new URL(typed).origin;
    return from === to ? undefined : { from, to };
  } catch {
    return undefined;
  }
}

/** What a view holds for a sensitive header's value (core's REDACTED); sent back, it keeps the stored value, sensitive. */
const REDACTED = '[redacted]';

interface HeaderRow {
  name: string;
  value: string;
  sensitive: boolean;
  /**
   * The value is a sensitive one stored on the server, which the page never gets: `value` is the
   * placeholder. It can stay sensitive as it is, but cannot become a plain value without being typed.
   */
  hidden: boolean;
}

/**
 * Create or edit a webhook: URL, name, events picked from the catalogue grouped by type, the
 * content-type filter (offered only when a content, media or element event is picked), custom
 * headers with a "sensitive" switch that masks the value, enabled, and the signing secret —
 * generated or rotated, and shown once.
 */
@customElement('hw-webhook-editor')
export class WebhookEditor extends LightElement {
  /** The webhook to edit; none to create one. */
  @property() webhookKey: string | undefined;

  @state() private catalogue: EventDescriptor[] = [];
  @state() private webhook: WebhookView | undefined;
  /** The version of `webhook` the form was filled from (its ETag): a save made over a newer one is refused, not applied. */
  private etag: string | undefined;
  @state() private health: Health | undefined;
  @state() private name = '';
  @state() private url = '';
  @state() private events = new Set<string>();
  @state() private contentTypes = '';
  @state() private headers: HeaderRow[] = [];
  @state() private enabled = true;
  @state() private perSecond = '';
  @state() private burst = '';
  @state() private order: 'any' | 'skip' | 'block' = 'any';
  @state() private failureThreshold = '';
  @state() private coolDownSeconds = '';
  @state() private generateSecret = true;
  @state() private shownSecret: { secret: string; created: boolean } | undefined;
  @state() private error: unknown;
  @state() private busy = false;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.catalogue = (await api<Page<EventDescriptor>>('GET', 'webhook/events?take=1000')).items;
      if (this.webhookKey) {
        const [webhook, health] = await Promise.all([versioned<WebhookView>('GET', `webhook/${seg(this.webhookKey)}`), api<Health>('GET', `webhook/${seg(this.webhookKey)}/health`)]);
        this.fill(webhook.value, webhook.etag);
        this.health = health;
      }
    } catch (error) {
      this.error = error;
    }
  }

  private fill(webhook: WebhookView, etag: string | undefined): void {
    this.webhook = webhook;
    this.etag = etag;
    this.name = webhook.name ?? '';
    this.url = webhook.url;
    this.events = new Set(webhook.events);
    this.contentTypes = webhook.contentTypeKeys.join('\n');
    this.headers = Object.entries(webhook.headers).map(([name, value]) => {
      const sensitive = webhook.sensitiveHeaders.includes(name.toLowerCase());
      return { name, value, sensitive, hidden: sensitive && value === REDACTED };
    });
    this.enabled = webhook.enabled;
    this.perSecond = webhook.rateLimit ? String(webhook.rateLimit.perSecond) : '';
    this.burst = webhook.rateLimit ? String(webhook.rateLimit.burst) : '';
    this.order = webhook.fifo ? webhook.fifo.onDeadLetter : 'any';
    this.failureThreshold = webhook.breaker?.failureThreshold !== undefined ? String(webhook.breaker.failureThreshold) : '';
    this.coolDownSeconds = webhook.breaker?.coolDown !== undefined ? String(webhook.breaker.coolDown / 1000) : '';
  }

  private get filterApplies(): boolean {
    return this.catalogue.some((e) => this.events.has(e.alias) && FILTERED_TYPES.has(e.eventType));
  }

  private body() {
    const headers = Object.fromEntries(this.headers.filter((h) => h.name.trim() !== '').map((h) => [h.name.trim(), h.sensitive ? { value: h.value, sensitive: true } : h.value]));
    const contentTypeKeys = this.filterApplies ? this.contentTypes.split(/[\s,]+/).filter(Boolean) : [];
    return { name: this.name, url: this.url.trim(), events: [...this.events], contentTypeKeys, headers, enabled: this.enabled, ...this.flowControl() };
  }

  /**
   * Rate limit, order and breaker as the API takes them. Left empty, a field falls back to the
   * app's setting: on create it is left out; on edit it is `null` / `false`, which clears the
   * webhook's own value. Breaker keys the page does not show (set through the API) are kept.
   */
  private flowControl(): Record<string, unknown> {
    const editing = this.webhook !== undefined;
    const number = (text: string) => (text.trim() === '' ? undefined : Number(text));
    const out: Record<string, unknown> = {};
    const perSecond = number(this.perSecond);
    const burst = number(this.burst);
    if (perSecond !== undefined) out.rateLimit = { perSecond, ...(burst !== undefined ? { burst } : {}) };
    else if (editing && this.webhook!.rateLimit) out.rateLimit = null;
    if (this.order !== 'any') out.fifo = { onDeadLetter: this.order };
    else if (editing && this.webhook!.fifo) out.fifo = false;
    const breaker: Record<string, unknown> = { ...(this.webhook?.breaker ?? {}) };
    delete breaker.failureThreshold;
    delete breaker.coolDown;
    const threshold = number(this.failureThreshold);
    const coolDown = number(this.coolDownSeconds);
    if (threshold !== undefined) breaker.failureThreshold = threshold;
    if (coolDown !== undefined) breaker.coolDown = Math.round(coolDown * 1000);
    if (Object.keys(breaker).length > 0) out.breaker = breaker;
    else if (editing && this.webhook!.breaker) out.breaker = null;
    return out;
  }

  /**
   * What the form would send wrongly or lose without a word: no event (the API's refusal names a
   * schema, not the fix), a header value without a name (the body leaves the row out) and two
   * rows for one header (names are case-insensitive; the body keeps only the last), and a stored
   * sensitive value made not sensitive without being typed (core would keep it sensitive: the
   * placeholder stands for the stored value), and a stored sensitive value left as it is while the
   * URL moves to another origin (core refuses it: values given for one receiver never go to
   * another unless typed again). Each with the control to go to.
   */
  private formProblems(): { field: string; detail: string; control: string }[] {
    const problems: { field: string; detail: string; control: string }[] = [];
    const moved = this.webhook ? movedOrigin(this.webhook.url, this.url.trim()) : undefined;
    if (this.events.size === 0) problems.push({ field: 'Events', detail: 'choose at least one: the webhook is sent only for the events it subscribes to.', control: 'input[name="event"]' });
    const seen = new Map<string, number>();
    this.headers.forEach((h, i) => {
      const name = h.name.trim();
      if (name === '' && h.value !== '') problems.push({ field: `Header ${i + 1}`, detail: 'has a value but no name: give it a name, or remove the row.', control: `#header-name-${i}` });
      if (name === '') return;
      if (h.hidden && !h.sensitive) problems.push({ field: name, detail: 'is no longer marked sensitive, but its stored value is never shown here: type the value, or tick Sensitive again to keep the stored one.', control: `#header-value-${i}` });
      else if (h.hidden && moved) problems.push({ field: name, detail: `keeps a sensitive value given for ${moved.from}, and the URL now goes to ${moved.to}, another origin, which is never sent it: type the value again, or remove the row.`, control: `#header-value-${i}` });
      const first = seen.get(name.toLowerCase());
      if (first !== undefined) problems.push({ field: name, detail: `is set twice (rows ${first + 1} and ${i + 1}; header names ignore case): keep one row.`, control: `#header-name-${i}` });
      else seen.set(name.toLowerCase(), i);
    });
    return problems;
  }

  private async save(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const problems = this.formProblems();
    if (problems.length > 0) {
      this.error = new ApiError({
        status: 400,
        code: 'FORM',
        title: 'Not saved: the form needs a change first',
        detail: 'Nothing was sent to the server.',
        errors: problems.map(({ field, detail }) => ({ in: 'form', field, detail })),
      });
      await this.updateComplete;
      this.querySelector<HTMLElement>(problems[0]!.control)?.focus();
      return;
    }
    this.busy = true;
    try {
      if (this.webhook) {
        const saved = await versioned<WebhookView>('PATCH', `webhook/${seg(this.webhook.key)}`, this.body(), this.etag);
        this.fill(saved.value, saved.etag);
        this.error = undefined;
        go('#/webhooks');
      } else {
        const { value: created, etag } = await versioned<CreatedWebhook>('POST', 'webhook', { ...this.body(), ...(this.generateSecret ? { secret: true } : {}) });
        this.error = undefined;
        if (created.secret) {
          this.fill(created, etag);
          this.webhookKey = created.key;
          this.shownSecret = { secret: created.secret, created: true };
        } else go('#/webhooks');
      }
    } catch (error) {
      this.error = error instanceof ApiError && error.problem.status === 412 ? changedElsewhere(error) : error;
    } finally {
      this.busy = false;
    }
  }

  private async rotate(): Promise<void> {
    if (!this.webhook) return;
    try {
      const rotated = await versioned<{ secretId: string; secret: string; webhook?: WebhookView }>('POST', `webhook/${seg(this.webhook.key)}/secret/rotate`, {});
      // The secret exists only in this answer: it is shown whatever happens next.
      this.shownSecret = { secret: rotated.value.secret, created: false };
      // One render: the new secret and the list that holds it appear together. The form is
      // filled again from the webhook as the answer holds it (with its ETag), so the next save
      // carries its new version; a server from before that answer (a rolling deploy) is asked.
      const refreshed = rotated.value.webhook ? { value: rotated.value.webhook, etag: rotated.etag } : await versioned<WebhookView>('GET', `webhook/${seg(this.webhook.key)}`).catch((error: unknown) => void (this.error = error));
      if (refreshed) this.fill(refreshed.value, refreshed.etag);
    } catch (error) {
      this.error = error;
    }
  }

  private async revoke(secretId: string): Promise<void> {
    if (!this.webhook || !window.confirm('Revoke this secret now? Receivers verifying with it will refuse requests at once.')) return;
    try {
      const revoked = await versioned<WebhookView>('DELETE', `webhook/${seg(this.webhook.key)}/secret/${seg(secretId)}`);
      this.fill(revoked.value, revoked.etag);
    } catch (error) {
      this.error = error;
    }
  }

  private toggleEvent(alias: string, on: boolean): void {
    const next = new Set(this.events);
    if (on) next.add(alias);
    else next.delete(alias);
    this.events = next;
  }

  private setHeader(index: number, change: Partial<HeaderRow>): void {
    this.headers = this.headers.map((h, i) => (i === index ? { ...h, ...change } : h));
  }

  /** Un-ticking Sensitive on a stored value the page cannot show asks for the value, in the field it goes in. */
  private async setSensitive(index: number, sensitive: boolean): Promise<void> {
    this.setHeader(index, { sensitive });
    if (sensitive || !this.headers[index]!.hidden) return;
    await this.updateComplete;
    this.querySelector<HTMLInputElement>(`#header-value-${index}`)?.focus();
  }

  override render() {
    const groups = new Map<string, EventDescriptor[]>();
    for (const event of this.catalogue) groups.set(event.eventType, [...(groups.get(event.eventType) ?? []), event]);
    const editing = this.webhook !== undefined;
    return html`<div class="page-head">
        <h1>${editing ? `Edit ${this.webhook!.name || this.webhook!.key}` : 'Create webhook'}</h1>
        <a href="#/webhooks">Back to webhooks</a>
      </div>
      ${this.shownSecret
        ? html`<div class="secret-once" role="status">
            <strong>${this.shownSecret.created ? 'Webhook created. Its signing secret' : 'The new signing secret'} is shown this once:</strong>
            <p><code class="secret">${this.shownSecret.secret}</code></p>
            <p>Copy it into the receiver now (Standard Webhooks: verify <code>webhook-signature</code> with it). It is never shown again.</p>
            <button type="button" @click=${() => (this.shownSecret = undefined)}>I have copied it</button>
          </div>`
        : nothing}
      ${problemView(this.error)}
      ${editing && this.health ? html`<p class="editor-health"><strong>Health</strong> ${healthView(this.health)}</p>` : nothing}
      <form @submit=${this.save} @invalid=${whenBlocked(() => (this.error = undefined))} class="editor">
        <label for="url">URL</label>
        <input id="url" name="url" type="url" required placeholder="https://example.com/hooks" .value=${this.url} @input=${(e: Event) => (this.url = (e.target as HTMLInputElement).value)} />
        <label for="name">Name</label>
        <input id="name" name="name" .value=${this.name} @input=${(e: Event) => (this.name = (e.target as HTMLInputElement).value)} />

        <fieldset class="events">
          <legend>Events</legend>
          ${[...groups].map(
            ([type, events]) => html`<fieldset class="event-group">
              <legend>${type}</legend>
              ${events.map(
                (e) => html`<label class="check"
                  ><input type="checkbox" name="event" value=${e.alias} .checked=${this.events.has(e.alias)} @change=${(ev: Event) => this.toggleEvent(e.alias, (ev.target as HTMLInputElement).checked)} />
                  <span>${e.eventName} <code class="alias muted">${e.alias}</code></span></label
                >`,
              )}
            </fieldset>`,
          )}
        </fieldset>

        ${this.filterApplies
          ? html`<label for="content-types">Content types <span class="muted">(keys, one per line; empty: every type)</span></label>
              <textarea id="content-types" rows="3" .value=${this.contentTypes} @input=${(e: Event) => (this.contentTypes = (e.target as HTMLTextAreaElement).value)}></textarea>`
          : nothing}

        <fieldset class="headers">
          <legend>Custom headers</legend>
          ${this.headers.map((h, i) => {
            // A stored sensitive value, made not sensitive: the field is empty until the value is typed.
            const asked = h.hidden && !h.sensitive;
            return html`<div class="header-row">
              <label class="visually-hidden" for="header-name-${i}">Header name</label>
              <input id="header-name-${i}" placeholder="Name" .value=${h.name} @input=${(e: Event) => this.setHeader(i, { name: (e.target as HTMLInputElement).value })} />
              <label class="visually-hidden" for="header-value-${i}">Header value</label>
              <input
                id="header-value-${i}"
                placeholder=${asked ? 'Type the value' : 'Value'}
                autocomplete="off"
                type=${h.sensitive ? 'password' : 'text'}
                aria-describedby=${asked ? `header-note-${i}` : nothing}
                .value=${asked ? '' : h.value}
                @input=${(e: Event) => this.setHeader(i, { value: (e.target as HTMLInputElement).value, hidden: false })}
              />
              <label class="check"><input type="checkbox" .checked=${h.sensitive} @change=${(e: Event) => this.setSensitive(i, (e.target as HTMLInputElement).checked)} /> Sensitive</label>
              <button type="button" class="link danger" @click=${() => (this.headers = this.headers.filter((_, j) => j !== i))}>Remove</button>
              ${asked
                ? html`<p class="header-note" id="header-note-${i}">
                    The stored value of ${h.name || 'this header'} is sensitive, so it is never shown, not even here: type the value to keep it as not sensitive, or tick Sensitive
                    again to keep the stored one.
                  </p>`
                : nothing}
            </div>`;
          })}
          <button type="button" @click=${() => (this.headers = [...this.headers, { name: '', value: '', sensitive: false, hidden: false }])}>Add header</button>
          <p class="muted">A sensitive value is masked here, redacted in every view and log, and kept when left as it is. It is never shown again: to make it not sensitive, type it again.</p>
        </fieldset>

        <fieldset class="flow">
          <legend>Flow control</legend>
          <p class="muted">Left empty, each falls back to the app's settings (by default: no rate limit, any order, the breaker opening after 10 failures in a row and probing after 30 s).</p>
          <div class="flow-grid">
            <label for="rate-per-second">Rate limit <span class="muted">(requests per second)</span></label>
            <input id="rate-per-second" type="number" min=${MIN_RATE_PER_SECOND} step="any" inputmode="decimal" placeholder="none" .value=${this.perSecond} @input=${(e: Event) => (this.perSecond = (e.target as HTMLInputElement).value)} />
            <label for="rate-burst">Burst <span class="muted">(at once after a quiet spell)</span></label>
            <input id="rate-burst" type="number" min="1" step="1" placeholder="rate, rounded up" ?disabled=${this.perSecond.trim() === ''} .value=${this.burst} @input=${(e: Event) => (this.burst = (e.target as HTMLInputElement).value)} />
            <label for="order">Order</label>
            <select id="order" @change=${(e: Event) => (this.order = (e.target as HTMLSelectElement).value as 'any' | 'skip' | 'block')}>
              <option value="any" ?selected=${this.order === 'any'}>Any order (fastest)</option>
              <option value="skip" ?selected=${this.order === 'skip'}>Publish order (FIFO), skipping a dead one</option>
              <option value="block" ?selected=${this.order === 'block'}>Publish order (FIFO), a dead one blocks the rest</option>
            </select>
            <label for="breaker-threshold">Breaker opens after <span class="muted">(failures in a row)</span></label>
            <input id="breaker-threshold" type="number" min="0" step="1" placeholder="app setting" .value=${this.failureThreshold} @input=${(e: Event) => (this.failureThreshold = (e.target as HTMLInputElement).value)} />
            <label for="breaker-cooldown">Breaker probes after <span class="muted">(seconds)</span></label>
            <input id="breaker-cooldown" type="number" min="0.001" step="any" placeholder="app setting" .value=${this.coolDownSeconds} @input=${(e: Event) => (this.coolDownSeconds = (e.target as HTMLInputElement).value)} />
          </div>
          <p class="muted">
            FIFO sends one request at a time, each after the one before is delivered or dead-lettered, and applies to requests published from then on; it needs a queue that keeps order
            (memory, SQLite). How many requests go to one webhook at once is the app's <code>concurrency.perWebhook</code> setting.
          </p>
        </fieldset>

        <label class="check"><input type="checkbox" name="enabled" .checked=${this.enabled} @change=${(e: Event) => (this.enabled = (e.target as HTMLInputElement).checked)} /> Enabled</label>

        ${editing
          ? html`<fieldset class="secrets">
              <legend>Signing secrets</legend>
              ${this.webhook!.secrets.length === 0
                ? html`<p class="muted">None: requests are not signed.</p>`
                : html`<ul>
                    ${this.webhook!.secrets.map(
                      (s) => html`<li>
                        <code>${s.hint}</code> created ${formatDate(s.createdAt)}${s.expiresAt ? html`, stops signing ${formatDate(s.expiresAt)}` : nothing}
                        <button type="button" class="link danger" @click=${() => this.revoke(s.id)}>Revoke</button>
                      </li>`,
                    )}
                  </ul>`}
              <button type="button" @click=${this.rotate}>${this.webhook!.secrets.length ? 'Rotate secret' : 'Generate secret'}</button>
            </fieldset>`
          : html`<label class="check"
              ><input type="checkbox" name="secret" .checked=${this.generateSecret} @change=${(e: Event) => (this.generateSecret = (e.target as HTMLInputElement).checked)} /> Generate a signing secret
              (shown once)</label
            >`}

        <div class="form-actions">
          <button type="submit" class="primary" ?disabled=${this.busy}>${editing ? 'Save' : 'Create'}</button>
          <a href="#/webhooks">Cancel</a>
        </div>
      </form>`;
  }
}
