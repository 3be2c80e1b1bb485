/**
 * Umbraco's `string.EncodeAsGuid()`, the key it gives a partial view, script or stylesheet: the
 * hex codes of the string's characters (`{0:x2}` each), the first 32 hex digits, padded on the
 * left with zeros, read as a GUID. `site.js` → `00000000-0000-0000-0073-6974652e6a73`.
 */
export function encodeAsGuid(input: string): string {
  let hex = '';
  for (const char of input) {
    // .NET formats each UTF-16 code unit; a character outside the BMP is two of them.
    for (let i = 0; i < char.length; i++) hex += char.charCodeAt(i).toString(16).padStart(2, '0');
    if (hex.length >= 32) break;
  }
  const digits = hex.slice(0, 32).padStart(32, '0');
  return `${digits.slice(0, 8)}-${digits.slice(8, 12)}-${digits.slice(12, 16)}-${digits.slice(16, 20)}-${digits.slice(20)}`;
}
