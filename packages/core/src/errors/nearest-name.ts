/** The edit distance of two short strings (Levenshtein). Internal to core: setting names use it too. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * What other libraries call an option hookwork names otherwise, lower case: no edit distance gets
 * from `tx` (knex's and Prisma's transaction, pg's `client` inside BEGIN) to `transaction`, nor
 * from `take` (Umbraco's page size, which the admin API keeps) to `limit`, so `publish(n, { tx:
 * client })` listed the options without suggesting the one meant. The one table of such names:
 * every refusal of an unknown key reads it, through {@link nearestName} or {@link otherNameOf},
 * so a name added here is suggested by all of them (a listing's filters, its page, an option).
 */
export const OTHER_NAMES: Readonly<Record<string, readonly string[]>> = {
  transaction: ['tx', 'trx', 'txn', 'client', 'conn', 'connection', 'db'],
  traceContext: ['ctx', 'otelcontext', 'parentcontext', 'span', 'parent'],
  idempotencyKey: ['dedupekey', 'deduplicationkey', 'dedupkey', 'dedupe', 'dedup', 'messageid', 'eventid'],
  // A page's parts: Umbraco's skip/take, other APIs' page sizes, page numbers and cursors.
  limit: ['take', 'size', 'pagesize'],
  offset: ['skip', 'page'],
  after: ['cursor', 'next'],
};

/**
 * The name in `known` that `name` is another library's name for, in any case (`take`, `Take` →
 * `limit`; `cursor` → `after`), by {@link OTHER_NAMES} alone; undefined when it is none of them.
 */
export function otherNameOf(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  return known.find((k) => Object.hasOwn(OTHER_NAMES, k) && OTHER_NAMES[k]!.includes(lower));
}

/**
 * The name in `known` that {@link OTHER_NAMES} puts in one row with `name`, either way round, in
 * any case: for an API that keeps another library's names rather than hookwork's — the admin API's
 * Umbraco `take`/`skip` — asked with hookwork's (`limit` → `take`) or a third library's
 * (`pageSize` → `take`, `page` → `skip`). undefined when `name` is in no row or `known` holds no
 * other name of its row. {@link otherNameOf} is the one direction core's own options need.
 */
export function otherNameIn(name: string, known: readonly string[]): string | undefined {
  if (typeof name !== 'string') return undefined;
  const lower = name.toLowerCase();
  for (const own in OTHER_NAMES) {
    const others = OTHER_NAMES[own]!;
    const row = (candidate: string) => candidate === own.toLowerCase() || others.includes(candidate);
    if (!row(lower)) continue;
    const meant = known.find((k) => k.toLowerCase() !== lower && row(k.toLowerCase()));
    if (meant !== undefined) return meant;
  }
  return undefined;
}

/**
 * The known name a mistyped one most likely meant, for an error's "did you mean …?": the same
 * name in another case, else another library's name for it ({@link OTHER_NAMES}: `tx` →
 * `transaction`, `take` → `limit`), else the closest within a few edits (`notificaton` → `notification`,
 * `keyPrefix` → `prefix`), else one that begins or ends with the other (`filename` → `file`,
 * `threshold` → `failureThreshold`). `undefined` when nothing is near. For plugins and backends
 * refusing options they do not know, so every package suggests alike.
 */
export function nearestName(name: string, known: readonly string[]): string | undefined {
  if (typeof name !== 'string' || name === '') return undefined;
  const lower = name.toLowerCase();
  const same = known.find((k) => k.toLowerCase() === lower);
  if (same !== undefined) return same;
  const other = otherNameOf(name, known);
  if (other !== undefined) return other;
  let best: { name: string; distance: number } | undefined;
  for (const k of known) {
    const d = editDistance(lower, k.toLowerCase());
    if (d <= Math.max(2, Math.floor(Math.max(lower.length, k.length) / 3)) && (!best || d < best.distance)) best = { name: k, distance: d };
  }
  if (best) return best.name;
  return known.find((k) => {
    const other = k.toLowerCase();
    const [short, long] = other.length <= lower.length ? [other, lower] : [lower, other];
    return short.length >= 3 && (long.startsWith(short) || long.endsWith(short));
  });
}

/**
 * The first key of `options` that is not in `known`, described for an error message — "unknown
 * option `wal` (did you mean `…`?); the options are `file`, …" — or undefined when every key is
 * known. For a backend's options check (sqliteStorage(), postgresStorage(), memoryStorage()), so
 * a misspelt option from plain JavaScript is refused rather than ignored.
 */
export function unknownOption(options: object, known: readonly string[]): { key: string; text: string } | undefined {
  // for…in with an own-property test: Object.keys()' order, without its list (publish() checks its options every time).
  let key: string | undefined;
  for (const name in options) {
    if (Object.hasOwn(options, name) && !known.includes(name)) {
      key = name;
      break;
    }
  }
  if (key === undefined) return undefined;
  const near = nearestName(key, known);
  return { key, text: `unknown option \`${key}\`${near ? ` (did you mean \`${near}\`?)` : ''}; the options are ${known.map((k) => `\`${k}\``).join(', ')}` };
}
