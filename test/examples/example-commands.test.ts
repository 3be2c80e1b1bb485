import { execFile, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * Every example run as `node examples/<name>/dist/main.js` behaves as a command: an option it does
 * not take is refused (they ran on as if it had not been given), and piped into `head` it ends
 * quietly (they died on an EPIPE stack trace). The quickstart and the receiver parse their own
 * command lines and have tests of their own; every other example, today's and any added later, is
 * held to this here. Runs the built output (`npm test` runs `tsc -b` first).
 */
const examplesDir = join(__dirname, '..', '..', 'examples');
const OWN_COMMAND_LINE = new Set(['quickstart', 'receiver']);
const examples = readdirSync(examplesDir).filter((name) => !OWN_COMMAND_LINE.has(name) && existsSync(join(examplesDir, name, 'package.json')));
const mainOf = (name: string) => {
  const main = join(examplesDir, name, 'dist', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: build first (npx tsc -b examples/${name})`);
  return main;
};

describe('the examples as commands', () => {
  it('finds the examples', () => {
    expect(examples).toEqual(expect.arrayContaining(['tour', 'custom-event', 'replace-payload', 'cockpit-host']));
  });

  it.each(examples)('examples/%s refuses an option it does not take: HOOKWORK_ERR_INVALID_CLI_ARGUMENT in one line, exit code 2, nothing run', async (name) => {
    // Run in an empty folder: a refused command line leaves nothing behind.
    const cwd = mkdtempSync(join(tmpdir(), 'hookwork-example-refused-'));
    try {
      const error = await promisify(execFile)(process.execPath, [mainOf(name), '--target', 'http://127.0.0.1:9/hooks'], { timeout: 60_000, cwd }).then(
        () => undefined,
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
      expect(error?.code).toBe(2);
      expect(error?.stdout).toBe('');
      expect(error?.stderr).toMatch(new RegExp(`^${name}: HOOKWORK_ERR_INVALID_CLI_ARGUMENT: unknown option "--target"; it takes [^\\n]+\\n$`));
      expect(readdirSync(cwd)).toEqual([]);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it.each(examples)('examples/%s --help prints its usage and exits 0', async (name) => {
    const { stdout } = await promisify(execFile)(process.execPath, [mainOf(name), '--help'], { timeout: 60_000 });
    expect(stdout).toMatch(new RegExp(`^usage: node examples/${name}/dist/main\\.js`));
  });

  it.each(examples)('examples/%s piped into a reader that goes away (| head -1) ends with exit code 0, no EPIPE stack trace', async (name) => {
    const child = spawn(process.execPath, [mainOf(name)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // The reader takes the first chunk and closes: the example's next write meets a closed pipe.
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(stderr).not.toContain('EPIPE');
    expect(code).toBe(0);
  });
});

describe('examples/receiver as a command', () => {
  const receiverMain = () => mainOf('receiver');
  const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const runReceiver = (args: string[], secret: string | undefined) =>
    promisify(execFile)(process.execPath, [receiverMain(), ...args], { timeout: 30_000, env: { ...process.env, WEBHOOK_SECRET: secret ?? '' } }).then(
      () => undefined,
      (e: { code: number; stdout: string; stderr: string }) => e,
    );

  // Each mistake was answered with the usage alone, naming none of them.
  it.each([
    [['fastify', 'abc'], SECRET, 'receiver: RECEIVER_ERR_INVALID_CLI_ARGUMENT: the port must be a whole number from 1 to 65535, or 0 for a free one; got "abc"'],
    [['flask'], SECRET, 'receiver: RECEIVER_ERR_INVALID_CLI_ARGUMENT: the framework must be node, express, fastify or fetch; got "flask"'],
    [['node', '3000', 'extra'], SECRET, 'receiver: RECEIVER_ERR_INVALID_CLI_ARGUMENT: takes at most two arguments, the framework and the port; got 3'],
    [['node', '3000'], undefined, "receiver: RECEIVER_ERR_INVALID_CLI_ARGUMENT: set WEBHOOK_SECRET to the webhook's signing secret"],
    [['node', '3000'], 'whsec_abcd', 'receiver: RECEIVER_ERR_INVALID_CLI_ARGUMENT: WEBHOOK_SECRET was refused: secret is the base64 of 3 bytes'],
  ])('refuses %j (WEBHOOK_SECRET %s) with RECEIVER_ERR_INVALID_CLI_ARGUMENT in one line naming what to change, exit code 2, nothing served', async (args, secret, message) => {
    const error = await runReceiver(args, secret);
    expect(error?.code).toBe(2);
    expect(error?.stdout).toBe('');
    expect(error?.stderr.startsWith(message)).toBe(true);
    expect(error?.stderr).toMatch(/^[^\n]+\n$/);
  });

  it('a port another process listens on is one line with the fix, exit code 1 (it was node\'s "listen EADDRINUSE" and exit code 2)', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      const error = await runReceiver(['node', String(port)], SECRET);
      expect(error?.code).toBe(1);
      expect(error?.stderr).toBe(`receiver: cannot listen on 127.0.0.1:${port}: another process is listening there; stop it, or give another port (node examples/receiver/dist/main.js node 3001)\n`);
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });

  it('piped into a reader that goes away, it stops serving and exits 0, no EPIPE stack trace', async () => {
    const child = spawn(process.execPath, [receiverMain(), 'node', '0'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, WEBHOOK_SECRET: SECRET } });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(stderr).not.toContain('EPIPE');
    expect(code).toBe(0);
  });
});
