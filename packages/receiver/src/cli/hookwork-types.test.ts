import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

// `hookwork-types` as a receiver team runs it: the built bin in a child process. What it generates
// from a real catalogue is compiled in test/catalogue/receiver-types.test.ts; here, its answers to
// bad input.

const bin = join(__dirname, '..', '..', 'dist', 'cli', 'hookwork-types.js');
const run = promisify(execFile);

async function hookworkTypes(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    return error as { code: number; stdout: string; stderr: string };
  }
}

describe('npx hookwork-types', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookwork-types-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  it('writes the union of a minimal catalogue to standard output, payload types from their schemas', async () => {
    const catalogue = {
      openapi: '3.1.0',
      webhooks: {
        'a.b': {
          post: {
            summary: 'A happened',
            'x-hookwork-event': { alias: 'a.b', synonyms: [], patterns: [], described: true },
            requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/payload.a.b' } } } },
          },
        },
      },
      components: { schemas: { 'payload.a.b': { type: 'object', additionalProperties: false, required: ['id'], properties: { id: { type: 'string' } } } } },
    };
    const result = await hookworkTypes(file('one.json', JSON.stringify(catalogue)), '--name', 'MyEvent');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('export interface ABPayload {\n  id: string;\n}');
    expect(result.stdout).toContain('export type MyEvent =\n  /** A happened */\n  | { alias: "a.b"; payload: ABPayload };');
    expect(result.stdout).toContain("export type MyEventAlias = MyEvent['alias'];");
  });

  it.each<[string, () => string[], RegExp]>([
    ['no file', () => [], /give the catalogue file/],
    ['two files', () => ['a.json', 'b.json'], /give one catalogue file, not 2/],
    ['a file that is not JSON', () => [file('bad.json', '{ nope')], /cannot read .*bad\.json as JSON/],
    ['a document without webhooks', () => [file('plain.json', '{"openapi":"3.1.0","paths":{}}')], /has no webhooks section; give the OpenAPI 3.1 document `npx hookwork catalogue` writes/],
    ['an entry hookwork did not write', () => [file('foreign.json', '{"webhooks":{"x":{"post":{"summary":"x"}}}}')], /webhooks\["x"\] has no post operation with x-hookwork-event/],
    ['a name that is not an identifier', () => [file('ok.json', '{"webhooks":{}}'), '--name', 'my-events'], /--name "my-events" is not a TypeScript identifier/],
    ['an unknown option', () => ['x.json', '--format'], /Unknown option '--format'/],
    ['a reserved word as the name', () => [file('ok.json', '{"webhooks":{}}'), '--name', 'string'], /--name string is a reserved word or built-in type of TypeScript; choose a name of your own, e.g. StringWebhookEvent/],
    ['a global as the name', () => [file('ok.json', '{"webhooks":{}}'), '--name', 'Event'], /--name Event is a global of JavaScript or TypeScript that the type would shadow/],
  ])('answers %s with a usage error and exit code 2', async (_what, args, message) => {
    const result = await hookworkTypes(...args());
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });

  it.each<[string, (dir: string) => string, RegExp]>([
    ['a directory that does not exist', (d) => join(d, 'no-such-dir', 'events.ts'), /its directory .*no-such-dir does not exist; create it first/],
    ['a directory', (d) => d, /it is a directory; give --out a file name/],
  ])('answers an --out into %s with RECEIVER_ERR_OUTPUT_FILE and exit code 1, not a stack trace', async (_what, outOf, message) => {
    const result = await hookworkTypes(file('empty.json', '{"webhooks":{}}'), '--out', outOf(dir));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^hookwork-types: RECEIVER_ERR_OUTPUT_FILE: cannot write the types to /);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('ends quietly with exit code 0 when standard output is closed before the types are written (| head)', async () => {
    const catalogue = file('for-pipe.json', JSON.stringify({ openapi: '3.1.0', webhooks: {} }));
    const child = spawn(process.execPath, [bin, catalogue], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    // It used to die of "Unhandled 'error' event … write EPIPE" with a stack trace and exit code 1.
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
