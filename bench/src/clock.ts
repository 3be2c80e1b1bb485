/**
 * The benchmark's one clock: milliseconds (sub-ms precision) on the system-wide monotonic clock
 * (`CLOCK_MONOTONIC` behind `process.hrtime`), the same in every process on the machine.
 *
 * Publish → arrival is stamped in the sender and read in the receiver's own process, so the two
 * must share a clock. `performance.timeOrigin + performance.now()` does not: each process fixes
 * its time origin from the wall clock when it starts, and while NTP slews or steps the wall clock
 * (a freshly booted machine) two processes disagree by milliseconds, which showed up as negative
 * latencies. The monotonic clock is never adjusted that way and has no per-process origin.
 */
export const now = (): number => Number(process.hrtime.bigint()) / 1e6;

/** The `p`th percentile (nearest rank) of `values`, NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}
