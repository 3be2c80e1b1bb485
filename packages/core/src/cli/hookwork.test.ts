import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { validate } from '@readme/openapi-parser';

// `hookwork catalogue` as a user runs it: the built bin in a child process, given a composers
// module of its own (CommonJS or ESM) that loads @hookwork/core from the build.

// The command as npx runs it: the bin package.json names, which runs the build.
const bin = join(__dirname, '..', '..', 'bin', 'hookwork.js');
const coreEntry = join(__dirname, '..', '..', 'dist', 'index.js');
const run = promisify(execFile);

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function hookwork(...args: string[]): Promise<Outcome> {
  return hookworkIn(process.cwd(), ...args);
}

async function hookworkIn(cwd: string, ...args: string[]): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { timeout: 60_000, cwd });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/**
 * A refused command line: HOOKWORK_ERR_INVALID_CLI_ARGUMENT in one line on standard error (no
 * usage text after it, no stack trace), nothing on standard output, exit code 2.
 */
function expectRefused(result: Outcome): void {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(/^hookwork: HOOKWORK_ERR_INVALID_CLI_ARGUMENT: [^\n]+\n$/);
}

const EVENT_MODULE = `
const { WebhookEvent, WebhookEventBase } = require(${JSON.stringify(coreEntry)});
class OrderPlaced {}
class OrderPlacedEvent extends WebhookEventBase {
  describePayload({ payloadType }) {
    return { type: 'object', required: ['id'], properties: { id: { type: 'string' }, shape: { const: payloadType } } };
  }
}
WebhookEvent('Order Placed', 'Commerce', { alias: 'shop.orderPlaced', notification: OrderPlaced })(OrderPlacedEvent);
const shop = { name: 'shop', compose(builder) { builder.webhookEvents().add(OrderPlacedEvent); } };
`;

