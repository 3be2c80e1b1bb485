import type { DeliveryErrorKind, DeliveryOutcome, StatusClass } from '@hookwork/core';
import { html, LitElement, nothing, type TemplateResult } from 'lit';
import { ApiError, type Health, type WebhookView } from './api';
import { hasOwnWords, inWords, withoutRouteTalk } from './wording';

/**
 * The page's components render into the light DOM: one stylesheet (admin.css, served from this
 * package, no inline styles — the page's CSP allows none) styles them all, and a host can restyle
 * the page with its own. Values are always interpolated as text: Lit escapes `${…}` in text
 * positions, and nothing here uses unsafeHTML, so a receiver's `<script>` shows as characters.
 */
export class LightElement extends LitElement {
  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener(SIGNED_IN_AGAIN, this.onSignedInAgain);
  }

  override disconnectedCallback(): void {
    window.removeEventListener(SIGNED_IN_AGAIN, this.onSignedInAgain);
    super.disconnectedCallback();
  }

  /**
   * The tab is let in again after the API stopped letting it in mid-session (the view was kept,
   * hidden, under the sign-in form): a view whose read was refused then reads again, rather than
   * stay blank — or, for an edit route, show an empty form that would create a webhook.
   */
  protected signedInAgain(): void {}

  private readonly onSignedInAgain = () => this.signedInAgain();
}

/** Fired on `window` when the tab is let in again after a refusal mid-session ({@link LightElement}'s signedInAgain). */
export const SIGNED_IN_AGAIN = 'hw-signed-in-again';

/** True when `error` is the API's 401: the tab was not let in (the app asks to sign in again). */
export const refusedEntry = (error: unknown): boolean => error instanceof ApiError && error.problem.status === 401;

/** The HTTP status class of a response: `s2xx` … `s5xx`, or `snone` when none came. */
export function statusClass(status: number | undefined): string {
  if (status === undefined) return 'snone';
  return `s${Math.floor(status / 100)}xx`;
}

/**
 * A date in the browser's time zone, naming the zone (`Dec 2, 2026, 3:40:12 AM GMT+5:30`): the
 * server, its logs and the receivers keep UTC, and a time without its zone is read as either.
 */
export const formatDate = (iso: string | undefined) => (iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'long' }) : '—');

/** The browser's time zone as dates name it (`GMT+5:30`, `UTC`, `CET`): the zone a datetime-local field's value is read in. */
export const localZoneName = (at = new Date()) => new Intl.DateTimeFormat(undefined, { timeZoneName: 'short' }).formatToParts(at).find((part) => part.type === 'timeZoneName')?.value ?? 'local time';

/**
 * The browser's way of writing a whole number (`1,101` in en-US, `1.101` in de-DE, `1 101` in
 * fr-FR); undefined where Intl is missing or refuses (an old or stripped-down browser).
 */
const COUNTS: Intl.NumberFormat | undefined = (() => {
  try {
    return new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
  } catch {
    return undefined;
  }
})();

/**
 * A count as the page prints it, its thousands grouped as the browser's language groups them
 * (`1,101`, not `1101`): every total, counter and count in a sentence goes through here, so the
 * page never writes one number two ways. Without Intl, the fixed fallback groups with commas.
 */
