#!/usr/bin/env node
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ReceiverError } from '../errors/receiver-error';
import { quoted, visibleLines } from '../errors/visible-text';
import { CatalogueInputError, generateEventTypes, type CatalogueInput, type GenerateOptions } from './catalogue-types';

// `npx hookwork-types catalogue.json --out src/events.ts`: the receiver's event union from the
// sender's catalogue (docs/catalogue.md). json-schema-to-typescript is an optional peer: a
// build-time tool, so a receiver's production install never carries it (or prettier with it).
// Exit codes: 0 written, 1 generation failed or --out could not be written (a coded error),
// 2 a usage error (RECEIVER_ERR_INVALID_CLI_ARGUMENT: the options, the catalogue file, the
// generator missing; nothing written).

const USAGE = `usage: hookwork-types <catalogue.json> [--out <file.ts>] [--name <TypeName>]

  <catalogue.json>  the OpenAPI 3.1 catalogue the sender wrote (npx hookwork catalogue) or serves
  --out             where to write the TypeScript (default: standard output)
  --name            the union type's name (default: HookworkEvent; the aliases are <TypeName>Alias)

  needs json-schema-to-typescript: npm install --save-dev json-schema-to-typescript
`;

async function loadCompiler(): Promise<GenerateOptions['compile']> {
  try {
    const generator = await import('json-schema-to-typescript');
    return (schema, name, options) => generator.compile(schema as never, name, options);
  } catch (error) {
    if ((error as { code?: string }).code !== 'MODULE_NOT_FOUND' && (error as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new CatalogueInputError('json-schema-to-typescript is not installed; it is an optional peer of @hookwork/receiver, needed only to generate types: npm install --save-dev json-schema-to-typescript');
  }
}

/**
 * Writes the types to `--out`, or RECEIVER_ERR_OUTPUT_FILE naming the file and what to do: a
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
      code === 'EISDIR' ? 'it is a directory; give --out a file name, e.g. src/events.ts' :
      code === 'ENOTDIR' ? 'a part of its path is a file, not a directory; choose another --out' :
      `${(error as Error).message}; choose another --out`;
    throw new ReceiverError('RECEIVER_ERR_OUTPUT_FILE', `cannot write the types to ${file}: ${why}`, { cause: error });
  }
}

/** The fix a refused option ends with. */
const HELP = 'hookwork-types --help shows the options';

const OPTION_NAMES = ['out', 'name', 'help'] as const;

/** The option a mistyped one meant: another case, a prefix either way, or one edit away. */
function nearestOption(given: string): string | undefined {
  const lower = given.toLowerCase();
  const oneEdit = (a: string, b: string) => {
    if (Math.abs(a.length - b.length) > 1) return false;
    let i = 0;
    while (i < a.length && a[i] === b[i]) i++;
    return a.slice(i + 1) === b.slice(i + 1) || a.slice(i) === b.slice(i + 1) || a.slice(i + 1) === b.slice(i) || (a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2));
  };
  return OPTION_NAMES.find((name) => name === lower) ?? OPTION_NAMES.find((name) => lower.length >= 2 && (name.startsWith(lower) || lower.startsWith(name))) ?? OPTION_NAMES.find((name) => oneEdit(lower, name));
}

/**
 * node:util parseArgs's refusal in the words of this command's other errors, as `hookwork
 * catalogue` words its own (lower case, the option quoted, the fix): it said "Unknown option
 * '--nam'. To specify a positional argument starting with a '-', place it at the end of the command
 * after '--', as in '-- \"--nam\"" (its quotes unbalanced) and "Option '--out <value>' argument missing".
 */
function parseArgsProblem(error: unknown, argv: readonly string[]): string {
  const { code, message } = error as { code?: string; message: string };
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const option = /^Unknown option '([^']*)'/.exec(message)?.[1] ?? '';
    const near = nearestOption(option.replace(/^-+/, ''));
    // Only a single dash may begin a file's name ("-events.json", read as the options -e, -v, …), not a misspelt option.
    const argument = argv.find((arg) => arg.startsWith(option) && !arg.startsWith('--')) ?? option;
    const file = !near && !option.startsWith('--') ? `; a catalogue file whose name starts with - goes after --: hookwork-types -- ${argument}` : '';
    return `unknown option ${quoted(option)}${near ? ` (did you mean --${near}?)` : ''}${file || `; ${HELP}`}`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const option = /^Option '(?:-\w, )?(--[^' ]+)/.exec(message)?.[1] ?? 'an option';
    return message.includes('does not take an argument') ? `${option} takes no value; give it alone` : `${option} needs a value; ${HELP}`;
  }
  return `${message}; ${HELP}`;
}

