import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { documentedTsconfig } from './host-setup-tsconfig';

const ROOT = join(__dirname, '..', '..');
const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const run = promisify(execFile);

// The README's snippets are what a new user copies first. Its verify line did not compile
// (IncomingHttpHeaders is no Record<string, string>), its tour imported './content-cache' (an ESM
// host needs './content-cache.js'), and docs/host-setup.md's tsconfig failed outright: nothing
// compiled them. A Cockpit user starts from docs/cockpit.md and the plugin's README instead, whose
// replacement class had no imports and whose first trigger used an entry it never made. The other
// docs/ pages and the packages' READMEs were not compiled either: @hookwork/postgres's outbox example
// did not compile or run, and a dozen snippets used createHookwork() and the like unimported. Here each
// ```ts block of those pages is compiled as a module
// of an ESM project ("type": "module", module nodenext: the strictest resolution) with the
// tsconfig host-setup.md gives, against the built packages (`npm test` builds first).
jest.setTimeout(180_000);

/** The pages whose every TypeScript snippet must compile as written. */
const PAGES = [
  'README.md',
  'docs/host-setup.md',
  'docs/cockpit.md',
  'plugins/cockpit/README.md',
  // Each package's README, the page its registry entry shows. @hookwork/postgres's outbox example
  // passed the page itself to ContentPublishedNotification, which takes { publishedEntities }: it
  // compiled nowhere and threw HOOKWORK_ERR_INVALID_NOTIFICATION when run. (The receiver's README
  // is compiled by its own docs-examples test.)
  ...['admin', 'bullmq', 'cms', 'core', 'postgres', 'sqlite'].map((name) => `packages/${name}/README.md`),
  // And every other docs/ page (receiver.md too is its package's docs-examples test's): what a user
  // copies after the tour, missing imports included.
  ...readdirSync(join(ROOT, 'docs'))
    .filter((file) => file.endsWith('.md') && !['host-setup.md', 'cockpit.md', 'receiver.md'].includes(file))
    .map((file) => `docs/${file}`),
  // The examples' READMEs quote their sources without the imports: those come from the example's own
  // (built) modules below, so an excerpt cannot drift from the code it quotes.
  ...['custom-event', 'receiver', 'replace-payload'].map((name) => `examples/${name}/README.md`),
];

/**
 * A snippet that is no module: one method of a class (`override createExampleNotification() …`),
 * or a sample of generated output with an elided part (`| …;`).
 */
const isFragment = (code: string): boolean => /^override\s/.test(code.trimStart()) || /^\s*\| …;?$/m.test(code);

/**
 * What the snippets take from the text around them, declared when a snippet uses the name without
 * declaring it: the app of step 1, the webhook of step 4, the admin server of step 6 and the like.
 */
const CONTEXT: Record<string, string[]> = {
  app: ["import type { Hookwork as ContextHookwork } from '@hookwork/core';", 'declare const app: ContextHookwork;'],
  builder: ["import type { WebhooksBuilder as ContextBuilder } from '@hookwork/core';", 'declare const builder: ContextBuilder;'],
  hook: ["import type { Hookwork as ContextHookwork } from '@hookwork/core';", "declare const hook: Awaited<ReturnType<ContextHookwork['webhooks']['create']>>;"],
  fastify: ["import type { FastifyInstance as ContextFastify } from 'fastify';", 'declare const fastify: ContextFastify;'],
  server: ["import type { AdminServer as ContextAdminServer } from '@hookwork/admin';", 'declare const server: ContextAdminServer;'],
  rawBody: ['declare const rawBody: string;'],
  req: ["import type { IncomingMessage as ContextRequest } from 'node:http';", 'declare const req: ContextRequest;'],
  // host-setup.md's shutdown: the host's composers, store and request handler.
  composers: ["import type { Composer as ContextComposer } from '@hookwork/core';", 'declare const composers: ContextComposer[];'],
  storage: ["import type { createHookwork as contextCreateHookwork } from '@hookwork/core';", "declare const storage: NonNullable<NonNullable<Parameters<typeof contextCreateHookwork>[0]>['storage']>;"],
  handle: ["import type { RequestListener as ContextListener } from 'node:http';", 'declare const handle: ContextListener;'],
  // cockpit.md's trigger inside the host's PostgreSQL transaction: the host of its first snippet, the entry it saved.
  cockpit: [
    "import type { CockpitHost as ContextCockpitHost } from '@hookwork/plugin-cockpit';",
    "import type { PostgresTransaction as ContextPostgresTransaction } from '@hookwork/postgres';",
    'declare const cockpit: ContextCockpitHost<ContextPostgresTransaction>;',
  ],
  transaction: ["import type { PostgresTransaction as ContextPostgresTransaction } from '@hookwork/postgres';", 'declare const transaction: ContextPostgresTransaction;'],
  entry: ['declare const entry: { _id: string; title: string };'],
  isUpdate: ['declare const isUpdate: boolean;'],
};

