import type { TransportResult } from '../../ports/transport';
import { defaultSettings } from '../../settings/settings';
import { admission, afterAttempt, attemptHealth, claimProbe, healthPolicy, isQuiet, retryAfterPause, type AttemptFacts, type HealthPolicy } from './health-policy';
import type { WebhookHealthState } from '../../ports/webhook-health-store';

const DAY = 86_400_000;
const settings = { ...defaultSettings(), breaker: { ...defaultSettings().breaker, failureThreshold: 3, coolDown: 1000 } };
const policy: HealthPolicy = healthPolicy({}, settings);
const fail: AttemptFacts = { health: 'failure', probe: false };
const ok: AttemptFacts = { health: 'success', probe: false };

/** Runs facts in order from a healthy start, one ms apart from `t0`. */
function run(facts: AttemptFacts[], p: HealthPolicy = policy, t0 = 0) {
  let state: WebhookHealthState | undefined;
  const transitions: string[] = [];
  facts.forEach((f, i) => {
    const next = afterAttempt(state, f, p, t0 + i);
    state = next.state;
    transitions.push(...next.transitions.map((t) => t.kind));
  });
  return { state: state!, transitions };
}

const response = (statusCode: number, headers: Record<string, string> = {}): TransportResult => ({ ok: true, response: { statusCode, headers, body: '', bodyTruncated: false }, durationMs: 1 });

