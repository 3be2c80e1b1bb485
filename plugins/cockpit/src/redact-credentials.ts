import { REDACTED } from '@hookwork/core';
import type { CockpitArgsRedactor } from './cockpit-event-definition';

/**
 * Keys whose values are credentials wherever they appear in Cockpit's event arguments:
 * the REST API token, account secrets (`password` hashes, `api_key`, reset tokens) and the
 * Flysystem adapter options of file storages (S3 `credentials`/`key`/`secret`, FTP `password`…).
 */
export const SENSITIVE_KEY =
  /^(_?reset_?token|token|api_?key|apikey|password|passwd|pass|secret|key|private_?key|access_?token|refresh_?token|credentials?|client_?secret|secret_?key|access_?key(_?id)?|session_?token|auth|authorization(_?token)?|account_?key|sas_?token|connection_?string|dsn)$/i;

const URL_WITH_PASSWORD = /^([a-z][a-z0-9+.-]*:\/\/)([^/@\s]*:[^/@\s]*)@/i;
// The secret parts of a connection string (Azure's `…;AccountKey=…;`, ADO.NET's `Password=…`), which a storage adapter may take as a positional argument.
const CONNECTION_STRING_SECRET = /(^|;)\s*(AccountKey|SharedAccessKey|SharedAccessSignature|Password|Pwd)\s*=([^;]*)/gi;

/**
 * A copy of `value` with every value under a {@link SENSITIVE_KEY} replaced by `[redacted]`, the
 * user-info of URLs with a password removed and the key, signature and password parts of
 * connection strings (`AccountKey=…`) replaced. The host's own objects are never changed. It goes
 * by key names and these two string shapes only: a secret under another key, or inside other
 * text, is sent as it is.
 */
export function redactDeep(value: unknown, ancestors: Set<object> = new Set()): unknown {
  if (typeof value === 'string') return value.replace(URL_WITH_PASSWORD, `$1${REDACTED}@`).replace(CONNECTION_STRING_SECRET, `$1$2=${REDACTED}`);
  if (value === null || typeof value !== 'object') return value;
  // A cycle cannot be serialised anyway; leave it for the firing service to report.
  if (ancestors.has(value)) return value;
  // Dates and other values with toJSON serialise themselves; JSON.stringify sees own fields of anything else.
  if (!Array.isArray(value) && typeof (value as { toJSON?: unknown }).toJSON === 'function') return value;
  ancestors.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => redactDeep(item, ancestors));
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const redacted = SENSITIVE_KEY.test(key) && item !== null && item !== undefined && item !== '' ? REDACTED : redactDeep(item, ancestors);
      // An own "__proto__" key (JSON.parse makes them) stays a key: assigning it would set the prototype and drop it from the JSON.
      if (key === '__proto__') Object.defineProperty(copy, key, { value: redacted, enumerable: true, writable: true, configurable: true });
      else copy[key] = redacted;
    }
    return copy;
  } finally {
    ancestors.delete(value);
  }
}

/** The redactor of events whose arguments may hold credentials (deep, by key name). */
export const redactCredentials: CockpitArgsRedactor = (args) => args.map((arg) => redactDeep(arg));
