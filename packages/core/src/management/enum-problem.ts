import { shownValue } from '../errors/hookwork-error';
import { valueKind } from '../model/plain-object';

/**
 * Why `value` is not one of a field's `allowedValues` (a JSON Schema `enum`), in words: the values
 * taken and what was given, as the settings' refusals end (`must be one of "json", "cloudevents"
 * (got "xml")`). A string given is shown as itself, quoted and shortened past its first characters
 * (as every refusal shows a value); anything else by its kind (`a number`, `an array`, `a Map`),
 * whose contents say nothing the fix needs.
 */
export function enumProblem(allowedValues: readonly unknown[], value: unknown): string {
  return `must be one of ${allowedValues.map((v) => JSON.stringify(v)).join(', ')} (got ${typeof value === 'string' ? shownValue(value) : valueKind(value)})`;
}
