import { html, nothing, type TemplateResult } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { api, ApiError, seg, versioned, type CreatedWebhook, type EventDescriptor, type Health, type Page, type Problem, type WebhookView } from './api';
import type { ConfirmDialog } from './confirm-dialog';
import './confirm-dialog';
import { ariaDisabled, formatCount, formatDate, go, healthView, isProblem, LightElement, listRoute, nameView, problemView, refusedEntry, statusLine, whenBlocked } from './shared';
import { fieldText, formOf, mergeFields, ORDER_WORDS, type FieldChange, type FieldName, type FormFields, type HeaderRow } from './edit-merge';
import { withoutRouteTalk } from './wording';

/**
 * The API's limits on a webhook, from core's webhookInputSchema itself: scripts/build-page.mjs
 * reads them there and esbuild writes them in (the page holds core's types only, not its code), so
 * a form field and the API refuse at the same length. admin-page.test.ts checks the built page.
 */
declare const __WEBHOOK_LIMITS__: { nameMaxLength: number; descriptionMaxLength: number; urlMaxLength: number; minRatePerSecond: number };
const LIMITS = __WEBHOOK_LIMITS__;

/**
 * A part of a header name (between `-`, `_` and `.`) that names a credential: key, token, secret,
 * password, auth, session, signature, cookie, JWT, bearer — also run together with what it is
 * (`AccessToken`, `AuthToken`, `ApiKey`, `ClientSecret`) and in the plural (`X-Api-Keys`).
 */
const CREDENTIAL_PART = /^(?:(?:access|api|auth|bearer|client|id|private|refresh|secret|security|session)?(?:token|key|secret)|password|passwd|passphrase|auth(?:orization|entication|[nz])?|session|signature|cookie|credentials?|jwt|bearer)s?$/i;

/** What a key is before `-Key` when it names or finds something, and keeps nothing secret (`Idempotency-Key`, `X-Public-Key`). */
const NAMING_KEY = /^(?:idempotency|public|cache|routing|partition|sort|dedup(?:lication)?)$/i;

/**
 * Whether a header name reads as a credential's: the ones core always keeps sensitive
 * (Authorization, Proxy-Authorization, Cookie) and names with a {@link CREDENTIAL_PART}
 * (`X-Api-Key`, `Api-Key`, `X-Auth-Token`, `X-Webhook-Secret`, `X-AccessToken`) — not a key that
 * names something ({@link NAMING_KEY}), which an operator would see masked and never shown again.
 */
const looksLikeCredential = (name: string): boolean => {
  const parts = name.trim().split(/[-_.]+/);
  return parts.some((part, i) => CREDENTIAL_PART.test(part) && !(/^keys?$/i.test(part) && i > 0 && NAMING_KEY.test(parts[i - 1]!)));
};

/** A save refused because the webhook changed since the form was filled (412): what happened, and what to do. */
const changedElsewhere = (error: ApiError) =>
  new ApiError({
    ...error.problem,
    errors: undefined,
    title: 'Not saved: this webhook was changed elsewhere since this form was opened',
    detail: 'Another tab or person saved it meanwhile, and saving this form would undo their change. Nothing was changed, and what you typed is still here: copy what you need, then load the webhook as it is now and make your change there.',
  });

/**
 * A save refused (412) because only the webhook's signing secrets changed since the form was
 * opened (another operator rotated or revoked one): the form shows the secrets, so their change is
 * a new state and the refusal right (RFC 9110: the ETag validates the representation read), but
 * nothing typed is at odds with it. Said so, with the secrets as they are now and *Save again*,
 * which saves what was typed over them (a save never changes the secrets).
 */
const secretsChangedElsewhere = (error: ApiError) =>
  new ApiError({
    ...error.problem,
    code: 'SECRETS_CHANGED_SINCE_OPENED',
    errors: undefined,
    title: "Not saved: this webhook's signing secrets were changed elsewhere since this form was opened",
    detail:
      'Another tab or person rotated or revoked a secret meanwhile (Signing secrets below shows them as they are now); nothing else of the webhook changed. What you typed is still here, and saving it leaves the secrets as they are: save again to make your change. A receiver that verifies signatures may need the new secret.',
  });

/**
 * A save refused (412) because another operator changed the webhook since the form was opened,
 * once their change is put together with what was typed (the editor's merge view lists each field).
 */
const mergedElsewhere = (error: ApiError, conflicts: number) =>
  new ApiError({
    ...error.problem,
    code: 'CHANGED_SINCE_OPENED_MERGED',
    errors: undefined,
    title: 'Not saved yet: this webhook was changed elsewhere since this form was opened',
    detail: `Another tab or person saved it meanwhile; nothing was changed. Their change and yours are put together in the form: what only you changed is kept as you typed it, what only they changed is taken as it is stored now${
      conflicts === 0 ? '' : conflicts === 1 ? ', and one field you both changed waits for you to choose' : `, and ${conflicts} fields you both changed wait for you to choose`
    }. Check the form, then save again.`,
  });

/**
 * A save, rotation or revocation on a webhook deleted since the form was opened (404): said, and
 * what was typed kept. Its code is the page's own, so these words are shown, not the page's
 * general ones for the API's code ("or the link is wrong"), which fit a link opened, not a form
 * whose webhook another operator deleted.
 */
const deletedElsewhere = (error: ApiError, refused: 'Not saved' | 'No secret made' | 'Not revoked') =>
  new ApiError({
    ...error.problem,
    code: 'WEBHOOK_DELETED_SINCE_OPENED',
    errors: undefined,
    title: `${refused}: this webhook was deleted since this form was opened`,
    detail: 'It was deleted in another tab or by someone else. Nothing was changed; what you typed is still here, to copy into a new webhook (Create webhook).',
  });

/**
 * A save or create the server did not answer (status 0: stopped, restarting, the network down):
 * it may have been made before the answer was lost. The API's words point at a Refresh the editor
 * does not have; these say what pressing the button again will do.
 */
const unanswered = (error: ApiError, editing: boolean) =>
  new ApiError({
    ...error.problem,
    title: `The admin server did not answer: the webhook may or may not have been ${editing ? 'saved' : 'created'}`,
    detail: editing
      ? 'It may be stopped or restarting, or the network is down. What you typed is still here: once the server is back, Save again. If the first save was made, the page says this webhook was changed since the form was opened; Load the webhook as it is now then shows it.'
      : 'It may be stopped or restarting, or the network is down. What you typed is still here: once the server is back, look at the webhooks list (in another tab, so this form stays) before you press Create again, or the webhook may be created twice.',
  });

/**
 * A secret's rotation (or first secret) or revocation the server did not answer: it may have been
 * made before the answer was lost. The API's words point at a Refresh the editor does not have;
 * these say what happened and what pressing the button again will do.
 */