/** @hookwork/postgres's outbox: the host's own pool and the page it publishes. */
const OUTBOX_CONTEXT: Record<string, string[]> = {
  pool: ["import type { Pool as ContextPool } from 'pg';", 'declare const pool: ContextPool;'],
  page: ["import type { CmsContent as ContextCmsContent } from '@hookwork/cms';", 'declare const page: ContextCmsContent;'],
};

/**
 * What the snippets of one page take from the text around them, where the name means something
 * else on another page (or would be declared into every snippet that has a property of that name).
 */
const PAGE_CONTEXT: Record<string, Record<string, string[]>> = {
  'docs/admin.md': {
    auth: ["import type { AdminAuthOptions as ContextAdminAuth } from '@hookwork/admin';", 'declare const auth: ContextAdminAuth;'],
    auditLog: ['declare const auditLog: { write(record: object): void };'],
  },
  'docs/cms-events.md': { MyContentPublishedWebhookEvent: ["import { MyContentPublishedWebhookEvent } from './my-events.js';"] },
  'docs/composition.md': {
    loadShopConfig: ['declare function loadShopConfig(): Promise<{ currency: string }>;'],
    shopComposer: ["import type { Composer as ContextComposer } from '@hookwork/core';", 'declare function shopComposer(config: { currency: string }): ContextComposer;'],
    OrderPlacedWebhookEvent: ["import { OrderPlacedWebhookEvent } from './commerce-events.js';"],
    PaymentCapturedWebhookEvent: ["import { PaymentCapturedWebhookEvent } from './commerce-events.js';"],
    ...Object.fromEntries(['EntryCreatedWebhookEvent', 'EntryUpdatedWebhookEvent', 'EntryDeletedWebhookEvent', 'MediaUploadedWebhookEvent'].map((name) => [name, [`import { ${name} } from './mycms.js';`]])),
  },
  'docs/delivery.md': {
    order: ['declare const order: { id: string; total: number };'],
    OrderPaid: ['declare class OrderPaid { constructor(order: { id: string; total: number }); }'],
  },
  'docs/events.md': {
    id: ['declare const id: string;'],
    cause: ['declare const cause: unknown;'],
    COMMERCE_ERRORS: ["import { COMMERCE_ERRORS } from './commerce-errors.js';"],
    OrderPlaced: ["import { OrderPlaced } from './order-placed.js';"],
    myComposer: ["import type { Composer as ContextComposer } from '@hookwork/core';", 'declare const myComposer: ContextComposer;'],
    expect: ["import { expect } from '@jest/globals';"],
    ...Object.fromEntries(['EntryCreated', 'MediaUploaded'].map((name) => [name, [`import { ${name} } from './mycms.js';`]])),
    ...Object.fromEntries(['MyCmsEntry', 'MyCmsMedia'].map((name) => [name, [`import type { ${name} } from './mycms.js';`]])),
  },
  // The app of the page's first snippet: on PostgreSQL, so it publishes inside a transaction; the
  // outbox's pool and page, as in the package's README.
  'docs/postgres.md': {
    ...OUTBOX_CONTEXT,
    app: ["import type { Hookwork as ContextHookwork } from '@hookwork/core';", "import type { PostgresTransaction as ContextPostgresTransaction } from '@hookwork/postgres';", 'declare const app: ContextHookwork<ContextPostgresTransaction>;'],
  },
  'docs/storage.md': {
    openMyStore: ["import type { RequestQueue as ContextRequestQueue } from '@hookwork/core';", 'declare function openMyStore(name: string): Promise<{ queue: ContextRequestQueue; close(): Promise<void> }>;'],
    freshName: ['declare function freshName(): string;'],
    sameName: ['declare const sameName: string;'],
    connection: ['declare const connection: string;'],
    prefix: ['declare const prefix: string;'],
    n: ['declare let n: number;'],
  },
  'docs/webhooks.md': { key: ['declare const key: string;'] },
  // The examples' READMEs: what each excerpt's file imports, from the example's own modules.
  'examples/custom-event/README.md': {
    Composer: ["import type { Composer } from '@hookwork/core';"],
    createHookwork: ["import { createHookwork } from '@hookwork/core';"],
    cmsComposer: ["import { cmsComposer } from '@hookwork/cms';"],
    commerceComposer: ["import { commerceComposer } from '@hookwork/example-custom-event/dist/commerce-plugin/index.js';"],
  },
  'examples/receiver/README.md': {
    createReceiver: ["import { createReceiver } from '@hookwork/receiver';"],
    expressReceiver: ["import { expressReceiver } from '@hookwork/receiver/express';"],
    SiteEvent: ["import type { SiteEvent } from '@hookwork/example-receiver/dist/site-events.js';"],
    index: ["import type { SearchIndex as ContextSearchIndex } from '@hookwork/example-receiver/dist/search-index.js';", 'declare const index: ContextSearchIndex;'],
    app: ["import type { Express as ContextExpress } from 'express';", 'declare const app: ContextExpress;'],
  },
  'examples/replace-payload/README.md': {
    WebhookEvent: ["import { WebhookEvent } from '@hookwork/core';"],
    WebhookEventTypes: ["import { WebhookEventTypes } from '@hookwork/core';"],
    WebhookEventDependencies: ["import { WebhookEventDependencies } from '@hookwork/core';"],
    ContentPublishedWebhookEvent: ["import { ContentPublishedWebhookEvent } from '@hookwork/cms';"],
    CmsContent: ["import type { CmsContent } from '@hookwork/cms';"],
    ContentCache: ["import { ContentCache } from '@hookwork/example-replace-payload/dist/content-cache.js';"],
    ApiContentBuilder: ["import { ApiContentBuilder } from '@hookwork/example-replace-payload/dist/api-content-builder.js';"],
    contentCache: ["import type { ContentCache as ContextContentCache } from '@hookwork/example-replace-payload/dist/content-cache.js';", 'declare const contentCache: ContextContentCache;'],
  },
  'packages/postgres/README.md': OUTBOX_CONTEXT,
};

