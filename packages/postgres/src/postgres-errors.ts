import { defineErrorCodes, HookworkError, isHookworkError, printableField, type HookworkErrorCode } from '@hookwork/core';

/**
 * @hookwork/postgres's own error codes (documented in docs/errors.md under `@hookwork/postgres`).
 * Everything else uses core's codes: HOOKWORK_ERR_STORAGE_OPEN_FAILED at start,
 * HOOKWORK_ERR_STORAGE for a failed operation (a lost connection included),
 * HOOKWORK_ERR_ENQUEUE_FAILED for a failed enqueue, HOOKWORK_ERR_STORAGE_SCHEMA_TOO_NEW,
 * HOOKWORK_ERR_INVALID_STORAGE_OPTIONS, HOOKWORK_ERR_INVALID_TRANSACTION, and
 * HOOKWORK_ERR_INVALID_ARGUMENT for a value text cannot hold (U+0000; core refuses it in keys before asking the
 * store, so this is a backstop). Both codes here
 * start with HOOKWORK_ERR_STORAGE, so the app treats them as store failures (publish() throws).
 */
export const POSTGRES_ERRORS = defineErrorCodes('@hookwork/postgres', {
  HOOKWORK_ERR_STORAGE_PERMISSION_DENIED: {
    summary: 'The PostgreSQL role hookwork connects as lacks a privilege it needs on the database or the schema (SQLSTATE 42501).',
    status: 500,
  },
  HOOKWORK_ERR_STORAGE_READ_ONLY: {
    summary: 'hookwork is connected to a PostgreSQL server that refuses writes (a standby, or default_transaction_read_only).',
    status: 503,
  },
});

/** The SQLSTATE of a server error (`23505`, `42501`, …), or undefined for a driver or network error. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * For a statement that was sent (a connection was had for it): true when its outcome is unknown —
 * the connection was lost or the server shut the session down before the answer, or the driver
 * failed in a way that says nothing — and false when PostgreSQL answered with an error of the
 * statement itself (it ran in a transaction of its own, now rolled back) or node-postgres refused a
 * broken client before writing anything to it.
 */
export function lostAfterSending(error: unknown): boolean {
  const state = sqlState(error);
  if (state !== undefined) return state.startsWith('08') || state.startsWith('57P');
  return !/not queryable/i.test((error as Error | null)?.message ?? '');
}

/**
 * True when the connection, not the statement, failed: refused or reset sockets, a server
 * shutting down or terminating the backend (`pg_terminate_backend`), a server not accepting
 * connections yet, too many clients, or node-postgres's own "Connection terminated" errors.
 */
export function isConnectionFailure(error: unknown): boolean {
  const state = sqlState(error);
  if (state !== undefined) return state.startsWith('08') || state.startsWith('57P') || state === '53300';
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return true; // ECONNREFUSED, ECONNRESET, ETIMEDOUT, ENOTFOUND, EPIPE…
  const message = (error as Error | null)?.message ?? '';
  return /Connection terminated|connection timeout|Client has encountered a connection error|not queryable|timeout exceeded when trying to connect/i.test(message);
}

/** Where an error happened. */
export interface ErrorContext {
  /** The server and schema, e.g. `PostgreSQL 127.0.0.1:5432/app (schema "hookwork")`; never a password. */
  where: string;
  /** What hookwork was doing, e.g. "claiming requests". */
  doing: string;
  /** True while opening (start): connection failures are HOOKWORK_ERR_STORAGE_OPEN_FAILED. */
  opening?: boolean;
  /** The schema, for the GRANT a permission error needs. */
  schema?: string;
  /** The role the statement ran as (hookwork's `current_user`, or the host client's login role), when known, for the GRANT. */
  role?: string;
  /** True when the statement ran on the host's client, in its transaction (the outbox insert): its role needs only what that insert touches. */
  hostTransaction?: boolean;
  /** The schema version found and the one this release needs, when a migration was under way. */
  migration?: { from: number; to: number };
}

