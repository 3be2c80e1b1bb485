import type { Pool } from 'pg';
import { POSTGRES_ERRORS, quoteName, toStorageError } from './postgres-errors';

/** The tables every store writes (SELECT, INSERT, UPDATE, DELETE each), whatever its options. */
const TABLES = ['webhooks', 'requests', 'delivery_log', 'webhook_health', 'webhook_rate'] as const;
/** The sequences of their keys (USAGE: nextval at each insert). */
const SEQUENCES = ['webhooks_seq_seq', 'requests_seq_seq', 'delivery_log_seq_seq'] as const;
const TABLE_PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] as const;

/**
 * Checks at start that the role hookwork connects as holds every privilege the configured store
 * will use (docs/postgres.md, roles and grants), in one round trip, and refuses with
 * HOOKWORK_ERR_STORAGE_PERMISSION_DENIED naming what is missing and the GRANT that gives it.
 * Without it, a table an owner-run upgrade created after the app role's `GRANT … ON ALL TABLES`
 * (such as `flushes`, which `synchronousCommit: 'publish'` writes at every publish) failed each
 * publish once the app was running — after its requests had committed and some had been sent, so a
 * caller retrying the failed publish sent them twice.
 */
export async function checkPrivileges(pool: Pool, options: { schema: string; where: string; role: string; flushes: boolean }): Promise<void> {
  const { schema, where, role } = options;
  const tables = options.flushes ? [...TABLES, 'flushes'] : [...TABLES];
  let missing: { name: string; privilege: string; kind: 'table' | 'sequence' }[];
  let owner: string | null;
  try {
    const result = await pool.query<{ name: string; privilege: string; kind: 'table' | 'sequence'; owner: string | null }>(
      `SELECT t.name, p.privilege, 'table' AS kind, NULL AS owner
         FROM unnest($2::text[]) AS t(name) CROSS JOIN unnest($3::text[]) AS p(privilege)
        WHERE NOT has_table_privilege(format('%I.%I', $1::text, t.name), p.privilege)
       UNION ALL
       SELECT s.name, 'USAGE', 'sequence', NULL
         FROM unnest($4::text[]) AS s(name)
        WHERE NOT has_sequence_privilege(format('%I.%I', $1::text, s.name), 'USAGE')
       UNION ALL
       SELECT '', '', 'owner', tableowner FROM pg_tables WHERE schemaname = $1 AND tablename = 'requests'`,
      [schema, tables, TABLE_PRIVILEGES, SEQUENCES],
    );
    missing = result.rows.filter((row) => (row.kind as string) !== 'owner');
    owner = result.rows.find((row) => (row.kind as string) === 'owner')?.owner ?? null;
  } catch (error) {
    throw toStorageError(error, { where, doing: 'checking the privileges of its role', opening: true, schema, role });
  }
  if (missing.length === 0) return;

  const s = quoteName(schema);
  const r = quoteName(role);
  const byName = new Map<string, string[]>();
  for (const row of missing) byName.set(`${row.kind} ${row.name}`, [...(byName.get(`${row.kind} ${row.name}`) ?? []), row.privilege]);
  const lacks = [...byName].map(([name, privileges]) => `${privileges.join(', ')} on ${name}${name === 'table flushes' ? " (synchronousCommit: 'publish' writes it at every publish)" : ''}`).join('; ');
  const grants = [
    ...(missing.some((row) => row.kind === 'table') ? [`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${s} TO ${r}`] : []),
    ...(missing.some((row) => row.kind === 'sequence') ? [`GRANT USAGE ON ALL SEQUENCES IN SCHEMA ${s} TO ${r}`] : []),
  ];
  const ahead = owner !== null && owner !== role
    ? `; so that tables a later upgrade creates are granted too, once: ALTER DEFAULT PRIVILEGES FOR ROLE ${quoteName(owner)} IN SCHEMA ${s} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${r}; ALTER DEFAULT PRIVILEGES FOR ROLE ${quoteName(owner)} IN SCHEMA ${s} GRANT USAGE ON SEQUENCES TO ${r}`
    : '';
  throw POSTGRES_ERRORS.create(
    'HOOKWORK_ERR_STORAGE_PERMISSION_DENIED',
    `${where}: the role ${r} lacks privileges hookwork needs — ${lacks}; nothing was started, nothing sent. ${grants.join('; ')} (as the tables' owner)${ahead} (docs/postgres.md, roles and grants)`,
  );
}
