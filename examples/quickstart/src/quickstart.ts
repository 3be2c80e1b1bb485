import { join } from 'node:path';
import { cmsComposer, ContentDeletedNotification, ContentPublishedNotification, ContentUnpublishedNotification, MediaSavedNotification, type CmsContent, type CmsMedia } from '@hookwork/cms';
import { startAdminServer } from '@hookwork/admin';
import { consoleLogger, createHookwork, maskUrlCredentials, type AttemptInfo, type DeliveryLogEntry, type Hookwork, type Logger, type WebhookView } from '@hookwork/core';
import { bullmqQueue, removeBullmqQueue } from '@hookwork/bullmq';
import { postgresStorage } from '@hookwork/postgres';
import { sqliteStorage } from '@hookwork/sqlite';
import { holdAdminPort, type HeldAdminPort } from './admin-port';
import type { QuickstartOptions } from './cli-options';
import { ensureDataDir } from './data-dir';
import { forTheCommandLine } from './flag-messages';
import { lockRun, type RunLock } from './run-lock';
import { trackRun, type RunHeld, type RunTracker } from './run-tracker';
import { startVerifyingReceiver, type VerifyingReceiver } from './verifying-receiver';

/** What a run did, for the exit code and for tests. */
export interface QuickstartResult {
  published: number;
  /** Requests an earlier run left held for the same --target, taken over and waited for by this run (0 when none). */
  carried: number;
  delivered: number;
  deadLettered: number;
  /** Requests the run left waiting because the webhook's breaker opened or it was disabled (0 when every one settled). */
  held: number;
  /** Requests the built-in receiver accepted (undefined with --target). */
  received?: VerifyingReceiver['received'];
  /** Requests whose signature the built-in receiver rejected. */
  rejected?: VerifyingReceiver['rejected'];
  log: DeliveryLogEntry[];
}

const KEY_PREFIX = 'quickstart-';
/** The BullMQ queue with --redis when --queue names none. */
const DEFAULT_REDIS_QUEUE = 'hookwork-quickstart';
const BLOG_POST = { key: '6f1ab7a6-3d3a-4c8e-9d8e-0b9f1c1d2e01', alias: 'blogPost' };
const LANDING_PAGE = { key: '0d0b6a2e-1f7c-4f55-8a4e-5c2b9e7f3a10', alias: 'landingPage' };
const IMAGE = { key: 'cc07b313-0843-4aa8-bbda-871c8da728c8', alias: 'Image' };

const post = (key: string, name: string, path: string): CmsContent => ({
  key,
  name,
  contentType: BLOG_POST,
  createDate: '2026-11-20T09:12:44.1234567',
  updateDate: '2026-11-22T08:30:00.0000000',
  publishDate: '2026-11-22T08:30:00.0000000',
  cultures: { 'en-US': { name, publishDate: '2026-11-22T08:30:00.0000000' } },
  route: { path, startItem: { id: 'c1922956-7855-4fa0-8f2c-7af149a92135', path: 'home' } },
  properties: { title: name, tags: ['news'] },
});

/** The run was stopped through its signal (Ctrl-C, SIGTERM, a closed stdout); the app was stopped first. */
export class QuickstartStopped extends Error {
  override readonly name = 'QuickstartStopped';
}

/**
 * The tour: publishes realistic CMS notifications through an app on SQLite and delivers them,
 * signed, to a receiver that verifies them — refusing one at first so a retry shows.
 *
 * When `signal` aborts, the run stops the app (which gives its claimed requests back to the
 * queue, so the next run does not wait for their leases) and rejects with QuickstartStopped.
 */
export async function runQuickstart(options: QuickstartOptions, print: (line: string) => void, progress?: (line: string) => void, signal?: AbortSignal): Promise<QuickstartResult> {
  // --admin-port taken: refused before the data folder, the store or a delivery, not after the tour.
  const adminPort = options.admin && options.adminPort !== undefined ? await holdAdminPort(options.adminPort) : undefined;
  try {
    return await runTour(options, print, progress, signal, adminPort);
  } finally {
    await adminPort?.release();
  }
}

