/**
 * Waits for `work` for at most `ms` milliseconds: true if it resolved in time, false if the time
 * ran out first (the work goes on). Rejects if `work` rejects in time. The timer is always cleared.
 */
export async function finishedWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([work.then(() => true as const), expired]);
  } finally {
    clearTimeout(timer);
  }
}