export const formatCount = (n: number): string => (COUNTS && Number.isFinite(n) ? COUNTS.format(n) : String(Math.trunc(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ','));

export const formatDuration = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`);

/**
 * What each error kind means, in words. Keyed by core's DeliveryErrorKind, so a kind added there
 * does not compile here until it is explained (the log view once met `invalid` unexplained).
 */
export const ERROR_KIND_TEXT: Readonly<Record<DeliveryErrorKind, string>> = {
  timeout: 'the receiver did not answer in time',
  refused: 'the connection was refused',
  reset: 'the connection was reset before an answer came',
  dns: 'the host name did not resolve',
  ssrf: 'the address is not allowed (internal addresses are refused)',
  tls: 'the TLS handshake or the certificate failed',
  aborted: 'the attempt was stopped because the app was stopping',
  invalid: 'not sent: a header or the URL cannot go on the wire unchanged; fix the webhook (not retried)',
  other: 'the request failed without an answer',
};

/** What each outcome means (keyed by core's DeliveryOutcome, so none is left out of the filter). */
export const OUTCOME_TEXT: Readonly<Record<DeliveryOutcome, string>> = {
  delivered: 'the receiver answered 2xx',
  retrying: 'failed; another attempt is scheduled',
  dead: 'failed for good; kept among the dead letters',
  released: 'cut off because the app was stopping; not counted, back in the queue',
  dropped: 'not sent: the webhook was deleted',
  test: 'a test send, not queued',
};

/** The status filter's choices (keyed by core's StatusClass, so none is left out of the filter). */
export const STATUS_CLASS_TEXT: Readonly<Record<StatusClass, string>> = {
  '1xx': '1xx informational',
  '2xx': '2xx success',
  '3xx': '3xx redirect',
  '4xx': '4xx client error',
  '5xx': '5xx server error',
  none: 'No response',
};

/** A status code as a coloured badge (the colour is a class; the text says it too). Without one, the error kind, explained on hover. */
export const statusBadge = (status: number | undefined, errorKind?: string) =>
  html`<span class="badge ${statusClass(status)}${status === undefined && errorKind ? ` kind-${errorKind}` : ''}" title=${status === undefined && errorKind ? errorText(errorKind) : nothing}
    >${status ?? errorKind ?? 'no response'}</span
  >`;

/** The words for an error kind (a kind this page does not know is shown as it came). */
export const errorText = (kind: string) => (Object.hasOwn(ERROR_KIND_TEXT, kind) ? ERROR_KIND_TEXT[kind as DeliveryErrorKind] : kind);

export const outcomeBadge = (outcome: string) =>
  html`<span class="badge outcome-${outcome}" title=${Object.hasOwn(OUTCOME_TEXT, outcome) ? OUTCOME_TEXT[outcome as DeliveryOutcome] : nothing}>${outcome}</span>`;

/**
 * A webhook's health as a badge and a line of text: healthy; failing (N in a row since …); the
 * breaker open (requests wait; next probe at …) or half-open (one probe out); paused by the
 * receiver's Retry-After until …. The badge's colour is a class, and its text says it too.
 */
export function healthView(health: Health | undefined, now = Date.now()): TemplateResult {
  if (!health) return html`<span class="muted">—</span>`;
  const failures = health.consecutiveFailures;
  const streak = failures > 0 ? html`${formatCount(failures)} failure${failures === 1 ? '' : 's'} in a row${health.failingSince ? html` since ${timeOf(health.failingSince, now)}` : nothing}` : nothing;
  const paused = health.pausedUntil && Date.parse(health.pausedUntil) > now ? health.pausedUntil : undefined;
  const [state, label, note] =
    health.breaker === 'open'
      ? ['open', 'Breaker open', html`Requests wait; next probe ${health.probeAt ? timeOf(health.probeAt, now) : 'soon'}.<br />${streak}`]
      : health.breaker === 'half-open'
        ? ['half-open', 'Probing', html`One request is testing the receiver.<br />${streak}`]
        : paused
          ? ['paused', 'Paused', html`The receiver asked to wait until ${timeOf(paused, now)}.<br />${streak}`]
          : failures > 0
            ? ['failing', 'Failing', streak]
            : ['healthy', 'Healthy', nothing];
  return html`<span class="health"><span class="badge health-${state}">${label}</span>${note === nothing ? nothing : html`<span class="health-note">${note}</span>`}</span>`;
}

/** A time, short: the clock time when it is today, else the date too; the full date on hover. */
function timeOf(iso: string, now: number): TemplateResult {
  const date = new Date(iso);
  const today = date.toDateString() === new Date(now).toDateString();
  const shown = today ? date.toLocaleTimeString(undefined, { timeStyle: 'long' }) : date.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'long' });
  return html`<time datetime=${iso} title=${formatDate(iso)}>${shown}</time>`;
}

/** A webhook's flow control in short: its rate limit and FIFO, as tags (nothing when it has neither). */
export function flowTags(webhook: WebhookView): TemplateResult | typeof nothing {
  const tags: string[] = [];
  if (webhook.rateLimit) tags.push(`≤ ${webhook.rateLimit.perSecond}/s, burst ${webhook.rateLimit.burst}`);
  if (webhook.fifo) tags.push(webhook.fifo.onDeadLetter === 'block' ? 'FIFO, a dead head blocks' : 'FIFO');
  if (tags.length === 0) return nothing;
  return html`<ul class="tags flow" aria-label="Flow control">
    ${tags.map((t) => html`<li>${t}</li>`)}
  </ul>`;
}

/** Headers as a two-column table of text. */
export function headersTable(headers: Record<string, string>, caption: string): TemplateResult {
  const entries = Object.entries(headers);
  if (entries.length === 0) return html`<p class="muted">No ${caption.toLowerCase()}.</p>`;
  return html`<table class="kv">
    <caption>
      ${caption}
    </caption>
    <tbody>
      ${entries.map(([name, value]) => html`<tr><th scope="row">${name}</th><td><code>${value}</code></td></tr>`)}
    </tbody>
  </table>`;
}

/** A body as preformatted text, pretty-printed when it is JSON. */
export function bodyBlock(body: string, label: string): TemplateResult {
  let shown = body;
  try {
    shown = JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    // not JSON: shown as it came
  }
  return body === '' ? html`<p class="muted">Empty ${label.toLowerCase()}.</p>` : html`<pre class="body" tabindex="0" aria-label=${label}>${shown}</pre>`;
}

/**
 * An error from the API, with each field at fault, in this page's words ({@link inWords}): no
 * error code, no route a program would call. `more` goes inside it (a button that acts on it).
 */
export function problemView(error: unknown, more: TemplateResult | typeof nothing = nothing): TemplateResult | typeof nothing {
  // A refused token is the app's to explain (it asks to sign in again, keeping the view): the
  // view does not show it as its own error.
  if (!error || (error instanceof ApiError && error.problem.status === 401)) return nothing;
  const problem = error instanceof ApiError ? error.problem : undefined;
  const said = problem ? inWords(problem) : { title: 'Something went wrong', detail: String((error as Error)?.message ?? error) };
  // Focusable from script (tabindex -1): a refusal that names no field of a form takes the focus here.
  return html`<div class="problem" role="alert" tabindex="-1">
    <strong>${said.title}</strong>
    <p>${said.detail}</p>
    ${problem?.errors?.length && !hasOwnWords(problem) ? html`<ul>${problem.errors.map((e) => html`<li>${e.in === 'form' ? html`<strong>${e.field}</strong>` : html`<code>${e.field}</code>`} ${withoutRouteTalk(e.detail)}</li>`)}</ul>` : nothing}
    ${more}
  </div>`;
}

/** True when `error` is the API's refusal with `code`. */
export const isProblem = (error: unknown, code: string): error is ApiError => error instanceof ApiError && error.problem.code === code;

/**
 * Tells the app what the view is showing now ("Edit Orders"), for the tab's title: each view names
 * itself once it knows (a webhook's name arrives with its data).
 */
export function nameView(from: HTMLElement, title: string): void {
  from.dispatchEvent(new CustomEvent('hw-view-title', { detail: title, bubbles: true }));
}

/**
 * `aria-disabled` of a button that may stop doing anything while it has the focus (busy sending,
 * a pager's last page): not `disabled`, which takes the focus away from whoever pressed it (to the
 * page's body, where the next Tab starts again at the top). Its handler checks the same condition.
 */
export const ariaDisabled = (off: boolean) => (off ? 'true' : 'false');

/**
 * A form's `@invalid` listener, which clears `clear`'s state: the browser fires `invalid` at each
 * control its own validation (required, min, type="url") stops a submit on, and no submit event
 * follows — so the refusal of the previous send stayed on screen beside the browser's message, as
 * if it were about what was just typed. Captured at the form, as `invalid` does not bubble.
 */
export const whenBlocked = (clear: () => void) => ({ handleEvent: clear, capture: true });

/**
 * The line that tells the result of an action (redelivered, saved a file, a test answered). It is
 * always in the page, empty until there is something to say: a screen reader announces a change
 * inside a live region it already knows, not one that arrives together with its text.
 */
export const statusLine = (text: string) => html`<p class="notice" role="status">${text || nothing}</p>`;

/**
 * Text someone typed (a webhook's name, its URL), set apart from the sentence around it as a
 * `<bdi>` (HTML's bidirectional isolate): a right-to-left override in a name — U+202E, which a
 * name may hold — otherwise reverses everything after it up to the end of the paragraph, so a
 * dialog could show another URL, count or date than the one it acts on.
 */
export const isolated = (text: string) => html`<bdi>${text}</bdi>`;

/**
 * A list's address at `query` — its filters, search and page as the address held them
 * (`#/deliveries?outcome=dead&after=…`), or the bare list without any. A list's links to a detail
 * view carry the list's query on the detail's address, and the detail's *Back* goes here with it:
 * the operator returns to the list as it was, not to its unfiltered first page.
 */
export const listRoute = (list: string, query: URLSearchParams): string => {
  const text = query.toString();
  return text ? `${list}?${text}` : list;
};

/** Navigates within the page (hash routes). */
export const go = (route: string) => {
  window.location.hash = route;
};