async function runTour(options: QuickstartOptions, print: (line: string) => void, progress: ((line: string) => void) | undefined, signal: AbortSignal | undefined, adminPort: HeldAdminPort | undefined): Promise<QuickstartResult> {
  const postgresSchema = options.postgresSchema ?? 'hookwork_quickstart';
  const redisQueue = options.redisQueue ?? DEFAULT_REDIS_QUEUE;
  if (!options.postgres) ensureDataDir(options.dataDir);
  // What the first line names as the store: the SQLite file, or the server (without credentials) and schema.
  const file = options.postgres ? `PostgreSQL ${maskUrlCredentials(options.postgres)} (schema ${postgresSchema})` : join(options.dataDir, 'hookwork.db');
  // A target named on the command line is trusted, on its port when it names one ("[::1]:4000").
  const targetUrl = options.target ? new URL(options.target) : undefined;
  const targetHost = targetUrl ? (targetUrl.port ? targetUrl.host : targetUrl.hostname.replace(/^\[|\]$/g, '')) : undefined;
  const app = createHookwork({
    composers: [cmsComposer()],
    // --postgres: webhooks, the queue and the log in PostgreSQL, which several instances may share.
    storage: options.postgres ? postgresStorage({ connectionString: options.postgres, schema: postgresSchema }) : sqliteStorage({ file }),
    // --redis: requests live in Redis as BullMQ jobs; webhooks and the delivery log stay in SQLite.
    ...(options.redis ? { queue: bullmqQueue({ connection: options.redis, queueName: redisQueue }) } : {}),
    logger: commandLineLogger(options),
    settings: {
      // A short schedule for the demo; the default is 5 s, 5 min, 30 min, 2 h, 5 h, 10 h.
      retrySchedule: [1_000, 2_000, 4_000],
      maximumRetries: 3,
      timeout: 5_000,
      // The built-in receiver is on loopback: narrowed to its port once it listens (tour()).
      ssrf: { allow: [targetHost ?? '127.0.0.1'] },
    },
  });
  let receiver: VerifyingReceiver | undefined;
  // Whether app.start() has finished (either way), and whether it succeeded.
  let startSettled = false;
  let started = false;
  let lock: RunLock | undefined;
  let stopped: () => void = () => {};
  const onAbort = () => stopped();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const aborted = new Promise<never>((_, reject) => (stopped = () => reject(new QuickstartStopped(`stopped (${String(signal?.reason ?? 'aborted')})`))));
    if (signal?.aborted) stopped();
    const run = (async () => {
      // Held before the app starts: its dispatcher would claim another run's requests at once.
      lock = await lockRun({ dataDir: options.dataDir, postgresSchema, ...(options.postgres ? { postgres: options.postgres } : {}), redis: options.redis !== undefined });
      try {
        await app.start();
      } finally {
        startSettled = true;
      }
      started = true;
      return tour(app, options, file, print, progress, signal, (r) => (receiver = r));
    })();
    // The run's own awaits may fail once the app is stopped under them; only the abort counts then.
    run.catch(() => {});
    aborted.catch(() => {});
    const result = await Promise.race([run, aborted]);
    // --admin: the tour is done; Ctrl-C now is the way out, not an interruption.
    if (options.admin) await serveAdmin(app, options, print, signal, adminPort);
    return result;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    // Stopped while still starting (Ctrl-C while Redis or PostgreSQL does not answer): stop()
    // would wait for start() to give up first, which may be never. Nothing is claimed or sent
    // before start() ends, so there is nothing to give back: the process exits and its sockets go.
    if (startSettled) await app.stop();
    else void app.stop().catch(() => {});
    await receiver?.close();
    await lock?.release();
    // A queue this run never reached (Redis down, stopped while connecting) has nothing of it to remove.
    if (options.redis && started) await removeEmptyQueue(options.redis, redisQueue, print);
  }
}

/** The console logger, its messages naming the flags (--redis, --postgres) rather than the options a program sets. */
function commandLineLogger(options: QuickstartOptions): Logger {
  const logger = consoleLogger();
  const say = (level: keyof Logger) => (message: string, meta?: Record<string, unknown>) => logger[level](forTheCommandLine(message, options), meta);
  return { debug: say('debug'), info: say('info'), warn: say('warn'), error: say('error') };
}

/**
 * --redis: the BullMQ queue is the quickstart's own, and once a run has delivered everything it
 * holds only BullMQ's bookkeeping (meta, the id counter, the events stream): deleted, so a demo
 * leaves nothing in the Redis it was pointed at. A queue still holding requests (a run stopped
 * with Ctrl-C) is kept, as the SQLite file is: the next run reports them and drops them. So is a
 * queue another app runs on.
 */
