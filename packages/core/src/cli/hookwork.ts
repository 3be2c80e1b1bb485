#!/usr/bin/env node
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createHookwork } from '../composition/create-hookwork';
import type { ComposerLike } from '../composition/composer';
import { HookworkError } from '../errors/hookwork-error';
import { cliArgumentError, printCliError } from './command-line-refusal';
import { shownList } from '../errors/shown-list';
import { nearestName } from '../errors/nearest-name';
import { quoted, visibleLines } from '../errors/visible-text';
import { createCatalogueDocument } from '../management/catalogue-document';
import { silentLogger } from '../observability/logger';
import { HOOKWORK_VERSION } from '../runtime/version';
import type { HookworkSettingsInput } from '../settings/settings';

// `npx hookwork catalogue --composers ./dist/composers.js --out catalogue.json`: the app's typed
// catalogue (docs/catalogue.md) from its composers, without its storage. Exit codes: 0 written,
// 1 a coded error (the app could not be composed or described, --out could not be written),
// 2 a usage error (HOOKWORK_ERR_INVALID_CLI_ARGUMENT: nothing composed, nothing written).

const USAGE = `usage: hookwork catalogue --composers <module> [--out <file>] [--title <text>] [--version <text>]
       hookwork --version

  --composers  a JavaScript module (CommonJS or ESM) that exports the app's composers:
               export const composers = [...]  (and optionally export const settings = {...}),
               or a default export: the composer list, or createHookwork()'s options
               ({ composers, settings }; storage, queue and the rest are not used)
  --out        where to write the OpenAPI 3.1 document (default: standard output)
  --title      the document's info.title (default: Webhooks)
  --version    the document's info.version (default: hookwork's version)
`;

interface AppSource {
  composers: readonly ComposerLike[];
  settings?: HookworkSettingsInput;
}

const isComposer = (value: unknown): boolean => typeof value === 'function' || (typeof value === 'object' && value !== null && typeof (value as { compose?: unknown }).compose === 'function');

/** The composers (and settings) a module exports, in any of the forms USAGE lists. */
function sourceOf(module: Record<string, unknown>, path: string): AppSource {
  const fromOptions = (value: unknown): AppSource | undefined => {
    if (Array.isArray(value)) return { composers: value as ComposerLike[] };
    if (value && typeof value === 'object' && Array.isArray((value as AppSource).composers)) {
      const { composers, settings } = value as AppSource;
      return { composers, ...(settings !== undefined ? { settings } : {}) };
    }
    if (isComposer(value) && typeof value === 'object') return { composers: [value as ComposerLike] };
    return undefined;
  };
  if (Array.isArray(module.composers)) return { composers: module.composers as ComposerLike[], ...(module.settings !== undefined ? { settings: module.settings as HookworkSettingsInput } : {}) };
  const found = fromOptions(module.default) ?? fromOptions((module.default as Record<string, unknown> | undefined)?.default) ?? fromOptions(module.options);
  if (found) return found;
  throw cliArgumentError(`--composers ${path} exports no composers; export them as \`export const composers = [...]\` or \`export default { composers, settings }\``);
}

async function load(path: string): Promise<AppSource> {
  const file = resolve(path);
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes(file)) throw cliArgumentError(`--composers: cannot find the composers module ${file}; build your app first and pass the compiled .js file`, { cause: error });
    throw cliArgumentError(`--composers: cannot load the composers module ${file}: ${(error as Error)?.message ?? error}; fix the module, or pass the compiled .js file that exports the composers`, { cause: error });
  }
  return sourceOf(module, path);
}

/** The fix a refused option ends with. */
const HELP = 'hookwork catalogue --help shows the options';

const CATALOGUE_OPTIONS = { composers: { type: 'string' }, out: { type: 'string' }, title: { type: 'string' }, version: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;

/**
 * node:util parseArgs's refusal in the words of this command's other errors (lower case, the
 * option quoted, the fix): it said "Unknown option '--composer'" and "Option '--out <value>'
 * argument missing" where every other line says `unknown command "catalog"` or `--out needs a value`.
 */
function parseArgsProblem(error: unknown): string {
  const { code, message } = error as { code?: string; message: string };
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const option = /^Unknown option '([^']*)'/.exec(message)?.[1] ?? '';
      const near = nearestName(option.replace(/^-+/, ''), Object.keys(CATALOGUE_OPTIONS));
      return `unknown option ${quoted(option)}${near ? ` (did you mean --${near}?)` : ''}; ${HELP}`;
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const option = /^Option '(?:-\w, )?(--[^' ]+)/.exec(message)?.[1] ?? 'an option';
      return message.includes('does not take an argument') ? `${option} takes no value; give it alone` : `${option} needs a value; ${HELP}`;
    }
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL': {
      const argument = /^Unexpected argument '(.*)'\. This command/s.exec(message)?.[1] ?? '';
      return `unexpected argument ${quoted(argument)}: catalogue takes options only (--composers <module>)`;
    }
    default:
      return `${message}; ${HELP}`;
  }
}