const secretUnanswered = (error: ApiError, change: { rotate: string } | { revoke: string }) =>
  new ApiError({
    ...error.problem,
    ...('rotate' in change
      ? {
          title: 'The admin server did not answer: a new secret may or may not have been made',
          detail: `It may be stopped or restarting, or the network is down. What you typed is still here. If a secret was made, it was lost with the answer and is never shown: once the server is back, press ${change.rotate} again for one you see (once). One made unseen is replaced like any other: it signs beside the new one until the grace period ends, then stops.`,
        }
      : {
          title: `The admin server did not answer: the secret ${change.revoke} may or may not have been revoked`,
          detail: 'It may be stopped or restarting, or the network is down. What you typed is still here. Once the server is back, revoke it again: if it was revoked, the page says so and shows the secrets as they are.',
        }),
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

/** Whether `alias` matches an event's pattern (`collections.save.after.*`): `*` stands for visible ASCII but `*`, as core reads it. */
const matchesPattern = (pattern: string, alias: string) =>
  new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[\\x21-\\x29\\x2b-\\x7e]+')}$`).test(alias);

/** A webhook's aliases that are not an event of the catalogue by its own alias (see WebhookEditor's otherAliases). */
interface OtherAliases {
  /** A synonym or a pattern's variant, with the event it goes with. */
  owned: Map<string, EventDescriptor>;
  /** Aliases no composed event handles (the view's unknownEvents): not offered by this app. */
  notOffered: string[];
}

function findOtherAliases(catalogue: readonly EventDescriptor[], webhook: WebhookView | undefined): OtherAliases {
  const listed = new Set(catalogue.map((e) => e.alias));
  const owned = new Map<string, EventDescriptor>();
  const notOffered: string[] = [];
  for (const alias of webhook?.events ?? []) {
    if (listed.has(alias)) continue;
    const owner = webhook!.unknownEvents.includes(alias) ? undefined : catalogue.find((e) => e.synonyms.includes(alias) || e.patterns.some((p) => matchesPattern(p, alias)));
    if (owner) owned.set(alias, owner);
    else notOffered.push(alias);
  }
  return { owned, notOffered };
}

/** A field at fault, in the form's words: the control to mark and go to, what it is called here, and what is wrong. */
interface FieldError {
  control: string;
  label: string;
  message: string;
}

/** The view's fields a change of secrets leaves alone: two views that differ in nothing else are one state but for its secrets. */
function withoutSecrets(view: WebhookView): string {
  const { secrets: _s, updatedAt: _u, unknownEvents: _k, urlBlocked: _b, ...rest } = view;
  const canonical = (value: unknown): unknown =>
    Array.isArray(value) ? value.map(canonical) : value !== null && typeof value === 'object' ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, canonical(v)])) : value;
  return JSON.stringify(canonical(rest));
}

/**
 * Create or edit a webhook: URL, name, events picked from the catalogue grouped by type (and those
 * it has that this app no longer offers, kept or removed), the content-type filter (offered only
 * when a content, media or element event is picked), custom headers with a "sensitive" switch that
 * masks the value, enabled, flow control, and the signing secret — generated or rotated, and shown
 * once. A refusal marks each field at fault, in the form's words, and takes the focus to the first.
 */
@customElement('hw-webhook-editor')
export class WebhookEditor extends LightElement {
  /** The webhook to edit; none to create one. */
  @property() webhookKey: string | undefined;
  /** The query of the list this form was opened from (its search, its page): *Back to webhooks*, *Cancel* and a save return to it. */
  @property({ attribute: false }) listQuery = new URLSearchParams();

  /** The list as it was when this form was opened from it. */
  private get backToList(): string {
    return listRoute('#/webhooks', this.listQuery);
  }

