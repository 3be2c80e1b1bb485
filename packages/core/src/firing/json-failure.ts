import { readThrown, thrownMessage } from '../errors/thrown-message';
import { visibleText } from '../errors/visible-text';
import { propertyStep } from '../runtime/property-path';

/** Nesting past this many levels is named as too deep when JSON.stringify ran out of call stack. */
const DEEP_LEVELS = 1000;

/** Values the walk looks at before it gives up naming a place (JSON.stringify's error is kept then). */
const MAX_VISITED = 1_000_000;

/** Steps of a path shown in full at its start; a longer path shows its length instead of its middle. */
const SHOWN_STEPS = 6;

/**
 * Why `JSON.stringify(value)` threw, in hookwork's words, on one line: what JSON cannot hold,
 * where, and the fix (`a circular reference at payload.owner.manager, back to payload.owner: JSON
 * cannot hold a cycle (…)`, `a BigInt at payload.total: …`, `a toJSON() that threw (…) at
 * payload.when`, `a value nested more than 1000 levels deep at payload.a.a.a.a.a.a… (1000 steps): …`). V8's own message named none of these places (or, for
 * a cycle, on several lines), and a payload nested too deep was told to remove "circular references
 * or BigInt". The value is walked as JSON.stringify walks it (toJSON first, own enumerable keys,
 * in order) without recursion, so a payload deeper than the call stack is walked too. No value is
 * quoted (a BigInt under `token` is a credential), only paths and what a toJSON() or getter threw.
 *
 * @param value what JSON.stringify was given
 * @param cause what it threw
 * @param root the value's name at the start of each path, e.g. `payload` or `argument 2 (entry)`
 * @returns the problem and its place, starting with an article (`a BigInt …`, `a circular reference …`)
 */
export function jsonFailure(value: unknown, cause: unknown, root = 'payload'): string {
  // By name, not instanceof: the stack can run out inside a function of another realm (a vm
  // context, jest's sandbox), whose RangeError is not this realm's; and what a getter threw may be
  // anything, a revoked Proxy among it, told without throwing.
  const { name, message } = readThrown(cause);
  const reason = visibleText(message);
  const tooDeep = name === 'RangeError' && /call stack/i.test(reason);
  const found = failureIn(value, tooDeep);
  if (found === undefined) return `a value JSON.stringify cannot serialise (${reason})`;
  return `${found.what} at ${root}${shownPath(found.path)}${found.back !== undefined ? `, back to ${root}${shownPath(found.back.place)}` : ''}${found.why !== undefined ? `: ${found.why}` : ''}`;
}

/** A place in the value: its last step and the place holding it (a list of parents, not a copied array per value, so a deep chain costs no more than its length). */
interface Place {
  step: string;
  parent: Place | undefined;
  depth: number;
}

interface Failure {
  what: string;
  path: Place | undefined;
  /** For a cycle: the place of the object it refers back to (`place` undefined: the root). */
  back?: { place: Place | undefined };
  /** Why JSON cannot hold it, and the fix, after the place. */
  why?: string;
}

interface Visit {
  /** The object or array holding the value (none for the root), read when the visit comes. */
  holder: object | undefined;
  key: string;
  path: Place | undefined;
  /** The root's value. */
  value?: unknown;
}

/** The first thing JSON.stringify fails on, in its order; undefined when none is found. */
function failureIn(root: unknown, tooDeep: boolean): Failure | undefined {
  // An exit marker (an object) pops it from the ancestors when its children are done.
  const stack: (Visit | { exit: object })[] = [{ holder: undefined, key: '', path: undefined, value: root }];
  const ancestors = new Map<object, Place | undefined>();
  let visited = 0;
  while (stack.length > 0) {
    const next = stack.pop()!;
    if ('exit' in next) {
      ancestors.delete(next.exit);
      continue;
    }
    if (++visited > MAX_VISITED) return undefined;
    const { holder, key, path } = next;
    let value: unknown;
    // Read when its turn comes, as JSON.stringify reads it: a getter that throws is found in order.
    try {
      value = holder === undefined ? next.value : (holder as Record<string, unknown>)[key];
    } catch (error) {
      return { what: `a getter that threw (${thrownMessage(error, { named: true })})`, path };
    }
    if ((typeof value === 'object' && value !== null) || typeof value === 'bigint') {
      let toJSON: unknown;
      try {
        toJSON = (value as { toJSON?: unknown }).toJSON;
      } catch (error) {
        return { what: `a toJSON getter that threw (${thrownMessage(error, { named: true })})`, path };
      }
      if (typeof toJSON === 'function') {
        try {
          value = toJSON.call(value, key);
        } catch (error) {
          return { what: `a toJSON() that threw (${thrownMessage(error, { named: true })})`, path };
        }
      }
    }
    if (typeof value === 'bigint') return { what: 'a BigInt', path, why: 'JSON has no form for it (send String(value), or a Number when it is safe)' };
    if (typeof value !== 'object' || value === null) continue;
    if (ancestors.has(value)) return { what: 'a circular reference', path, back: { place: ancestors.get(value) }, why: 'JSON cannot hold a cycle (send an id instead of the object)' };
    if (tooDeep && (path?.depth ?? 0) >= DEEP_LEVELS) {
      return { what: `a value nested more than ${DEEP_LEVELS} levels deep`, path, why: 'deeper than JSON.stringify can go (flatten it, or send ids and let the receiver fetch the rest)' };
    }
    let keys: string[];
    try {
      keys = Array.isArray(value) ? Array.from({ length: value.length }, (_, i) => String(i)) : Object.keys(value);
    } catch (error) {
      return { what: `an object whose keys could not be listed (${thrownMessage(error, { named: true })}; a Proxy?)`, path };
    }
    ancestors.set(value, path);
    stack.push({ exit: value });
    // Pushed last to first, so they are walked first to last, as JSON.stringify writes them.
    for (let i = keys.length - 1; i >= 0; i--) {
      const childKey = keys[i]!;
      stack.push({ holder: value, key: childKey, path: { step: Array.isArray(value) ? `[${childKey}]` : propertyStep(childKey), parent: path, depth: (path?.depth ?? 0) + 1 } });
    }
  }
  return undefined;
}

/** A path as a message shows it: whole when short, else its first steps and its length. */
function shownPath(place: Place | undefined): string {
  const steps: string[] = [];
  for (let at = place; at !== undefined; at = at.parent) steps.push(at.step);
  steps.reverse();
  if (steps.length <= SHOWN_STEPS * 2) return steps.join('');
  return `${steps.slice(0, SHOWN_STEPS).join('')}… (${steps.length} steps)`;
}
