/**
 * Lua scripts over BullMQ's keys, for what BullMQ has no index of: one request in a round trip
 * (its job hash and state), and per-webhook counts and dead letters (a job's name is its
 * webhook's key). Each runs atomically, so a request moving between states while it runs is
 * counted exactly once. The per-webhook counts and listings read every job of the states they
 * count (O(n) in Redis, about 1 µs a job): fine for management calls, not for a hot path; the
 * webhooks' keys and a deleted webhook's jobs are read a slice of a state per call. All but
 * hookworkDeleteDeadBefore only read (hookworkDiscardIdsIn chooses; BullMQ's own removeJob deletes).
 */
export const QUEUE_SCRIPTS = {
  /**
   * KEYS: job hash, its lock, failed, completed, delayed, active. ARGV: job id.
   * Returns nil, or [hash fields as a flat list, state, delayed score or false, lock token or false, lock TTL ms].
   * An id naming one of BullMQ's own keys under the prefix (`wait`, `meta`, `<id>:lock`) is no
   * request: only a hash with a job's fields is read.
   */
  hookworkGetRequest: {
    numberOfKeys: 6,
    lua: `
local id = ARGV[1]
if redis.call('TYPE', KEYS[1]).ok ~= 'hash' or redis.call('HEXISTS', KEYS[1], 'data') == 0 or redis.call('HEXISTS', KEYS[1], 'timestamp') == 0 then return nil end
local state = 'pending'
local score = false
if redis.call('ZSCORE', KEYS[3], id) then state = 'dead'
elseif redis.call('ZSCORE', KEYS[4], id) then state = 'completed'
else
  score = redis.call('ZSCORE', KEYS[5], id)
  if not score and redis.call('LPOS', KEYS[6], id) then state = 'inflight' end
end
return { redis.call('HGETALL', KEYS[1]), state, score, redis.call('GET', KEYS[2]), redis.call('PTTL', KEYS[2]) }`,
  },
  /**
   * KEYS: wait, paused, prioritized, delayed, active, failed. ARGV: job key base, webhook key.
   * Returns [pending, in flight, dead] of that webhook's requests.
   */
  hookworkWebhookCounts: {
    numberOfKeys: 6,
    lua: `
local base, webhook = ARGV[1], ARGV[2]
local function count(ids)
  local n = 0
  for _, id in ipairs(ids) do
    if redis.call('HGET', base .. id, 'name') == webhook then n = n + 1 end
  end
  return n
end
local pending = count(redis.call('LRANGE', KEYS[1], 0, -1)) + count(redis.call('LRANGE', KEYS[2], 0, -1))
  + count(redis.call('ZRANGE', KEYS[3], 0, -1)) + count(redis.call('ZRANGE', KEYS[4], 0, -1))
return { pending, count(redis.call('LRANGE', KEYS[5], 0, -1)), count(redis.call('ZRANGE', KEYS[6], 0, -1)) }`,
  },
  /**
   * KEYS: delayed. ARGV: job key base, webhook key, lowest score (exclusive, as ZRANGEBYSCORE
   * takes it: `(n`). The ids of that webhook's delayed jobs scored above it (the delayed set is
   * scored due ms × 4096 + a counter; the caller computes the bound, Lua's numbers print it rounded).
   * Reads the whole delayed set above the bound: O(n), for a management call.
   */
  hookworkDelayedIds: {
    numberOfKeys: 1,
    lua: `
local base, webhook, above = ARGV[1], ARGV[2], ARGV[3]
local ids = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], above, '+inf')) do
  if redis.call('HGET', base .. id, 'name') == webhook then table.insert(ids, id) end
end
return ids`,
  },
  /**
   * KEYS: failed. ARGV: job key base, webhook key ('' for every webhook), dead since (ms or '-inf'),
   * offset, limit (-1: all), after: a dead time (ms) and an id, or '' and '', dead until (ms, or ''
   * for no upper bound; a dead letter of that very time is in). Dead letters newest
   * dead first (the failed set's score is finishedOn; among one score, Redis orders members by
   * their bytes, and the walk reads them backwards). With after, only those strictly after that
   * place in the walk: dead earlier, or at that time with an id before it bytewise (compared byte
   * by byte here: Lua's own string order follows the server's locale). Returns [total, id, score,
   * id, score, …] of the page; the total counts every dead letter of the filters, after or not.
   */
  hookworkDeadIds: {
    numberOfKeys: 1,
    lua: `
local base, webhook, since, offset, limit, afterAt, afterId = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7]
local untilAt = tonumber(ARGV[8])
local top = '+inf'
if untilAt then top = ARGV[8] end
local function bytesBefore(a, b)
  local n = math.min(#a, #b)
  for i = 1, n do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b
end
local function past(id, score)
  if not afterAt then return true end
  local at = tonumber(score)
  return at < afterAt or (at == afterAt and bytesBefore(id, afterId))
end
local result = { 0 }
if webhook == '' and not afterAt then
  result[1] = redis.call('ZCOUNT', KEYS[1], since, top)
  if limit ~= 0 then
    for _, v in ipairs(redis.call('ZREVRANGEBYSCORE', KEYS[1], top, since, 'WITHSCORES', 'LIMIT', offset, limit)) do table.insert(result, v) end
  end
  return result
end
if webhook == '' then
  -- Every webhook's after a place: from the place's time down, in slices; only members of its own
  -- time can be before it, so a slice rarely holds one to pass over.
  result[1] = redis.call('ZCOUNT', KEYS[1], since, top)
  local sliceTop = ARGV[6]
  if untilAt and untilAt < afterAt then sliceTop = ARGV[8] end
  local from = 0
  while limit < 0 or #result - 1 < 2 * limit do
    local slice = redis.call('ZREVRANGEBYSCORE', KEYS[1], sliceTop, since, 'WITHSCORES', 'LIMIT', from, 100)
    if #slice == 0 then break end
    for i = 1, #slice, 2 do
      if (limit < 0 or #result - 1 < 2 * limit) and past(slice[i], slice[i + 1]) then
        table.insert(result, slice[i])
        table.insert(result, slice[i + 1])
      end
    end
    from = from + #slice / 2
  end
  return result
end
local total, taken, skipped = 0, 0, 0
local walk = redis.call('ZREVRANGEBYSCORE', KEYS[1], top, since, 'WITHSCORES')
for i = 1, #walk, 2 do
  local id, score = walk[i], walk[i + 1]
  if webhook == '' or redis.call('HGET', base .. id, 'name') == webhook then
    total = total + 1
    if (limit < 0 or taken < limit) and past(id, score) then
      if skipped < offset then skipped = skipped + 1
      else
        table.insert(result, id)
        table.insert(result, score)
        taken = taken + 1
      end
    end
  end
end
result[1] = total
return result`,
  },
  /**
   * KEYS: one of wait, paused (lists) or prioritized, delayed, failed (sorted sets). ARGV: job key
   * base, 'list' or 'zset', first and last index. The names (webhook keys) of the jobs in that
   * range, each once, after how many ids the range held: `[read, ...names]`. A slice of a state
   * per call, so Redis is held for a slice of the queue, not all of it.
   */
  hookworkWebhookKeysIn: {
    numberOfKeys: 1,
    lua: `
local base = ARGV[1]
local ids
if ARGV[2] == 'list' then ids = redis.call('LRANGE', KEYS[1], ARGV[3], ARGV[4]) else ids = redis.call('ZRANGE', KEYS[1], ARGV[3], ARGV[4]) end
local result, seen = { #ids }, {}
for _, id in ipairs(ids) do
  local name = redis.call('HGET', base .. id, 'name')
  if name and not seen[name] then
    seen[name] = true
    result[#result + 1] = name
  end
end
return result`,
  },
  /**
   * KEYS: one of wait, paused (lists) or prioritized, delayed, failed (sorted sets). ARGV: job key
   * base, 'list' or 'zset', first and last index, webhook key, published up to (ms, inclusive).
   * Of the jobs in that range, that webhook's created at or before the cut, after how many ids the
   * range held: `[read, created, id, created, id, …]`: what a deleted webhook leaves queued (not in
   * flight: the active list is not read). A slice of a state per call, as hookworkWebhookKeysIn.
   */
  hookworkDiscardIdsIn: {
    numberOfKeys: 1,
    lua: `
local base, webhook, cut = ARGV[1], ARGV[5], tonumber(ARGV[6])
local ids
if ARGV[2] == 'list' then ids = redis.call('LRANGE', KEYS[1], ARGV[3], ARGV[4]) else ids = redis.call('ZRANGE', KEYS[1], ARGV[3], ARGV[4]) end
local result = { #ids }
for _, id in ipairs(ids) do
  local fields = redis.call('HMGET', base .. id, 'name', 'data', 'timestamp')
  if fields[1] == webhook and fields[2] then
    local ok, data = pcall(cjson.decode, fields[2])
    -- A job of the builds that left createdAt out was created at its timestamp (see createdAtOf).
    local created = ok and type(data) == 'table' and tonumber(data.createdAt) or tonumber(fields[3])
    if created and created <= cut then
      result[#result + 1] = created
      result[#result + 1] = id
    end
  end
end
return result`,
  },
  /**
   * KEYS: failed. ARGV: job key base, before (ms, exclusive), limit, idempotency window (ms).
   * Deletes up to `limit` dead letters dead before `before`, oldest first; returns how many. A
   * keyed one (its hash names a deduplication id) leaves its deduplication key set for the window
   * from now, so a publish made again with its key is skipped as on the SQL stores, whose log
   * keeps the dead letter's attempts (the key set at its add has most likely expired by then).
   * The retention cleanup's delete: choosing the ids and deleting them in one script, so a dead
   * letter redelivered meanwhile (moved back to wait) is never deleted while pending, as
   * reading the ids and then calling Queue.remove() for each let happen. BullMQ's
   * Queue.clean(grace, limit, 'failed') is atomic too, but cuts at its own Date.now() minus
   * grace, inclusive. The keys deleted are those of BullMQ's removeJob for a job without parent
   * (hookwork's jobs have none), the deduplication key kept as said.
   */
  hookworkDeleteDeadBefore: {
    numberOfKeys: 1,
    lua: `
local base, before, limit, window = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. before, 'LIMIT', 0, limit)
for _, id in ipairs(ids) do
  local jobKey = base .. id
  local deid = redis.call('HGET', jobKey, 'deid')
  if deid then redis.call('SET', base .. 'de:' .. deid, id, 'PX', window) end
  redis.call('DEL', jobKey, jobKey .. ':logs', jobKey .. ':dependencies', jobKey .. ':processed', jobKey .. ':failed', jobKey .. ':unsuccessful')
  redis.call('ZREM', KEYS[1], id)
end
return #ids`,
  },
  /**
   * KEYS: none. ARGV: job key base, then job ids. Returns the ids held: a job of that id exists,
   * or its deduplication key (`<base>de:<id>`, left by an idempotent enqueue) — the ids BullMQ's
   * add skips. Sent just before the add of a batch, so the enqueue can say which it stored (one request
   * is asked for with a plain EXISTS of the same two keys).
   */
  hookworkHeldIds: {
    numberOfKeys: 0,
    lua: `
local base = ARGV[1]
local held = {}
for i = 2, #ARGV do
  local id = ARGV[i]
  if redis.call('EXISTS', base .. id, base .. 'de:' .. id) > 0 then held[#held + 1] = id end
end
return held`,
  },
} as const;

