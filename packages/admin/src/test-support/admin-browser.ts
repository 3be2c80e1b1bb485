import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { PAGE_ASSETS_DIR } from '../page-routes';

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
export async function launchAdminBrowser(): Promise<AdminBrowser> {
  if (!existsSync(CHROMIUM)) throw new Error(`the admin page tests drive Debian's Chromium at ${CHROMIUM}, which is missing: install it with  apt-get install -y chromium`);
  if (!existsSync(join(PAGE_ASSETS_DIR, 'admin.js'))) throw new Error(`the admin page is not built (${PAGE_ASSETS_DIR}): run  npm run build`);
  const profile = mkdtempSync(join(tmpdir(), 'hookwork-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, viewport: { width: 1280, height: 900 }, locale: BROWSER_LOCALE });
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

/** Notes into `into` what a user would see go wrong on `tab`: a page error, a console error, an answer of 400 or more. */
export function watchProblems(tab: Page, into: string[]): void {
  tab.on('pageerror', (error) => into.push(`page error: ${error.message}`));
  tab.on('console', (message) => {
    if (message.type() === 'error') into.push(`console: ${message.text()}`);
  });
  tab.on('response', (response) => {
    if (response.status() >= 400) into.push(`${response.status()} for ${response.url()}`);
  });
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
