import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHookwork, silentLogger, webhookEtag, type Hookwork } from '@hookwork/core';
import { thingComposer } from '@hookwork/core/testing';
import { sqliteStorage } from '@hookwork/sqlite';

/**
 * Two instances on one SQLite file, one of them without the plugin that composes the webhook's
 * event (a rolling deploy that adds or drops a plugin): each flags the event differently
 * (`unknownEvents`), and a tag read through one must still make a change through the other.
 */
let dir: string;
const apps: Hookwork[] = [];
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hookwork-etag-'));
  const file = join(dir, 'hookwork.db');
  apps.push(createHookwork({ composers: [thingComposer], logger: silentLogger, storage: sqliteStorage({ file }) }));
  apps.push(createHookwork({ composers: [], logger: silentLogger, storage: sqliteStorage({ file }) }));
  for (const app of apps) await app.start();
});
afterAll(async () => {
  for (const app of apps) await app.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('gives one state of a webhook one tag in instances that compose different events', async () => {
  const [withPlugin, without] = apps as [Hookwork, Hookwork];
  const { key } = await withPlugin.webhooks.create({ url: 'https://example.com/hooks', events: ['thing.happened'] });
  const [seen, flagged] = [(await withPlugin.webhooks.get(key))!, (await without.webhooks.get(key))!];
  expect([seen.unknownEvents, flagged.unknownEvents]).toEqual([[], ['thing.happened']]);
  expect(webhookEtag(flagged)).toBe(webhookEtag(seen));
  // Read through one instance (the admin page of one server), saved through the other.
  const saved = await without.webhooks.update(key, { name: 'Orders' }, { ifMatch: webhookEtag(seen) });
  expect(saved.name).toBe('Orders');
});
