/**
 * One step of a JavaScript property path for a message: `.name` for a key that is an identifier,
 * `["first name"]` for any other, as a reader would write it (`payload.items[1]["first name"]`).
 */
export function propertyStep(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}
