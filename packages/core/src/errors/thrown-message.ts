import { types } from 'node:util';
import { visibleText } from './visible-text';

/**
 * What a thrown value says, for a message that quotes it in parentheses (`its getter threw (…)`,
 * `a toJSON() that threw (…)`): the `message` of an Error (of any realm) or of an object that has
 * one — after its name where `named` and the name is not plain `Error` (`RangeError: Invalid time
 * value`) — else the value as text, with what a reader cannot see escaped ({@link visibleText}).
 * Never throws; see {@link readThrown}.
 */
export function thrownMessage(thrown: unknown, { named }: { named: boolean }): string {
  const { name, message } = readThrown(thrown);
  return visibleText(!named || name === undefined || name === 'Error' ? message : `${name}: ${message}`);
}

/**
 * The name (of an Error, of any realm, or an object with a `message`) and message of a thrown
 * value, or the value as text. Never throws: a getter or toJSON() may throw anything, a revoked
 * Proxy (on which instanceof, a read and String() all throw) among it, and telling it must not
 * become a raw TypeError out of publish(), findJsonLoss() or an API refusing its caller's input.
 * Each part is read on its own: a `name` getter that throws leaves the message, a `message` getter
 * that throws leaves the value's own text; where nothing can be read, `a thrown object that cannot
 * be read or turned into text` (by its `typeof`, which reads nothing). A name or message longer than
 * {@link THROWN_TEXT_LENGTH} characters is cut, saying how long it was.
 */
export function readThrown(thrown: unknown): { name: string | undefined; message: string } {
  if (typeof thrown === 'object' && thrown !== null) {
    const message = attempt(() => {
      const said = (thrown as { message?: unknown }).message;
      return types.isNativeError(thrown) || (said !== undefined && said !== null) ? String(said) : undefined;
    });
    if (message !== undefined) {
      const name = attempt(() => (thrown as { name?: unknown }).name);
      return { name: typeof name === 'string' ? cut(name) : undefined, message: cut(message) };
    }
  }
  const text = attempt(() => String(thrown));
  return { name: undefined, message: text === undefined ? `a thrown ${typeof thrown} that cannot be read or turned into text` : cut(text) };
}

/** The characters of a thrown value's name or message quoted at most: past them it is cut, saying how long it was. */
export const THROWN_TEXT_LENGTH = 1000;

/**
 * `text` cut at {@link THROWN_TEXT_LENGTH} characters (not inside a surrogate pair), saying how long
 * it was: what a getter threw is quoted in the message of an error raised at each publish, and a
 * message of megabytes (a response body, a dump) was quoted whole in that error and every log line of it.
 */
function cut(text: string): string {
  if (text.length <= THROWN_TEXT_LENGTH) return text;
  const end = /[\uD800-\uDBFF]/.test(text[THROWN_TEXT_LENGTH - 1]!) ? THROWN_TEXT_LENGTH - 1 : THROWN_TEXT_LENGTH;
  return `${text.slice(0, end)}… (${text.length} characters)`;
}

/** `read()`, or undefined where it throws. */
function attempt<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
