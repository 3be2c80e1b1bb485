import { HookworkError } from '@hookwork/core';
import type { ClientBase } from 'pg';
import type { PostgresConnection } from './postgres-connection';
import { sqlState } from './postgres-errors';

/**
 * The host's own transaction that `publish(…, { transaction })` enqueues in: a node-postgres
 * client (a `PoolClient` from `pool.connect()`, or a `Client`) on which the host ran `BEGIN`
 * (and awaited it).
 */
export type PostgresTransaction = ClientBase;

/** The message of a refused transaction that had failed already. */
export const ABORTED_TRANSACTION = 'publish(…, { transaction }) was given a pg client whose transaction failed (an earlier statement errored); ROLLBACK it, and publish in a new transaction';

const refuse = (message: string, cause?: unknown) => new HookworkError('HOOKWORK_ERR_INVALID_TRANSACTION', message, cause === undefined ? {} : { cause });

/**
 * Checks that `transaction` is a node-postgres client inside an open transaction block, and
 * returns it. The status comes from the client itself (`getTransactionStatus()` in recent
 * node-postgres 8.x releases, e.g. 8.23: the status byte of the server's last ReadyForQuery, no round trip); an older
 * or native client is asked with `LOCK TABLE … IN ROW EXCLUSIVE MODE` (the lock the insert takes
 * anyway), which PostgreSQL refuses outside a transaction block (SQLSTATE 25P01). Comparing
 * `transaction_timestamp()` with `statement_timestamp()` was rejected: over the extended
 * protocol they differ even in an implicit transaction.
 */
export async function checkHostTransaction(transaction: unknown, connection: PostgresConnection): Promise<PostgresTransaction> {
  const client = transaction as Partial<ClientBase> | null;
  if (client === null || typeof client !== 'object' || typeof client.query !== 'function') {
    throw refuse(
      `publish(…, { transaction }) takes a node-postgres client on which you ran BEGIN (from pool.connect()); got ${client === null ? 'null' : typeof client === 'object' ? `an object without query()${Array.isArray(client) ? ' (an array)' : ''}` : typeof client}`,
    );
  }
  if (typeof (client as { totalCount?: unknown }).totalCount === 'number' && typeof (client as { connect?: unknown }).connect === 'function') {
    throw refuse('publish(…, { transaction }) was given a pg Pool; a transaction lives on one client: take one with pool.connect(), run BEGIN on it, and pass that client');
  }
  const status = typeof client.getTransactionStatus === 'function' ? client.getTransactionStatus() : null;
  if (status === 'I') throw refuse('publish(…, { transaction }) was given a pg client that is not in a transaction; run (and await) BEGIN on it first, then publish, then COMMIT');
  if (status === 'E') throw refuse(ABORTED_TRANSACTION);
  if (status === 'T') return client as PostgresTransaction;
  try {
    await client.query(`LOCK TABLE ${connection.s}.requests IN ROW EXCLUSIVE MODE`);
  } catch (error) {
    const state = sqlState(error);
    if (state === '25P01') throw refuse('publish(…, { transaction }) was given a pg client that is not in a transaction; run (and await) BEGIN on it first, then publish, then COMMIT', error);
    if (state === '25P02') throw refuse(ABORTED_TRANSACTION, error);
    throw error;
  }
  return client as PostgresTransaction;
}