describe('npx hookwork catalogue', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookwork-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  it('writes the valid OpenAPI 3.1 catalogue of the composers and settings a CommonJS module exports', async () => {
    const composers = write('composers.cjs', `${EVENT_MODULE}\nexports.composers = [shop];\nexports.settings = { payloadType: 'Legacy', headers: { style: 'umbraco' } };\n`);
    const out = join(dir, 'catalogue.json');
    const result = await hookwork('catalogue', '--composers', composers, '--out', out, '--title', 'Shop', '--version', '3.0.0');
    expect(result).toMatchObject({ code: 0, stdout: '' });
    expect(result.stderr).toContain('wrote the catalogue of 1 events');
    const document = JSON.parse(readFileSync(out, 'utf8'));
    await expect(validate(document)).resolves.toMatchObject({ valid: true });
    expect(document.info).toMatchObject({ title: 'Shop', version: '3.0.0' });
    expect(Object.keys(document.webhooks)).toEqual(['shop.orderPlaced']);
    expect(document.webhooks['shop.orderPlaced'].post.parameters[0].name).toBe('umb-webhook-event');
    expect(document.components.schemas['payload.shop.orderPlaced'].properties.shape).toEqual({ const: 'Legacy' });
  });

  it("takes createHookwork()'s options as an ESM default export (storage and the rest unused) and writes to standard output", async () => {
    const composers = write('options.mjs', `import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\n${EVENT_MODULE}\nexport default { composers: [shop], storage: { open() { throw new Error('the catalogue must not open storage'); } } };\n`);
    const result = await hookwork('catalogue', '--composers', composers);
    expect(result.code).toBe(0);
    expect(Object.keys(JSON.parse(result.stdout).webhooks)).toEqual(['shop.orderPlaced']);
  });

  it.each<[string, string[], RegExp]>([
    ['no command', [], /no command given; the command is catalogue: hookwork catalogue --composers <module>/],
    ['an unknown command', ['catalog'], /unknown command "catalog"; the command is catalogue/],
    ['no --composers', ['catalogue', '--out', 'x.json'], /--composers is required/],
    // parseArgs's own refusals, worded as the command's others are (they read "Unknown option '--format'", "Option '--out <value>' argument missing").
    ['an unknown option', ['catalogue', '--composers', 'x.js', '--format', 'yaml'], /^hookwork: HOOKWORK_ERR_INVALID_CLI_ARGUMENT: unknown option "--format"; hookwork catalogue --help shows the options\n$/],
    ['an option without its value', ['catalogue', '--composers'], /^hookwork: HOOKWORK_ERR_INVALID_CLI_ARGUMENT: --composers needs a value; hookwork catalogue --help shows the options\n$/],
    // parseArgs kept the last without a word: b.js was read, a.js never named.
    ['an option given twice', ['catalogue', '--composers', 'a.js', '--composers=b.js'], /^hookwork: HOOKWORK_ERR_INVALID_CLI_ARGUMENT: --composers is given 2 times; give it once \(hookwork catalogue --help shows the options\)\n$/],
    ['a value given to a switch', ['catalogue', '--help=yes'], /^hookwork: HOOKWORK_ERR_INVALID_CLI_ARGUMENT: --help takes no value; give it alone\n$/],
    ['an argument that is not an option', ['catalogue', 'composers.js'], /^hookwork: HOOKWORK_ERR_INVALID_CLI_ARGUMENT: unexpected argument "composers\.js": catalogue takes options only \(--composers <module>\)\n/],
    ['a module that is not there', ['catalogue', '--composers', join(tmpdir(), 'hookwork-no-such-dir', 'composers.js')], /cannot find the composers module .*build your app first/],
  ])('answers %s with HOOKWORK_ERR_INVALID_CLI_ARGUMENT in one line, exit code 2, nothing written', async (_what, args, message) => {
    const cwd = mkdtempSync(join(tmpdir(), 'hookwork-cli-refused-'));
    try {
      const result = await hookworkIn(cwd, ...args, ...(args[0] === 'catalogue' && !args.includes('--out') ? ['--out', 'catalogue.json'] : []));
      expectRefused(result);
      expect(result.stderr).toMatch(message);
      expect(readdirSync(cwd)).toEqual([]);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('prints refusals with the characters a reader cannot see escaped, as the API\'s errors do', async () => {
    const command = await hookwork('cata\u200blogue\u202e');
    expect(command.code).toBe(2);
    expect(command.stderr).toContain('unknown command "cata\\u200blogue\\u202e"');
    const option = await hookwork('catalogue', '--composers', 'x.js', '--ou\u2028t', 'x');
    expectRefused(option);
    expect(option.stderr).toContain("--ou\\u2028t");
    for (const stderr of [command.stderr, option.stderr]) expect(stderr).not.toMatch(/[\u200b\u202e\u2028]/);
  });

  it('answers a module without composers with exit code 2, naming the forms it takes', async () => {
    const result = await hookwork('catalogue', '--composers', write('empty.cjs', 'exports.nothing = 1;\n'));
    expectRefused(result);
    expect(result.stderr).toMatch(/exports no composers; export them as `export const composers = \[\.\.\.\]`/);
  });

  it("answers a composition that fails with the app's coded error and exit code 1, writing nothing", async () => {
    const out = join(dir, 'not-written.json');
    const composers = write('failing.cjs', `exports.composers = [{ compose(builder) { builder.webhookEvents().addCms(); } }];\n`);
    const result = await hookwork('catalogue', '--composers', composers, '--out', out);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/HOOKWORK_ERR_EXTENSION_NOT_COMPOSED/);
    expect(() => readFileSync(out)).toThrow();
  });

  it.each<[string, (dir: string) => string, RegExp]>([
    ['a directory that does not exist', (d) => join(d, 'no-such-dir', 'catalogue.json'), /its directory .*no-such-dir does not exist; create it first \(mkdir -p\) or choose another --out/],
    ['a directory', (d) => d, /it is a directory; give --out a file name/],
    ['a path through a file', (d) => join(d, 'composers-for-out.cjs', 'catalogue.json'), /a part of its path is a file, not a directory/],
  ])('answers an --out into %s with HOOKWORK_ERR_OUTPUT_FILE and exit code 1, not a stack trace', async (_what, outOf, message) => {
    const composers = write('composers-for-out.cjs', `${EVENT_MODULE}\nexports.composers = [shop];\n`);
    const result = await hookwork('catalogue', '--composers', composers, '--out', outOf(dir));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^hookwork: HOOKWORK_ERR_OUTPUT_FILE: cannot write the catalogue to /);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(result.stdout).toBe('');
  });

  it('answers catalogue --help with the usage and exit code 0, a misspelt option with the one meant, and --version with the version', async () => {
    // `catalogue --help` used to be "Unknown option '--help'" and exit code 2.
    for (const help of ['--help', '-h']) {
      const result = await hookwork('catalogue', help);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout).toMatch(/^usage: hookwork catalogue --composers <module>/);
    }
    const misspelt = await hookwork('catalogue', '--composer', 'x.js');
    expect(misspelt.code).toBe(2);
    expect(misspelt.stderr).toMatch(/^hookwork: HOOKWORK_ERR_INVALID_CLI_ARGUMENT: unknown option "--composer" \(did you mean --composers\?\); hookwork catalogue --help shows the options\n$/);
    expect(await hookwork('--version')).toMatchObject({ code: 0, stdout: expect.stringMatching(/^\d+\.\d+\.\d+\n$/) });
    // --out= (an empty shell variable) wrote the document to standard output, not to a file.
    const empty = await hookwork('catalogue', '--composers', 'x.js', '--out=');
    expect(empty).toMatchObject({ code: 2, stdout: '' });
    expectRefused(empty);
    expect(empty.stderr).toMatch(/^hookwork: HOOKWORK_ERR_INVALID_CLI_ARGUMENT: --out needs a value/);
  });

  // A composers module that leaves a handle open (a timer at import, a Redis or pg client): the
  // document was written and the command never ended, so CI timed out (60 s here, then killed).
  it.each([
    ['to standard output', false],
    ['to --out', true],
  ])('ends once the document is written %s, even when the composers module leaves a timer running', async (_where, toFile) => {
    const composers = write('open-handle.cjs', `${EVENT_MODULE}\nsetInterval(() => {}, 1000);\nexports.composers = [shop];\n`);
    const out = join(dir, 'open-handle.json');
    const result = await hookwork('catalogue', '--composers', composers, ...(toFile ? ['--out', out] : []));
    expect(result.code).toBe(0);
    const text = toFile ? readFileSync(out, 'utf8') : result.stdout;
    expect(Object.keys(JSON.parse(text).webhooks)).toEqual(['shop.orderPlaced']);
  }, 90_000);

  it.each([
    [['--version', 'extra'], /^hookwork: HOOKWORK_ERR_INVALID_CLI_ARGUMENT: --version takes nothing after it, not "extra"; for the catalogue command's options: hookwork catalogue --help/],
    [['-v', 'catalogue', '--composers', 'x.js'], /^hookwork: HOOKWORK_ERR_INVALID_CLI_ARGUMENT: -v takes nothing after it, not "catalogue" "--composers" "x\.js"/],
    [['--help', 'catalogue'], /^hookwork: HOOKWORK_ERR_INVALID_CLI_ARGUMENT: --help takes nothing after it, not "catalogue"/],
  ])('refuses anything after %p: exit code 2, not the version as if nothing else were asked', async (args, message) => {
    const result = await hookwork(...args);
    expectRefused(result);
    expect(result.stderr).toMatch(message);
  });

  it('ends quietly with exit code 0 when standard output is closed before the document is written (| head)', async () => {
    const composers = write('composers-for-pipe.cjs', `${EVENT_MODULE}\nexports.composers = [shop];\n`);
    const child = spawn(process.execPath, [bin, 'catalogue', '--composers', composers], { stdio: ['ignore', 'pipe', 'pipe'] });
    // The reader goes away at once, as `head -c 0` would: the document is written into a closed pipe.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    // It used to die of "Unhandled 'error' event … write EPIPE" with a stack trace and exit code 1.
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