/** Runs the command line; resolves with the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    let parsed: { values: { out?: string; name?: string; help?: boolean }; positionals: string[]; tokens: readonly { kind: string; name?: string }[] };
    try {
      parsed = parseArgs({ args: [...argv], options: { out: { type: 'string' }, name: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true, tokens: true });
    } catch (error) {
      throw new CatalogueInputError(parseArgsProblem(error, argv));
    }
    // parseArgs keeps the last of an option given twice without a word: which was meant is a guess.
    for (const name of ['out', 'name']) {
      const count = parsed.tokens.filter((token) => token.kind === 'option' && token.name === name).length;
      if (count > 1) throw new CatalogueInputError(`--${name} is given ${count} times; give it once (${HELP})`);
    }
    const { values, positionals } = parsed;
    // "--out=$OUT" with OUT empty wrote the types to standard output instead of a file.
    const empty = Object.entries(values).find(([, value]) => value === '');
    if (empty) throw new CatalogueInputError(`--${empty[0]} needs a value; ${HELP}`);
    if (values.help) {
      process.stdout.write(USAGE);
      return 0;
    }
    if (positionals.length !== 1) throw new CatalogueInputError(`${positionals.length === 0 ? 'give the catalogue file' : `give one catalogue file, not ${positionals.length}`}: hookwork-types catalogue.json --out src/events.ts`);
    const file = resolve(positionals[0]!);
    let document: CatalogueInput;
    try {
      document = JSON.parse(readFileSync(file, 'utf8')) as CatalogueInput;
    } catch (error) {
      throw new CatalogueInputError(`cannot read ${file} as JSON: ${(error as Error).message}`);
    }
    const compile = await loadCompiler();
    const text = await generateEventTypes(document, { compile, source: basename(file), ...(values.name !== undefined ? { typeName: values.name } : {}) });
    if (values.out) {
      writeOutput(values.out, text);
      process.stderr.write(`hookwork-types: wrote ${Object.keys(document.webhooks ?? {}).length} events to ${visibleLines(values.out)}\n`);
    } else process.stdout.write(text);
    return 0;
  } catch (error) {
    // A command line it cannot run: one coded line, as every refusal of hookwork's commands.
    if (error instanceof CatalogueInputError) {
      const refusal = new ReceiverError('RECEIVER_ERR_INVALID_CLI_ARGUMENT', error.message, { cause: error });
      process.stderr.write(`hookwork-types: ${visibleLines(refusal.message).replace(/\s*\n\s*/g, ' ')}\n`);
      return 2;
    }
    process.stderr.write(`hookwork-types: ${visibleLines(String((error as Error)?.message ?? error))}\n`);
    return 1;
  }
}

/**
 * Runs the command line as the `hookwork-types` command does (bin/hookwork-types.js calls it): a
 * closed standard output handled, and the exit code {@link main}'s.
 */
export function runCli(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    // `hookwork-types catalogue.json | head`: the reader has gone with what it wanted; not a
    // failure, and no "Unhandled 'error' event" stack trace. Anything else (a full disk) is one line.
    if (error.code === 'EPIPE') process.exit(0);
    process.stderr.write(`hookwork-types: cannot write to standard output (${error.code ?? error.message}); write to a file with --out <file.ts>\n`);
    process.exit(1);
  });
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}

if (require.main === module) runCli();
