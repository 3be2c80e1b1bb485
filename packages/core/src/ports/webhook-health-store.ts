import type { BreakerState } from '../model/webhook-health';
import { createToken } from '../runtime/tokens';

export type { BreakerState } from '../model/webhook-health';

/**
 * The counts of the failure-rate window (see the `breaker.failureRate` setting): attempts and
 * failures in the current window and in the one before it, which is weighed by how much of it
 * still overlaps the sliding window.
 */
export interface HealthWindow {
  /** When the current window started, ms since the epoch. */
  start: number;
  /** Attempts in the current window. */
  attempts: number;
  /** Failed attempts in the current window. */
  failures: number;
  /** Attempts in the window before. */
  previousAttempts: number;
  /** Failed attempts in the window before. */
  previousFailures: number;
}

/**
 * One webhook's health as stored: plain JSON data, times in ms since the epoch, so a backend
 * stores it as one opaque value (a JSON column, a Redis string) and never interprets it. Core
 * alone reads and changes it (delivery/health/health-policy.ts), so every backend behaves the same.
 */
export interface WebhookHealthState {
  /** Where the circuit breaker stands. */
  breaker: BreakerState;
  /** When the breaker last went from closed to open. */
  openedAt?: number;
  /** `open`: the earliest time a probe may go. `half-open`: when the probe's claim lapses and another may probe. */
  probeAt?: number;
  /** Failed attempts since the last success. */
  consecutiveFailures: number;
  /** The first failed attempt since the last success; absent while the webhook is healthy. */
  failingSince?: number;
  /** The failure-rate window, kept only when `breaker.failureRate` is on. */
  window?: HealthWindow;
  /** Nothing is sent to the webhook before this (a receiver's Retry-After). */
  pausedUntil?: number;
  /** Set when hookwork disabled the webhook for sustained failure, so that happens once; cleared on re-enable. */
  disabledAt?: number;
  /**
   * Which receiver this state judges: a short hash of the webhook's URL and creation time, set by
   * core at every write. A state whose receiver is not the webhook's now (its URL was changed, or
   * it was deleted and created again, and the forgetting of its health never happened: the process
   * was killed in between, or the store failed) is read as no state. Absent in states written
   * before it was kept: those are read as they are.
   */
  receiver?: string;
}

/** A stored state with its version: every write makes the version one higher. */
export interface WebhookHealthRecord {
  /** The webhook's key. */
  webhookKey: string;
  /** 1 for the first write, then one more per write. */
  version: number;
  /** The state as last written. */
  state: WebhookHealthState;
}

/** What {@link WebhookHealthStore.takeToken} answers: a slot was taken, or when the next one frees up. */
export type TokenGrant = { readonly granted: true } | { readonly granted: false; readonly retryAt: Date };

/** A rate as the token operation takes it: one request per `intervalMs` on average, `burst` at once. */
export interface TokenRate {
  /** 1000 / requests per second. */
  intervalMs: number;
  /** At least 1. */
  burst: number;
}

/**
 * Where the health of each webhook lives, shared by every process using the store, so they agree
 * on an open breaker, a failing streak and a rate limit. The port has these primitives; core
 * builds the circuit breaker, auto-disable and throttling on them:
 *
 * - {@link compareAndSet}: an atomic write of a whole state when nobody wrote since it was read
 *   (optimistic concurrency), so a breaker transition happens in exactly one process, which alone
 *   reports it;
 * - {@link update} (optional): a read-decide-write under the store's lock on the webhook, which
 *   never loses to another writer: what core writes with once a compare-and-set lost to another
 *   process, so every attempt's outcome is counted however many processes write at once;
 * - {@link takeToken}: an atomic rate-limit step (the generic cell rate algorithm, one number per
 *   webhook), for limits honoured across processes;
 * - reading and forgetting.
 *
 * A healthy webhook costs no write: core writes only on failures, transitions and recovery.
 * Backends: memory (core), SQLite (`@hookwork/sqlite`); each runs
 * `describeWebhookHealthStoreContract` from `@hookwork/core/testing`.
 */
