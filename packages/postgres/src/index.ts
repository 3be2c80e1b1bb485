/**
 * @hookwork/postgres — PostgreSQL storage for hookwork: webhooks, the request queue, the
 * delivery log and webhook health in one schema, shared by any number of app instances
 * (SKIP LOCKED claims, LISTEN/NOTIFY wake-ups), with enqueue inside the host's own transaction
 * (the transactional outbox).
 */
export { postgresStorage, openPostgresStorage, POSTGRES_CAPABILITIES, type PostgresStorageOptions, type PostgresStorage } from './postgres-storage';
export type { PostgresTransaction } from './host-transaction';
export { POSTGRES_ERRORS } from './postgres-errors';
export { SCHEMA_VERSION } from './schema';