describe('the health policy', () => {
  it('classifies attempts: 2xx success, 429 neutral, an abort says nothing, everything else fails', () => {
    expect(attemptHealth(response(204))).toBe('success');
    expect(attemptHealth(response(429))).toBe('neutral');
    expect(attemptHealth(response(500))).toBe('failure');
    expect(attemptHealth(response(404))).toBe('failure');
    expect(attemptHealth(response(302))).toBe('failure');
    expect(attemptHealth({ ok: false, errorKind: 'refused', message: 'x', durationMs: 1 })).toBe('failure');
    expect(attemptHealth({ ok: false, errorKind: 'aborted', message: 'x', durationMs: 1 })).toBe('ignored');
  });

  it('opens the breaker at failureThreshold failures in a row, once, with the probe due after the cool-down', () => {
    const { state, transitions } = run([fail, fail, fail, fail]);
    expect(transitions).toEqual(['breaker.opened']);
    expect(state).toMatchObject({ breaker: 'open', openedAt: 2, probeAt: 1002, consecutiveFailures: 4, failingSince: 0 });
  });

  it('a success in between starts the count again', () => {
    expect(run([fail, fail, ok, fail, fail]).state).toMatchObject({ breaker: 'closed', consecutiveFailures: 2, failingSince: 3 });
  });

  it('holds while open, offers the probe after the cool-down, and holds others while a probe is out', () => {
    const { state } = run([fail, fail, fail]);
    expect(admission(state, policy, 500)).toEqual({ kind: 'hold', until: 1002, reason: 'breaker open' });
    expect(admission(state, policy, 1002)).toEqual({ kind: 'probe' });
    const probing = claimProbe(state, policy, 1002);
    expect(probing).toMatchObject({ breaker: 'half-open', probeAt: 1002 + policy.probeLeaseMs });
    expect(admission(probing, policy, 1100)).toEqual({ kind: 'hold', until: 1002 + policy.probeLeaseMs, reason: 'probe in flight' });
    // A probe whose process died: after its lease, another may probe.
    expect(admission(probing, policy, 1002 + policy.probeLeaseMs)).toEqual({ kind: 'probe' });
  });

  it('a successful probe closes the breaker and reports recovery; a failed one waits another cool-down', () => {
    const opened = run([fail, fail, fail]).state;
    const failedProbe = afterAttempt(claimProbe(opened, policy, 1002), { health: 'failure', probe: true }, policy, 1010);
    expect(failedProbe.transitions).toEqual([]);
    expect(failedProbe.state).toMatchObject({ breaker: 'open', openedAt: 2, probeAt: 2010, consecutiveFailures: 4 });
    const closed = afterAttempt(claimProbe(failedProbe.state, policy, 2010), { health: 'success', probe: true }, policy, 2020);
    expect(closed.transitions.map((t) => t.kind)).toEqual(['breaker.closed', 'webhook.recovered']);
    expect(closed.transitions[0]).toEqual({ kind: 'breaker.closed', openedAt: 2 });
    expect(closed.state).toEqual({ breaker: 'closed', consecutiveFailures: 0 });
    expect(isQuiet(closed.state, 2020)).toBe(true);
  });

  it('a 429 counts for nothing, but as a probe\'s answer it re-opens the breaker', () => {
    expect(run([fail, fail, { health: 'neutral', probe: false }, fail]).transitions).toEqual(['breaker.opened']);
    const opened = run([fail, fail, fail]).state;
    expect(afterAttempt(claimProbe(opened, policy, 1002), { health: 'neutral', probe: true }, policy, 1003).state).toMatchObject({ breaker: 'open', probeAt: 2003 });
  });

  it('a receiver\'s Retry-After holds the webhook until then, capped at maxRetryAfter, whatever the breaker', () => {
    const now = new Date(0);
    expect(retryAfterPause(response(429, { 'retry-after': '3' }), settings, now)).toBe(3000);
    expect(retryAfterPause(response(503, { 'retry-after': '99999' }), settings, now)).toBe(settings.maxRetryAfter);
    expect(retryAfterPause(response(500, { 'retry-after': '3' }), settings, now)).toBeUndefined();
    expect(retryAfterPause(response(429), settings, now)).toBeUndefined();
    expect(retryAfterPause(response(429, { 'retry-after': '3' }), { ...settings, throttleOnRetryAfter: false }, now)).toBeUndefined();
    const paused = afterAttempt(undefined, { health: 'neutral', probe: false, pauseMs: 3000 }, policy, 100).state;
    expect(admission(paused, policy, 3099)).toEqual({ kind: 'hold', until: 3100, reason: 'receiver asked to wait (Retry-After)' });
    expect(admission(paused, policy, 3100)).toEqual({ kind: 'send' });
  });

  it('opens on the failure rate of the sliding window once it holds minimumAttempts', () => {
    const p = healthPolicy({ breaker: { failureThreshold: 0, failureRate: 0.5, minimumAttempts: 10, window: 1000 } }, settings);
    // 4 successes, then failures: the 10th attempt brings the rate to 6/10.
    const { transitions, state } = run([ok, ok, ok, ok, fail, fail, fail, fail, fail, fail], p);
    expect(transitions).toEqual(['breaker.opened']);
    expect(state.window).toMatchObject({ attempts: 10, failures: 6 });
    // Below minimumAttempts nothing opens, whatever the rate.
    expect(run([fail, fail, fail, fail, fail], p).transitions).toEqual([]);
  });

  it('weighs the previous window by how much of it still overlaps, and forgets windows long gone', () => {
    const p = healthPolicy({ breaker: { failureThreshold: 0, failureRate: 0.5, minimumAttempts: 10, window: 1000 } }, settings);
    let state = run(Array.from({ length: 9 }, () => fail), p).state;
    // Half a window later the 9 failures count for about half: 4.5 + 1 attempt is below 10.
    state = afterAttempt(state, fail, p, 1500).state;
    expect(state.breaker).toBe('closed');
    expect(state.window).toMatchObject({ start: 1000, attempts: 1, failures: 1, previousAttempts: 9, previousFailures: 9 });
    expect(afterAttempt(state, fail, p, 5000).state.window).toEqual({ start: 5000, attempts: 1, failures: 1, previousAttempts: 0, previousFailures: 0 });
  });

  it('starts a fresh failure-rate window when the breaker closes: one failure after a successful probe does not open it again', () => {
    const p = healthPolicy({ breaker: { failureThreshold: 0, failureRate: 0.5, minimumAttempts: 4, window: 60_000 } }, settings);
    const opened = run([fail, fail, fail, fail], p);
    expect(opened.transitions).toEqual(['breaker.opened']);
    const closed = afterAttempt(opened.state, { health: 'success', probe: true }, p, 2000);
    expect(closed.transitions.map((t) => t.kind)).toEqual(['breaker.closed', 'webhook.recovered']);
    expect(closed.state.window).toEqual({ start: 2000, attempts: 1, failures: 0, previousAttempts: 0, previousFailures: 0 });
    // A receiver back up and failing now and then: 2 of the 6 attempts since the close failed.
    let state = closed.state;
    const transitions: string[] = [];
    [fail, ok, ok, fail, ok].forEach((f, i) => {
      const next = afterAttempt(state, f, p, 2001 + i);
      state = next.state;
      transitions.push(...next.transitions.map((t) => t.kind));
    });
    expect(transitions).toEqual([]);
    expect(state.breaker).toBe('closed');
    // The rate still opens it on what comes after the close: at 4 of 8 failed.
    const third = afterAttempt(state, fail, p, 2010);
    expect(third.transitions).toEqual([]);
    expect(afterAttempt(third.state, fail, p, 2011).transitions).toEqual([expect.objectContaining({ kind: 'breaker.opened', trigger: 'failure rate', failureRate: 0.5 })]);
  });

  it('successes counted in memory ride along with the next write', () => {
    const p = healthPolicy({ breaker: { failureRate: 0.5, minimumAttempts: 10 } }, settings);
    const { state } = afterAttempt(undefined, { health: 'failure', probe: false, bufferedSuccesses: 20 }, p, 0);
    expect(state.window).toMatchObject({ attempts: 21, failures: 1 });
    expect(state.breaker).toBe('closed');
  });

  it('asks once to disable a webhook failing without a success for autoDisable.after', () => {
    let state = afterAttempt(undefined, fail, policy, 0).state;
    const early = afterAttempt(state, fail, policy, 5 * DAY - 1);
    expect(early.transitions).not.toContainEqual(expect.objectContaining({ kind: 'disable' }));
    const due = afterAttempt(early.state, fail, policy, 5 * DAY);
    expect(due.transitions).toContainEqual({ kind: 'disable', failingSince: 0 });
    state = due.state;
    expect(afterAttempt(state, fail, policy, 6 * DAY).transitions).not.toContainEqual(expect.objectContaining({ kind: 'disable' }));
    // A success in the five days starts the clock again; autoDisable off never disables.
    expect(run([fail, ok, fail], policy).state.failingSince).toBe(2);
    const off = healthPolicy({}, { ...settings, autoDisable: { enabled: false, after: DAY } });
    expect(afterAttempt(afterAttempt(undefined, fail, off, 0).state, fail, off, 10 * DAY).transitions).toEqual([]);
  });

  it('a webhook\'s own breaker options and rate limit override the app\'s', () => {
    const p = healthPolicy({ breaker: { enabled: false }, rateLimit: { perSecond: 4, burst: 2 } }, settings);
    expect(p.breaker.enabled).toBe(false);
    expect(p.breaker.failureThreshold).toBe(3);
    expect(p.rate).toEqual({ intervalMs: 250, burst: 2 });
    expect(run(Array.from({ length: 10 }, () => fail), p).transitions).toEqual([]);
    expect(healthPolicy({}, { ...settings, rateLimit: { perSecond: 2.5, burst: 0 } }).rate).toEqual({ intervalMs: 400, burst: 3 });
    expect(healthPolicy({}, settings).rate).toBeUndefined();
  });
});
