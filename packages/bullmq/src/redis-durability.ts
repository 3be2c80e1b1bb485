import type { Redis } from 'ioredis';

/** One thing the server's settings mean for queued requests. */
export interface DurabilityFinding {
  /** `warn`: requests can be lost or evicted; `info`: what the settings guarantee. */
  level: 'warn' | 'info';
  /** The finding and, for a warning, the Redis setting that fixes it. */
  message: string;
}

/**
 * What the Redis server's settings guarantee for queued requests (docs/bullmq.md): read with
 * `CONFIG GET`, or — where CONFIG is disabled (renamed, or denied by an ACL, as on many managed
 * services) — from `INFO persistence` / `INFO memory`, which tell all but `appendfsync`.
 * - `maxmemory-policy` other than `noeviction`: Redis deletes keys when full, jobs among them.
 * - `appendonly no`: a restart loses the queue (all of it without RDB snapshots, else what came
 *   after the last snapshot).
 * - `appendfsync no` / `everysec`: a crash of the machine (not of Redis alone) loses up to about
 *   30 s / 1 s of acknowledged writes; `always` loses none.
 */
export async function checkRedisDurability(client: Redis, where: string): Promise<DurabilityFinding[]> {
  const settings = await readSettings(client);
  const findings: DurabilityFinding[] = [];
  if (settings.unread) findings.push({ level: 'info', message: `could not read the settings of Redis at ${where} with CONFIG GET (${settings.unread}); durability was judged from INFO, which does not tell appendfsync — see docs/bullmq.md for what to set` });
  const policy = settings.maxmemoryPolicy;
  if (policy !== undefined && policy !== 'noeviction') {
    findings.push({ level: 'warn', message: `Redis at ${where} evicts keys when it is full (maxmemory-policy ${policy}): queued webhook requests can disappear without a trace; set maxmemory-policy noeviction (publishing then fails with HOOKWORK_ERR_ENQUEUE_FAILED instead)` });
  }
  if (settings.appendonly === 'no') {
    const snapshots = settings.save && settings.save.trim() !== '';
    findings.push({
      level: 'warn',
      message: snapshots
        ? `Redis at ${where} keeps only snapshots (appendonly no, save "${settings.save}"): a Redis restart or crash loses every webhook request enqueued since the last snapshot; set appendonly yes (and appendfsync always to lose nothing acknowledged)`
        : `Redis at ${where} keeps nothing on disk (appendonly no, no snapshots): a Redis restart or crash loses every queued webhook request and dead letter; set appendonly yes (and appendfsync always to lose nothing acknowledged)`,
    });
  } else if (settings.appendonly === 'yes' && settings.appendfsync === 'no') {
    findings.push({ level: 'warn', message: `Redis at ${where} leaves flushing its append-only file to the OS (appendfsync no): a crash of the machine can lose about the last 30 s of enqueued webhook requests; set appendfsync always to lose none` });
  } else if (settings.appendonly === 'yes' && settings.appendfsync === 'everysec') {
    findings.push({ level: 'info', message: `Redis at ${where} syncs its append-only file every second (appendfsync everysec): a Redis crash loses nothing, a crash of the machine up to about 1 s of enqueued webhook requests; appendfsync always loses none` });
  }
  return findings;
}

interface ServerSettings {
  appendonly?: string;
  appendfsync?: string;
  maxmemoryPolicy?: string;
  save?: string;
  /** Why CONFIG GET could not be used. */
  unread?: string;
}

async function readSettings(client: Redis): Promise<ServerSettings> {
  try {
    const flat = (await client.call('CONFIG', 'GET', 'appendonly', 'appendfsync', 'maxmemory-policy', 'save')) as string[];
    const config = new Map<string, string>();
    for (let i = 0; i + 1 < flat.length; i += 2) config.set(flat[i]!, flat[i + 1]!);
    return { appendonly: config.get('appendonly'), appendfsync: config.get('appendfsync'), maxmemoryPolicy: config.get('maxmemory-policy'), save: config.get('save') };
  } catch (error) {
    const unread = (error as Error)?.message ?? String(error);
    try {
      const info = `${await client.info('persistence')}\n${await client.info('memory')}`;
      const field = (name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim();
      const aof = field('aof_enabled');
      return { unread, ...(aof !== undefined ? { appendonly: aof === '1' ? 'yes' : 'no' } : {}), maxmemoryPolicy: field('maxmemory_policy') };
    } catch {
      return { unread };
    }
  }
}