/** The host's own modules the snippets import, as the pages describe them. */
const HOST_MODULES: Record<string, string> = {
  'content-cache.ts': 'export class ContentCache {\n  render(key: string): string | null {\n    return key;\n  }\n}\n',
  // docs/events.md's notification, which catalogue.md imports.
  'order-placed.ts': 'export class OrderPlaced {\n  constructor(readonly order: { id: string; total: number; customerId: string }) {}\n}\n',
  // docs/events.md's replacement, which composition.md and cms-events.md use.
  'my-events.ts': [
    "import { WebhookEvent, WebhookEventDependencies, WebhookEventTypes } from '@hookwork/core';",
    "import { ContentPublishedWebhookEvent, type CmsContent } from '@hookwork/cms';",
    "import { ContentCache } from './content-cache.js';",
    "export { ContentCache } from './content-cache.js';",
    "@WebhookEvent('Content Published', WebhookEventTypes.Content)",
    'export class MyContentPublishedWebhookEvent extends ContentPublishedWebhookEvent {',
    '  constructor(deps: WebhookEventDependencies, private readonly cache: ContentCache) {',
    '    super(deps);',
    '  }',
    '  override convertEntityToRequestPayload(content: CmsContent) {',
    "    return { myData: 'Your data', publishedContent: this.cache.render(content.key) };",
    '  }',
    '}',
    '',
  ].join('\n'),
  // composition.md's extension adds these.
  'commerce-events.ts': [
    "import { WebhookEvent, WebhookEventBase, WebhookEventTypes } from '@hookwork/core';",
    "import { OrderPlaced } from './order-placed.js';",
    'export class PaymentCaptured {\n  constructor(readonly id: string) {}\n}',
    "@WebhookEvent('Order Placed', WebhookEventTypes.Other, { alias: 'commerce.orderPlaced', notification: OrderPlaced })",
    'export class OrderPlacedWebhookEvent extends WebhookEventBase<OrderPlaced> {}',
    "@WebhookEvent('Payment Captured', WebhookEventTypes.Other, { alias: 'commerce.paymentCaptured', notification: PaymentCaptured })",
    'export class PaymentCapturedWebhookEvent extends WebhookEventBase<PaymentCaptured> {}',
    '',
  ].join('\n'),
  // The MyCms plugin of composition.md's configure-function builder and events.md's trigger helper.
  'mycms.ts': [
    "import { WebhookEvent, WebhookEventBase } from '@hookwork/core';",
    'export interface MyCmsEntry { id: string; collection: string; data: Record<string, unknown> }',
    'export interface MyCmsMedia { id: string; fileName: string; size: number }',
    'export class EntryCreated { constructor(readonly entries: MyCmsEntry[], readonly userId?: string) {} }',
    'export class EntryUpdated { constructor(readonly entries: MyCmsEntry[], readonly userId?: string) {} }',
    'export class EntryDeleted { constructor(readonly entries: MyCmsEntry[], readonly userId?: string) {} }',
    'export class MediaUploaded { constructor(readonly media: MyCmsMedia, readonly userId?: string) {} }',
    "@WebhookEvent('Entry Created', 'Entry', { alias: 'entry.create', notification: EntryCreated })",
    'export class EntryCreatedWebhookEvent extends WebhookEventBase<EntryCreated> {}',
    "@WebhookEvent('Entry Updated', 'Entry', { alias: 'entry.update', notification: EntryUpdated })",
    'export class EntryUpdatedWebhookEvent extends WebhookEventBase<EntryUpdated> {}',
    "@WebhookEvent('Entry Deleted', 'Entry', { alias: 'entry.delete', notification: EntryDeleted })",
    'export class EntryDeletedWebhookEvent extends WebhookEventBase<EntryDeleted> {}',
    "@WebhookEvent('Media Uploaded', 'Media', { alias: 'media.upload', notification: MediaUploaded })",
    'export class MediaUploadedWebhookEvent extends WebhookEventBase<MediaUploaded> {}',
    '',
  ].join('\n'),
  // events.md's error catalogue, which its catalogue test uses.
  'commerce-errors.ts': [
    "import { defineErrorCodes } from '@hookwork/core';",
    "export const COMMERCE_ERRORS = defineErrorCodes('@acme/commerce', {",
    "  ACME_COMMERCE_ERR_BAD_ORDER: { summary: 'An order was published without lines.', status: 400 },",
    '});',
    '',
  ].join('\n'),
  // What an auth plugin declares (README step 6; docs/admin.md's comment gives this shape).
  'fastify-user.ts': "import 'fastify';\ndeclare module 'fastify' {\n  interface FastifyRequest {\n    user?: { id: string; name?: string; isAdmin?: boolean };\n  }\n}\n",
};

