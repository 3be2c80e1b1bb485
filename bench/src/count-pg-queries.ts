/**
 * Counts the statements node-postgres sends, by kind, and prints the counts when the process
 * exits. Preload it to see what a run costs in round trips:
 *
 * ```
 * node -r ./bench/dist/count-pg-queries.js bench/dist/run.js --only-e2e --postgres postgres://127.0.0.1:5432/test --events 2000
 * ```
 */
import pg from 'pg';

const counts = new Map<string, number>();
const query = pg.Client.prototype.query;
// The statement's first words, schema names left out, name the kind.
const kind = (text: string) => text.replace(/\s+/g, ' ').replace(/"[^"]*"\./g, '').slice(0, 60);
pg.Client.prototype.query = function (this: pg.Client, config: unknown, ...rest: unknown[]) {
  const text = typeof config === 'string' ? config : (config as { text?: unknown } | null)?.text;
  if (typeof text === 'string') counts.set(kind(text), (counts.get(kind(text)) ?? 0) + 1);
  return (query as (...args: unknown[]) => unknown).call(this, config, ...rest);
} as typeof query;

process.on('exit', () => {
  // A child (the receiver) inherits the preload and sends nothing: say nothing.
  if (counts.size === 0) return;
  const rows = [...counts].sort((a, b) => b[1] - a[1]);
  console.error('statements sent, by kind:');
  for (const [text, n] of rows) console.error(`${String(n).padStart(8)}  ${text}`);
});