async function removeEmptyQueue(redis: string, queueName: string, print: (line: string) => void): Promise<void> {
  try {
    const { removed, counts, inUse } = await removeBullmqQueue({ connection: redis, queueName });
    if (removed) return;
    if (inUse) print(`kept the BullMQ queue ${queueName} in Redis: another app runs on it (a quickstart run elsewhere, or an app given the same queue)`);
    else print(`kept the BullMQ queue ${queueName} in Redis: it holds ${counts.pending} pending, ${counts.inFlight} in flight and ${counts.dead} dead-lettered requests, which the next run reports`);
  } catch (error) {
    print(`could not remove the BullMQ queue ${queueName} from Redis (${(error as Error)?.message ?? error}); its keys are bull:${queueName}:*`);
  }
}

/**
 * Keeps the app (and the built-in receiver) running with the admin page on 127.0.0.1 until
 * `signal` aborts; the server prints its URL and the token it generated.
 */
async function serveAdmin(app: Hookwork, options: QuickstartOptions, print: (line: string) => void, signal: AbortSignal | undefined, adminPort: HeldAdminPort | undefined): Promise<void> {
  if (!signal) throw new Error('--admin runs until its signal aborts; pass one');
  print('');
  await adminPort?.release();
  const server = await startAdminServer(app, { host: '127.0.0.1', port: options.adminPort ?? 0, print });
  print('The app and its admin page keep running: redeliver, send test events and edit webhooks from the page. Ctrl-C stops them.');
  try {
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
  } finally {
    await server.close();
  }
}

async function tour(
  app: Hookwork,
  options: QuickstartOptions,
  file: string,
  print: (line: string) => void,
  progress: ((line: string) => void) | undefined,
  signal: AbortSignal | undefined,
  started: (receiver: VerifyingReceiver) => void,
): Promise<QuickstartResult> {
  const leftovers = await app.queueCounts();
  // Runs share the data folder (that is the point of a durable store). Each run gets a webhook
  // of its own; an earlier run's webhook is deleted, so requests it left behind (a run stopped
  // with Ctrl-C) are dropped and logged rather than sent to this run's receiver — except the one
  // an earlier run left holding requests for this same --target (its breaker open, or disabled):
  // "run again" once the endpoint answers takes it over, and its requests go out with this run's.
  const earlier = (await app.webhooks.list({ limit: 1000 })).items.filter((old) => old.key.startsWith(KEY_PREFIX));
  const takeOver = options.target ? await heldFor(app, earlier, options.target, options.secret) : undefined;
  for (const old of earlier) if (old.key !== takeOver?.webhook.key) await app.webhooks.delete(old.key);
  const webhookKey = takeOver?.webhook.key ?? `${KEY_PREFIX}${Date.now()}`;
  const { headers } = app.settings;
  const definition = {
    name: 'Quickstart receiver',
    events: app.events().map((e) => e.alias),
    contentTypeKeys: [BLOG_POST.key, IMAGE.key],
    headers: { 'X-Quickstart': 'hello from hookwork' },
  };
  let created: { events: readonly string[]; secret?: string };
  let logged = 0;
  if (takeOver) {
    logged = (await app.logs(webhookKey, { limit: 1 })).total;
    // Enabled afresh, as an operator does once the endpoint is fixed: the webhook's health is
    // forgotten (its breaker closes) and what it held — requests deferred to the breaker's next
    // probe, or kept while hookwork had it disabled — is due now (docs/health.md).
    await app.webhooks.update(webhookKey, { ...definition, enabled: false });
    created = await app.webhooks.update(webhookKey, { enabled: true });
  } else {
    created = await app.webhooks.create({ key: webhookKey, url: options.target ?? 'http://127.0.0.1/placeholder', ...definition, ...(options.secret ? { secret: options.secret } : { secret: true }) });
  }
  const secret = options.secret ?? created.secret;
  let receiver: VerifyingReceiver | undefined;
  if (!options.target) {
    signal?.throwIfAborted();
    receiver = await startVerifyingReceiver({ secret: secret!, eventHeader: headers.event, retryHeader: headers.retryCount, refuseFirst: (event) => event === 'Umbraco.ContentUnpublish' });
    started(receiver);
    // Only the built-in receiver's port, now that it is known: a bare 127.0.0.1 would let a
    // webhook made on the admin page (--admin) send to any local port, the admin server's too.
    app.updateSettings({ ssrf: { allow: [new URL(receiver.url).host] } });
    await app.webhooks.update(webhookKey, { url: receiver.url });
  }
  const carried = takeOver?.queued ?? 0;
  const others = { ...leftovers, pending: leftovers.pending - carried };
  print(`hookwork quickstart — store: ${file}${options.redis ? `, queue: BullMQ on ${maskUrlCredentials(options.redis)} (queue ${options.redisQueue ?? DEFAULT_REDIS_QUEUE})` : ''}${describeLeftovers(others)}`);
  if (takeOver) {
    print(`taking over webhook "${webhookKey}" from an earlier run: it holds ${carried} request${carried === 1 ? '' : 's'} for ${options.target}, enabled afresh (breaker closed) so they go out now with this run's`);
  }
  print(`webhook "${webhookKey}" → ${options.target ?? `${receiver!.url} (built-in receiver, verifies every signature with the standardwebhooks package)`}`);
  print(`  events: ${created.events.join(', ')}`);
  const signedWith = options.secret ? 'your secret' : takeOver ? `the secret the earlier run generated and printed (${takeOver.webhook.secrets.map((s) => s.hint).join(', ')})` : `a generated secret${options.target ? `: ${secret}` : ''}`;
  print(`  content-type filter: blogPost, Image · custom header X-Quickstart · signed with ${signedWith}`);
  print('');

  const run = trackRun(app, webhookKey, { carried, logged });
  let held: RunHeld | undefined;
  if (options.events) held = await publishLoad(app, webhookKey, run, options.events, print, progress, signal, queueName(options));
  else {
    await publishTour(app, webhookKey, print);
    held = await run.whenSettled({ timeoutMs: 60_000, ...(signal ? { signal } : {}) });
  }
  const published = run.enqueued;
  const waiting = published + carried - run.settled;

  const log = await fullLog(app, webhookKey, logged);
  if (!options.events) printTable(log, print);
  const delivered = log.filter((e) => e.outcome === 'delivered').length;
  const deadLettered = log.filter((e) => e.outcome === 'dead').length;
  print('');
  print(`${published} requests enqueued${carried ? ` (and ${carried} taken over from an earlier run)` : ''}, ${delivered} delivered, ${deadLettered} dead-lettered, ${log.length} attempts logged.`);
  if (receiver) print(`The receiver verified ${receiver.received.length} signed requests${receiver.rejected.length ? ` and REJECTED ${receiver.rejected.length}` : ''}.`);
  if (held) await explainHeld(app, webhookKey, held, waiting, options, print);
  else if (delivered === published + carried && deadLettered === 0 && !receiver?.rejected.length) printNext(file, options, print);
  return { published, carried, delivered, deadLettered, held: held ? waiting : 0, received: receiver?.received, rejected: receiver?.rejected, log };
}

