import { HookworkError } from '../errors/hookwork-error';
import { CLI_USAGE_EXIT_CODE, cliArgumentError, printCliError } from './command-line-refusal';

describe('printCliError', () => {
  const printed = (program: string, error: unknown) => {
    const lines: string[] = [];
    const code = printCliError(program, error, (text) => lines.push(text));
    return { code, text: lines.join('') };
  };

  it('prints a refused command line as one coded line and answers exit code 2', () => {
    const error = cliArgumentError('--admin-port must be a whole number from 1 to 65535; got "abc"');
    expect(error).toMatchObject({ code: 'HOOKWORK_ERR_INVALID_CLI_ARGUMENT', status: 400 });
    expect(printed('quickstart', error)).toEqual({ code: CLI_USAGE_EXIT_CODE, text: 'quickstart: HOOKWORK_ERR_INVALID_CLI_ARGUMENT: --admin-port must be a whole number from 1 to 65535; got "abc"\n' });
    expect(CLI_USAGE_EXIT_CODE).toBe(2);
  });

  it('keeps a refusal on one line when it quotes a message of several, with the invisible escaped', () => {
    const { text } = printed('hookwork', cliArgumentError('--composers: cannot load x.js: SyntaxError\n    at line 1\u202e'));
    expect(text).toBe('hookwork: HOOKWORK_ERR_INVALID_CLI_ARGUMENT: --composers: cannot load x.js: SyntaxError at line 1\\u202e\n');
  });

  it('answers exit code 1 for any other error: the command ran and failed', () => {
    expect(printed('hookwork', new HookworkError('HOOKWORK_ERR_OUTPUT_FILE', 'cannot write'))).toEqual({ code: 1, text: 'hookwork: HOOKWORK_ERR_OUTPUT_FILE: cannot write\n' });
    expect(printed('hookwork', new Error('boom')).code).toBe(1);
    expect(printed('hookwork', 'text').text).toBe('hookwork: text\n');
  });
});
