import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { PAGE_ASSETS_DIR } from '../page-routes';
import { PREFIX, TOKEN } from './admin-fixture';

/** Debian's Chromium; never a browser downloaded by Playwright. */
export const CHROMIUM = '/usr/bin/chromium';
/** The flags this machine needs (no sandbox as root, no GPU, nothing phoning home). */
export const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/**
 * The language the tests' Chromium runs in, whatever the machine's: the page writes dates and
 * counts as the browser's language does (`1,101` here, `1.101` in German), and assertions pin it.
 */
export const BROWSER_LOCALE = 'en-US';

/** A headless Chromium with a profile of its own, in a temporary folder removed by `close()`. */
export interface AdminBrowser {
  context: BrowserContext;
  /** The context's first tab. */
  page: Page;
  close(): Promise<void>;
}

/**
 * Starts Debian's Chromium for the admin page tests, once the page is built: each says what is
 * missing and how to get it (apt-get, npm run build) rather than failing in a launch or a blank page.
 */
export async function launchAdminBrowser(options: { timezoneId?: string } = {}): Promise<AdminBrowser> {
  if (!existsSync(CHROMIUM)) throw new Error(`the admin page tests drive Debian's Chromium at ${CHROMIUM}, which is missing: install it with  apt-get install -y chromium`);
  if (!existsSync(join(PAGE_ASSETS_DIR, 'admin.js'))) throw new Error(`the admin page is not built (${PAGE_ASSETS_DIR}): run  npm run build`);
  const profile = mkdtempSync(join(tmpdir(), 'hookwork-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, viewport: { width: 1280, height: 900 }, locale: BROWSER_LOCALE, ...options });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Waits until `expression`, evaluated in the page, is true: polled from the test, since the page's
 * CSP (script-src 'self') refuses the eval that waitForFunction's in-page polling of a string needs
 * (it failed whenever the first look came too early).
 */
export async function until(tab: Page, expression: string, timeoutMs = 15_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !(await tab.evaluate(expression)); ) {
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${expression}`);
    await tab.waitForTimeout(50);
  }
}

/**
 * Notes into `into` what a user would see go wrong on `tab`: a page error, a console error, an answer
 * of 400 or more. With `'scripts'`, only the script's own errors: a refused call, which the browser
 * also logs as a console error (`Failed to load resource`), is not noted, for tests that provoke them.
 */
export function watchProblems(tab: Page, into: string[], what: 'all' | 'scripts' = 'all'): void {
  tab.on('pageerror', (error) => into.push(`page error: ${error.message}`));
  tab.on('console', (message) => {
    if (message.type() === 'error' && (what === 'all' || !message.text().startsWith('Failed to load resource'))) into.push(`console: ${message.text()}`);
  });
  if (what === 'all') {
    tab.on('response', (response) => {
      if (response.status() >= 400) into.push(`${response.status()} for ${response.url()}`);
    });
  }
}

/**
 * How many elements `locator` matches, read once the page has drawn `expected` of them or 10 s
 * have passed. `locator.count()` alone reads the page as it is at that instant, and the page draws
 * in steps (a heading, then the rows a request brings), so a bare count races the page on a busy
 * machine. Not for 0 (it would return at the first 0) nor where one render must hold both.
 */
export async function settledCount(locator: Locator, expected: number): Promise<number> {
  const deadline = Date.now() + 10_000;
  let count = await locator.count();
  while (count !== expected && Date.now() < deadline) {
    await locator.page().waitForTimeout(50);
    count = await locator.count();
  }
  return count;
}

/** How {@link openAdminPage} opens its tab. */
export interface AdminPageOptions {
  /** The browser to open a tab in (its cookies shared); without it, a Chromium of the tab's own is launched and closed with it. */
  context?: BrowserContext;
  /** The time zone of the Chromium launched (not with `context`): the browser's own otherwise. */
  timezoneId?: string;
  /** Where the tab's problems are noted (one list for several tabs); a list of the tab's own otherwise. */
  problems?: string[];
  /** Which problems are noted (see {@link watchProblems}); `'none'` for a tab whose failures are provoked on purpose. Default `'all'`. */
  watch?: 'all' | 'scripts' | 'none';
  /**
   * A native dialog (alert, confirm, the browser's "leave site?"): the page asks in its own dialogs,
   * so each is noted as a problem and dismissed; with `'problem but leaving'`, the browser's own question on
   * loading afresh over a form with unsaved changes (which no page can word) is accepted, unnoted.
   * Unset: Playwright's default, each dismissed unnoted.
   */
  nativeDialogs?: 'problem' | 'problem but leaving';
  /** Signs in with the fixtures' token from a link and waits for the list of webhooks. */
  signIn?: boolean;
}

/** A tab on the admin page of one server, what goes wrong in it noted. */
export interface AdminPage {
  tab: Page;
  /** What went wrong in the tab that a user would see (see {@link AdminPageOptions.watch}). */
  problems: string[];
  /** Goes to `route` (a fragment such as `#/deliveries`, or none): where only the fragment changes, the page is not loaded again (as a link within it is not). */
  go(route: string): Promise<void>;
  /** The page loaded afresh at `route` (from a blank page, so even the address it is at is read again). */
  load(route: string): Promise<void>;
  /** Closes the tab, and the Chromium launched for it. */
  close(): Promise<void>;
}

/**
 * Opens the admin page of `server` (an admin fixture) in a tab: a new tab of `context`, or the
 * first of a Chromium launched for it, watched for problems before it loads anything.
 */
export async function openAdminPage(server: { origin: string }, options: AdminPageOptions = {}): Promise<AdminPage> {
  if (options.context && options.timezoneId) throw new Error('openAdminPage: a time zone is set on a launched browser, not on a tab of options.context');
  const browser = options.context ? undefined : await launchAdminBrowser(options.timezoneId ? { timezoneId: options.timezoneId } : {});
  const tab = browser ? browser.page : await options.context!.newPage();
  const problems = options.problems ?? [];
  if (options.watch !== 'none') watchProblems(tab, problems, options.watch);
  const nativeDialogs = options.nativeDialogs;
  if (nativeDialogs) {
    tab.on('dialog', (dialog) => {
      if (nativeDialogs === 'problem but leaving' && dialog.type() === 'beforeunload') return void dialog.accept();
      problems.push(`a native ${dialog.type()}: ${dialog.message()}`);
      void dialog.dismiss();
    });
  }
  const url = (route: string) => `${server.origin}${PREFIX}/${route}`;
  const admin: AdminPage = {
    tab,
    problems,
    go: async (route) => void (await tab.goto(url(route))),
    async load(route) {
      await tab.goto('about:blank');
      await tab.goto(url(route));
    },
    close: async () => (browser ? browser.close() : tab.close()),
  };
  if (options.signIn) {
    try {
      await admin.load(`#token=${TOKEN}`);
      await tab.getByRole('heading', { name: 'Webhooks' }).waitFor();
    } catch (error) {
      // Not handed back, so no afterAll could close it: a Chromium left open keeps jest from exiting.
      await admin.close();
      throw error;
    }
  }
  return admin;
}
