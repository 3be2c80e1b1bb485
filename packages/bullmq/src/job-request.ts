import type { NewWebhookRequest, RequestState, WebhookRequest } from '@hookwork/core';
import type { Job } from 'bullmq';

/**
 * What a request's BullMQ job carries besides its id (the `webhook-id`) and name (its
 * webhook's key): the alias that fired, the body exactly as it will be signed, and when it
 * was created (ms).
 */
export interface RequestJobData {
  eventAlias: string;
  body: string;
  /**
   * Absent from jobs enqueued by the builds between 44be74d and 8e094dc (2026-11-30): their
   * creation time is the job's `timestamp` (they were enqueued due at once or delayed from it),
   * which {@link createdAtOf} reads instead.
   */
  createdAt?: number;
  /** The request's `traceparent` (its enqueue span), when tracing was on; absent from jobs of earlier builds. */
  traceparent?: string;
  /** The request's `tracestate`, when its enqueue span had one. */
  tracestate?: string;
}

/**
 * When a job's request was created (ms): `data.createdAt`, or for a job of the builds that left
 * it out, the job's own timestamp (its enqueue time, or its due time when it was enqueued due).
 */
export function createdAtOf(data: Pick<RequestJobData, 'createdAt'>, timestamp: number): number {
  return typeof data.createdAt === 'number' && Number.isFinite(data.createdAt) ? data.createdAt : timestamp;
}

/** The name, data and timing of the job that holds `request`. */
export function toJob(request: NewWebhookRequest, now: number): { name: string; data: RequestJobData; timestamp: number; delay: number } {
  const due = request.dueAt.getTime();
  // A due request is stamped with its due time (so get() returns it); a later one is delayed
  // until then, counted from now (BullMQ's delayed set is scored timestamp + delay).
  const data: RequestJobData = { eventAlias: request.eventAlias, body: request.body, createdAt: request.createdAt.getTime() };
  if (request.traceparent !== undefined) data.traceparent = request.traceparent;
  if (request.tracestate !== undefined) data.tracestate = request.tracestate;
  return {
    name: request.webhookKey,
    data,
    timestamp: due <= now ? due : now,
    delay: due <= now ? 0 : due - now,
  };
}

/** The request a job being processed holds (in flight under `token`). */
export function requestOfJob(job: Job<RequestJobData>, token: string | undefined): WebhookRequest {
  // Optional fields set, not spread in: a conditional spread copies on V8's slow path, at every job.
  const request: WebhookRequest = {
    id: job.id!,
    webhookKey: job.name,
    eventAlias: job.data.eventAlias,
    body: job.data.body,
    createdAt: new Date(createdAtOf(job.data, job.timestamp)),
    dueAt: new Date(job.timestamp + (job.delay ?? 0)),
    state: 'inflight',
    attempts: job.attemptsMade,
  };
  if (job.failedReason) request.lastError = job.failedReason;
  if (token) request.leaseOwner = token;
  traceContextOf(job.data, request);
  return request;
}

/** The request of a job hash read by the `hookworkGetRequest` script, or undefined for a completed job. */
export function requestOfHash(id: string, flat: string[], state: string, delayedScore: string | null, lockToken: string | null, lockTtl: number, now: number): WebhookRequest | undefined {
  if (state === 'completed') return undefined;
  const hash: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) hash[flat[i]!] = flat[i + 1]!;
  const data = JSON.parse(hash.data ?? '{}') as RequestJobData;
  const timestamp = Number(hash.timestamp ?? 0);
  const delay = Number(hash.delay ?? 0);
  const processedOn = hash.processedOn ? Number(hash.processedOn) : undefined;
  // Delayed: due at its score. Waiting after an attempt: it became due at the latest now.
  const due = delayedScore !== null ? Math.floor(Number(delayedScore) / 0x1000) : processedOn !== undefined ? Math.min(now, processedOn + delay) : timestamp + delay;
  const requestState: RequestState = state === 'dead' ? 'dead' : state === 'inflight' ? 'inflight' : 'pending';
  const lastError = hash.failedReason && hash.failedReason !== 'null' ? hash.failedReason : undefined;
  const request: WebhookRequest = {
    id,
    webhookKey: hash.name ?? '',
    eventAlias: data.eventAlias,
    body: data.body,
    createdAt: new Date(createdAtOf(data, timestamp)),
    dueAt: new Date(due),
    state: requestState,
    attempts: Number(hash.atm ?? 0),
    ...(lastError ? { lastError } : {}),
    ...(requestState === 'inflight' && lockToken ? { leaseOwner: lockToken, ...(lockTtl > 0 ? { leaseExpiresAt: new Date(now + lockTtl) } : {}) } : {}),
    ...(requestState === 'dead' && hash.finishedOn ? { deadAt: new Date(Number(hash.finishedOn)) } : {}),
  };
  traceContextOf(data, request);
  return request;
}

/** Sets `request`'s trace context from its job's data (absent from jobs of builds that stored none). */
function traceContextOf(data: Pick<RequestJobData, 'traceparent' | 'tracestate'>, request: WebhookRequest): void {
  if (typeof data.traceparent !== 'string') return;
  request.traceparent = data.traceparent;
  if (typeof data.tracestate === 'string') request.tracestate = data.tracestate;
}
