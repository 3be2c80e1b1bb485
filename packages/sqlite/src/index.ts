/**
 * @hookwork/sqlite — embedded durable storage for hookwork: webhooks, the request queue and
 * the delivery log in one SQLite file (better-sqlite3, WAL mode).
 */
export { sqliteStorage, openSqliteStorage, type SqliteStorageOptions, type SqliteStorage } from './sqlite-storage';
export { SCHEMA_VERSION } from './schema';
export { SQLITE_ERRORS } from './sqlite-errors';
