import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ADMIN_ERRORS } from './admin-errors';
import type { AdminAuthMethod } from './auth';

/**
 * Where the admin page's built assets are: `dist/page` of this package, written by
 * `npm run build` (scripts/build-page.mjs). The path is the same from `src/` (tests) and `dist/`.
 */
export const PAGE_ASSETS_DIR = join(__dirname, '..', 'dist', 'page');

/** The files of swagger-ui-dist the API reference page loads (and nothing else of that package). */
const SWAGGER_UI_FILES = new Set(['swagger-ui.css', 'swagger-ui-bundle.js']);

/**
 * The page runs its own bundled script and stylesheet only: no inline script or style, no other
 * origin, no framing. A receiver's `<script>` shown in a response body could not run even if
 * it were ever put into markup.
 */
const PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
/** Swagger UI sets inline style attributes and draws icons from data: URIs. */
const REFERENCE_CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self' data:; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

function secureHeaders(reply: FastifyReply, csp: string): void {
  reply.header('content-security-policy', csp).header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer').header('x-frame-options', 'DENY');
}

const escapeAttribute = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The page's HTML shell: no data in it (everything comes from the API, authenticated) but how it
 * may sign in — a token, the host's own sign-in, or either — and where the host's sign-out is:
 * what a login page says too, so the page asks for what the API takes.
 */
function pageHtml(base: string, title: string, auth: PageAuth): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<base href="${escapeAttribute(base)}">
<title>${escapeAttribute(title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="assets/admin.css">
<script type="module" src="assets/admin.js"></script>
</head>
<body>
<hw-admin-app data-auth="${escapeAttribute(auth.methods.join(' '))}"${auth.signOutUrl !== undefined ? ` data-sign-out-url="${escapeAttribute(auth.signOutUrl)}"` : ''}></hw-admin-app>
<noscript>The hookwork admin page needs JavaScript; the API reference is at api/reference/.</noscript>
</body>
</html>
`;
}

function referenceHtml(base: string, title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<base href="${escapeAttribute(base)}">
<title>${escapeAttribute(title)} — API reference</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="api/reference/swagger-ui/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="api/reference/swagger-ui/swagger-ui-bundle.js"></script>
<script src="assets/reference.js"></script>
</body>
</html>
`;
}

/** Options of {@link registerPage}. */
export interface PageOptions {
  /** Serve the admin page (default true). */
  page: boolean;
  /** Serve the API reference page (default true). */
  apiReference: boolean;
  title: string;
  auth: PageAuth;
}

/** How the page may sign in: what the API's authentication takes, and the host's sign-out address. */
export interface PageAuth {
  methods: readonly AdminAuthMethod[];
  signOutUrl: string | undefined;
}

/**
 * The admin page and the API reference page, under the plugin's prefix. Both are shells that hold
 * no data: they are served without authentication (as a login page is), and everything they show
 * comes from the API, which authenticates every request. The assets are this package's own files
 * (built by `npm run build`) and Swagger UI's from swagger-ui-dist: nothing is fetched from
 * another origin, at build time or at run time.
 */
export async function registerPage(fastify: FastifyInstance, options: PageOptions): Promise<void> {
  if (!options.page && !options.apiReference) return;
  if (!existsSync(join(PAGE_ASSETS_DIR, 'admin.js'))) {
    throw ADMIN_ERRORS.create('HOOKWORK_ERR_ADMIN_PAGE_NOT_BUILT', `the admin page's assets are missing from ${PAGE_ASSETS_DIR}; run npm run build (or pass page: false and apiReference: false to serve the API alone)`);
  }
  const base = `${fastify.prefix.replace(/\/$/, '')}/`;
  const hide = { hide: true };

  await fastify.register(async (pages) => {
    pages.addHook('onSend', async (request, reply) => {
      secureHeaders(reply, request.url.startsWith(`${base}api/reference`) ? REFERENCE_CSP : PAGE_CSP);
    });
    await pages.register(fastifyStatic, { root: PAGE_ASSETS_DIR, prefix: '/assets/', decorateReply: false, index: false, cacheControl: true, maxAge: 0 });
    if (options.page) {
      const html = pageHtml(base, options.title, options.auth);
      pages.get('/', { schema: hide }, (_request, reply) => reply.type('text/html; charset=utf-8').send(html));
    }
    if (options.apiReference) {
      const html = referenceHtml(base, options.title);
      pages.get('/api/reference', { schema: hide }, (_request, reply) => reply.redirect(`${base}api/reference/`));
      pages.get('/api/reference/', { schema: hide }, (_request, reply) => reply.type('text/html; charset=utf-8').send(html));
      await pages.register(fastifyStatic, {
        root: dirname(require.resolve('swagger-ui-dist/package.json')),
        prefix: '/api/reference/swagger-ui/',
        decorateReply: false,
        index: false,
        allowedPath: (pathName) => SWAGGER_UI_FILES.has(pathName.replace(/^\//, '')),
      });
    }
  });
}
