import { checkUrl, cliArgumentError, isHookworkError, maskUrlCredentials, messageWithoutCode, nearestName, signingSecretProblem } from '@hookwork/core';
import { bullmqQueue } from '@hookwork/bullmq';
import { postgresStorage } from '@hookwork/postgres';
import { forTheCommandLine } from './flag-messages';

/** What the quickstart was asked to do. */
export interface QuickstartOptions {
  /** Send to this URL instead of the built-in receiver. */
  target?: string;
  /** The signing secret for --target (generated and printed when absent). */
  secret?: string;
  /** Publish this many events (a small load demo) instead of the tour. */
  events?: number;
  /** Where the SQLite file lives. */
  dataDir: string;
  /** After the run, keep the app running with its admin page on 127.0.0.1 until Ctrl-C. */
  admin?: boolean;
  /** The admin page's port (default: a free one). */
  adminPort?: number;
  /** Keep requests in Redis with BullMQ at this URL (webhooks and the log stay in SQLite). */
  redis?: string;
  /** The BullMQ queue with --redis (--queue; default `hookwork-quickstart`; tests use one of their own). */
  redisQueue?: string;
  /** Keep everything in PostgreSQL at this URL instead of SQLite. */
  postgres?: string;
  /** The schema with --postgres (--schema; default `hookwork_quickstart`; tests use one of their own). */
  postgresSchema?: string;
  help: boolean;
}

/** The fix a refusal that names no better one ends with. */
const HELP = 'npm start -- --help shows the options';

export const USAGE = `usage: npm start -- [options]

  --target <url>       send to your own endpoint instead of the built-in receiver
  --secret <whsec_…>   the signing secret your endpoint verifies with (generated when absent)
  --events <n>         publish n content events (1–100000) with a progress bar
  --data-dir <dir>     where the SQLite database is kept (default: examples/quickstart/.data)
  --admin              then keep the app running with its admin page on 127.0.0.1 (prints the
                       URL and a token) until Ctrl-C
  --admin-port <n>     the admin page's port (default: a free one)
  --redis <url>        queue requests in Redis with BullMQ (redis://127.0.0.1:6379); webhooks
                       and the delivery log stay in SQLite
  --queue <name>       the BullMQ queue --redis keeps requests in (default hookwork-quickstart;
                       removed after the run when empty); runs at the same time need one each
  --postgres <url>     keep webhooks, the queue and the log in PostgreSQL instead of SQLite
                       (postgres://user@127.0.0.1:5432/db)
  --schema <name>      the schema --postgres keeps them in (default hookwork_quickstart;
                       created at start, kept after the run)
  --help               show this text`;

/**
 * A connection URL as node-postgres and ioredis read it (WHATWG URL), or HOOKWORK_ERR_INVALID_CLI_ARGUMENT saying
 * how to write it: an unparsable one is nearly always a password with a character that must be
 * percent-encoded, and the message shows the URL with its credentials masked.
 */
function parseUrl(flag: string, url: string, example: string): URL {
  try {
    if (/\s/.test(url)) throw new Error('white space');
    return new URL(url);
  } catch {
    throw cliArgumentError(
      `${flag} is not a valid URL: "${maskUrlCredentials(url)}"; percent-encode the characters of the user and password that URLs reserve (@ %40, # %23, / %2F, ? %3F, : %3A, space %20 — encodeURIComponent does it), e.g. ${example}, and give a port from 1 to 65535`,
    );
  }
}

/**
 * A whole number written in decimal digits, else NaN (which fails every range check): Number()
 * would also read "0x10" as 16, "1e3" as 1000 and " 5" as 5, none of which a user means by a
 * count or a port.
 */
function wholeNumber(raw: string): number {
  return /^\d+$/.test(raw) ? Number(raw) : NaN;
}

/**
 * Options a user reaches for that the quickstart has under another name, or needs not: nothing
 * near enough in spelling for nearestName() to suggest.
 */
const LIKELY_MEANT: Readonly<Record<string, string>> = {
  '--sqlite': 'SQLite is the store unless --postgres is given: leave it out, and give --data-dir <dir> for another folder',
  '--port': 'the admin page\'s port is --admin-port, with --admin; the built-in receiver takes a free one',
  '--bullmq': 'BullMQ runs on Redis: --redis redis://127.0.0.1:6379',
  '--pg': '--postgres postgres://user@127.0.0.1:5432/db',
  '--url': '--target <url> sends to your own endpoint',
};

const OPTION_NAMES = ['target', 'secret', 'events', 'data-dir', 'admin', 'admin-port', 'redis', 'queue', 'postgres', 'schema', 'help'];

/**
 * --queue: only with --redis, and a name bullmqQueue() takes — its own check, so the rule is the
 * BullMQ queue's, not a copy — refused here rather than when the app starts.
 */