export interface WebhookHealthStore {
  /**
   * The state of a webhook as stored now, or undefined when it has none (it never failed): a write
   * committed by any process sharing the store is seen by the next call, never answered from a
   * cache that may hold what was stored before. Management reads through it (`app.health()`, the
   * admin API's `GET webhook/{id}/health` and `GET webhook/health`), and so does delivery when the
   * store has no {@link getShared}.
   */
  get(webhookKey: string): Promise<WebhookHealthRecord | undefined>;
  /**
   * The state {@link get} answers, as fresh as the store can cheaply tell: it may answer from a
   * cache the store drops when another process's write is announced (PostgreSQL: on the write's
   * notification, milliseconds after the commit; after 5 s at most should the LISTEN connection
   * die unnoticed), and must answer this store's own writes at once. Delivery reads through it (and
   * keeps the answer for up to a second itself), so a webhook's health costs no round trip per
   * attempt. Optional: without it, delivery reads through {@link get}. PostgreSQL has it; memory
   * and SQLite read their one copy, or the row, as cheaply as a cache would.
   */
  getShared?(webhookKey: string): Promise<WebhookHealthRecord | undefined>;
  /**
   * Stores `state` as the webhook's state if its stored version is still `expectedVersion` (0:
   * it has no record yet), and returns the new record with the version one higher; returns
   * undefined, changing nothing, when the stored version is another (someone wrote first: read
   * again and decide again).
   */
  compareAndSet(webhookKey: string, expectedVersion: number, state: WebhookHealthState): Promise<WebhookHealthRecord | undefined>;
  /**
   * Takes one request's slot of the webhook's rate at `now`, atomically across every process
   * sharing the store (GCRA: keep a theoretical arrival time `tat`; with `t = max(tat, now)`, grant
   * and set `tat = t + intervalMs` when `t - now <= (burst - 1) * intervalMs`, else refuse with
   * `retryAt = t - (burst - 1) * intervalMs`). A refusal changes nothing.
   */
  takeToken(webhookKey: string, rate: TokenRate, now: Date): Promise<TokenGrant>;
  /**
   * Changes a webhook's state as one step against every other writer sharing the store: holding
   * the store's lock on the webhook (a row lock, a write transaction), calls `change` with the
   * record as stored now (undefined: it has none) and stores the state it returns, with the
   * version one higher, before any other writer reads or writes the webhook's state. `change`
   * returns undefined to leave the state as it is. Resolves with the record as stored afterwards
   * (the one written, or the one `change` left, or undefined).
   *
   * `change` must be a pure decision on what it is given: a store may call it more than once (it
   * tried again after a lock was refused, or after another writer created the first record
   * meanwhile), and what the last call returned is what is stored. When it throws, nothing is
   * stored and the update rejects with its error (or the store's coded error wrapping it).
   *
   * Optional: without it, core writes by {@link compareAndSet} alone, reading again and trying
   * again after a lost round until it wins (never dropping an attempt's outcome); with it, core
   * still tries a compare-and-set first (one round trip when nobody else writes) and updates once
   * another process wrote first. A lock that could not be taken in time rejects with
   * HOOKWORK_ERR_STORAGE_LOCKED, and core tries again later. Memory, SQLite and PostgreSQL have it.
   */
  update?(webhookKey: string, change: (current: WebhookHealthRecord | undefined) => WebhookHealthState | undefined): Promise<WebhookHealthRecord | undefined>;
  /** Every stored record (webhooks that have failed at least once), in no particular order. */
  list(): Promise<WebhookHealthRecord[]>;
  /** Forgets a webhook's state and rate (it was deleted, or an operator enabled it again). */
  delete(webhookKey: string): Promise<void>;
}

/** Injection token of the app's {@link WebhookHealthStore} (opened at start). */
export const WebhookHealthStoreToken = createToken<WebhookHealthStore>('hookwork.WebhookHealthStore');

/**
 * GCRA in one place, for backends that keep `tat` themselves (memory, SQLite inside a write
 * transaction): given the stored `tat` (ms, or undefined for none), the rate and `now`, what to
 * answer and the `tat` to store (undefined: store nothing).
 */
export function gcraStep(tat: number | undefined, rate: TokenRate, now: number): { grant: TokenGrant; tat?: number } {
  const start = Math.max(tat ?? now, now);
  const tolerance = (Math.max(1, rate.burst) - 1) * rate.intervalMs;
  if (start - now > tolerance) return { grant: { granted: false, retryAt: new Date(Math.ceil(start - tolerance)) } };
  return { grant: { granted: true }, tat: start + rate.intervalMs };
}
