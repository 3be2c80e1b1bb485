/// <reference types="jest" />
import pg from 'pg';
import type { StorageBackend } from '@hookwork/core';
import type { PostgresTransaction } from '../host-transaction';
import { postgresStorage, type PostgresStorageOptions } from '../postgres-storage';
import { TestDatabase } from './test-database';

/**
 * A test file's {@link TestDatabase}, checked reachable before its first test (failing with the
 * fix when it is not) and with every schema it named dropped after its last. For files whose
 * tests name their schemas themselves; {@link withTestSchema} gives each test one.
 */
export function withTestDatabase(label: string): TestDatabase {
  const db = new TestDatabase(label);
  beforeAll(() => db.reachable());
  afterAll(() => db.cleanup());
  return db;
}

/** What {@link withTestSchema} may add to the set-up. */
export interface TestSchemaOptions {
  /** Opens a pool of this many connections as the host's own (`host`), for its transactions; none by default. */
  hostPoolSize?: number;
}

/** One schema a test, and what is undone before it is dropped. */
export interface TestSchema {
  readonly db: TestDatabase;
  /** The running test's schema: a new name for each test (the store creates it at open), dropped after it. */
  readonly schema: string;
  /** The host's own pool (with `hostPoolSize`), ended after the file's last test. */
  readonly host: pg.Pool;
  /** A store on the running test's schema, as the tests' apps open it: a pool of 4 unless `options` say otherwise. */
  storage(options?: Partial<PostgresStorageOptions>): StorageBackend<PostgresTransaction>;
  /** Stops `app` after the test, before its schema is dropped; returns it. */
  stopAfterTest<T extends { stop(): Promise<unknown> }>(app: T): T;
  /** Runs `undo` after the test, before its schema is dropped (in the order they were added). */
  afterTest(undo: () => Promise<unknown>): void;
}

/**
 * The PostgreSQL tests' shared set-up: a unique schema for each test (`schema`), whatever the test
 * registered with `stopAfterTest`/`afterTest` undone after it, then the schema dropped; the server
 * checked reachable first and every schema dropped at the end, so files run in parallel and leave
 * nothing behind. Call it at the top of a file (or describe), before hooks that read `schema`:
 * jest runs hooks of one block in the order they were declared.
 */
export function withTestSchema(label: string, options: TestSchemaOptions = {}): TestSchema {
  const db = new TestDatabase(label);
  let host: pg.Pool | undefined;
  let schema: string | undefined;
  const undos: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    await db.reachable();
    if (options.hostPoolSize !== undefined) host = new pg.Pool({ connectionString: db.url, max: options.hostPoolSize });
  });
  afterAll(async () => {
    await host?.end();
    host = undefined;
    await db.cleanup();
  });
  beforeEach(() => {
    schema = db.schema();
  });
  afterEach(async () => {
    try {
      for (const undo of undos.splice(0)) await undo();
    } finally {
      if (schema !== undefined) await db.drop(schema);
      schema = undefined;
    }
  });

  const current = (): string => {
    if (schema === undefined) throw new Error(`withTestSchema('${label}'): there is a schema only while a test runs (read it in a test or a beforeEach/afterEach declared after withTestSchema)`);
    return schema;
  };
  return {
    db,
    get schema() {
      return current();
    },
    get host() {
      if (host === undefined) throw new Error(`withTestSchema('${label}'): no host pool (pass { hostPoolSize }), or read before beforeAll`);
      return host;
    },
    storage: (overrides = {}) => postgresStorage({ connectionString: db.url, schema: current(), poolSize: 4, ...overrides }),
    stopAfterTest(app) {
      undos.push(() => app.stop());
      return app;
    },
    afterTest(undo) {
      undos.push(undo);
    },
  };
}