/**
 * The statement that grants what PostgreSQL refused (SQLSTATE 42501), read from its message —
 * `permission denied for database|schema|table|sequence …`, `must be owner of …` — per the roles
 * and grants of docs/postgres.md.
 */
export function grantFix(reason: string, context: ErrorContext): string {
  const schema = quoteName(context.schema ?? 'hookwork');
  if (context.hostTransaction) {
    // The outbox insert on the host's client: its role needs that insert only, not hookwork's grants.
    const host = context.role !== undefined ? quoteName(context.role) : '<the role of your transaction\'s client>';
    const also = context.role !== undefined ? ` (the role your transaction's client logged in as; after a SET ROLE, grant the role it set)` : '';
    const fix = /permission denied for schema/.test(reason)
      ? `GRANT USAGE ON SCHEMA ${schema} TO ${host}`
      : /permission denied for sequence/.test(reason)
        ? `GRANT USAGE ON SEQUENCE ${schema}.requests_seq_seq TO ${host}`
        : /permission denied for table delivery_log/.test(reason)
          ? `GRANT SELECT (request_id) ON ${schema}.delivery_log TO ${host} (a publish with an idempotencyKey looks there for requests already delivered)`
          : /permission denied for table/.test(reason)
            ? `GRANT INSERT, SELECT (id, state) ON ${schema}.requests TO ${host}`
            : `GRANT USAGE ON SCHEMA ${schema} TO ${host}; GRANT INSERT, SELECT (id, state) ON ${schema}.requests TO ${host}; GRANT USAGE ON SEQUENCE ${schema}.requests_seq_seq TO ${host}`;
    return `the outbox insert ran in your transaction, as its client's role: ${fix}${also} (docs/postgres.md, roles and grants)`;
  }
  const role = context.role !== undefined ? quoteName(context.role) : '<the app\'s role>';
  const { migration } = context;
  if (migration && migration.from > 0 && (/must be owner of/.test(reason) || /permission denied for schema/.test(reason))) {
    // Not "GRANT CREATE": a migration alters tables (indexes, triggers), which only their owner may.
    return `the schema is at version ${migration.from} and this @hookwork/postgres needs ${migration.to}, a migration this role may not run: start the app once with the role that owns hookwork's tables (the one that created them), then go on with ${role} (docs/postgres.md, roles and grants)`;
  }
  const database = /permission denied for database (.+)$/.exec(reason)?.[1];
  if (database !== undefined) return `the schema does not exist and this role may not create it: GRANT CREATE ON DATABASE ${quoteName(database)} TO ${role}, or create it for the app: CREATE SCHEMA ${schema} AUTHORIZATION ${role} (docs/postgres.md, roles and grants)`;
  if (/permission denied for schema/.test(reason)) {
    return migration
      ? `creating the tables needs the schema's ownership or CREATE on it: GRANT USAGE, CREATE ON SCHEMA ${schema} TO ${role}, or start once with the role that owns it (docs/postgres.md, roles and grants)`
      : `GRANT USAGE ON SCHEMA ${schema} TO ${role} (docs/postgres.md, roles and grants)`;
  }
  if (/permission denied for table/.test(reason)) return `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${schema} TO ${role} (docs/postgres.md, roles and grants)`;
  if (/permission denied for sequence/.test(reason)) return `GRANT USAGE ON ALL SEQUENCES IN SCHEMA ${schema} TO ${role} (docs/postgres.md, roles and grants)`;
  return 'grant the role what docs/postgres.md lists (roles and grants: USAGE on the schema, and CREATE on it or on the database to create or migrate it; SELECT, INSERT, UPDATE, DELETE on its tables; USAGE on its sequences)';
}