function checkQueue(queueName: string, options: QuickstartOptions): void {
  if (!options.redis) throw cliArgumentError('--queue goes with --redis (the BullMQ queue the requests wait in)');
  try {
    bullmqQueue({ connection: options.redis, queueName });
  } catch (error) {
    if (isHookworkError(error, 'HOOKWORK_ERR_INVALID_BULLMQ_OPTIONS')) throw cliArgumentError(forTheCommandLine(messageWithoutCode(error), options));
    throw error;
  }
}

/** --redis: a URL bullmqQueue() takes (its own check), refused here rather than when the app starts. */
function checkRedis(url: string, options: QuickstartOptions): void {
  try {
    bullmqQueue({ connection: url });
  } catch (error) {
    if (isHookworkError(error, 'HOOKWORK_ERR_INVALID_BULLMQ_OPTIONS')) throw cliArgumentError(forTheCommandLine(messageWithoutCode(error), { ...options, redis: url }));
    throw error;
  }
}

/**
 * `npm start --admin` (without the `--` before the options) runs the quickstart without them: npm
 * reads every `--name` before `--` as a setting of its own, passes it on only as the environment
 * variable `npm_config_<name>`, and leaves a value it does not know how to take (`--events 5`) as
 * an argument — so `--admin` or `--events=5` was silently ignored, and `--events 5` ended in
 * 'unknown option "5"'. Refused with the command meant, when there is one to give.
 *
 * @param env the environment npm ran the script with (`process.env`)
 * @param argv what reached the quickstart
 */
export function checkNpmTookNoOptions(env: NodeJS.ProcessEnv, argv: readonly string[]): void {
  if (env.npm_lifecycle_event === undefined) return;
  const taken = OPTION_NAMES.flatMap((name) => {
    const value = env[`npm_config_${name.replace(/-/g, '_')}`];
    if (value === undefined || value === '') return [];
    // node-gyp's own setting of that name holds a Node or Electron version (npm_config_target=30.0.0).
    if (name === 'target' && value !== 'true' && !/^https?:/i.test(value)) return [];
    return [value === 'true' ? `--${name}` : `--${name}=${value}`];
  });
  if (taken.length === 0) return;
  // With one option taken, the command meant is that option and then what did reach the quickstart.
  const meant = taken.length === 1 ? `: npm start -- ${[...taken, ...argv].map(shellWord).join(' ')}` : '';
  throw cliArgumentError(
    `npm took ${taken.map((option) => option.replace(/=.*/, '')).join(', ')} as ${taken.length === 1 ? 'a setting' : 'settings'} of its own, so the quickstart never saw ${taken.length === 1 ? 'it' : 'them'}; put -- between npm start and the quickstart's options${meant}`,
  );
}