/** The first of `names` (options that take a value) given more than once, with how often; undefined when none is. */
function repeatedOption(tokens: readonly { kind: string; name?: string }[], names: readonly string[]): { name: string; count: number } | undefined {
  const counts = new Map<string, number>();
  for (const token of tokens) if (token.kind === 'option' && token.name !== undefined && names.includes(token.name)) counts.set(token.name, (counts.get(token.name) ?? 0) + 1);
  const found = [...counts].find(([, count]) => count > 1);
  return found && { name: found[0], count: found[1] };
}

async function catalogue(args: string[]): Promise<void> {
  let values: { composers?: string; out?: string; title?: string; version?: string; help?: boolean };
  let tokens: readonly { kind: string; name?: string }[];
  try {
    ({ values, tokens } = parseArgs({ args, options: CATALOGUE_OPTIONS, strict: true, allowPositionals: false, tokens: true }));
  } catch (error) {
    throw cliArgumentError(parseArgsProblem(error));
  }
  // parseArgs keeps the last of an option given twice without a word ("--composers a.js --composers
  // b.js" read b.js only): which one was meant is a guess, as the admin API says of a query given twice.
  const twice = repeatedOption(tokens, ['composers', 'out', 'title', 'version']);
  if (twice) throw cliArgumentError(`--${twice.name} is given ${twice.count} times; give it once (${HELP})`);
  // "--out=$OUT" with OUT empty wrote the document to standard output instead of a file.
  const empty = Object.entries(values).find(([, value]) => value === '');
  if (empty) throw cliArgumentError(`--${empty[0]} needs a value; ${HELP}`);
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (!values.composers) throw cliArgumentError(`--composers is required: the module that exports your app's composers; hookwork catalogue --composers ./dist/composers.js`);
  const source = await load(values.composers);
  const app = createHookwork({ composers: source.composers, ...(source.settings !== undefined ? { settings: source.settings } : {}), logger: silentLogger });
  await app.start();
  let text: string;
  try {
    text = `${JSON.stringify(createCatalogueDocument(app, { ...(values.title !== undefined ? { title: values.title } : {}), ...(values.version !== undefined ? { version: values.version } : {}) }), null, 2)}\n`;
  } finally {
    await app.stop();
  }
  if (values.out) {
    writeOutput(values.out, text);
    process.stderr.write(`hookwork: wrote the catalogue of ${app.events().length} events to ${visibleLines(values.out)}\n`);
  } else process.stdout.write(text);
}

/**
 * Writes the document to `--out`, or HOOKWORK_ERR_OUTPUT_FILE naming the file and what to do: a
 * missing directory, no permission, a directory where the file belongs.
 */
function writeOutput(out: string, text: string): void {
  const file = resolve(out);
  try {
    writeFileSync(file, text);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? `its directory ${dirname(file)} does not exist; create it first (mkdir -p) or choose another --out` :
      code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'this user may not write there; choose a writable --out or fix the permissions' :
      code === 'EISDIR' ? 'it is a directory; give --out a file name, e.g. catalogue.json' :
      code === 'ENOTDIR' ? 'a part of its path is a file, not a directory; choose another --out' :
      `${(error as Error).message}; choose another --out`;
    throw new HookworkError('HOOKWORK_ERR_OUTPUT_FILE', `cannot write the catalogue to ${file}: ${why}`, { cause: error });
  }
}

/** Runs the command line; resolves with the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'catalogue') await catalogue(rest);
    else if (command === '--version' || command === '-v' || command === '--help' || command === '-h' || command === 'help') {
      // `hookwork --version extra` printed the version as though nothing else were asked.
      if (rest.length > 0) throw cliArgumentError(`${command} takes nothing after it, not ${shownList(rest, { separator: ' ' })}${command === 'help' ? '' : '; for the catalogue command\'s options: hookwork catalogue --help'}`);
      if (command === '--version' || command === '-v') process.stdout.write(`${HOOKWORK_VERSION}\n`);
      else process.stdout.write(USAGE);
    } else if (command === undefined) throw cliArgumentError('no command given; the command is catalogue: hookwork catalogue --composers <module> (hookwork --help shows the options)');
    else throw cliArgumentError(`unknown command ${quoted(command)}; the command is catalogue (hookwork --help shows the options)`);
    return 0;
  } catch (error) {
    // One line: HOOKWORK_ERR_INVALID_CLI_ARGUMENT with exit code 2, any other error with 1.
    return printCliError('hookwork', error);
  }
}

/**
 * Runs the command line as the `hookwork` command does (bin/hookwork.js calls it): a closed
 * standard output handled, and the process ended with {@link main}'s exit code.
 */
export function runCli(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    // `hookwork catalogue … | head`: the reader has gone with what it wanted; not a failure, and
    // no "Unhandled 'error' event" stack trace. Anything else (a full disk) is one line.
    if (error.code === 'EPIPE') process.exit(0);
    process.stderr.write(`hookwork: cannot write to standard output (${error.code ?? error.message}); write to a file with --out <file>\n`);
    process.exit(1);
  });
  void main(process.argv.slice(2)).then((code) => {
    // Exit rather than wait for the event loop to empty: a composers module may leave a handle
    // open (a timer at import, a Redis or pg client), and the command then never ended (CI timed
    // out). The empty writes' callbacks run once what was written before them is flushed.
    process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
  });
}

if (require.main === module) runCli();
