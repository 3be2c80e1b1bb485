import { html, nothing, type TemplateResult } from 'lit';
import { customElement, query, state } from 'lit/decorators.js';
import { keyed } from 'lit/directives/keyed.js';
import { api, ApiError, tokenStore, type Session, type SignedInVia } from './api';
import type { ConfirmDialog } from './confirm-dialog';
import './confirm-dialog';
import { LightElement, problemView, SIGNED_IN_AGAIN, whenBlocked } from './shared';
import type { WebhookEditor } from './webhook-editor';
import './webhook-list';
import './webhook-editor';
import './deliveries-page';
import './delivery-detail';
import './dead-letters-page';
import './test-send-page';
import './catalogue-page';

interface Route {
  name: 'webhooks' | 'new' | 'edit' | 'test' | 'deliveries' | 'delivery' | 'dead-letters' | 'catalogue';
  key?: string;
  query: URLSearchParams;
}

/** A path segment decoded; one with a `%` that is no escape (`#/webhooks/50%`) as it is, not a URIError and a blank page. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** `#/deliveries/abc?outcome=dead` → the route. */
export function parseRoute(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#\/?/, '').split('?');
  const query = new URLSearchParams(search);
  const parts = path.split('/').filter(Boolean).map(decodeSegment);
  if (parts[0] === 'webhooks' && parts[1] === 'new') return { name: 'new', query };
  if (parts[0] === 'webhooks' && parts[1] && parts[2] === 'test') return { name: 'test', key: parts[1], query };
  if (parts[0] === 'webhooks' && parts[1]) return { name: 'edit', key: parts[1], query };
  if (parts[0] === 'deliveries' && parts[1]) return { name: 'delivery', key: parts[1], query };
  if (parts[0] === 'deliveries') return { name: 'deliveries', query };
  if (parts[0] === 'dead-letters') return { name: 'dead-letters', query };
  if (parts[0] === 'catalogue') return { name: 'catalogue', query };
  return { name: 'webhooks', query };
}

/** Which view a route shows: a filter or a page of it (its query) is the same view, another key is another. */
const viewOf = (route: Route) => `${route.name}\u0000${route.key ?? ''}`;

/** Each view's name for the tab's title, until the view names itself (a webhook's name arrives with its data). */
const VIEW_TITLES: Readonly<Record<Route['name'], string>> = {
  webhooks: 'Webhooks',
  new: 'Create webhook',
  edit: 'Edit webhook',
  test: 'Send test event',
  deliveries: 'Deliveries',
  delivery: 'Delivery',
  'dead-letters': 'Dead letters',
  catalogue: 'Event catalogue',
};

/**
 * The token of a `#token=…` fragment, read as the standalone server writes it (percent-encoded)
 * and as people paste it: a `%` that is no escape is taken as it is, an `&` is part of the token
 * (a token is any visible ASCII). Undefined, with why, when there is none a header could carry.
 */
