import { Pool } from 'pg';
import { describeDedupeStoreContract } from '@hookwork/receiver/testing';
import { dedupeTableDdl, postgresDedupeStore } from './postgres-dedupe-store';

// Against the real PostgreSQL at 127.0.0.1:5432 (database test): a schema of this file's own,
// dropped at the end.
const connectionString = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `receiver_dedupe_${process.pid}_${Date.now()}`;
const pool = new Pool({ connectionString, max: 4 });
// A second worker's pool on the same database: claims are raced across the two.
const otherPool = new Pool({ connectionString, max: 4 });
let sequence = 0;

beforeAll(() => pool.query(`CREATE SCHEMA ${schema}`));
afterAll(async () => {
  await pool.query(`DROP SCHEMA ${schema} CASCADE`);
  await Promise.all([pool.end(), otherPool.end()]);
});

describeDedupeStoreContract('postgres', async () => {
  const table = `${schema}.receipts_${++sequence}`;
  await pool.query(dedupeTableDdl(table));
  return { store: postgresDedupeStore(pool, table), sibling: postgresDedupeStore(otherPool, table) };
}, { shared: true });

describe('postgresDedupeStore.purgeExpired', () => {
  it('deletes the rows whose lease or retention ran out, and only those', async () => {
    const table = `${schema}.purge`;
    await pool.query(dedupeTableDdl(table));
    const store = postgresDedupeStore(pool, table);
    await store.claim('expiring', 1);
    await store.claim('held', 60_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await store.purgeExpired()).toBe(1);
    expect((await pool.query(`SELECT id FROM ${table}`)).rows).toEqual([{ id: 'held' }]);
  });
});