/** An earlier run's webhook this run takes over, and what it holds. */
interface TakeOver {
  webhook: WebhookView;
  /** Its pending requests when this run began (those in flight belong to a killed run: they wait for their lease, as ever). */
  queued: number;
}

/**
 * The newest of the earlier runs' webhooks that points at `target` and still holds pending
 * requests (its breaker opened, or hookwork disabled it), unless `--secret` names
 * another secret than the one it signs with (told by its hint, the last four characters): the
 * endpoint verifies with one secret. Undefined when there is none.
 */
async function heldFor(app: Hookwork, earlier: readonly WebhookView[], target: string, secret: string | undefined): Promise<TakeOver | undefined> {
  const url = new URL(target).href;
  const newestFirst = [...earlier].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  for (const webhook of newestFirst) {
    if (webhook.url !== url) continue;
    if (secret !== undefined && !webhook.secrets.some((s) => s.hint === `…${secret.slice(-4)}`)) continue;
    const { pending } = await app.queueCounts({ webhookKey: webhook.key });
    if (pending > 0) return { webhook, queued: pending };
  }
  return undefined;
}

/**
 * Why the run ended with requests waiting, and what to do: the breaker's state and next probe (or
 * the webhook disabled), how many requests it holds and that they are kept, and the next step.
 */
