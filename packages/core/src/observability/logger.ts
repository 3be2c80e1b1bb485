import { inspect } from 'node:util';
import { oneLineText } from '../errors/visible-text';
import { createToken } from '../runtime/tokens';

/** Where hookwork writes what it does. Hosts replace it with their own: winston's takes these calls as they are, pino's and bunyan's through {@link pinoLogger}. */
export interface Logger {
  /** Detail for troubleshooting (silent by default). */
  debug(message: string, meta?: Record<string, unknown>): void;
  /** Something worth knowing that needs no action (silent by default). */
  info(message: string, meta?: Record<string, unknown>): void;
  /** Something that may need action (a setting the store cannot honour well, a near-miss variable). */
  warn(message: string, meta?: Record<string, unknown>): void;
  /** A failure (a handler threw, a background task failed); `meta.error` holds the error. */
  error(message: string, meta?: Record<string, unknown>): void;
}

/** Injection token of the app's {@link Logger}. */
export const LoggerToken = createToken<Logger>('hookwork.Logger');

/**
 * A logger that writes nothing: `createHookwork({ logger: silentLogger })` quiets hookwork. It is
 * not the default — that is {@link consoleLogger} (warnings and errors to the console) — except
 * when `NODE_ENV` is `test`, as under jest, where apps are silent unless given a logger.
 */
export const silentLogger: Logger = Object.freeze({
  debug() {},
  info() {},
  warn() {},
  error() {},
});

/**
 * One log line: the message, then its meta on the same line. console.error(line, meta) printed
 * the meta as util.inspect's dump of ten lines and more (an admin refusal's `{ audit: … }`), which
 * a log collector reading a line per entry splits into entries of their own; an error's stack
 * broke the line too. Whatever a message or a value holds, the line is one: breaks in the inspected
 * text (a stack's) become spaces, as in error messages, and strings show theirs escaped.
 */
export function logLine(level: string, message: string, meta?: Record<string, unknown>): string {
  const shown = hasMeta(meta) ? ` ${inspect(meta, { breakLength: Infinity, compact: true, depth: 5, maxArrayLength: 20, maxStringLength: 2000 })}` : '';
  return oneLineText(`[hookwork] ${level} ${message}${shown}`);
}

/**
 * Whether a meta holds anything to print. Only an absent meta or an empty plain object `{}` holds
 * nothing: `Object.keys()` alone took a meta whose keys are all symbols, and an Error, a Date or a
 * number a JavaScript caller passed as meta (none has an enumerable string key), for empty, and
 * the line dropped what it held.
 */
function hasMeta(meta: unknown): boolean {
  if (meta === undefined || meta === null) return false;
  if (typeof meta !== 'object') return true;
  const proto = Object.getPrototypeOf(meta);
  if (proto !== Object.prototype && proto !== null) return true;
  return Reflect.ownKeys(meta).some((key) => Object.prototype.propertyIsEnumerable.call(meta, key));
}

/**
 * A logger that writes `warn` and `error` (and `info`/`debug` when `verbose`) to the console, each
 * message one line whatever its meta holds ({@link logLine}).
 */
export function consoleLogger(options: { verbose?: boolean } = {}): Logger {
  const write = (level: string, message: string, meta?: Record<string, unknown>) => {
    const out = level === 'error' || level === 'warn' ? console.error : console.log;
    // One argument: a message holding %s or %o is printed as it is, not used as a format.
    out(logLine(level, message, meta));
  };
  return {
    debug: (m, meta) => options.verbose && write('debug', m, meta),
    info: (m, meta) => options.verbose && write('info', m, meta),
    warn: (m, meta) => write('warn', m, meta),
    error: (m, meta) => write('error', m, meta),
  };
}

/**
 * A logger whose methods take the fields of the line first and its message second — pino's
 * (Fastify's `fastify.log` and `request.log`) and bunyan's: `log.warn({ webhookKey }, 'message')`.
 */
export interface MergingObjectLogger {
  /** Debug level: `fields` merged into the line, then the message. */
  debug(fields: Record<string, unknown>, message: string): void;
  /** Info level: `fields` merged into the line, then the message. */
  info(fields: Record<string, unknown>, message: string): void;
  /** Warn level: `fields` merged into the line, then the message. */
  warn(fields: Record<string, unknown>, message: string): void;
  /** Error level: `fields` merged into the line, then the message. */
  error(fields: Record<string, unknown>, message: string): void;
}

/**
 * hookwork's {@link Logger} on a pino logger (`createHookwork({ logger: pinoLogger(fastify.log) })`),
 * or any {@link MergingObjectLogger} (bunyan's). Given as it is, such a logger took hookwork's
 * `(message, meta)` as a message and a format argument, and dropped the meta: a dead letter's
 * line had no `webhookKey` nor `requestId`, and an error line no error. Here each meta becomes the
 * line's fields, and its `error` goes under `err`, the key whose serializer (pino's and bunyan's
 * by default) writes an error's type, message and stack — under `error` pino wrote `{}`.
 */
export function pinoLogger(target: MergingObjectLogger): Logger {
  const call = (level: (typeof LEVELS)[number]) => (message: string, meta?: Record<string, unknown>) => {
    let fields: Record<string, unknown> = {};
    if (meta !== undefined && meta !== null) {
      if (typeof meta === 'object' && 'error' in meta && !('err' in meta)) {
        const { error, ...rest } = meta;
        fields = { ...rest, err: error };
      } else fields = meta;
    }
    // Called on the logger: pino's methods need their `this`.
    target[level](fields, message);
  };
  return { debug: call('debug'), info: call('info'), warn: call('warn'), error: call('error') };
}

/**
 * The logger hookwork uses when none is given: {@link consoleLogger}, or {@link silentLogger}
 * when `NODE_ENV` is `test` (as jest sets it), so test runs stay quiet.
 */
export function defaultLogger(): Logger {
  return process.env.NODE_ENV === 'test' ? silentLogger : consoleLogger();
}

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/**
 * The app's logger as hookwork calls it: the host's, whose failures are its own. hookwork logs
 * from inside delivery and from its handlers of other failures, so a logger that threw (a closed
 * transport, a full disk, a bug) made an attempt that was sent look failed — unlogged, sent again
 * at its lease's end — and, from a background task's error handler, became an unhandled
 * rejection that ends a Node.js process. A message the logger cannot take is dropped; the first
 * such failure is reported once as a process warning (`HOOKWORK_LOGGER_FAILED`), the one channel
 * left that does not go through that logger.
 */
export function guardedLogger(logger: Logger): Logger {
  let warned = false;
  const failed = (level: string, error: unknown) => {
    if (warned) return;
    warned = true;
    process.emitWarning(`hookwork: the logger threw on a ${level} message (${(error as Error)?.message ?? String(error)}); its messages are dropped while it fails, and hookwork goes on — fix the logger passed to createHookwork()`, { code: 'HOOKWORK_LOGGER_FAILED' });
  };
  const guarded = {} as Logger;
  for (const level of LEVELS) {
    guarded[level] = (message, meta) => {
      try {
        // Called on the logger (pino's methods need their `this`), with meta only when given.
        if (meta === undefined) logger[level](message);
        else logger[level](message, meta);
      } catch (error) {
        failed(level, error);
      }
    };
  }
  return guarded;
}