/** An identifier as GRANT needs it: bare when it is a plain lower-case name, else quoted. */
export function quoteName(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/**
 * Turns a node-postgres error into a coded HookworkError naming the server, the operation and
 * the fix. Coded errors pass through unchanged.
 */
export function toStorageError(error: unknown, context: ErrorContext): HookworkError {
  if (isHookworkError(error)) return error;
  const state = sqlState(error);
  const reason = (error as Error | null)?.message ?? String(error);
  const detail = `${state ?? (error as { code?: string } | null)?.code ?? 'error'}: ${reason}`;
  const { where } = context;
  // What hookwork was doing may name a key as given: control characters are shown escaped.
  const doing = printableField(context.doing);
  if (state === '22021' || state === '22P05') {
    // A value PostgreSQL text cannot hold (U+0000): bad input, not a store failure. Such a key
    // cannot have been stored (keys are letters, digits and . _ : -), so nothing was found either.
    return new HookworkError('HOOKWORK_ERR_INVALID_ARGUMENT', `${where} was given a value it cannot hold while ${doing} (${state}: ${reason}); PostgreSQL text cannot contain U+0000 (NUL): remove it`, { cause: error });
  }
  if (state === '42501') {
    return POSTGRES_ERRORS.create('HOOKWORK_ERR_STORAGE_PERMISSION_DENIED', `${where}: permission denied while ${doing} (${reason}); ${grantFix(reason, context)}`, { cause: error });
  }
  if (state === '25006') {
    return POSTGRES_ERRORS.create('HOOKWORK_ERR_STORAGE_READ_ONLY', `${where} refused a write while ${doing} (${reason}); point the connection at the primary, not a standby`, { cause: error });
  }
  let code: HookworkErrorCode;
  let message: string;
  if (/Cannot use a pool after calling end on the pool/.test(reason)) {
    // The host ended its own pool while the app still runs on it (pool.end() before app.stop()).
    code = context.opening ? 'HOOKWORK_ERR_STORAGE_OPEN_FAILED' : 'HOOKWORK_ERR_STORAGE';
    message = `${where}: the pool was ended (pool.end()) while hookwork still uses it, ${doing}; end your pool only after app.stop()`;
  } else if (state === '55P03' || state === '40P01') {
    code = 'HOOKWORK_ERR_STORAGE_LOCKED';
    message = `${where}: a lock could not be taken while ${doing} (${detail}); look for a long transaction holding hookwork's tables (pg_stat_activity)`;
  } else if (context.opening) {
    code = 'HOOKWORK_ERR_STORAGE_OPEN_FAILED';
    message =
      state?.startsWith('28') || state === '3D000'
        ? `${where} refused the connection while ${doing} (${detail}); ${openingFix(state, reason)}`
        : isConnectionFailure(error)
          ? `${where} could not be reached while ${doing} (${detail}); check that the server runs and the connection string (host, port, database, user, password) is right`
          : /server does not support SSL/i.test(reason)
            ? // node-postgres says what happened and nothing of where the SSL request came from.
              `${where} refused SSL while ${doing} (${detail}); the connection string asks for it (sslmode=require or another sslmode, ssl=true): remove that to connect without SSL, or turn SSL on in the server (ssl = on in postgresql.conf)`
            : `${where} failed while ${doing} (${detail})`;
  } else {
    code = 'HOOKWORK_ERR_STORAGE';
    message = /timeout exceeded when trying to connect/i.test(reason)
      ? // node-postgres's pool gave no connection in time: as often all of them busy as the server away.
        `${where} gave no connection in time while ${doing} (${detail}): every connection of the pool was busy (transactions holding them?) or the server could not be reached; size the pool for what runs at once, and check the server`
      : isConnectionFailure(error)
        ? `${where} could not be reached while ${doing} (${detail}); hookwork reconnects by itself when the server is back`
        : `${where} failed while ${doing} (${detail})`;
  }
  return new HookworkError(code, message, { cause: error });
}

/** The fix for a server that answered but refused the login (SQLSTATE class 28) or has no such database (3D000). */
function openingFix(state: string, reason: string): string {
  if (state === '3D000') return 'create the database (createdb) or name an existing one in the connection string';
  if (/no PostgreSQL user name/i.test(reason)) {
    return 'the connection string names no user and neither PGUSER nor USER is set; add one, e.g. postgres://postgres@127.0.0.1:5432/db';
  }
  return 'check the user and password in the connection string (or PGUSER/PGPASSWORD) and pg_hba.conf';
}
