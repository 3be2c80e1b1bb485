import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hookworkAdmin, startAdminServer } from '@hookwork/admin';
import { bullmqQueue } from '@hookwork/bullmq';
import { createHookwork } from '@hookwork/core';
import { postgresStorage } from '@hookwork/postgres';
import { createReceiver } from '@hookwork/receiver';
import { sqliteStorage } from '@hookwork/sqlite';

const ROOT = join(__dirname, '..', '..');
const read = (page: string) => readFileSync(join(ROOT, page), 'utf8');

/**
 * The options a page's table names: the first table with an `option` column after `after` (a
 * heading or the line that introduces the table), each row's first cell read for its `names`
 * (`` `logger`, `page` `` is two). Also the rows themselves, for a key given inside one.
 */
function optionTable(page: string, after: string): { names: string[]; rows: string[] } {
  const text = read(page);
  const start = text.indexOf(after);
  if (start < 0) throw new Error(`${page} has no "${after}" to find its options table by`);
  const table = /^\| *option *\|.*\n\|[-| ]+\|\n((?:\|.*\n?)*)/m.exec(text.slice(start));
  if (!table) throw new Error(`${page} has no options table after "${after}"`);
  const rows = table[1]!.trimEnd().split('\n');
  const names = rows.flatMap((row) => [...row.split('|')[1]!.matchAll(/`([A-Za-z_$][\w$]*)\??`/g)].map((match) => match[1]!));
  return { names, rows };
}

/** The keys of the first `call({ … })` in a page's code (docs/storage.md shows sqliteStorage()'s options so, one a line). */
function optionsInCode(page: string, call: string): string[] {
  const block = new RegExp(`^${call}\\(\\{\\n([\\s\\S]*?)^\\}\\)`, 'm').exec(read(page));
  if (!block) throw new Error(`${page} has no ${call}({ … }) to read options from`);
  return [...block[1]!.matchAll(/^ +([A-Za-z_$][\w$]*):/gm)].map((match) => match[1]!);
}

/** A key no entry point takes, nor resembles one it takes (so the refusal lists every key, not a "did you mean"). */
const UNKNOWN = '~~~~~~~~~~';

/**
 * The keys an entry point takes, as its checker lists them when it refuses one it does not: read
 * from the code's own list (each checker keeps one, and names it in the refusal), not a copy here
 * that would drift from the code as the docs did. Called with options holding {@link UNKNOWN}; a
 * checker that stops refusing it, or stops naming its options, fails here rather than passing.
 */
async function accepted(call: () => unknown): Promise<string[]> {
  let message: string | undefined;
  try {
    await call();
  } catch (error) {
    message = (error as Error).message;
  }
  const list = message?.match(/\b(?:options|they) are ([^)]*)\)?$/)?.[1];
  if (!message?.includes(UNKNOWN) || list === undefined) throw new Error(`expected a refusal of ${UNKNOWN} that lists the options taken; got ${message ?? 'none'}`);
  return list.split(', ').map((key) => key.replace(/^`|`$/g, ''));
}

/** What the code takes and the docs do not name, and what the docs name and the code refuses. */
function mismatch(accepted: Iterable<string>, documented: string[]): { undocumented: string[]; refused: string[] } {
  const takes = new Set(accepted);
  return { undocumented: [...takes].filter((key) => !documented.includes(key)), refused: [...new Set(documented)].filter((key) => !takes.has(key)) };
}

const agree = { undocumented: [], refused: [] };