interface Snippet {
  page: string;
  line: number;
  code: string;
}

function snippets(): Snippet[] {
  const found: Snippet[] = [];
  for (const page of PAGES) {
    const lines = readFileSync(join(ROOT, page), 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (!/^```(ts|typescript)\s*$/.test(lines[i]!)) continue;
      const start = i + 1;
      let end = start;
      while (end < lines.length && !lines[end]!.startsWith('```')) end++;
      const code = lines.slice(start, end).join('\n');
      if (!isFragment(code)) found.push({ page, line: start + 1, code });
      i = end;
    }
  }
  return found;
}

const declares = (code: string, name: string) =>
  new RegExp(`\\b(const|let|var|class|function|interface|type)\\s+${name}\\b`).test(code) || new RegExp(`import[^;]*\\b${name}\\b[^;]*from`).test(code);

/** A snippet as a module: the context it uses (`offset` lines), then the snippet line for line. */
function moduleOf(snippet: Snippet): { text: string; offset: number } {
  const context = { ...CONTEXT, ...PAGE_CONTEXT[snippet.page] };
  const header = [...new Set(Object.entries(context).flatMap(([name, lines]) => (new RegExp(`\\b${name}\\b`).test(snippet.code) && !declares(snippet.code, name) ? lines : [])))];
  return { text: `${[...header, snippet.code].join('\n')}\nexport {};\n`, offset: header.length };
}

describe("the README's, host-setup.md's, the packages' READMEs' and the Cockpit plugin's TypeScript snippets", () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookwork-readme-snippets-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('compile as written in an ESM host with the tsconfig host-setup.md gives', async () => {
    const found = snippets();
    expect(found.length).toBeGreaterThanOrEqual(8); // the tour's seven steps and the verify line at least
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'readme-snippets', private: true, type: 'module' }));
    for (const [file, text] of Object.entries(HOST_MODULES)) writeFileSync(join(dir, file), text);
    mkdirSync(join(dir, 'snippets'));
    const where = new Map<string, { snippet: Snippet; offset: number }>();
    found.forEach((snippet, i) => {
      const file = `snippets/s${String(i).padStart(2, '0')}.ts`;
      const { text, offset } = moduleOf(snippet);
      // One level down: the host modules are imported as './content-cache.js' from the project's root.
      writeFileSync(join(dir, file), text.replace(/from '\.\//g, "from '../"));
      where.set(file, { snippet, offset });
    });
    const compilerOptions = { ...documentedTsconfig(), module: 'nodenext', noEmit: true, types: ['node'], skipLibCheck: true };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['*.ts', 'snippets/*.ts'] }));
    let errors: string[] = [];
    try {
      await run(process.execPath, [tsc, '-p', 'tsconfig.json', '--pretty', 'false'], { cwd: dir });
    } catch (error) {
      const out = (error as { stdout?: string }).stdout;
      if (!out) throw error;
      errors = out
        .split('\n')
        .filter((line) => /error TS\d+/.test(line))
        .map((line) => {
          // snippets/s03.ts(5,10): error … → README.md:112: error …
          const m = /^(snippets\/s\d+\.ts)\((\d+),\d+\): (.*)$/.exec(line);
          const at = m && where.get(m[1]!);
          return at ? `${at.snippet.page}:${at.snippet.line + Number(m![2]) - 1 - at.offset}: ${m![3]}` : line;
        });
    }
    expect(errors).toEqual([]);
  });
});

// @hookwork/core's README's first script sent to https://example.com/hooks: where that host could not
// be reached (CI, sandboxes, offline) it stopped after 30 s with HOOKWORK_ERR_DRAIN_TIMEOUT. It now
// starts its own receiver on 127.0.0.1; here it is compiled as written and run, and must print what
// arrived and exit on its own.
describe("@hookwork/core's README's first script", () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookwork-core-readme-run-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs as written, delivers to its own receiver and exits', async () => {
    const first = snippets().find((snippet) => snippet.page === 'packages/core/README.md');
    expect(first).toBeDefined();
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'core-readme-run', private: true, type: 'module' }));
    writeFileSync(join(dir, 'first.ts'), first!.code);
    const compilerOptions = { ...documentedTsconfig(), module: 'nodenext', outDir: 'out', types: ['node'], skipLibCheck: true };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['first.ts'] }));
    await run(process.execPath, [tsc, '-p', 'tsconfig.json', '--pretty', 'false'], { cwd: dir });
    const { stdout } = await run(process.execPath, [join(dir, 'out', 'first.js')], { cwd: dir, timeout: 60_000 });
    expect(stdout).toMatch(/^received msg_\S+ .*"id":"o-1".*"total":42/m);
  });
});
