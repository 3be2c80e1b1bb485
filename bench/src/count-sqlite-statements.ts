/**
 * Counts the statements better-sqlite3 runs (by SQL text, the transaction's own BEGIN/COMMIT
 * included), its `pragma()` calls, and the process's `setImmediate`/`setTimeout` calls, and prints
 * them when the process exits. Preload it to see what a run costs per delivery:
 *
 * ```
 * node -r ./bench/dist/count-sqlite-statements.js bench/dist/run.js --only-e2e --sqlite --per-webhook 16 --events 2000
 * ```
 *
 * The e2e case warms up with 2,000 publishes first: divide by events + 2,000.
 */
import Database from 'better-sqlite3';

const counts = new Map<string, number>();
const add = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
const kind = (text: string) => text.replace(/\s+/g, ' ').slice(0, 160);
const rowsOf = new Map<string, number>();
const runs = new Map<string, Map<string, number>>(['run', 'get', 'all', 'iterate'].map((method) => [method, new Map()]));

const probe = new Database(':memory:');
const statementProto = Object.getPrototypeOf(probe.prepare('SELECT 1')) as Record<string, (...args: unknown[]) => unknown>;
probe.close();
for (const method of ['run', 'get', 'all', 'iterate']) {
  const original = statementProto[method]!;
  statementProto[method] = function (this: { source: string }, ...args: unknown[]) {
    // By the statement's own text, run by run (no string built while counting), joined with the method at exit.
    const bySource = runs.get(method)!;
    bySource.set(this.source, (bySource.get(this.source) ?? 0) + 1);
    const result = original.apply(this, args);
    // Rows an `all` returned (a claim's leased requests, a completion's deleted ids), by statement.
    if (method === 'all') rowsOf.set(this.source, (rowsOf.get(this.source) ?? 0) + (result as unknown[]).length);
    return result;
  };
}
const dbProto = Database.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
for (const method of ['pragma', 'exec']) {
  const original = dbProto[method]!;
  dbProto[method] = function (this: unknown, ...args: unknown[]) {
    add(`db.${method} ${kind(String(args[0]))}`);
    return original.apply(this, args);
  };
}
const timers = globalThis as unknown as Record<string, (...args: unknown[]) => unknown>;
for (const name of ['setImmediate', 'setTimeout', 'setInterval']) {
  const original = timers[name]!;
  timers[name] = Object.assign(function (this: unknown, ...args: unknown[]) {
    add(`timer ${name}`);
    return original.apply(this, args);
  }, original);
}

process.on('exit', () => {
  for (const [method, bySource] of runs) for (const [source, n] of bySource) counts.set(`${method.padEnd(4)} ${kind(source)}`, (counts.get(`${method.padEnd(4)} ${kind(source)}`) ?? 0) + n);
  if (![...counts.keys()].some((k) => !k.startsWith('timer'))) return;
  const rows = [...counts].sort((a, b) => b[1] - a[1]);
  console.error('better-sqlite3 calls and timers, by kind:');
  for (const [text, n] of rows) console.error(`${String(n).padStart(8)}  ${text}`);
  console.error('rows returned by `all`, by statement:');
  for (const [source, n] of [...rowsOf].sort((a, b) => b[1] - a[1])) if (n > 0) console.error(`${String(n).padStart(8)}  ${kind(source)}`);
});