/** `word` as a shell reads it back: quoted when it holds anything but plain characters; a URL's password masked. */
function shellWord(word: string): string {
  const shown = maskUrlCredentials(word);
  return /^[\w@%+=:,./-]+$/.test(shown) ? shown : `'${shown.replace(/'/g, `'\\''`)}'`;
}

/** The options that take a value: each may be given once. */
const VALUE_OPTIONS: readonly string[] = ['--target', '--secret', '--events', '--data-dir', '--admin-port', '--redis', '--postgres', '--schema', '--queue'];

/**
 * Parses the command line. Anything it does not understand is HOOKWORK_ERR_INVALID_CLI_ARGUMENT
 * (cliArgumentError()), raised before anything is started, connected to or written.
 */
export function parseOptions(argv: readonly string[], defaultDataDir: string): QuickstartOptions {
  const options: QuickstartOptions = { dataDir: defaultDataDir, help: false, admin: false };
  const seen = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    // An option that takes a value, given twice, kept the last without a word ("--target A --target B"):
    // which was meant is a guess. Refused at its second value, once that is read (an empty one is
    // "needs a value"); the values are not shown (a URL may hold a password).
    const again = VALUE_OPTIONS.includes(flag) && seen.has(flag);
    seen.add(flag);
    const value = (): string => {
      const v = inline ?? argv[++i];
      // "--data-dir=" (a shell variable that was empty) is as much a missing value as "--data-dir" alone.
      if (v === undefined || v === '' || (inline === undefined && v.startsWith('--'))) throw cliArgumentError(`${flag} needs a value; ${HELP}`);
      return v;
    };
    switch (flag) {
      case '--target': {
        const target = value();
        let url: URL;
        try {
          url = new URL(target);
        } catch {
          // The webhook's rule says why (a port out of range, a host that is none), credentials masked.
          const [why] = checkUrl(target).problems;
          throw cliArgumentError(why !== undefined && !why.includes('is not an absolute URL') ? `--target ${why}` : `--target must be an absolute URL such as http://127.0.0.1:3000/hooks; got "${maskUrlCredentials(target)}"`);
        }
        if (url.protocol !== 'http:' && url.protocol !== 'https:') throw cliArgumentError(`--target must be an http: or https: URL; got "${maskUrlCredentials(target)}"`);
        // The webhook would refuse it only after the app started (exit code 1): it is the command line's mistake.
        if (url.username || url.password) throw cliArgumentError(`--target must not hold a user or password ("${maskUrlCredentials(target)}"): webhook URLs show in logs. Your endpoint can verify hookwork's signature instead (--secret); in your own app, send credentials as a sensitive header (docs/webhooks.md)`);
        // The rest of the webhook's URL rules (port 0, a fragment, a space, a backslash, "http:/host"), here
        // rather than when the app has started: it is the command line's mistake (exit code 2).
        const [problem] = checkUrl(target).problems;
        if (problem !== undefined) throw cliArgumentError(`--target ${problem}`);
        options.target = target;
        break;
      }
      case '--secret': {
        const secret = value();
        // The webhook's own rule (16 to 128 bytes, not guessable), here rather than when the app has
        // started: a secret the pattern let by was refused by create() after the store was opened (exit code 1).
        const problem = signingSecretProblem(secret);
        if (problem !== undefined) throw cliArgumentError(`--secret ${problem.replace(/,? or let hookwork generate one \(secret: true\)|; let hookwork generate one \(secret: true\)/, '; leave --secret out to have one generated')}`);
        options.secret = secret;
        break;
      }
      case '--events': {
        const raw = value();
        const n = wholeNumber(raw);
        if (!(n >= 1 && n <= 100_000)) throw cliArgumentError(`--events must be a whole number from 1 to 100000; got "${raw}"`);
        options.events = n;
        break;
      }
      case '--data-dir':
        options.dataDir = value();
        break;
      case '--admin':
        if (inline !== undefined) throw cliArgumentError(`--admin takes no value; give --admin alone`);
        options.admin = true;
        break;
      case '--admin-port': {
        const raw = value();
        const n = wholeNumber(raw);
        if (!(n >= 1 && n <= 65535)) throw cliArgumentError(`--admin-port must be a whole number from 1 to 65535; got "${raw}"`);
        options.adminPort = n;
        break;
      }
      case '--redis': {
        const url = value();
        if (!/^rediss?:\/\//.test(url)) throw cliArgumentError(`--redis must be a redis:// or rediss:// URL such as redis://127.0.0.1:6379; got "${maskUrlCredentials(url)}"`);
        // bullmqQueue()'s own check, so --redis takes what the library takes: a URL that does not
        // parse, or parses other than as written (a password with an unencoded "#"), a database
        // that is not a whole number, a query parameter ioredis would read as an option.
        checkRedis(url, options);
        options.redis = url;
        break;
      }
      case '--postgres': {
        const url = value();
        if (!/^postgres(ql)?:\/\//.test(url)) throw cliArgumentError(`--postgres must be a postgres:// or postgresql:// URL such as postgres://postgres@127.0.0.1:5432/test; got "${maskUrlCredentials(url)}"`);
        parseUrl('--postgres', url, 'postgres://app:p%40ss@127.0.0.1:5432/db');
        options.postgres = url;
        break;
      }
      case '--schema':
        options.postgresSchema = value();
        break;
      case '--queue':
        options.redisQueue = value();
        break;
      case '--help':
      case '-h':
        if (inline !== undefined) throw cliArgumentError(`--help takes no value; give --help alone`);
        options.help = true;
        break;
      default: {
        // "--event 3", "--postgress …": name the option meant, before the whole usage.
        const near = arg.startsWith('-') ? nearestName(flag.replace(/^-+/, ''), OPTION_NAMES) : undefined;
        const meant = LIKELY_MEANT[flag] ?? (near ? `did you mean --${near}?` : undefined);
        throw cliArgumentError(`unknown option "${maskUrlCredentials(flag)}"${meant ? ` (${meant})` : ''}; ${HELP}`);
      }
    }
    if (again) {
      const count = argv.filter((a) => a === flag || a.startsWith(`${flag}=`)).length;
      throw cliArgumentError(`${flag} is given ${count} times; give it once (${HELP})`);
    }
  }
  if (options.adminPort !== undefined && !options.admin) throw cliArgumentError('--admin-port goes with --admin');
  if (options.secret && !options.target) throw cliArgumentError('--secret goes with --target (the built-in receiver uses a generated secret)');
  if (options.redisQueue !== undefined) checkQueue(options.redisQueue, options);
  if (options.postgresSchema !== undefined) {
    if (!options.postgres) throw cliArgumentError('--schema goes with --postgres (the schema the PostgreSQL store is kept in)');
    try {
      // Its own check of a schema name, so the rule is PostgreSQL storage's, not a copy.
      postgresStorage({ connectionString: options.postgres, schema: options.postgresSchema });
    } catch (error) {
      if (isHookworkError(error, 'HOOKWORK_ERR_INVALID_STORAGE_OPTIONS')) throw cliArgumentError(forTheCommandLine(messageWithoutCode(error), options));
      throw error;
    }
  }
  return options;
}
