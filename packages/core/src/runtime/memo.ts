/**
 * Remembers `compute`'s answer per string key, for a value asked for again and again (a
 * webhook's URL, parsed or checked at every attempt). At most `max` answers are kept; when full,
 * all are forgotten at once: a few distinct keys are the usual case, and a flood of new ones then
 * costs recomputing, never memory. Each call makes its own memory: never module state, so two
 * apps in one process share nothing.
 */
export function memoByKey<V>(compute: (key: string) => V, max = 1024): (key: string) => V {
  const answers = new Map<string, V>();
  return (key) => {
    const known = answers.get(key);
    if (known !== undefined || answers.has(key)) return known as V;
    const value = compute(key);
    if (answers.size >= max) answers.clear();
    answers.set(key, value);
    return value;
  };
}
