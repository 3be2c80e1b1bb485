import { html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { api, ApiError, tokenStore } from './api';
import { LightElement, problemView, whenBlocked } from './shared';
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

/** `#/deliveries/abc?outcome=dead` → the route. */
function parseRoute(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#\/?/, '').split('?');
  const query = new URLSearchParams(search);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'webhooks' && parts[1] === 'new') return { name: 'new', query };
  if (parts[0] === 'webhooks' && parts[1] && parts[2] === 'test') return { name: 'test', key: parts[1], query };
  if (parts[0] === 'webhooks' && parts[1]) return { name: 'edit', key: parts[1], query };
  if (parts[0] === 'deliveries' && parts[1]) return { name: 'delivery', key: parts[1], query };
  if (parts[0] === 'deliveries') return { name: 'deliveries', query };
  if (parts[0] === 'dead-letters') return { name: 'dead-letters', query };
  if (parts[0] === 'catalogue') return { name: 'catalogue', query };
  return { name: 'webhooks', query };
}

/**
 * The admin page: signs in (a token from the URL fragment, from the form, or the host's own
 * session), then shows one page at a time by hash route — webhooks, create/edit, test send,
 * deliveries, delivery detail, dead letters, the event catalogue.
 */
@customElement('hw-admin-app')
export class AdminApp extends LightElement {
  @state() private signedIn: 'unknown' | 'yes' | 'no' = 'unknown';
  @state() private who = '';
  @state() private route: Route = parseRoute(window.location.hash);
  @state() private error: unknown;
  /**
   * The token was refused after the page had been in use (changed, expired, the server restarted
   * with another): the current view stays mounted, hidden, under the sign-in form, so a form
   * filled in is still there once signed in again.
   */
  @state() private sessionEnded = false;

  override connectedCallback(): void {
    super.connectedCallback();
    this.takeTokenFromUrl();
    window.addEventListener('hashchange', this.onHashChange);
    window.addEventListener('hw-unauthorized', this.onUnauthorized);
    void this.checkSession();
  }

  override disconnectedCallback(): void {
    window.removeEventListener('hashchange', this.onHashChange);
    window.removeEventListener('hw-unauthorized', this.onUnauthorized);
    super.disconnectedCallback();
  }

  /**
   * A token in the fragment (the standalone server prints such a link) is taken and removed from
   * the address bar and history; the fragment never reaches a server or its logs. True when one was.
   */
  private takeTokenFromUrl(): boolean {
    const fromUrl = /^#token=([^&]+)/.exec(window.location.hash);
    if (!fromUrl) return false;
    tokenStore.set(decodeURIComponent(fromUrl[1]!));
    history.replaceState(null, '', `${window.location.pathname}${window.location.search}#/webhooks`);
    return true;
  }

  private readonly onHashChange = () => {
    // The link pasted into a tab already open on the page changes only the fragment: no reload.
    if (this.takeTokenFromUrl()) {
      this.error = undefined;
      void this.checkSession();
    }
    this.route = parseRoute(window.location.hash);
    this.querySelector<HTMLElement>('main')?.focus();
  };

  private readonly onUnauthorized = () => {
    if (this.signedIn === 'yes') this.sessionEnded = true;
    this.signedIn = 'no';
  };

  private async checkSession(): Promise<void> {
    try {
      const session = await api<{ principal: { id: string; name?: string } }>('GET', 'session');
      this.who = session.principal.name ?? session.principal.id;
      this.signedIn = 'yes';
      this.error = undefined;
    } catch (error) {
      this.signedIn = 'no';
      if (!(error instanceof ApiError && error.problem.status === 401)) this.error = error;
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
    }
    else this.querySelector<HTMLElement>('main')?.focus();
  }

  private signOut(): void {
    tokenStore.clear();
    this.signedIn = 'no';
    this.sessionEnded = false;
    this.who = '';
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
              <span class="who">${this.who} <button type="button" class="link" @click=${this.signOut}>Sign out</button></span>`
          : nothing}
      </header>
      <main tabindex="-1">
        ${this.renderSignIn()}
        <div class="view" ?hidden=${this.signedIn !== 'yes'}>${this.signedIn === 'yes' || this.sessionEnded ? this.renderView() : nothing}</div>
      </main>`;
  }

  protected override updated(changed: Map<string, unknown>): void {
    // Signed out while working: the token field takes the focus, so the keyboard is where it is needed.
    if (changed.has('sessionEnded') && this.sessionEnded && this.signedIn === 'no') this.querySelector<HTMLInputElement>('#token')?.focus();
  }

  private renderSignIn() {
    if (this.signedIn === 'unknown') return html`<p class="muted">Loading…</p>`;
    if (this.signedIn === 'yes') return nothing;
    return html`<section class="sign-in">
      <h1>${this.sessionEnded ? 'Sign in again' : 'Sign in'}</h1>
      ${this.sessionEnded
        ? html`<p role="alert">The server no longer accepts this tab's token (it was changed, or the server restarted with a new one). Sign in again to carry on: what you were doing is kept.</p>`
        : html`<p>Paste the admin token (the standalone server prints it when it starts).</p>`}
      ${problemView(this.error)}
      <form @submit=${this.signIn} @invalid=${whenBlocked(() => (this.error = undefined))}>
        <label for="token">Token</label>
        <input id="token" name="token" type="password" autocomplete="off" required />
        <button type="submit" class="primary">Sign in</button>
      </form>
    </section>`;
  }

  private renderView() {
    const { route } = this;
    switch (route.name) {
      case 'new':
        return html`<hw-webhook-editor></hw-webhook-editor>`;
      case 'edit':
        return html`<hw-webhook-editor .webhookKey=${route.key}></hw-webhook-editor>`;
      case 'test':
        return html`<hw-test-send .webhookKey=${route.key!}></hw-test-send>`;
      case 'deliveries':
        return html`<hw-deliveries .query=${route.query}></hw-deliveries>`;
      case 'delivery':
        return html`<hw-delivery-detail .entryKey=${route.key!}></hw-delivery-detail>`;
      case 'dead-letters':
        return html`<hw-dead-letters .query=${route.query}></hw-dead-letters>`;
      case 'catalogue':
        return html`<hw-catalogue></hw-catalogue>`;
      default:
        return html`<hw-webhook-list .query=${route.query}></hw-webhook-list>`;
    }
  }
}