async function explainHeld(app: Hookwork, webhookKey: string, { event, lastFailure }: RunHeld, waiting: number, options: QuickstartOptions, print: (line: string) => void): Promise<void> {
  const target = options.target ?? 'the receiver';
  const last = lastFailure ? ` (the last: ${lastFailure.statusCode ?? `${lastFailure.errorKind}: ${lastFailure.errorMessage ?? ''}`})` : '';
  const requests = `${waiting} request${waiting === 1 ? '' : 's'}`;
  print('');
  if (event.type === 'breaker.opened') {
    const health = await app.health(webhookKey);
    const probe = health.probeAt ? `; the next probe goes at ${health.probeAt.toISOString()}` : '';
    print(`The circuit breaker of webhook ${webhookKey} is ${health.breaker}: ${event.data.consecutiveFailures} attempts in a row failed${last}.`);
    print(`${requests} wait${waiting === 1 ? 's' : ''} behind it, kept and not dead-lettered (waiting uses none of their retries): one probe goes every ${app.settings.breaker.coolDown / 1000} s, and its success sends them all${probe}. The run stops here rather than wait for it.`);
  } else {
    print(`hookwork disabled webhook ${webhookKey}: ${event.data.message}${last}.`);
    print(`${requests} wait${waiting === 1 ? 's' : ''} while it is disabled, kept and not dead-lettered; enabling it again sends them.`);
  }
  const again = options.target ? ` with the same --target${options.secret ? ' and --secret' : ''}: the next run takes this webhook over, and its held requests go out with that run's` : '';
  print(`Next: check that ${target} answers a POST${options.target ? ` (curl -i -X POST ${options.target})` : ''}, then run again${again}${options.admin ? '' : '; or add --admin to keep the app running: the admin page shows the webhook\'s health and its queue, and the held requests go out once the endpoint answers'}.`);
}

/**
 * After a run that delivered everything: where what it did is kept, and what to try next — the
 * run's last words used to be its counts, leaving a new user to find the rest in the README.
 */
function printNext(store: string, options: QuickstartOptions, print: (line: string) => void): void {
  print(`Kept in ${store}: the webhook, its requests and their delivery log (the next run replaces the webhook with its own).`);
  const tries: [string, string][] = [
    ...(options.admin ? [] : [['npm start -- --admin', 'then keep the app up with its admin page: deliveries, redelivery, test sends'] as [string, string]]),
    ...(options.target ? [] : [['npm start -- --target <url>', 'send to your own endpoint (the secret to verify with is printed)'] as [string, string]]),
    ...(options.events ? [] : [['npm start -- --events 2000', 'a small load demo'] as [string, string]]),
    ['npm start -- --help', 'every option'],
  ];
  const width = Math.max(...tries.map(([command]) => command.length));
  print('Next:');
  for (const [command, what] of tries) print(`  ${command.padEnd(width)}  ${what}`);
  print('  the API in five minutes: the README\'s tour, runnable as examples/tour');
}

/** The queue the load demo's summary names: where this run's requests actually waited. */
function queueName(options: QuickstartOptions): string {
  if (options.redis) return 'BullMQ queue on Redis';
  return options.postgres ? 'durable PostgreSQL queue' : 'durable SQLite queue';
}

/**
 * The header's note on what earlier runs left in the store. Requests in flight belong to a run
 * that was killed before it could give them back: they wait for their lease to expire, and are
 * then dropped (their webhook is gone). This run does not wait for them.
 */
function describeLeftovers({ pending, inFlight, dead }: { pending: number; inFlight: number; dead: number }): string {
  if (pending + inFlight + dead === 0) return '';
  const waiting = inFlight > 0 ? 'the in-flight ones wait for their lease to expire, and ' : '';
  return ` (kept from earlier runs: ${pending} pending, ${inFlight} in flight, ${dead} dead-lettered requests; ${waiting}this run does not wait for them)`;
}

/** The tour's notifications: a publish (one page filtered out), an unpublish, a delete, a media save. */
async function publishTour(app: Hookwork, webhookKey: string, print: (line: string) => void): Promise<void> {
  app.lifecycle.on('attemptSucceeded', (a) => {
    if (a.webhookKey === webhookKey) print(`  ✓ ${a.eventAlias.padEnd(26)} ${a.statusCode} on attempt ${a.retryCount + 1}`);
  });
  app.lifecycle.on('attemptFailed', (a) => {
    if (a.webhookKey === webhookKey) print(`  ${a.outcome === 'dead' ? '✗' : '↻'} ${a.eventAlias.padEnd(26)} ${describeFailure(a)}`);
  });
  const landing: CmsContent = { ...post('8a3e1c55-0d55-4c8b-a1d9-5b8d6f3e2b77', 'Black Friday landing page', '/black-friday/'), contentType: LANDING_PAGE };
  const media: CmsMedia = { key: '3b8f0a9e-6c1d-4b2a-9f3e-7d5c4b3a2e11', name: 'hero.jpg', contentType: IMAGE, createDate: '2026-11-22T08:31:02.0000000', updateDate: '2026-11-22T08:31:02.0000000' };
  print('publishing: 2 pages published (the landing page is filtered out by content type), 1 unpublished, 1 deleted, 1 image saved');
  await app.publish(new ContentPublishedNotification({ publishedEntities: [post('a1b2c3d4-0001-4e5f-8a9b-000000000001', 'Hello hookwork', '/blog/hello-hookwork/'), landing] }));
  await app.publish(new ContentUnpublishedNotification({ unpublishedEntities: [post('a1b2c3d4-0002-4e5f-8a9b-000000000002', 'Spring sale', '/blog/spring-sale/')] }));
  await app.publish(new ContentDeletedNotification({ deletedEntities: [post('a1b2c3d4-0003-4e5f-8a9b-000000000003', 'Draft notes', '/blog/draft-notes/')] }));
  await app.publish(new MediaSavedNotification({ savedEntities: [media] }));
}