export function tokenFromFragment(hash: string): { token: string } | { problem: string } {
  const raw = hash.replace(/^#token=?/, '');
  const token = raw.replace(/(?:%[0-9A-Fa-f]{2})+/g, (escapes) => {
    try {
      return decodeURIComponent(escapes);
    } catch {
      return escapes;
    }
  });
  if (token === '') return { problem: 'The sign-in link holds no token after #token=: copy the whole link the server printed, or paste the token below.' };
  if (!/^[\x21-\x7e]+$/.test(token)) return { problem: 'The token in the sign-in link has characters no token has (spaces, or letters beyond ASCII): the link was cut or changed on the way. Copy the whole link the server printed again, or paste the token below.' };
  return { token };
}

/**
 * The admin page: signs in as the host's admin takes it (the shell's `data-auth`: a token from
 * the URL fragment or the form, the host's own sign-in, or either), then shows one view at a time
 * by hash route — webhooks, create/edit, test send, deliveries, delivery detail, dead letters, the
 * event catalogue — each named in the tab's title.
 */
@customElement('hw-admin-app')
export class AdminApp extends LightElement {
  @state() private signedIn: 'unknown' | 'yes' | 'no' = 'unknown';
  @state() private who = '';
  /** How the API let this tab in, for Sign out. */
  @state() private via: SignedInVia | undefined;
  @state() private route: Route = parseRoute(window.location.hash);
  @state() private error: unknown;
  /**
   * The tab was refused after the page had been in use (a token changed or expired, the server
   * restarted with another, the host's session ended): the current view stays mounted, hidden,
   * under the sign-in form, so a form filled in is still there once signed in again.
   */
  @state() private sessionEnded = false;
  @query('hw-confirm.leave') private leaveDialog!: ConfirmDialog;
  /** The address the shown view is at: where a navigation away from unsaved changes goes back to. */
  private shownUrl = window.location.href;
  /** The host's title (the plugin's `title` option), after which each view's name goes. */
  private baseTitle = document.title;
  private viewTitle = '';
  /** The token was just taken from a sign-in link: a refusal of it is said as the link's. */
  private fromLink = false;

  /** How the API authenticates (the shell's data-auth): a token, the host's own sign-in, or both. */
  private get methods(): ReadonlySet<SignedInVia> {
    const said = (this.dataset.auth ?? 'token host').split(/\s+/).filter((m): m is SignedInVia => m === 'token' || m === 'host');
    return new Set(said.length > 0 ? said : ['token', 'host']);
  }

  /** The host's sign-out address (the shell's data-sign-out-url), for someone the host let in. */
  private get signOutUrl(): string | undefined {
    return this.dataset.signOutUrl || undefined;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.takeTokenFromUrl();
    this.shownUrl = window.location.href;
    window.addEventListener('hashchange', this.onHashChange);
    window.addEventListener('hw-unauthorized', this.onUnauthorized);
    window.addEventListener('beforeunload', this.onBeforeUnload);
    this.addEventListener('hw-view-title', this.onViewTitle);
    void this.checkSession();
  }

  override disconnectedCallback(): void {
    window.removeEventListener('hashchange', this.onHashChange);
    window.removeEventListener('hw-unauthorized', this.onUnauthorized);
    window.removeEventListener('beforeunload', this.onBeforeUnload);
    this.removeEventListener('hw-view-title', this.onViewTitle);
    super.disconnectedCallback();
  }

  /**
   * A token in the fragment (the standalone server prints such a link) is taken, and the fragment
   * leaves the address bar and history at once — also when the token in it is malformed, which is
   * said; the fragment never reaches a server or its logs. True when there was one.
   */
  private takeTokenFromUrl(): boolean {
    const hash = window.location.hash;
    if (!/^#token(?:=|$)/.test(hash)) return false;
    history.replaceState(null, '', `${window.location.pathname}${window.location.search}#/webhooks`);
    const read = tokenFromFragment(hash);
    if ('token' in read) {
      tokenStore.set(read.token);
      this.error = undefined;
      this.fromLink = true;
    } else {
      // The link was opened to sign in with its token: the one held before is not kept in its place.
      tokenStore.clear();
      this.error = new ApiError({ status: 400, code: 'TOKEN_LINK', title: 'That sign-in link is not usable', detail: read.problem });
    }
    return true;
  }

  /**
   * The editor on screen, when it holds changes not saved — also while it is kept, hidden, under
   * the sign-in form after the session ended: back or a reload there would throw it away too.
   */
  private get unsavedEditor(): WebhookEditor | undefined {
    const editor = this.querySelector<WebhookEditor>('hw-webhook-editor');
    return (this.signedIn === 'yes' || this.sessionEnded) && editor?.dirty ? editor : undefined;
  }

  private readonly onHashChange = async () => {
    // The link pasted into a tab already open on the page changes only the fragment: no reload.
    if (this.takeTokenFromUrl()) void this.checkSession();
    const next = parseRoute(window.location.hash);
    const leaving = viewOf(next) !== viewOf(this.route);
    if (leaving && this.unsavedEditor) {
      // The address is put back while the page asks; a hash change cannot be cancelled.
      const target = window.location.href;
      history.replaceState(null, '', this.shownUrl);
      const yes = await this.leaveDialog.ask({
        title: 'Leave without saving?',
        body: 'The changes made in this form are not saved. Leaving throws them away; Stay keeps the form as it is, so you can save it.',
        confirm: 'Leave and discard the changes',
        cancel: 'Stay',
      });
      if (!yes) return;
      history.replaceState(null, '', target);
    }
    this.shownUrl = window.location.href;
    this.route = next;
    // Only a new view takes the focus to its top: a filter or a page within one (a select, a
    // pager) keeps it where the keyboard is (WCAG 3.2.2, on input).
    if (leaving) {
      this.viewTitle = '';
      await this.updateComplete;
      this.querySelector<HTMLElement>('main')?.focus();
    }
  };

  /** Closing or reloading the tab over unsaved changes: the browser asks (its own words; a page cannot give any). */
  private readonly onBeforeUnload = (event: BeforeUnloadEvent) => {
    if (!this.unsavedEditor) return;
    event.preventDefault();
    event.returnValue = '';
  };

  private readonly onViewTitle = (event: Event) => {
    this.viewTitle = (event as CustomEvent<string>).detail;
    this.setTitle();
  };

  private readonly onUnauthorized = () => {
    if (this.signedIn === 'yes') this.sessionEnded = true;
    this.signedIn = 'no';
  };

  private async checkSession(): Promise<void> {
    try {
      const session = await api<Session>('GET', 'session');
      this.who = session.principal.name ?? session.principal.id;
      this.via = session.via ?? (tokenStore.get() ? 'token' : 'host');
      const again = this.sessionEnded;
      this.signedIn = 'yes';
      this.sessionEnded = false;
      this.error = undefined;
      // The views kept under the sign-in form read again what was refused meanwhile.
      if (again) window.dispatchEvent(new CustomEvent(SIGNED_IN_AGAIN));
    } catch (error) {
      this.signedIn = 'no';
      if (!(error instanceof ApiError && error.problem.status === 401)) this.error = error;
      else if (this.fromLink) {
        this.error = new ApiError({
          status: 400,
          code: 'TOKEN_LINK_REFUSED',
          title: 'The token in that sign-in link was not accepted',
          detail: 'The link may be from an earlier run of the server (a new token is made at each start), or cut short when it was copied. Copy the whole link the server printed now, or paste the token below.',
        });
      }
    } finally {
      this.fromLink = false;
    }
  }

  private async signIn(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const input = (event.target as HTMLFormElement).elements.namedItem('token') as HTMLInputElement;
    tokenStore.set(input.value.trim());
    this.error = undefined;
    await this.checkSession();
    if (this.signedIn === 'no') {
      this.error ??= new ApiError({
        status: 400,
        code: 'TOKEN_REFUSED',
        title: 'That token was not accepted',
        detail: 'Paste the token the server printed when it started (or ask whoever runs it); it is case-sensitive.',
      });
      input.focus();
    } else this.querySelector<HTMLElement>('main')?.focus();
  }

  /** Signed in through the host, and signed in there again meanwhile (in another tab): asks the API again. */
  private async tryAgain(): Promise<void> {
    this.error = undefined;
    await this.checkSession();
    if (this.signedIn === 'no') {
      this.error ??= new ApiError({
        status: 400,
        code: 'STILL_SIGNED_OUT',
        title: 'Still not signed in',
        detail: 'The application this page belongs to does not know this browser yet: sign in there (in another tab, so this one keeps what you were doing), then try again.',
      });
    } else this.querySelector<HTMLElement>('main')?.focus();
  }

  /**
   * Forgets this tab's token, which ends what a token signed in. The API is asked again: a host
   * whose own sign-in also lets this browser in still does (its session is the host's to end).
   */
  private async signOut(): Promise<void> {
    tokenStore.clear();
    this.sessionEnded = false;
    this.who = '';
    this.via = undefined;
    this.signedIn = 'unknown';
    await this.checkSession();
  }

  private setTitle(): void {
    const view = this.signedIn === 'yes' ? this.viewTitle || VIEW_TITLES[this.route.name] : this.signedIn === 'no' ? 'Sign in' : '';
    document.title = view ? `${view} — ${this.baseTitle}` : this.baseTitle;
  }

  /** Sign out as the way in allows: a token is forgotten; a host's session ends at the host's sign-out, or not here at all. */
  private signOutControl(): TemplateResult | typeof nothing {
    if (this.via === 'token') return html`<button type="button" class="link" @click=${this.signOut}>Sign out</button>`;
    if (this.signOutUrl) return html`<a class="sign-out" href=${this.signOutUrl}>Sign out</a>`;
    // Signed in through the host, which gave no sign-out address: a button here could only clear
    // what the page holds, and the next reload would sign in again.
    return nothing;
  }

  override render() {
    const current = this.route.name;
    const nav = (href: string, label: string, active: boolean) => html`<a href=${href} aria-current=${active ? 'page' : nothing}>${label}</a>`;
    return html`<header class="topbar">
        <span class="brand">hookwork</span>
        ${this.signedIn === 'yes'
          ? html`<nav aria-label="Sections">
                ${nav('#/webhooks', 'Webhooks', ['webhooks', 'new', 'edit', 'test'].includes(current))} ${nav('#/deliveries', 'Deliveries', current === 'deliveries' || current === 'delivery')}
                ${nav('#/dead-letters', 'Dead letters', current === 'dead-letters')} ${nav('#/catalogue', 'Event catalogue', current === 'catalogue')}
                <a href="api/reference/">API reference</a>
              </nav>
              <span class="who">${this.who} ${this.signOutControl()}</span>`
          : nothing}
      </header>
      <main tabindex="-1">
        ${this.renderSignIn()}
        <div class="view" ?hidden=${this.signedIn !== 'yes'}>${this.signedIn === 'yes' || this.sessionEnded ? this.renderView() : nothing}</div>
        <hw-confirm class="leave"></hw-confirm>
      </main>`;
  }

  protected override updated(changed: Map<string, unknown>): void {
    if (changed.has('signedIn') || changed.has('route')) this.setTitle();
    // Asked to sign in (on load, or signed out while working): the field that does it takes the
    // focus, so the keyboard is where it is needed.
    if (changed.has('signedIn') && this.signedIn === 'no') (this.querySelector<HTMLElement>('#token') ?? this.querySelector<HTMLElement>('#try-again'))?.focus();
  }

  private renderSignIn() {
    if (this.signedIn === 'unknown') return html`<p class="muted">Loading…</p>`;
    if (this.signedIn === 'yes') return nothing;
    const takesToken = this.methods.has('token');
    const takesHost = this.methods.has('host');
    // The way in that ended, when the page knows it; else what this admin takes.
    const host = this.sessionEnded ? this.via === 'host' || !takesToken : !takesToken;
    return html`<section class="sign-in">
      <h1>${this.sessionEnded ? 'Sign in again' : 'Sign in'}</h1>
      ${this.sessionEnded
        ? host
          ? html`<p role="alert">
              Your session with the application this page belongs to has ended (you signed out there, or it expired). Sign in there again, in another tab so this one keeps what you
              were doing, then press Try again.
            </p>`
          : html`<p role="alert">The server no longer accepts this tab's token (it was changed, or the server restarted with a new one). Sign in again to carry on: what you were doing is kept.</p>`
        : takesToken
          ? takesHost
            ? html`<p>Sign in to the application this page belongs to and press Try again, or paste an admin token.</p>`
            : html`<p>Paste the admin token (the standalone server prints it when it starts).</p>`
          : html`<p>You are not signed in to the application this page belongs to, or your session there has ended. Sign in there, then press Try again.</p>`}
      ${problemView(this.error)}
      ${takesHost ? html`<p><button type="button" id="try-again" class=${takesToken ? '' : 'primary'} @click=${this.tryAgain}>Try again</button></p>` : nothing}
      ${takesToken
        ? html`<form @submit=${this.signIn} @invalid=${whenBlocked(() => (this.error = undefined))}>
            <label for="token">Token</label>
            <input id="token" name="token" type="password" autocomplete="off" required />
            <button type="submit" class="primary">Sign in</button>
          </form>`
        : nothing}
    </section>`;
  }

  private renderView() {
    const { route } = this;
    // Keyed by the view and its key: another webhook, delivery or test is a view of its own, with
    // nothing left of the one before (its form, its secret shown once, its error).
    return keyed(viewOf(route), this.viewFor(route));
  }

  private viewFor(route: Route) {
    switch (route.name) {
      case 'new':
        return html`<hw-webhook-editor .listQuery=${route.query}></hw-webhook-editor>`;
      case 'edit':
        return html`<hw-webhook-editor .webhookKey=${route.key} .listQuery=${route.query}></hw-webhook-editor>`;
      case 'test':
        return html`<hw-test-send .webhookKey=${route.key!} .listQuery=${route.query}></hw-test-send>`;
      case 'deliveries':
        return html`<hw-deliveries .query=${route.query}></hw-deliveries>`;
      case 'delivery':
        return html`<hw-delivery-detail .entryKey=${route.key!} .listQuery=${route.query}></hw-delivery-detail>`;
      case 'dead-letters':
        return html`<hw-dead-letters .query=${route.query}></hw-dead-letters>`;
      case 'catalogue':
        return html`<hw-catalogue></hw-catalogue>`;
      default:
        return html`<hw-webhook-list .query=${route.query}></hw-webhook-list>`;
    }
  }
}
