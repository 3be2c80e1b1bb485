import { ERROR_CODES, type ErrorCodeDefinition, type HookworkErrorCode } from './error-codes';
import { nearestName } from './nearest-name';
import { oneLineText, visibleText } from './visible-text';

/**
 * A code of another package's catalogue: its prefix, `_ERR_`, and a name
 * (`ACME_COMMERCE_ERR_BAD_ORDER`). Packages declare and document theirs with defineErrorCodes().
 */
export type PluginErrorCode = `${string}_ERR_${string}`;

/** Options of a {@link HookworkError}. */
export interface HookworkErrorOptions {
  /** The error that caused this one. */
  cause?: unknown;
  /** Structured details for programs (e.g. every bad key of a settings object). */
  details?: unknown;
  /** The code's definition, for a code of another package's catalogue (defineErrorCodes passes it). */
  definition?: ErrorCodeDefinition;
}

/**
 * Every error hookwork throws on purpose. `code` is stable (documented in docs/errors.md);
 * the message names the thing at fault and the fix, and starts with the code. `status` is the
 * HTTP status an API answers it with; `JSON.stringify(error)` keeps code, message, status,
 * details and the cause's message.
 */
export class HookworkError extends Error {
  /** Always `HookworkError`, as stack traces and `JSON.stringify` show it. */
  override readonly name = 'HookworkError';
  /** The stable code (`HOOKWORK_ERR_…`, or a package's own), as documented in docs/errors.md. */
  readonly code: HookworkErrorCode | PluginErrorCode;
  /** The HTTP status an API answers with: the code's (500 for a code no catalogue defines). */
  readonly status: number;
  /** What the code means in general, from its catalogue (undefined for a code no catalogue defines). */
  readonly summary: string | undefined;
  /** Structured detail where the code has some (e.g. `{ key, problem }[]` of every bad setting or field). */
  readonly details?: unknown;

  constructor(code: HookworkErrorCode | PluginErrorCode, message: string, options: HookworkErrorOptions = {}) {
    // One line, and nothing a reader cannot see, whatever a message quotes: a value quoted with
    // JSON.stringify (which leaves U+202E and U+200B as they are) or a driver's text of several lines.
    super(`${code}: ${oneLineText(message)}`, options.cause === undefined ? undefined : { cause: options.cause });
    const definition = options.definition ?? (ERROR_CODES as Record<string, ErrorCodeDefinition | undefined>)[code];
    this.code = code;
    this.status = definition?.status ?? 500;
    this.summary = definition?.summary;
    if (options.details !== undefined) this.details = options.details;
  }

  /** A plain object for logs and APIs (an Error's own fields do not survive JSON.stringify). */
  toJSON(): { name: string; code: string; status: number; message: string; details?: unknown; cause?: { name?: string; message: string; code?: unknown } } {
    const cause = this.cause as { name?: string; message?: string; code?: unknown } | undefined;
    return {
      name: this.name,
      code: this.code,
      status: this.status,
      message: this.message,
      ...(this.details !== undefined ? { details: this.details } : {}),
      ...(cause !== undefined
        ? { cause: cause instanceof HookworkError ? cause.toJSON() : { ...(cause?.name ? { name: cause.name } : {}), message: typeof cause?.message === 'string' ? cause.message : String(cause), ...(cause?.code !== undefined ? { code: cause.code } : {}) } }
        : {}),
    };
  }
}

/**
 * What a coded error says, without the `CODE: ` its message starts with: for quoting it inside
 * another message or showing it where the code is shown apart (`HOOKWORK_ERR_SSRF_BLOCKED: the
 * host …` → `the host …`). A message that does not start with its code comes back as it is.
 */
export function messageWithoutCode(error: { readonly code: string; readonly message: string }): string {
  const prefix = `${error.code}: `;
  return error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
}

/**
 * A package's own error codes (Fastify's FST_ERR_… catalogue is the model): each code has one
 * meaning and one HTTP status, and belongs to one package, which documents it. Make one with
 * {@link defineErrorCodes}; raise its errors with {@link ErrorCatalogue.create}.
 */
export interface ErrorCatalogue<C extends string = string> {
  /** The npm package that owns the codes, e.g. "@hookwork/cms". */
  readonly owner: string;
  /** Every code with its summary and HTTP status. */
  readonly codes: Readonly<Record<C, ErrorCodeDefinition>>;
  /** A HookworkError of one of these codes, carrying its status and summary. */
  create(code: C, message: string, options?: { cause?: unknown; details?: unknown }): HookworkError;
}

const CODE_SHAPE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*_ERR_[A-Z0-9_]+$/;

/** A code prefix suggested from a package name: `@acme/commerce` → `ACME`, `acme-shop` → `ACME_SHOP`. */
const ownPrefix = (owner: string) => owner.replace(/^@/, '').split('/')[0]!.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_+|_+$/g, '') || 'ACME';

/**
 * Declares a package's error codes. A code looks like `PREFIX_ERR_NAME`; a status is a 4xx or
 * 5xx HTTP status. The package documents every code (`describeErrorCatalogue` from
 * @hookwork/core/testing keeps docs in step) and raises them with `catalogue.create()`:
 *
 * ```ts
 * export const COMMERCE_ERRORS = defineErrorCodes('@acme/commerce', {
 *   ACME_COMMERCE_ERR_BAD_ORDER: { summary: 'An order has no lines.', status: 400 },
 * });
 * throw COMMERCE_ERRORS.create('ACME_COMMERCE_ERR_BAD_ORDER', `order ${id} has no lines; add one`);
 * ```
 *
 * @throws HookworkError HOOKWORK_ERR_INVALID_ARGUMENT when a code is not of the form
 * PREFIX_ERR_NAME or uses the `HOOKWORK_` prefix outside an `@hookwork/*` package, a status is not 4xx/5xx or a summary is missing (a programming error in the
 * package, found when its module loads); `create()` throws the same code for a code the catalogue
 * does not declare (a typo in the code would otherwise go out as a status-500 error no page documents).
 */
