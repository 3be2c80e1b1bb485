import { HookworkError } from '../errors/hookwork-error';
import { visibleLines } from '../errors/visible-text';

/**
 * The exit code of a command line refused before it did anything (a usage error), as POSIX
 * utilities and Node's own option parser use it: a script can tell "you called me wrong" (2) from
 * "I ran and failed" (1).
 */
export const CLI_USAGE_EXIT_CODE = 2;

/**
 * A command line a command cannot run: a HookworkError of code HOOKWORK_ERR_INVALID_CLI_ARGUMENT
 * whose message names the option or argument at fault and the fix, in the words a user typed
 * (`--admin-port must be a whole number from 1 to 65535; got "abc"`), for
 * {@link printCliError} to print as one line with exit code 2. The `hookwork` command, the
 * quickstart and the examples refuse their command lines with it; a command of your own can too.
 */
export function cliArgumentError(message: string, options: { cause?: unknown } = {}): HookworkError {
  return new HookworkError('HOOKWORK_ERR_INVALID_CLI_ARGUMENT', message, options);
}

/**
 * Prints `error` as a command's refusal: one line on standard error, `program: CODE: message`
 * (the message of a coded error starts with its code), characters a reader cannot see escaped as
 * `\uXXXX` and no stack trace. Returns the exit code to end with: {@link CLI_USAGE_EXIT_CODE} for
 * HOOKWORK_ERR_INVALID_CLI_ARGUMENT (the command line was wrong and nothing was started or
 * written), 1 for any other error (the command ran and failed).
 *
 * @param program the command's name as its user knows it (`hookwork`, `quickstart`)
 * @param write where the line goes (default: process.stderr)
 */
export function printCliError(program: string, error: unknown, write: (text: string) => void = (text) => void process.stderr.write(text)): number {
  const refused = error instanceof HookworkError && error.code === 'HOOKWORK_ERR_INVALID_CLI_ARGUMENT';
  // A refusal is one line already: HookworkError's constructor puts every message on one line
  // (oneLineText), a quoted module SyntaxError of several included.
  write(`${program}: ${visibleLines(error instanceof Error ? error.message : String(error))}\n`);
  return refused ? CLI_USAGE_EXIT_CODE : 1;
}
