import { html, LitElement, nothing, type TemplateResult } from 'lit';
import { ApiError } from './api';

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
}

/** The HTTP status class of a response: `s2xx` … `s5xx`, or `snone` when none came. */
export function statusClass(status: number | undefined): string {
  if (status === undefined) return 'snone';
  return `s${Math.floor(status / 100)}xx`;
}

export const formatDate = (iso: string | undefined) => (iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' }) : '—');
export const formatDuration = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`);

/** A status code as a coloured badge (the colour is a class; the text says it too). */
export const statusBadge = (status: number | undefined, errorKind?: string) =>
  html`<span class="badge ${statusClass(status)}">${status ?? errorKind ?? 'no response'}</span>`;

export const outcomeBadge = (outcome: string) => html`<span class="badge outcome-${outcome}">${outcome}</span>`;

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

/** An error from the API, with each field at fault. */
export function problemView(error: unknown): TemplateResult | typeof nothing {
  if (!error) return nothing;
  const problem = error instanceof ApiError ? error.problem : undefined;
  return html`<div class="problem" role="alert">
    <strong>${problem ? problem.title : 'Something went wrong'}</strong>
    <p>${problem ? problem.detail : String((error as Error)?.message ?? error)}</p>
    ${problem?.errors?.length ? html`<ul>${problem.errors.map((e) => html`<li><code>${e.field}</code> ${e.detail}</li>`)}</ul>` : nothing}
  </div>`;
}

/** Navigates within the page (hash routes). */
export const go = (route: string) => {
  window.location.hash = route;
};