export function defineErrorCodes<const T extends Record<string, ErrorCodeDefinition>>(owner: string, codes: T): ErrorCatalogue<Extract<keyof T, string>> {
  const invalid = (problem: string) => new HookworkError('HOOKWORK_ERR_INVALID_ARGUMENT', `defineErrorCodes(${JSON.stringify(owner)}): ${problem}`);
  if (typeof owner !== 'string' || owner === '') throw invalid('the owner must be the package name, e.g. "@acme/commerce"');
  if (codes === null || typeof codes !== 'object') throw invalid(`takes the codes as an object, e.g. { ACME_ERR_BAD_ORDER: { summary: 'An order has no lines.', status: 422 } }; got ${shownValue(codes)}`);
  for (const [code, definition] of Object.entries(codes)) {
    if (!CODE_SHAPE.test(code)) throw invalid(`${code} is not a code of the form PREFIX_ERR_NAME; write capitals, digits and _, with _ERR_ after the prefix (ACME_ERR_BAD_ORDER)`);
    if (code.startsWith('HOOKWORK_') && !owner.startsWith('@hookwork/')) {
      // One code, one meaning: isHookworkError(e, 'HOOKWORK_ERR_APP_STOPPED') must mean core's error.
      const own = `${ownPrefix(owner)}_ERR_${code.slice(code.indexOf('_ERR_') + 5)}`;
      throw invalid(
        code in ERROR_CODES
          ? `${code} is a code of @hookwork/core; a package declares codes of its own under its own prefix (${own})`
          : `${code}: the HOOKWORK_ prefix is for @hookwork/* packages; a package declares codes of its own under its own prefix (${own})`,
      );
    }
    if (definition === null || typeof definition !== 'object') throw invalid(`${code} must be { summary, status }; got ${shownValue(definition)}`);
    if (!Number.isInteger(definition.status) || definition.status < 400 || definition.status > 599) throw invalid(`${code} has status ${shownValue(definition.status)}; use a 4xx or 5xx HTTP status`);
    if (typeof definition.summary !== 'string' || definition.summary.trim() === '') throw invalid(`${code} has no summary; give one line saying what went wrong (docs and problem details show it)`);
  }
  const frozen = Object.freeze({ ...codes }) as Readonly<Record<Extract<keyof T, string>, ErrorCodeDefinition>>;
  return Object.freeze({
    owner,
    codes: frozen,
    create: (code: Extract<keyof T, string>, message: string, options: { cause?: unknown; details?: unknown } = {}) => {
      // A code the catalogue does not declare made an error with status 500 and no summary, and
      // the package's docs test could not see it: a typo in the code went out to users as a fault.
      if (typeof code !== 'string' || !Object.hasOwn(frozen, code)) {
        const near = typeof code === 'string' ? nearestName(code, Object.keys(frozen)) : undefined;
        throw invalid(`create(${shownValue(code)}): the catalogue declares no such code${near ? ` (did you mean ${near}?)` : ''}; raise one of its codes (${Object.keys(frozen).slice(0, 5).join(', ')}${Object.keys(frozen).length > 5 ? ', …' : ''}), or declare the new code in defineErrorCodes() and document it`);
      }
      return new HookworkError(code as PluginErrorCode, message, { ...options, definition: frozen[code] });
    },
  });
}

/** @hookwork/core's own catalogue (its codes are raised with `new HookworkError(code, …)`). */
export const CORE_ERRORS: ErrorCatalogue<HookworkErrorCode> = defineErrorCodes('@hookwork/core', ERROR_CODES);

/** True when `error` is a {@link HookworkError}, optionally of the given code. */
export function isHookworkError(error: unknown, code?: HookworkErrorCode | PluginErrorCode): error is HookworkError {
  return error instanceof HookworkError && (code === undefined || error.code === code);
}

const SHOWN_LENGTH = 200;

/**
 * A value as an error message shows it after "got": JSON, except where JSON would misreport it
 * (NaN and ±Infinity print as themselves, not `null`; a bigint, function or symbol by String()).
 * So the string "5000" reads `"5000"` and the number reads `5000`: a message about a value of
 * the wrong kind shows its kind. For plugins and backends checking their own options. It never
 * throws: an object JSON cannot hold (a cycle, a BigInt inside) is shown by its keys, and text
 * longer than 200 characters is cut, saying how long it was. Characters a reader cannot see (a
 * zero-width space, a bidirectional override, U+2028) are escaped as `\uXXXX`, as JSON escapes
 * controls: `"Umbraco.ContentPublish\u200b"`, not an alias that looks right.
 */
export function shownValue(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function' || typeof value === 'symbol') return String(value);
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    // A cycle, a BigInt inside, a throwing toJSON or getter: say what it is instead.
    const keys = Array.isArray(value) ? undefined : Object.keys(value as object);
    text = keys === undefined ? `an array of ${(value as unknown[]).length}` : `an object with ${keys.length === 0 ? 'no keys' : `keys ${keys.slice(0, 5).join(', ')}${keys.length > 5 ? ', …' : ''}`}`;
  }
  text = visibleText(text ?? String(value));
  return text.length > SHOWN_LENGTH ? `${text.slice(0, SHOWN_LENGTH)}… (${text.length} characters)` : text;
}