// Options came into the code (`startAdminServer({ trustProxy })`) with nothing to make the docs
// follow: the SQLite README's table never had `checkpoint`, createReceiver()'s options had no
// table at all, and createHookwork()'s `delivery` row named none of its keys. An option a user
// can't find is one they don't use, and one a table lists that the checker refuses is
// HOOKWORK_ERR_…_INVALID_OPTIONS for the user who copied it. Each entry point's options table
// names every key its checker takes, and none other.
describe('the options tables', () => {
  /** The keys a table row gives inside its first `{ … }` (createHookwork()'s `delivery`, admin's `auth`, the receiver's `dedupe`). */
  const keysInRow = (rows: string[], option: string): string[] => {
    const inner = rows.find((row) => row.startsWith(`| \`${option}\` |`))?.match(/`\{([^}]+)\}`/)?.[1];
    if (inner === undefined) throw new Error(`no row of \`${option}\` with its keys as \`{ … }\``);
    return [...inner.matchAll(/(\w+)\??/g)].map((match) => match[1]!);
  };
  const unknown = { [UNKNOWN]: 1 };
  const secrets = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

  it("of createHookwork(), with its delivery (docs/composition.md's The app)", async () => {
    const table = optionTable('docs/composition.md', '## The app');
    expect(mismatch(await accepted(() => createHookwork(unknown as never)), table.names)).toEqual(agree);
    expect(mismatch(await accepted(() => createHookwork({ delivery: unknown } as never)), keysInRow(table.rows, 'delivery'))).toEqual(agree);
  });

  it('of sqliteStorage() (its README, and the options docs/storage.md shows)', async () => {
    const takes = await accepted(() => sqliteStorage({ file: 'unused.db', ...unknown } as never));
    expect(mismatch(takes, optionTable('packages/sqlite/README.md', 'sqliteStorage(').names)).toEqual(agree);
    expect(mismatch(takes, optionsInCode('docs/storage.md', 'sqliteStorage'))).toEqual(agree);
  });

  it('of postgresStorage() (docs/postgres.md and its README)', async () => {
    const takes = await accepted(() => postgresStorage({ connectionString: 'postgres://127.0.0.1/unused', ...unknown } as never));
    expect(mismatch(takes, optionTable('docs/postgres.md', '## Options').names)).toEqual(agree);
    expect(mismatch(takes, optionTable('packages/postgres/README.md', 'postgresStorage(').names)).toEqual(agree);
  });

  it('of bullmqQueue() (docs/bullmq.md)', async () => {
    const takes = await accepted(() => bullmqQueue({ connection: 'redis://127.0.0.1:6379', ...unknown } as never));
    expect(mismatch(takes, optionTable('docs/bullmq.md', '## Options').names)).toEqual(agree);
  });

  it("of startAdminServer() and the hookworkAdmin plugin, with the plugin's auth (docs/admin.md)", async () => {
    // Made, never started: the checks come before anything listens or is registered.
    const app = createHookwork({});
    const server = await accepted(() => startAdminServer(app, unknown as never));
    expect(mismatch(server, optionTable('docs/admin.md', '`startAdminServer(app, options)`:').names)).toEqual(agree);
    // Fastify's own register() options the plugin passes on are named in the line above its table.
    const intro = read('docs/admin.md').match(/^`hookworkAdmin` \(besides Fastify's own ([^)]*)\):$/m);
    expect(intro).not.toBeNull();
    const plugin = optionTable('docs/admin.md', intro![0]);
    const fastify = [...intro![1]!.matchAll(/`(\w+)`/g)].map((match) => match[1]!);
    const noFastify = {} as Parameters<typeof hookworkAdmin>[0];
    expect(mismatch(await accepted(() => hookworkAdmin(noFastify, unknown as never)), [...plugin.names, ...fastify])).toEqual(agree);
    expect(mismatch(await accepted(() => hookworkAdmin(noFastify, { app, auth: unknown } as never)), keysInRow(plugin.rows, 'auth'))).toEqual(agree);
  });

  it('of createReceiver(), with its dedupe (docs/receiver.md)', async () => {
    const table = optionTable('docs/receiver.md', '### Options are checked at once');
    expect(mismatch(await accepted(() => createReceiver({ secrets, handle: async () => {}, ...unknown } as never)), table.names)).toEqual(agree);
    expect(mismatch(await accepted(() => createReceiver({ secrets, handle: async () => {}, dedupe: unknown } as never)), keysInRow(table.rows, 'dedupe'))).toEqual(agree);
  });
});