  @query('hw-confirm') private confirmDialog!: ConfirmDialog;
  @state() private catalogue: EventDescriptor[] = [];
  @state() private webhook: WebhookView | undefined;
  /** The version of `webhook` the form was filled from (its ETag): a save made over a newer one is refused, not applied. */
  private etag: string | undefined;
  @state() private health: Health | undefined;
  @state() private name = '';
  @state() private description = '';
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
  /** A secret shown once; `replacedUntil`, after a rotation, when the secrets it replaces stop signing (the grace period's end). */
  @state() private shownSecret: { secret: string; created: boolean; replacedUntil?: string } | undefined;
  @state() private error: unknown;
  @state() private busy = false;
  /** A secret being rotated or revoked. */
  @state() private secretBusy = false;
  /** The key asked for names no webhook (deleted, or a wrong link). */
  @state() private missing = false;
  @state() private fieldErrors = new Map<string, FieldError>();
  /** The form is filled from a version of the webhook that is no longer the stored one: a save is refused (412) until it is loaded again. */
  @state() private stale = false;
  @state() private note = '';
  /** Just saved or created on a URL delivery refuses: the URL's warning is then the one note saying so. */
  @state() private blockedDone: 'Saved' | 'Created' | undefined;
  /** The key the form was last loaded for (null: not yet); a response for an earlier one is dropped. */
  private loadedFor: string | undefined | null = null;
  private loads = 0;
  /** The form as filled (JSON), to tell unsaved changes. */
  private baseline: string | undefined;
  /**
   * A save refused (412) because the webhook changed elsewhere, put together with what was typed:
   * each field that differs, the form's and the stored sides (for the side-by-side view and
   * *Keep mine* / *Use theirs*), and the side chosen for each conflict.
   */
  @state() private merge: { changes: FieldChange[]; mine: FormFields; theirs: FormFields; chosen: Map<FieldName, 'mine' | 'theirs'>; asked: boolean } | undefined;
  /** otherAliases, and the catalogue and webhook it was worked out from. */
  private otherAliasesOf: { catalogue: EventDescriptor[]; webhook: WebhookView | undefined; aliases: OtherAliases } | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.loadedFor === null) void this.load();
  }

  /** The form could not be filled (its read was refused): it is filled now. Typed changes are never thrown away. */
  protected override signedInAgain(): void {
    if (refusedEntry(this.error) && this.baseline === undefined) void this.load();
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    // Another webhook asked for while this one is shown (a link from one edit to another, back
    // and forward): the form is filled again, from nothing.
    if (changed.has('webhookKey') && this.loadedFor !== null && this.webhookKey !== this.loadedFor) void this.load();
  }

  /** True when the form holds changes not saved (the app asks before leaving it). */
  get dirty(): boolean {
    return this.baseline !== undefined && !this.missing && this.snapshot() !== this.baseline;
  }

  private snapshot(fields = this.fields()): string {
    return JSON.stringify({ ...fields, events: [...fields.events].sort(), secret: this.webhook ? undefined : this.generateSecret });
  }

  /** The form's fields as they are now. */
  private fields(): FormFields {
    const { url, name, description, contentTypes, headers, enabled, perSecond, burst, order, failureThreshold, coolDownSeconds } = this;
    return { url, name, description, events: [...this.events], contentTypes, headers, enabled, perSecond, burst, order, failureThreshold, coolDownSeconds };
  }

  private setFields(fields: FormFields): void {
    Object.assign(this, { ...fields, events: new Set(fields.events) });
  }

  private async load(): Promise<void> {
    const key = this.webhookKey;
    const turn = ++this.loads;
    this.loadedFor = key;
    this.reset();
    try {
      const catalogue = (await api<Page<EventDescriptor>>('GET', 'webhook/events?take=1000')).items;
      if (turn !== this.loads) return;
      this.catalogue = catalogue;
      if (key) {
        const [webhook, health] = await Promise.all([versioned<WebhookView>('GET', `webhook/${seg(key)}`), api<Health>('GET', `webhook/${seg(key)}/health`)]);
        if (turn !== this.loads) return;
        this.fill(webhook.value, webhook.etag);
        this.health = health;
        nameView(this, `Edit ${webhook.value.name || webhook.value.key}`);
      }
      this.baseline = this.snapshot();
    } catch (error) {
      if (turn !== this.loads) return;
      if (key && isProblem(error, 'HOOKWORK_ERR_WEBHOOK_NOT_FOUND')) {
        this.missing = true;
        nameView(this, 'Webhook not found');
      } else this.error = error;
    }
  }

  /** An empty form, as for a new webhook: nothing of another webhook stays. */
  private reset(): void {
    this.webhook = undefined;
    this.etag = undefined;
    this.health = undefined;
    this.name = '';
    this.description = '';
    this.url = '';
    this.events = new Set();
    this.contentTypes = '';
    this.headers = [];
    this.enabled = true;
    this.perSecond = '';
    this.burst = '';
    this.order = 'any';
    this.failureThreshold = '';
    this.coolDownSeconds = '';
    this.generateSecret = true;
    this.shownSecret = undefined;
    this.error = undefined;
    this.missing = false;
    this.fieldErrors = new Map();
    this.stale = false;
    this.note = '';
    this.blockedDone = undefined;
    this.baseline = undefined;
    this.merge = undefined;
  }

  private fill(webhook: WebhookView, etag: string | undefined): void {
    this.webhook = webhook;
    this.etag = etag;
    this.stale = false;
    this.merge = undefined;
    this.setFields(formOf(webhook));
  }

  /**
   * The webhook's aliases that are not an event of the catalogue by its own alias: a synonym or a
   * pattern's variant goes with its event; one no composed event handles (a plugin removed, an
   * event renamed: the view's unknownEvents) is not offered by this app, and shown apart.
   */
  private get otherAliases(): OtherAliases {
    // Read by render, the content-type filter's test and each save: worked out again only when the
    // catalogue or the webhook is replaced (each matches every alias against every pattern).
    const { catalogue, webhook } = this;
    if (this.otherAliasesOf?.catalogue !== catalogue || this.otherAliasesOf.webhook !== webhook) {
      this.otherAliasesOf = { catalogue, webhook, aliases: findOtherAliases(catalogue, webhook) };
    }
    return this.otherAliasesOf.aliases;
  }

  private get filterApplies(): boolean {
    const { owned } = this.otherAliases;
    return [...this.events].some((alias) => FILTERED_TYPES.has((this.catalogue.find((e) => e.alias === alias) ?? owned.get(alias))?.eventType ?? ''));
  }

  private body() {
    const headers = Object.fromEntries(this.headers.filter((h) => h.name.trim() !== '').map((h) => [h.name.trim(), h.sensitive ? { value: h.value, sensitive: true } : h.value]));
    const contentTypeKeys = this.filterApplies ? this.contentTypes.split(/[\s,]+/).filter(Boolean) : [];
    // Every alias ticked, those this app no longer offers too: the API keeps a stored one as it is.
    const description = this.webhook || this.description !== '' ? { description: this.description } : {};
    return { name: this.name, ...description, url: this.url.trim(), events: [...this.events], contentTypeKeys, headers, enabled: this.enabled, ...this.flowControl() };
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
  private formProblems(): FieldError[] {
    const problems: FieldError[] = [];
    const moved = this.webhook ? movedOrigin(this.webhook.url, this.url.trim()) : undefined;
    if (this.events.size === 0) problems.push({ label: 'Events', message: 'choose at least one: the webhook is sent only for the events it subscribes to.', control: 'events' });
    const seen = new Map<string, number>();
    this.headers.forEach((h, i) => {
      const name = h.name.trim();
      if (name === '' && h.value !== '') problems.push({ label: `Header ${i + 1}`, message: 'has a value but no name: give it a name, or remove the row.', control: `header-name-${i}` });
      if (name === '') return;
      if (h.hidden && !h.sensitive) problems.push({ label: name, message: 'is no longer marked sensitive, but its stored value is never shown here: type the value, or tick Sensitive again to keep the stored one.', control: `header-value-${i}` });
      else if (h.hidden && moved) problems.push({ label: name, message: `keeps a sensitive value given for ${moved.from}, and the URL now goes to ${moved.to}, another origin, which is never sent it: type the value again, or remove the row.`, control: `header-value-${i}` });
      const first = seen.get(name.toLowerCase());
      if (first !== undefined) problems.push({ label: name, message: `is set twice (rows ${first + 1} and ${i + 1}; header names ignore case): keep one row.`, control: `header-name-${i}` });
      else seen.set(name.toLowerCase(), i);
    });
    return problems;
  }

  /**
   * The fields the server refused, mapped from each problem's JSON Pointer (`#/url`,
   * `#/headers/X Bad Name`, `#/rateLimit/perSecond`) to the control that holds it, in the form's
   * words. A field the form does not show (or a problem of the whole body) has no control: it is
   * named in the summary only.
   */
  private serverProblems(problem: Problem): FieldError[] {
    return (problem.errors ?? [])
      .filter((e) => e.in === 'body')
      .map((e) => {
        const path = (e.pointer ?? `#/${e.field.split('.').join('/')}`)
          .replace(/^#\/?/, '')
          .split('/')
          .filter((segment) => segment !== '')
          .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
        const message = withoutRouteTalk(e.detail.replace(/ \(a string, or \{ value, sensitive \}\)/, ''));
        return { ...this.controlOf(path, message), message };
      });
  }

  /** The control a body path is entered in, and its name on the form. */
  private controlOf(path: string[], message: string): { control: string; label: string } {
    const [top, second] = path;
    switch (top) {
      case 'url':
        return { control: 'url', label: 'URL' };
      case 'name':
        return { control: 'name', label: 'Name' };
      case 'description':
        return { control: 'description', label: 'Description' };
      case 'events':
        return { control: 'events', label: 'Events' };
      case 'contentTypeKeys':
        return { control: this.filterApplies ? 'content-types' : 'events', label: 'Content types' };
      case 'headers': {
        if (second === undefined) return { control: this.headers.length > 0 ? 'header-name-0' : 'add-header', label: 'Custom headers' };
        const index = Math.max(
          this.headers.findIndex((h) => h.name.trim() === second),
          this.headers.findIndex((h) => h.name.trim().toLowerCase() === second.toLowerCase()),
        );
        // The value's problems start with "value", or are about its string; the rest are the name's.
        const part = /^(?:value|needs a string value|must be a header value|is "\[redacted\]")/.test(message) ? 'value' : 'name';
        return { control: index >= 0 ? `header-${part}-${index}` : 'add-header', label: `Header ${second}` };
      }
      case 'rateLimit':
        return second === 'burst' ? { control: 'rate-burst', label: 'Burst' } : { control: 'rate-per-second', label: 'Rate limit' };
      case 'breaker':
        return second === 'coolDown' ? { control: 'breaker-cooldown', label: 'Breaker probes after' } : { control: 'breaker-threshold', label: second === 'failureThreshold' ? 'Breaker opens after' : `Breaker ${second ?? ''}`.trim() };
      case 'fifo':
        return { control: 'order', label: 'Order' };
      case 'enabled':
        return { control: 'enabled', label: 'Enabled' };
      default:
        return { control: '', label: path.join('.') || 'The form' };
    }
  }

  /** Marks `problems` on their fields and takes the focus to the first that has one (else to the summary). */
  private async showFieldErrors(problems: FieldError[], title: string, detail: string): Promise<void> {
    this.fieldErrors = new Map(problems.filter((p) => p.control !== '').map((p) => [p.control, p]));
    this.error = new ApiError({ status: 400, code: 'FORM', title, detail, errors: problems.map(({ label, message }) => ({ in: 'form', field: label, detail: message })) });
    await this.updateComplete;
    const first = problems.find((p) => p.control !== '');
    const control = first && (first.control === 'events' ? this.querySelector<HTMLElement>('input[name="event"]') : this.querySelector<HTMLElement>(`#${first.control}`));
    (control ?? this.querySelector<HTMLElement>('.problem'))?.focus();
  }

  /** The ARIA of a control that may be at fault: aria-invalid, and its message among what describes it. */
  private marks(control: string, describedBy?: string) {
    const error = this.fieldErrors.get(control);
    const ids = [error ? `${control}-error` : '', describedBy ?? ''].filter(Boolean).join(' ');
    return { invalid: error ? 'true' : nothing, describedBy: ids || nothing };
  }

  /** The message under a control at fault. */
  private fieldMessage(control: string): TemplateResult | typeof nothing {
    const error = this.fieldErrors.get(control);
    return error ? html`<p class="field-error" id="${control}-error">${error.label}: ${error.message}</p>` : nothing;
  }

  /** A control was changed: its refusal is about what was there before. */
  private edited(control: string): void {
    if (!this.fieldErrors.has(control)) return;
    const next = new Map(this.fieldErrors);
    next.delete(control);
    this.fieldErrors = next;
  }

  private async save(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    // The button stays focusable while busy (aria-disabled): a second press does nothing.
    if (this.busy) return;
    const unchosen = this.unchosen;
    if (unchosen) {
      // Nothing is sent while a field changed both ways waits for its side: the focus goes to its choice.
      this.merge = { ...this.merge!, asked: true };
      await this.updateComplete;
      this.querySelector<HTMLElement>(`#conflict-${unchosen.field}`)?.focus();
      return;
    }
    this.note = '';
    this.blockedDone = undefined;
    const problems = this.formProblems();
    if (problems.length > 0) {
      await this.showFieldErrors(problems, 'Not saved: the form needs a change first', 'Nothing was sent to the server. Each field to change is marked.');
      return;
    }
    this.fieldErrors = new Map();
    this.busy = true;
    try {
      if (this.webhook) {
        const saved = await versioned<WebhookView>('PATCH', `webhook/${seg(this.webhook.key)}`, this.body(), this.etag);
        this.fill(saved.value, saved.etag);
        this.baseline = this.snapshot();
        this.error = undefined;
        nameView(this, `Edit ${saved.value.name || saved.value.key}`);
        if (saved.value.urlBlocked) await this.sayBlocked('Saved');
        else go(this.backToList);
      } else {
        const { value: created, etag } = await versioned<CreatedWebhook>('POST', 'webhook', { ...this.body(), ...(this.generateSecret ? { secret: true } : {}) });
        this.error = undefined;
        if (created.secret || created.urlBlocked) {
          // The form becomes the new webhook's edit form, so what must be seen now is seen.
          this.loadedFor = created.key;
          this.webhookKey = created.key;
          this.fill(created, etag);
          this.baseline = this.snapshot();
          nameView(this, `Edit ${created.name || created.key}`);
          if (created.secret) this.shownSecret = { secret: created.secret, created: true };
          if (created.urlBlocked) await this.sayBlocked('Created');
          else await this.showSecret();
        } else {
          // Saved: leaving the form now throws nothing away.
          this.baseline = this.snapshot();
          go(this.backToList);
        }
      }
    } catch (error) {
      if (isProblem(error, 'NETWORK')) {
        this.error = unanswered(error, this.webhook !== undefined);
      } else if (error instanceof ApiError && error.problem.status === 412) {
        // The webhook as it is now, and its version: only the secrets changed (another operator's
        // rotation), or the fields the other operator changed are put together with those typed.
        const before = this.webhook;
        const now = before ? await versioned<WebhookView>('GET', `webhook/${seg(before.key)}`).catch(() => undefined) : undefined;
        if (before && now && !this.stale && this.webhook === before && withoutSecrets(now.value) === withoutSecrets(before)) {
          this.takeSecrets(now.value, now.etag);
          this.error = secretsChangedElsewhere(error);
        } else if (before && now && this.webhook === before) {
          this.mergeWith(before, now.value, now.etag);
          this.error = mergedElsewhere(error, this.merge!.changes.filter((c) => c.outcome === 'conflict').length);
        } else {
          this.stale = true;
          this.error = changedElsewhere(error);
        }
      } else if (this.webhook && isProblem(error, 'HOOKWORK_ERR_WEBHOOK_NOT_FOUND')) {
        this.error = deletedElsewhere(error, 'Not saved');
      } else if (error instanceof ApiError && error.problem.status === 400 && error.problem.errors?.length) {
        const fields = this.serverProblems(error.problem);
        const count = fields.length;
        await this.showFieldErrors(fields, `Not ${this.webhook ? 'saved' : 'created'}: ${count === 1 ? 'a field needs' : `${formatCount(count)} fields need`} a change`, 'The server refused the form, and nothing was changed. Each field to change is marked.');
        return;
      } else this.error = error;
      await this.showRefusal();
    } finally {
      this.busy = false;
    }
  }

  /**
   * Puts what was typed together with the webhook as stored now (`now`, the version `etag`), field
   * by field from `before`, the version the form was filled from: the next save is made over `now`.
   * A field changed both ways stays as typed until its side is chosen.
   */
  private mergeWith(before: WebhookView, now: WebhookView, etag: string | undefined): void {
    const mine = this.fields();
    const theirs = formOf(now);
    const { merged, changes } = mergeFields(formOf(before), mine, theirs);
    this.fill(now, etag);
    this.setFields(merged);
    // Unsaved changes are those against the stored webhook now (leaving asks while any stay).
    this.baseline = this.snapshot(theirs);
    this.merge = { changes, mine, theirs, chosen: new Map(), asked: false };
  }

  /** *Keep mine* or *Use theirs* on a field changed both here and elsewhere: the form's field takes that side. */
  private choose(field: FieldName, side: 'mine' | 'theirs'): void {
    if (!this.merge) return;
    const chosen = new Map(this.merge.chosen).set(field, side);
    this.setFields({ ...this.fields(), [field]: this.merge[side][field] });
    this.merge = { ...this.merge, chosen };
  }

  /** The first field changed both here and elsewhere whose side is not chosen yet. */
  private get unchosen(): FieldChange | undefined {
    return this.merge?.changes.find((c) => c.outcome === 'conflict' && !this.merge!.chosen.has(c.field));
  }

  /** *Save again* after a change elsewhere (the secrets alone, or put together with the form): the form's own submit (its checks first). */
  private saveAgain(): void {
    this.querySelector<HTMLFormElement>('form.editor')?.requestSubmit();
  }

  /**
   * A refusal that names no field (changed or deleted elsewhere, no answer, a server failing) takes
   * the focus: it is said at the top of the form, out of sight of the Save button at its foot (or
   * a secret's button) that was pressed, and its own action (*Load the webhook as it is now*) is the
   * next Tab from there. A refusal of the token is the app's to say (its sign-in form takes the focus).
   */
  private async showRefusal(): Promise<void> {
    await this.updateComplete;
    this.querySelector<HTMLElement>('.problem')?.focus();
  }

  /**
   * Saved, on a URL delivery will refuse: the editor stays, with the focus on the URL's warning,
   * which then says it was saved — one warning, not a success note beside it that reads as all well.
   */
  private async sayBlocked(done: 'Saved' | 'Created'): Promise<void> {
    this.blockedDone = done;
    await this.updateComplete;
    this.querySelector<HTMLElement>('#url-blocked')?.focus();
  }

  /**
   * Takes a secret change's answer into the form without touching what is typed: only the list
   * of secrets (and the version the next save is made over, when nothing else of the webhook
   * changed meanwhile — else a save stays refused as changed elsewhere, and the form says so).
   */
  private takeSecrets(after: WebhookView, etag: string | undefined): void {
    const before = this.webhook!;
    this.webhook = { ...before, secrets: after.secrets, updatedAt: after.updatedAt };
    if (withoutSecrets(before) === withoutSecrets(after) && !this.stale) this.etag = etag;
    else this.stale = true;
  }

  private async rotate(): Promise<void> {
    if (!this.webhook || this.secretBusy) return;
    // The button's words as pressed, for what to press again.
    const label = this.webhook.secrets.length ? 'Rotate secret' : 'Generate secret';
    this.secretBusy = true;
    try {
      const rotated = await versioned<{ secretId: string; secret: string; webhook?: WebhookView }>('POST', `webhook/${seg(this.webhook.key)}/secret/rotate`, {});
      // The secret exists only in this answer: it is shown whatever happens next.
      this.shownSecret = { secret: rotated.value.secret, created: false };
      void this.showSecret();
      // The webhook as the answer holds it, with its ETag; a server from before that answer (a rolling deploy) is asked.
      const after = rotated.value.webhook ? { value: rotated.value.webhook, etag: rotated.etag } : await versioned<WebhookView>('GET', `webhook/${seg(this.webhook.key)}`).catch((error: unknown) => void (this.error = error));
      if (after) {
        this.takeSecrets(after.value, after.etag);
        // What the receiver's team needs to know: until when the secrets it replaces go on signing beside it.
        const ends = after.value.secrets.filter((s) => s.id !== rotated.value.secretId && s.expiresAt).map((s) => s.expiresAt!);
        const last = ends.sort().at(-1);
        if (last && this.shownSecret?.secret === rotated.value.secret) this.shownSecret = { ...this.shownSecret, replacedUntil: last };
      }
    } catch (error) {
      if (isProblem(error, 'NETWORK')) this.error = secretUnanswered(error, { rotate: label });
      else this.error = isProblem(error, 'HOOKWORK_ERR_WEBHOOK_NOT_FOUND') ? deletedElsewhere(error, 'No secret made') : error;
      await this.showRefusal();
    } finally {
      this.secretBusy = false;
    }
  }

  /** Revokes one secret, once confirmed in the page's dialog (as Delete asks). */
  private async revoke(secret: WebhookView['secrets'][number]): Promise<void> {
    if (!this.webhook || this.secretBusy) return;
    const now = Date.now();
    const signing = this.webhook.secrets.filter((s) => !s.expiresAt || Date.parse(s.expiresAt) > now);
    const last = signing.length === 1 && signing[0]!.id === secret.id;
    const yes = await this.confirmDialog.ask({
      title: `Revoke the secret ${secret.hint}?`,
      body: `It stops signing at once: a receiver that still verifies with it refuses every request from now on.${last ? ' It is the last secret that signs: requests go out unsigned until a new one is generated (Rotate first to replace a leaked one).' : ''} This cannot be undone.`,
      confirm: `Revoke ${secret.hint}`,
    });
    if (!yes || !this.webhook) return;
    const key = this.webhook.key;
    this.secretBusy = true;
    this.note = '';
    try {
      const revoked = await versioned<WebhookView>('DELETE', `webhook/${seg(key)}/secret/${seg(secret.id)}`);
      this.takeSecrets(revoked.value, revoked.etag);
      this.note = `Secret ${secret.hint} revoked.`;
    } catch (error) {
      if (isProblem(error, 'HOOKWORK_ERR_SECRET_NOT_FOUND')) {
        // Revoked meanwhile (another tab, another operator): what was asked is done. The secrets
        // are read again, as they are now; the typed changes stay, and the next save is made over
        // that version when only the secrets changed (else it stays refused as changed elsewhere).
        const now = await versioned<WebhookView>('GET', `webhook/${seg(key)}`).catch((failure: unknown) => void (this.error = failure));
        if (now) {
          this.takeSecrets(now.value, now.etag);
          this.error = undefined;
          this.note = `Secret ${secret.hint} was already revoked (in another tab or by someone else): the secrets are shown as they are now.`;
        }
      } else {
        if (isProblem(error, 'NETWORK')) this.error = secretUnanswered(error, { revoke: secret.hint });
        else this.error = isProblem(error, 'HOOKWORK_ERR_WEBHOOK_NOT_FOUND') ? deletedElsewhere(error, 'Not revoked') : error;
        await this.showRefusal();
      }
    } finally {
      this.secretBusy = false;
    }
    await this.updateComplete;
    // Its row, and the button that asked, are gone: the focus goes to the secrets' own button.
    if (!document.activeElement || document.activeElement === document.body) this.querySelector<HTMLElement>('#rotate-secret')?.focus();
  }

  /** After a change made elsewhere: the form filled again from the webhook as it is now, once it is clear that what is typed goes. */
  private async reload(): Promise<void> {
    if (this.dirty) {
      const yes = await this.confirmDialog.ask({
        title: 'Load the webhook as it is now?',
        body: 'The form is filled again from the stored webhook, and what you typed here is thrown away.',
        confirm: 'Load it and discard my changes',
      });
      if (!yes) return;
    }
    await this.load();
    await this.updateComplete;
    this.querySelector<HTMLElement>('#url')?.focus();
  }

  /** The secret shown once takes the focus (a screen reader reads it; the next Tab is its button). */
  private async showSecret(): Promise<void> {
    await this.updateComplete;
    this.querySelector<HTMLElement>('.secret-once')?.focus();
  }

  private async dismissSecret(): Promise<void> {
    this.shownSecret = undefined;
    await this.updateComplete;
    // The button is gone with the secret: the focus goes to the secrets' own button, not to the page's top.
    this.querySelector<HTMLElement>('#rotate-secret')?.focus();
  }

  private toggleEvent(alias: string, on: boolean): void {
    const next = new Set(this.events);
    if (on) next.add(alias);
    else next.delete(alias);
    this.events = next;
    this.edited('events');
  }

  private setHeader(index: number, change: Partial<HeaderRow>, control: string): void {
    this.headers = this.headers.map((h, i) => (i === index ? this.carried(h, { ...h, ...change }) : h));
    this.edited(control);
  }

  /** Rows whose Sensitive the page ticked itself as their name was typed (not the operator). */
  private readonly tickedByName = new WeakSet<HeaderRow>();
  /** Rows whose Sensitive the operator ticked or un-ticked: the name no longer decides it. */
  private readonly chosenByOperator = new WeakSet<HeaderRow>();

  /** `next`, the row `row` became, with what the page knows of who set its Sensitive (rows are replaced at each change). */
  private carried(row: HeaderRow, next: HeaderRow): HeaderRow {
    if (this.tickedByName.has(row)) this.tickedByName.add(next);
    if (this.chosenByOperator.has(row)) this.chosenByOperator.add(next);
    return next;
  }

  /**
   * A header named as a credential is usually one (`X-Api-Key`, `X-Auth-Token`, `Authorization`),
   * and a value saved not sensitive is shown in every view and the delivery log to whoever reads
   * them: a new row whose name reads as one is ticked Sensitive while its name is typed, before
   * its value is, and un-ticked again if the name goes on to read as something else (`X-Auth` on
   * the way to `X-Author`). A row the operator ticked or un-ticked, a row with a value and a
   * stored one are left as they are.
   */
  private nameHeader(index: number, name: string): void {
    const row = this.headers[index]!;
    // The operator's un-tick left the row not sensitive and not ticked by the page: judged afresh, the next character ticked it again.
    const judged = !row.hidden && row.value === '' && !this.chosenByOperator.has(row) && (this.tickedByName.has(row) || !row.sensitive);
    const next = { ...row, name, ...(judged ? { sensitive: looksLikeCredential(name) } : {}) };
    if (judged && next.sensitive) this.tickedByName.add(next);
    else if (!judged) this.carried(row, next);
    this.headers = this.headers.map((h, i) => (i === index ? next : h));
    this.edited(`header-name-${index}`);
  }

  /** Un-ticking Sensitive on a stored value the page cannot show asks for the value, in the field it goes in. */
  private async setSensitive(index: number, sensitive: boolean): Promise<void> {
    this.setHeader(index, { sensitive }, `header-value-${index}`);
    const row = this.headers[index]!;
    this.tickedByName.delete(row);
    this.chosenByOperator.add(row);
    if (sensitive || !this.headers[index]!.hidden) return;
    await this.updateComplete;
    this.querySelector<HTMLInputElement>(`#header-value-${index}`)?.focus();
  }

  private eventBox(alias: string, label: TemplateResult, describedBy?: string) {
    const marks = this.marks('events', describedBy);
    return html`<label class="check"
      ><input
        type="checkbox"
        name="event"
        value=${alias}
        aria-invalid=${marks.invalid}
        aria-describedby=${marks.describedBy}
        .checked=${this.events.has(alias)}
        @change=${(ev: Event) => this.toggleEvent(alias, (ev.target as HTMLInputElement).checked)}
      />
      ${label}</label
    >`;
  }

  private renderMissing() {
    return html`<div class="page-head">
        <h1>Webhook not found</h1>
      </div>
      <p class="gone">No webhook has the key <code>${this.webhookKey}</code>: it was deleted (here, in another tab or by someone else), or the link is wrong.</p>
      <p><a href=${this.backToList}>Back to webhooks</a> · <a href="#/webhooks/new">Create webhook</a></p>`;
  }

  /**
   * Before the form is filled — still loading, or its read failed (a server failing or starting,
   * the network down): no form, which on an edit route would be an empty one whose save creates a
   * new webhook, but what happened and *Try again*.
   */
  private renderUnloaded() {
    return html`<div class="page-head">
        <h1>${this.webhookKey ? 'Edit webhook' : 'Create webhook'}</h1>
        <a href=${this.backToList}>Back to webhooks</a>
      </div>
      ${this.error ? problemView(this.error, html`<p><button type="button" @click=${this.retry}>Try again</button></p>`) : html`<p class="muted">Loading…</p>`}`;
  }

  /** Reads the webhook (and the catalogue) again after a failed read; the focus goes to the form, or to what failed. */
  private async retry(): Promise<void> {
    await this.load();
    await this.updateComplete;
    (this.querySelector<HTMLElement>('#url') ?? this.querySelector<HTMLElement>('.problem') ?? this.closest('main'))?.focus();
  }

  /**
   * Each field that differs after a change elsewhere: what was typed and what is stored now side by
   * side, and what the save makes of it — as typed, as stored, or (changed both ways) a choice of
   * *Keep mine* / *Use theirs*, a radio group named for its field.
   */
  private mergeView() {
    const { changes, mine, theirs, chosen, asked } = this.merge!;
    if (changes.length === 0) return html`<p>None of the fields on this form differ: what changed is not shown here (the signing secrets, or a setting made through the API).</p>`;
    return html`<table class="grid merge">
      <caption class="visually-hidden">Fields changed here or elsewhere</caption>
      <thead>
        <tr><th scope="col">Field</th><th scope="col">Yours</th><th scope="col">Stored now</th><th scope="col">Saved</th></tr>
      </thead>
      <tbody>
        ${changes.map(({ field, label, outcome }) => {
          const waiting = asked && outcome === 'conflict' && !chosen.has(field);
          return html`<tr>
            <th scope="row">${label}</th>
            <td class="merge-value">${fieldText(mine, field)}</td>
            <td class="merge-value">${fieldText(theirs, field)}</td>
            <td>
              ${outcome === 'conflict'
                ? html`<div role="radiogroup" aria-label="${label}: changed here and elsewhere, keep which?" aria-describedby=${waiting ? `conflict-${field}-error` : nothing} aria-invalid=${waiting ? 'true' : nothing}>
                      ${(['mine', 'theirs'] as const).map(
                        (side) => html`<label class="check"
                          ><input
                            type="radio"
                            id=${side === 'mine' ? `conflict-${field}` : nothing}
                            name="conflict-${field}"
                            .checked=${chosen.get(field) === side}
                            @change=${() => this.choose(field, side)}
                          />
                          ${side === 'mine' ? 'Keep mine' : 'Use theirs'}<span class="visually-hidden"> for ${label}</span></label
                        >`,
                      )}
                    </div>
                    ${waiting ? html`<p class="field-error" id="conflict-${field}-error">${label}: choose Keep mine or Use theirs, then save again.</p>` : nothing}`
                : outcome === 'mine'
                  ? 'As you typed it'
                  : 'As stored now'}
            </td>
          </tr>`;
        })}
      </tbody>
    </table>`;
  }

  override render() {
    if (this.missing) return this.renderMissing();
    if (this.baseline === undefined) return this.renderUnloaded();
    const { owned, notOffered } = this.otherAliases;
    const groups = new Map<string, TemplateResult[]>();
    const add = (type: string, box: TemplateResult) => groups.set(type, [...(groups.get(type) ?? []), box]);
    for (const event of this.catalogue) add(event.eventType, this.eventBox(event.alias, html`<span>${event.eventName} <code class="alias muted">${event.alias}</code></span>`));
    for (const [alias, owner] of owned) add(owner.eventType, this.eventBox(alias, html`<span>${owner.eventName} <code class="alias muted">${alias}</code></span>`));
    const editing = this.webhook !== undefined;
    const urlMarks = this.marks('url', this.webhook?.urlBlocked && this.url.trim() === this.webhook.url ? 'url-blocked' : undefined);
    const nameMarks = this.marks('name');
    const mark = (control: string) => this.marks(control);
    return html`<div class="page-head">
        <h1>${editing ? `Edit ${this.webhook!.name || this.webhook!.key}` : 'Create webhook'}</h1>
        <a href=${this.backToList}>Back to webhooks</a>
      </div>
      <hw-confirm></hw-confirm>
      ${this.shownSecret
        ? html`<div class="secret-once" role="status" tabindex="-1">
            <strong>${this.shownSecret.created ? 'Webhook created. Its signing secret' : 'The new signing secret'} is shown this once:</strong>
            <p><code class="secret">${this.shownSecret.secret}</code></p>
            <p>Copy it into the receiver now (Standard Webhooks: verify <code>webhook-signature</code> with it). It is never shown again.</p>
            ${this.shownSecret.replacedUntil
              ? Date.parse(this.shownSecret.replacedUntil) > Date.now()
                ? html`<p>
                    Until ${formatDate(this.shownSecret.replacedUntil)}, every request is signed with this secret and with the one it replaces (<code>webhook-signature</code> carries a signature of
                    each), so the receiver goes on verifying requests while its team switches it to the new secret. From then on only the new one signs: a receiver still on the old one refuses
                    every request.
                  </p>`
                : html`<p>The secret it replaces stopped signing at once: a receiver still on it refuses every request until it has the new one.</p>`
              : nothing}
            <button type="button" @click=${this.dismissSecret}>I have copied it</button>
          </div>`
        : nothing}
      ${problemView(
        this.error,
        this.stale
          ? html`<p><button type="button" @click=${this.reload}>Load the webhook as it is now</button></p>`
          : isProblem(this.error, 'SECRETS_CHANGED_SINCE_OPENED')
            ? html`<p><button type="button" @click=${this.saveAgain}>Save again</button></p>`
            : isProblem(this.error, 'CHANGED_SINCE_OPENED_MERGED') && this.merge
              ? html`${this.mergeView()}
                  <p class="form-actions">
                    <button type="button" @click=${this.saveAgain}>Save again</button>
                    <button type="button" class="link" @click=${this.reload}>Load the webhook as it is now</button>
                  </p>`
              : nothing,
      )}
      ${this.stale && !this.error
        ? html`<div class="problem" role="alert">
            <strong>This webhook was also changed elsewhere since this form was opened</strong>
            <p>What you typed is still here. Save puts it together with that change, field by field, and shows both where you both changed a field; or load the webhook as it is now.</p>
            <p><button type="button" @click=${this.reload}>Load the webhook as it is now</button></p>
          </div>`
        : nothing}
      ${statusLine(this.note)}
      ${editing && this.health ? html`<p class="editor-health"><strong>Health</strong> ${healthView(this.health)}</p>` : nothing}
      <form @submit=${this.save} @invalid=${whenBlocked(() => (this.error = undefined))} class="editor">
        <label for="url">URL</label>
        <input
          id="url"
          name="url"
          type="url"
          required
          maxlength=${LIMITS.urlMaxLength}
          placeholder="https://example.com/hooks"
          aria-invalid=${urlMarks.invalid}
          aria-describedby=${urlMarks.describedBy}
          .value=${this.url}
          @input=${(e: Event) => ((this.url = (e.target as HTMLInputElement).value), this.edited('url'))}
        />
        ${this.fieldMessage('url')}
        ${this.webhook?.urlBlocked && this.url.trim() === this.webhook.url
          ? html`<p class="warning" id="url-blocked" role="status" tabindex="-1">
              <strong>${this.blockedDone ? `${this.blockedDone}, but not delivered:` : 'Not delivered:'}</strong> ${this.webhook.urlBlocked}. The webhook is
              ${this.blockedDone === 'Created' ? 'created' : 'kept'}, but each delivery to this URL is refused until the address is allowed, or the URL is changed to a public one.
            </p>`
          : nothing}
        <label for="name">Name</label>
        <input
          id="name"
          name="name"
          maxlength=${LIMITS.nameMaxLength}
          aria-invalid=${nameMarks.invalid}
          aria-describedby=${nameMarks.describedBy}
          .value=${this.name}
          @input=${(e: Event) => ((this.name = (e.target as HTMLInputElement).value), this.edited('name'))}
        />
        ${this.fieldMessage('name')}
        <label for="description">Description</label>
        <textarea
          id="description"
          rows="2"
          maxlength=${LIMITS.descriptionMaxLength}
          aria-invalid=${mark('description').invalid}
          aria-describedby=${mark('description').describedBy}
          .value=${this.description}
          @input=${(e: Event) => ((this.description = (e.target as HTMLTextAreaElement).value), this.edited('description'))}
        ></textarea>
        ${this.fieldMessage('description')}

        <fieldset class="events" aria-describedby=${this.fieldErrors.has('events') ? 'events-error' : nothing}>
          <legend>Events</legend>
          ${this.fieldMessage('events')}
          ${[...groups].map(
            ([type, boxes]) => html`<fieldset class="event-group">
              <legend>${type}</legend>
              ${boxes}
            </fieldset>`,
          )}
          ${notOffered.length > 0
            ? html`<fieldset class="event-group not-offered">
                <legend>Not offered by this app</legend>
                <p class="muted" id="not-offered-note">
                  No event of this app fires under ${notOffered.length === 1 ? 'this alias' : 'these aliases'} any more (a plugin was removed, or an event renamed): the webhook keeps
                  ${notOffered.length === 1 ? 'it' : 'them'} as stored, and is sent for its other events. Untick one to remove it; once saved without it, it cannot be added back here.
                </p>
                ${notOffered.map((alias) => this.eventBox(alias, html`<span><code class="alias">${alias}</code> <span class="badge unknown-alias">not offered</span></span>`, 'not-offered-note'))}
              </fieldset>`
            : nothing}
        </fieldset>

        ${this.filterApplies
          ? html`<label for="content-types">Content types <span class="muted">(keys, one per line; empty: every type)</span></label>
              <textarea
                id="content-types"
                rows="3"
                aria-invalid=${mark('content-types').invalid}
                aria-describedby=${mark('content-types').describedBy}
                .value=${this.contentTypes}
                @input=${(e: Event) => ((this.contentTypes = (e.target as HTMLTextAreaElement).value), this.edited('content-types'))}
              ></textarea>
              ${this.fieldMessage('content-types')}`
          : nothing}

        <fieldset class="headers">
          <legend>Custom headers</legend>
          ${this.headers.map((h, i) => {
            // A stored sensitive value, made not sensitive: the field is empty until the value is typed.
            const asked = h.hidden && !h.sensitive;
            const nameId = `header-name-${i}`;
            const valueId = `header-value-${i}`;
            const nameMark = mark(nameId);
            const valueMark = this.marks(valueId, asked ? `header-note-${i}` : undefined);
            // Each row's controls name their row (and its header, once named): a screen reader
            // going from control to control otherwise hears "Header value", "Sensitive", "Remove"
            // again and again, never which header they act on.
            const row = `row ${i + 1}${h.name.trim() ? ` (${h.name.trim()})` : ''}`;
            return html`<div class="header-row">
              <label class="visually-hidden" for=${nameId}>Header name, row ${i + 1}</label>
              <input id=${nameId} placeholder="Name" aria-invalid=${nameMark.invalid} aria-describedby=${nameMark.describedBy} .value=${h.name} @input=${(e: Event) => this.nameHeader(i, (e.target as HTMLInputElement).value)} />
              <label class="visually-hidden" for=${valueId}>Header value, ${row}</label>
              <input
                id=${valueId}
                placeholder=${asked ? 'Type the value' : 'Value'}
                autocomplete="off"
                type=${h.sensitive ? 'password' : 'text'}
                aria-invalid=${valueMark.invalid}
                aria-describedby=${valueMark.describedBy}
                .value=${asked ? '' : h.value}
                @input=${(e: Event) => this.setHeader(i, { value: (e.target as HTMLInputElement).value, hidden: false }, valueId)}
              />
              <label class="check"><input type="checkbox" .checked=${h.sensitive} @change=${(e: Event) => this.setSensitive(i, (e.target as HTMLInputElement).checked)} /> Sensitive<span class="visually-hidden"> — header ${row}</span></label>
              <button type="button" class="link danger" @click=${() => (this.headers = this.headers.filter((_, j) => j !== i))}>Remove<span class="visually-hidden"> header ${row}</span></button>
              ${asked
                ? html`<p class="header-note" id="header-note-${i}">
                    The stored value of ${h.name || 'this header'} is sensitive, so it is never shown, not even here: type the value to keep it as not sensitive, or tick Sensitive
                    again to keep the stored one.
                  </p>`
                : nothing}
              ${this.fieldMessage(nameId)} ${this.fieldMessage(valueId)}
            </div>`;
          })}
          <button type="button" id="add-header" @click=${() => (this.headers = [...this.headers, { name: '', value: '', sensitive: false, hidden: false }])}>Add header</button>
          ${this.fieldMessage('add-header')}
          <p class="muted">A sensitive value is masked here, redacted in every view and log, and kept when left as it is. It is never shown again: to make it not sensitive, type it again.</p>
        </fieldset>

        <fieldset class="flow">
          <legend>Flow control</legend>
          <p class="muted">Left empty, each falls back to the app's settings (by default: no rate limit, any order, the breaker opening after 10 failures in a row and probing after 30 s).</p>
          <div class="flow-grid">
            <label for="rate-per-second">Rate limit <span class="muted">(requests per second)</span></label>
            <input
              id="rate-per-second"
              type="number"
              min=${LIMITS.minRatePerSecond}
              step="any"
              inputmode="decimal"
              placeholder="none"
              aria-invalid=${mark('rate-per-second').invalid}
              aria-describedby=${mark('rate-per-second').describedBy}
              .value=${this.perSecond}
              @input=${(e: Event) => ((this.perSecond = (e.target as HTMLInputElement).value), this.edited('rate-per-second'))}
            />
            ${this.fieldMessage('rate-per-second')}
            <label for="rate-burst">Burst <span class="muted">(at once after a quiet spell)</span></label>
            <input
              id="rate-burst"
              type="number"
              min="1"
              step="1"
              placeholder="rate, rounded up"
              ?disabled=${this.perSecond.trim() === ''}
              aria-invalid=${mark('rate-burst').invalid}
              aria-describedby=${mark('rate-burst').describedBy}
              .value=${this.burst}
              @input=${(e: Event) => ((this.burst = (e.target as HTMLInputElement).value), this.edited('rate-burst'))}
            />
            ${this.fieldMessage('rate-burst')}
            <label for="order">Order</label>
            <select id="order" aria-invalid=${mark('order').invalid} aria-describedby=${mark('order').describedBy} @change=${(e: Event) => ((this.order = (e.target as HTMLSelectElement).value as 'any' | 'skip' | 'block'), this.edited('order'))}>
              <option value="any" ?selected=${this.order === 'any'}>${ORDER_WORDS.any} (fastest)</option>
              <option value="skip" ?selected=${this.order === 'skip'}>${ORDER_WORDS.skip}</option>
              <option value="block" ?selected=${this.order === 'block'}>${ORDER_WORDS.block}</option>
            </select>
            ${this.fieldMessage('order')}
            <label for="breaker-threshold">Breaker opens after <span class="muted">(failures in a row)</span></label>
            <input
              id="breaker-threshold"
              type="number"
              min="0"
              step="1"
              placeholder="app setting"
              aria-invalid=${mark('breaker-threshold').invalid}
              aria-describedby=${mark('breaker-threshold').describedBy}
              .value=${this.failureThreshold}
              @input=${(e: Event) => ((this.failureThreshold = (e.target as HTMLInputElement).value), this.edited('breaker-threshold'))}
            />
            ${this.fieldMessage('breaker-threshold')}
            <label for="breaker-cooldown">Breaker probes after <span class="muted">(seconds)</span></label>
            <input
              id="breaker-cooldown"
              type="number"
              min="0.001"
              step="any"
              placeholder="app setting"
              aria-invalid=${mark('breaker-cooldown').invalid}
              aria-describedby=${mark('breaker-cooldown').describedBy}
              .value=${this.coolDownSeconds}
              @input=${(e: Event) => ((this.coolDownSeconds = (e.target as HTMLInputElement).value), this.edited('breaker-cooldown'))}
            />
            ${this.fieldMessage('breaker-cooldown')}
          </div>
          <p class="muted">
            FIFO sends one request at a time, each after the one before is delivered or dead-lettered, and applies to requests published from then on; it needs a queue that keeps order
            (memory, SQLite). How many requests go to one webhook at once is the app's <code>concurrency.perWebhook</code> setting.
          </p>
        </fieldset>

        <label class="check"
          ><input
            type="checkbox"
            id="enabled"
            name="enabled"
            aria-invalid=${mark('enabled').invalid}
            aria-describedby=${mark('enabled').describedBy}
            .checked=${this.enabled}
            @change=${(e: Event) => ((this.enabled = (e.target as HTMLInputElement).checked), this.edited('enabled'))}
          />
          Enabled</label
        >
        ${this.fieldMessage('enabled')}
        ${editing
          ? html`<fieldset class="secrets">
              <legend>Signing secrets</legend>
              ${this.webhook!.secrets.length === 0
                ? html`<p class="muted">None: requests are not signed.</p>`
                : html`<ul>
                    ${repeat(
                      this.webhook!.secrets,
                      // Keyed: the row of a revoked secret goes with its button, rather than the button
                      // staying, focused, in a row that now shows another secret.
                      (s) => s.id,
                      (s) => html`<li>
                        <code>${s.hint}</code> created ${formatDate(s.createdAt)}${s.expiresAt ? html`, stops signing ${formatDate(s.expiresAt)}` : nothing}
                        <button type="button" class="link danger" aria-disabled=${ariaDisabled(this.secretBusy)} @click=${() => this.revoke(s)}>Revoke<span class="visually-hidden"> the secret ${s.hint}</span></button>
                      </li>`,
                    )}
                  </ul>`}
              <button type="button" id="rotate-secret" aria-disabled=${ariaDisabled(this.secretBusy)} @click=${this.rotate}>${this.webhook!.secrets.length ? 'Rotate secret' : 'Generate secret'}</button>
              <p class="muted">Rotating or revoking changes the secrets only: what you typed in the form above stays as it is, still to be saved.</p>
            </fieldset>`
          : html`<label class="check"
              ><input type="checkbox" name="secret" .checked=${this.generateSecret} @change=${(e: Event) => (this.generateSecret = (e.target as HTMLInputElement).checked)} /> Generate a signing secret
              (shown once)</label
            >`}

        <div class="form-actions">
          <button type="submit" class="primary" aria-disabled=${ariaDisabled(this.busy)}>${this.busy ? (editing ? 'Saving…' : 'Creating…') : editing ? 'Save' : 'Create'}</button>
          <a href=${this.backToList}>Cancel</a>
        </div>
      </form>`;
  }
}