/** --events n: n single-page publishes, with a progress bar on delivery; what holds the rest when the webhook's breaker opens. */
async function publishLoad(app: Hookwork, webhookKey: string, run: RunTracker, n: number, print: (line: string) => void, progress: ((line: string) => void) | undefined, signal: AbortSignal | undefined, queue: string): Promise<RunHeld | undefined> {
  const started = Date.now();
  let delivered = 0;
  let lastStep = -1;
  const bar = () => {
    const width = 30;
    const filled = Math.round((delivered / n) * width);
    return `  [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${delivered}/${n} delivered`;
  };
  app.lifecycle.on('attemptSucceeded', (a) => {
    if (a.webhookKey !== webhookKey) return;
    delivered++;
    if (progress) progress(bar());
    else {
      const step = Math.floor((delivered / n) * 10);
      if (step !== lastStep) {
        lastStep = step;
        print(bar());
      }
    }
  });
  print(`publishing ${n} content-published notifications…`);
  for (let i = 0; i < n; i++) {
    signal?.throwIfAborted();
    await app.publish(new ContentPublishedNotification({ publishedEntities: [post(`b0000000-0000-4000-8000-${String(i).padStart(12, '0')}`, `Post ${i + 1}`, `/blog/post-${i + 1}/`)] }));
  }
  const publishSeconds = (Date.now() - started) / 1000;
  const held = await run.whenSettled({ timeoutMs: 300_000, ...(signal ? { signal } : {}) });
  if (progress) progress(`${bar()}\n`);
  const seconds = (Date.now() - started) / 1000;
  if (held) {
    print(`published in ${publishSeconds.toFixed(2)} s; ${delivered} of ${n} delivered when the run stopped after ${seconds.toFixed(2)} s`);
    return held;
  }
  print(`published in ${publishSeconds.toFixed(2)} s; all delivered in ${seconds.toFixed(2)} s (${Math.round(delivered / seconds)} deliveries/s, ${queue}, signed and logged)`);
}

function describeFailure(a: AttemptInfo): string {
  const what = a.statusCode !== undefined ? `${a.statusCode}` : `${a.errorKind}: ${a.errorMessage ?? ''}`;
  if (a.outcome === 'retrying' && a.nextDueAt) return `${what} on attempt ${a.retryCount + 1}, retry in ${((a.nextDueAt.getTime() - Date.now()) / 1000).toFixed(1)} s`;
  return `${what} on attempt ${a.retryCount + 1} (${a.outcome})`;
}

/** The webhook's delivery log entries written after the first `before` (this run's), oldest first. */
async function fullLog(app: Hookwork, webhookKey: string, before = 0): Promise<DeliveryLogEntry[]> {
  const entries: DeliveryLogEntry[] = [];
  for (let offset = 0; ; offset += 500) {
    const page = await app.logs(webhookKey, { limit: 500, offset });
    entries.push(...page.items);
    // Newest first: this run's are the first `total - before`.
    const mine = page.total - before;
    if (entries.length >= mine || page.items.length === 0) return entries.slice(0, Math.max(0, mine)).reverse();
  }
}

/** The delivery log as a table, oldest first. */
export function printTable(log: readonly DeliveryLogEntry[], print: (line: string) => void): void {
  const rows = log.map((e) => [e.eventAlias, e.statusCode === undefined ? e.errorKind ?? '-' : String(e.statusCode), String(e.retryCount + 1), `${Math.round(e.durationMs)} ms`, e.outcome]);
  const head = ['event', 'status', 'attempt', 'duration', 'outcome'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => c.padEnd(widths[i]!)).join('  ')}`.trimEnd();
  print('');
  print('delivery log (oldest first):');
  print(line(head));
  print(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) print(line(row));
}