/** The commands {@link QUEUE_SCRIPTS} define on the producer client. */
export interface QueueScripts {
  hookworkGetRequest(jobKey: string, lockKey: string, failed: string, completed: string, delayed: string, active: string, id: string): Promise<[string[], string, string | null, string | null, number] | null>;
  hookworkWebhookCounts(wait: string, paused: string, prioritized: string, delayed: string, active: string, failed: string, base: string, webhookKey: string): Promise<[number, number, number]>;
  hookworkDelayedIds(delayed: string, base: string, webhookKey: string, above: string): Promise<string[]>;
  hookworkDeadIds(failed: string, base: string, webhookKey: string, since: string, offset: number, limit: number, afterAt: string, afterId: string, until: string): Promise<[number, ...string[]]>;
  hookworkDeleteDeadBefore(failed: string, base: string, before: string, limit: number, windowMs: number): Promise<number>;
  hookworkHeldIds(base: string, ...ids: string[]): Promise<string[]>;
  hookworkWebhookKeysIn(key: string, base: string, kind: 'list' | 'zset', first: number, last: number): Promise<[number, ...string[]]>;
  hookworkDiscardIdsIn(key: string, base: string, kind: 'list' | 'zset', first: number, last: number, webhookKey: string, publishedUpTo: string): Promise<[number, ...(number | string)[]]>;
}
