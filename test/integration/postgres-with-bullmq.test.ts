import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { createHookwork, WebhookEvent, WebhookEventBase, WebhookEventTypes, type Composer, type Hookwork } from '@hookwork/core';
import { startTestReceiver, type TestReceiver } from '@hookwork/core/testing';
import { bullmqQueue } from '@hookwork/bullmq';
import { postgresStorage } from '@hookwork/postgres';
import { Redis } from 'ioredis';
import pg from 'pg';

/**
 * Issue 13's combination: definitions and the delivery log in PostgreSQL, delivery on BullMQ —
 * `createHookwork({ storage: postgresStorage(…), queue: bullmqQueue(…) })`, each package through
 * its public entry only. The schema, queue name and key prefix are this file's own, removed after.
 */
const PG_URL = process.env.HOOKWORK_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.HOOKWORK_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const tag = `${process.pid}_${randomBytes(3).toString('hex')}`;
const schema = `hwt_pgbull_${tag}`;
const prefix = `hwt-pgbull-${tag}`;

class OrderPlaced {
  constructor(readonly id: string) {}
}

@WebhookEvent('Order Placed', WebhookEventTypes.Other, { alias: 'order.placed', notification: OrderPlaced })
class OrderPlacedEvent extends WebhookEventBase<OrderPlaced> {
  override convertNotificationToRequestPayload(notification: OrderPlaced) {
    return { id: notification.id };
  }
}

const composer: Composer = { compose: (builder) => void builder.webhookEvents().add(OrderPlacedEvent) };

let receiver: TestReceiver;
let app: Hookwork;

beforeAll(async () => {
  receiver = await startTestReceiver((request, res) => void res.writeHead(JSON.parse(request.text).id === 'fails' ? 500 : 204).end());
  app = createHookwork({
    composers: [composer],
    storage: postgresStorage({ connectionString: PG_URL, schema }),
    queue: bullmqQueue({ connection: REDIS_URL, queueName: 'orders', prefix, checkDurability: false }),
    settings: { ssrf: { allow: ['127.0.0.1'] }, retrySchedule: [50], retryJitter: 0, maximumRetries: 1, stopTimeout: 1000 },
  });
  await app.start();
});

afterAll(async () => {
  await app.stop();
  await receiver.close();
  const db = new pg.Client({ connectionString: PG_URL });
  await db.connect();
  await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await db.end();
  const redis = new Redis(REDIS_URL);
  for (let cursor = '0'; ; ) {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    if (keys.length > 0) await redis.del(...keys);
    if ((cursor = next) === '0') break;
  }
  redis.disconnect();
});

describe('PostgreSQL storage with the BullMQ queue', () => {
  it('delivers through Redis, keeps the webhook and every attempt in PostgreSQL, and dead-letters in BullMQ', async () => {
    const webhook = await app.webhooks.create({ url: receiver.url, events: ['order.placed'] });
    for (const id of ['o-1', 'o-2', 'fails']) await app.publish(new OrderPlaced(id));
    await app.drain({ timeoutMs: 30_000 });

    expect(receiver.requests.map((r) => JSON.parse(r.text).id).sort()).toEqual(['fails', 'fails', 'o-1', 'o-2']);
    // The log is PostgreSQL's: read it back through a second, plain connection to the schema.
    const db = new pg.Client({ connectionString: PG_URL });
    await db.connect();
    try {
      const { rows } = await db.query<{ outcome: string; n: string }>(`SELECT outcome, count(*) AS n FROM "${schema}".delivery_log WHERE webhook_key = $1 GROUP BY outcome ORDER BY outcome`, [webhook.key]);
      expect(rows.map((r) => [r.outcome, Number(r.n)])).toEqual([['dead', 1], ['delivered', 2], ['retrying', 1]]);
      // Requests never touch PostgreSQL's queue table: the queue is BullMQ's.
      expect(Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".requests`)).rows[0]!.n)).toBe(0);
    } finally {
      await db.end();
    }
    const dead = await app.deadLetters();
    expect(dead.items.map((d) => d.eventAlias)).toEqual(['order.placed']);
    expect(await app.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 1 });
  });

  it('a publish in a host transaction is refused saying the BullMQ queue is why, not to switch to the PostgreSQL storage it already has', async () => {
    await app.webhooks.create({ url: receiver.url, events: ['order.placed'] });
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      await client.query('BEGIN');
      // The app's type says it takes no transaction (its queue has none); from JavaScript a host can still pass one.
      const error = await app.publish(new OrderPlaced('in-tx'), { transaction: client as never }).then(() => undefined, (e: unknown) => e);
      await client.query('ROLLBACK');
      expect(error).toMatchObject({ code: 'HOOKWORK_ERR_INVALID_TRANSACTION' });
      const { message } = error as Error;
      expect(message).toMatch(/the bullmq queue cannot enqueue inside a host transaction, though the postgres storage could: leave out `queue` to have the postgres storage queue the requests too \(the transactional outbox\), or publish after your own commit/);
      expect(message).not.toMatch(/use a storage with a transactional enqueue/);
    } finally {
      await client.end();
    }
    expect(await app.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 1 });
  });

  it('takes over a queue recorded with either id of builds before (server/database/schema, database/schema), keeps it through a change of cluster, and still refuses one of another store', async () => {
    const redis = new Redis(REDIS_URL);
    const apps: Hookwork[] = [];
    const on = (queueName: string, pool?: pg.Pool) => {
      const storage = pool ? postgresStorage({ pool, schema }) : postgresStorage({ connectionString: PG_URL, schema });
      const made = createHookwork({ composers: [composer], storage, queue: bullmqQueue({ connection: REDIS_URL, queueName, prefix, checkDurability: false }) });
      apps.push(made);
      return made;
    };
    // The server another cluster would be (pg_upgrade, a restore, a failover): another system identifier.
    const elsewhere = new (class extends pg.Pool {
      override query(...args: unknown[]): never {
        if (typeof args[0] === 'string' && args[0].includes('pg_control_system')) return Promise.resolve({ rows: [{ id: '7301234567890123456' }] }) as never;
        return (super.query as (...a: unknown[]) => never)(...args);
      }
    })({ connectionString: PG_URL, max: 2 });
    try {
      const db = new pg.Client({ connectionString: PG_URL });
      await db.connect();
      const { rows } = await db
        .query<{ database: string; server: string; id: string }>(`SELECT current_database() AS database, (SELECT system_identifier::text FROM pg_control_system()) AS server, (SELECT store_id FROM "${schema}".schema_version) AS id`)
        .finally(() => db.end());
      const { database, server, id } = rows[0]!;
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      // What the builds before recorded for this very store: its app was refused after the upgrade.
      for (const [queueName, former] of [['upgraded', `postgres:${database}/${schema}`], ['upgraded-server', `postgres:${server}/${database}/${schema}`]] as const) {
        await redis.set(`${prefix}:${queueName}:hookwork:store`, former);
        await on(queueName).start();
        expect(await redis.get(`${prefix}:${queueName}:hookwork:store`)).toBe(`postgres:${id}`);
      }
      // The schema's id is its own: the same on another cluster (it named the system identifier, and was refused there).
      await on('upgraded-server', elsewhere).start();
      await redis.set(`${prefix}:elsewhere:hookwork:store`, `postgres:${database}/another_schema`);
      await expect(on('elsewhere').start()).rejects.toMatchObject({ code: 'HOOKWORK_ERR_INVALID_BULLMQ_OPTIONS' });
    } finally {
      for (const made of apps) await made.stop().catch(() => {});
      await elsewhere.end();
      redis.disconnect();
    }
  });
});
