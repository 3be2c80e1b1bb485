/**
 * The lowest Redis version the BullMQ queue runs on. BullMQ itself starts on 5.0 and prints a
 * console warning below 6.2 (past the app's logger); hookwork's own request lookup uses `LPOS`
 * (6.0.6), which an older server refuses only when a request is looked up — long after start().
 * Redis 6.0 is out of support: 6.2 is the floor, checked at start.
 */
export const MINIMUM_REDIS_VERSION = '6.2.0';

/** `a.b.c` as numbers; missing parts are 0, anything after the digits of a part ignored (`7.2.4-rc1`). */
function versionParts(version: string): number[] {
  return version.split('.').slice(0, 3).map((part) => Number.parseInt(part, 10) || 0);
}

/** True when `version` is below `minimum` (both `a.b.c`). */
export function isVersionBelow(version: string, minimum: string): boolean {
  const have = versionParts(version);
  const need = versionParts(minimum);
  for (let i = 0; i < 3; i++) {
    if ((have[i] ?? 0) !== (need[i] ?? 0)) return (have[i] ?? 0) < (need[i] ?? 0);
  }
  return false;
}

/**
 * What makes the server whose `INFO` reply (its `server`, `replication` and `cluster` sections) is `info` unable to run
 * the BullMQ queue, or undefined:
 * - a Redis Cluster node (`cluster_enabled:1`): BullMQ's scripts touch several keys of a queue,
 *   which a cluster refuses unless they share a hash slot (CROSSSLOT), and a plain connection does
 *   not follow a MOVED to another node — start() used to succeed, and every publish then failed
 *   with CROSSSLOT and the Worker logged it for ever;
 * - a replica (`role:slave`): it refuses writes (READONLY; start() failed with BullMQ's script
 *   error, naming no fix), or, made writable, loses them at its next sync with the primary;
 * - a version below {@link MINIMUM_REDIS_VERSION}.
 * `where` names the server, `caller` the call whose connection it is. Pure: the caller reads INFO (and skips this where an ACL denies it).
 */
export function redisServerProblem(info: string, where: string, caller = 'bullmqQueue'): string | undefined {
  if (/^cluster_enabled:1\s*$/m.test(info)) {
    return `Redis at ${where} runs in cluster mode (cluster_enabled:1), which the BullMQ queue does not support: BullMQ's scripts use several keys of the queue at once, which a cluster refuses across hash slots (CROSSSLOT), and one connection does not follow a node's MOVED; give ${caller}({ connection }) a standalone Redis server (or the primary of a replicated one)`;
  }
  if (/^role:slave\s*$/m.test(info)) {
    const primary = [/^master_host:(\S+)\s*$/m.exec(info)?.[1], /^master_port:(\d+)\s*$/m.exec(info)?.[1]];
    return `Redis at ${where} is a replica (role:slave${primary[0] ? `, of ${primary[0]}:${primary[1] ?? 6379}` : ''}), which refuses the BullMQ queue's writes (READONLY) or loses them at its next sync; give ${caller}({ connection }) the primary`;
  }
  const version = /^redis_version:(\S+)\s*$/m.exec(info)?.[1];
  if (version !== undefined && isVersionBelow(version, MINIMUM_REDIS_VERSION)) {
    return `Redis at ${where} is version ${version}, and the BullMQ queue needs ${MINIMUM_REDIS_VERSION} or later (its scripts use commands older servers lack); upgrade Redis, or give ${caller}({ connection }) a newer server`;
  }
  return undefined;
}
