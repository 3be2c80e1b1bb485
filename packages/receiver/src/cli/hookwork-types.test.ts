import { execFile, spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';

// `hookwork-types` as a receiver team runs it: the built bin in a child process. What it generates
// from a real catalogue is compiled in test/catalogue/receiver-types.test.ts; here, its answers to
// bad input.

// The command as npx runs it: the bin package.json names, which runs the build.
const bin = join(__dirname, '..', '..', 'bin', 'hookwork-types.js');
const run = promisify(execFile);

async function hookworkTypes(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    return error as { code: number; stdout: string; stderr: string };
  }
}

/**
 * A refused command line: RECEIVER_ERR_INVALID_CLI_ARGUMENT in one line on standard error (no
 * usage text after it), nothing on standard output, exit code 2.
 */
function expectRefused(result: { code: number; stdout: string; stderr: string }): void {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(/^hookwork-types: RECEIVER_ERR_INVALID_CLI_ARGUMENT: [^\n]+\n$/);
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

  // --out= (an empty shell variable) wrote the types to standard output, not to a file.
  it('refuses an option given with an empty value, exit code 2', async () => {
    const result = await hookworkTypes(file('empty.json', '{"openapi":"3.1.0","webhooks":{}}'), '--out=');
    expectRefused(result);
    expect(result.stderr).toMatch(/--out needs a value/);
  });

  it('prints refusals with the characters a reader cannot see escaped, as core\'s refusals do', async () => {
    // A key with U+202E reversed the rest of the terminal line; U+2028 and a zero-width space hid.
    const bad = { openapi: '3.1.0', webhooks: { 'a.\u202eb\u2028\u200b': { post: { 'x-hookwork-event': 'x\ufeff' } } } };
    const refused = await hookworkTypes(file('invisible.json', JSON.stringify(bad)));
    expectRefused(refused);
    expect(refused.stderr).toContain('webhooks["a.\\u202eb\\u2028\\u200b"]\'s x-hookwork-event is "x\\ufeff", not an object');
    expect(refused.stderr).not.toMatch(/[\u202e\u2028\u200b\ufeff]/);
    const option = await hookworkTypes(file('invisible-option.json', '{"openapi":"3.1.0","webhooks":{}}'), '--na\u200bme', 'X');
    expectRefused(option);
    expect(option.stderr).toContain("--na\\u200bme");
    expect(option.stderr).not.toContain('\u200b');
  });

  it('keeps a schema keyword named __proto__ as a key of the copy it types, not as its prototype', async () => {
    // Copied by assignment, `{ "__proto__": {…} }` became the copy's prototype and the field typed as {} (any non-null value).
    const text = '{"openapi":"3.1.0","webhooks":{"a.b":{"post":{"x-hookwork-event":{"alias":"a.b","synonyms":[],"patterns":[],"described":true},"requestBody":{"content":{"application/json":{"schema":{"$ref":"#/components/schemas/payload.a.b"}}}}}}},"components":{"schemas":{"payload.a.b":{"type":"object","properties":{"x":{"__proto__":{"type":"number"}},"__proto__":{"type":"string"}}}}}}';
    const result = await hookworkTypes(file('proto-keyword.json', text));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('__proto__?: string;');
    expect(result.stdout).not.toMatch(/x\?: \{\};/);
  });

  it("keeps the banner one comment line whatever the document's title holds: a line break would have made the rest code in the receiver's build", async () => {
    const catalogue = { openapi: '3.1.0', info: { title: 'Site\nexport const injected = 1;', version: '1.0\u2028export const also = 2;' }, webhooks: {} };
    const result = await hookworkTypes(file('title.json', JSON.stringify(catalogue)));
    expect(result.code).toBe(0);
    const [banner, ...rest] = result.stdout.split('\n');
    expect(banner).toBe('// Generated by hookwork-types from title.json (Site export const injected = 1; 1.0 export const also = 2;). Do not edit: regenerate it.');
    expect(rest.join('\n')).not.toMatch(/injected|also/);
    expect(result.stdout).not.toMatch(/\u2028/);
  });

  it("fetches nothing and reads no other file that a catalogue's payload schema refers to: refused, exit code 2", async () => {
    // A catalogue often comes from another team or company. Before, the URL was fetched and the
    // file read, and their contents written into the generated types.
    const requested: string[] = [];
    const server = createServer((request, response) => {
      requested.push(request.url ?? '');
      response.setHeader('content-type', 'application/json');
      response.end('{"type":"object","properties":{"fromNetwork":{"type":"number"}}}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const local = file('local.json', '{"type":"object","properties":{"fromDisk":{"type":"string"}}}');
      const catalogueWith = (ref: string) => ({
        openapi: '3.1.0',
        webhooks: { 'a.b': { post: { summary: 'x', 'x-hookwork-event': { alias: 'a.b' }, requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { inner: { items: [{ $ref: ref }] } } } } } } } } },
      });
      for (const ref of [`http://127.0.0.1:${(server.address() as AddressInfo).port}/schema.json`, local]) {
        const result = await hookworkTypes(file('refs.json', JSON.stringify(catalogueWith(ref))));
        expect(result.code).toBe(2);
        expect(result.stderr).toContain(`webhooks["a.b"]'s payload schema refers to ${JSON.stringify(ref)}, outside the document; hookwork-types reads the document alone — it fetches no URL and reads no other file`);
        expect(result.stdout).toBe('');
      }
      expect(requested).toEqual([]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  const eventWith = (schema: object, extra: object = {}) => ({
    openapi: '3.1.0',
    webhooks: { x: { post: { 'x-hookwork-event': { alias: 'x' }, requestBody: { content: { 'application/json': { schema } } } } } },
    ...extra,
  });

  // The reviewer's catalogue: tsType went into the generated file as it stood, and once compiled
  // and loaded, the receiver's build ran the shell command it carried.
  it.each<[string, object, string]>([
    [
      'tsType in a property',
      eventWith({ type: 'object', properties: { a: { tsType: "string }\nexport const pwn = require('child_process').execSync('id');\nexport type Z = { b: string" } } }),
      `webhooks["x"]'s payload schema holds tsType at /properties/a/tsType`,
    ],
    ['tsType at the top', eventWith({ type: 'object', tsType: 'any' }), `webhooks["x"]'s payload schema holds tsType at /tsType`],
    ['tsType deep in an array of schemas', eventWith({ anyOf: [{ type: 'string' }, { items: { tsType: 'x' } }] }), `webhooks["x"]'s payload schema holds tsType at /anyOf/1/items/tsType`],
    ['tsEnumNames', eventWith({ type: 'object', properties: { 'a/b': { enum: [1], tsEnumNames: ['One'] } } }), `webhooks["x"]'s payload schema holds tsEnumNames at /properties/a~1b/tsEnumNames`],
    ['tsType in components.schemas', eventWith({ type: 'object' }, { components: { schemas: { P: { $defs: { D: { tsType: 'x' } } } } } }), 'components.schemas["P"] holds tsType at /$defs/D/tsType'],
  ])("refuses json-schema-to-typescript's raw-TypeScript keywords (%s) with exit code 2, naming where, and writes nothing", async (_what, catalogue, where) => {
    const out = join(dir, 'refused.ts');
    const result = await hookworkTypes(file('generator-keyword.json', JSON.stringify(catalogue)), '--out', out);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`hookwork-types: RECEIVER_ERR_INVALID_CLI_ARGUMENT: ${where}, a keyword of json-schema-to-typescript that would write the document's own TypeScript into the generated file`);
    expect(result.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  it('writes a file of types alone — no JavaScript — whatever strings the document holds in names, titles, descriptions, enums and aliases', async () => {
    const evil = "*/ }\nexport const pwn = require('child_process').execSync('id'); /*";
    const quoteEvil = '"\'`${pwn()}\\' + evil;
    const schema = {
      title: evil,
      description: evil,
      type: 'object',
      properties: {
        [evil]: { type: 'string', description: evil, title: evil },
        [quoteEvil]: { enum: [evil, quoteEvil, 1], description: `${evil}\u2028${evil}` },
        tsType: { const: evil },
        list: { type: 'array', items: { description: evil, type: 'string' } },
        ref: { $ref: '#/$defs/Inner' },
      },
      $defs: { Inner: { title: evil, description: evil, type: 'object', properties: { [evil]: { type: 'number' } } } },
      patternProperties: { [evil]: { type: 'boolean' } },
      examples: [{ tsType: evil }],
    };
    const catalogue = {
      openapi: '3.1.0',
      info: { title: evil, version: evil },
      webhooks: {
        [evil]: {
          post: {
            summary: evil,
            description: evil,
            'x-hookwork-event': { alias: evil, eventName: evil, synonyms: [quoteEvil], patterns: [`${quoteEvil}.*`] },
            requestBody: { content: { 'application/json': { schema } } },
          },
        },
      },
    };
    const result = await hookworkTypes(file('strings.json', JSON.stringify(catalogue)));
    expect(result.code).toBe(0);
    const source = ts.createSourceFile('events.ts', result.stdout, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
    expect((source as unknown as { parseDiagnostics: ts.Diagnostic[] }).parseDiagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);
    expect(source.statements.map((statement) => ts.SyntaxKind[statement.kind]).filter((kind) => kind !== 'InterfaceDeclaration' && kind !== 'TypeAliasDeclaration')).toEqual([]);
    const emitted = ts.transpileModule(result.stdout, { compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 } }).outputText;
    expect(emitted.replace(/\/\/.*$/gm, '').trim()).toBe('export {};');
  });

  // Before, each was exit code 0: "Xy" spread into the members "X" and "y", "x.*" into `${string}`
  // (any alias), an alias given twice became two members with two payload types.
  const entry = (event: unknown, extra: object = {}) => ({ post: { 'x-hookwork-event': event, requestBody: { content: { 'application/json': { schema: { type: 'object' } } } }, ...extra } });
  it.each<[string, Record<string, unknown>, string]>([
    ['synonyms as a string', { x: entry({ alias: 'x', synonyms: 'Xy' }) }, `webhooks["x"]'s x-hookwork-event.synonyms is "Xy", not a list of non-empty strings`],
    ['patterns as a string', { x: entry({ alias: 'x', patterns: 'x.*' }) }, `webhooks["x"]'s x-hookwork-event.patterns is "x.*", not a list of non-empty strings`],
    ['a synonym that is a number', { x: entry({ alias: 'x', synonyms: [5] }) }, `webhooks["x"]'s x-hookwork-event.synonyms is [5], not a list of non-empty strings`],
    ['an alias that is a number', { x: entry({ alias: 5 }) }, `webhooks["x"]'s x-hookwork-event.alias is 5, not a non-empty string`],
    ['an empty alias', { x: entry({ alias: '' }) }, `webhooks["x"]'s x-hookwork-event.alias is "", not a non-empty string`],
    ['x-hookwork-event as a list', { x: entry(['x']) }, `webhooks["x"]'s x-hookwork-event is ["x"], not an object`],
    ['described as a string', { x: entry({ alias: 'x', described: 'no' }) }, `webhooks["x"]'s x-hookwork-event.described is "no", not true or false`],
    ['eventName as a number', { x: entry({ alias: 'x', eventName: 1 }) }, `webhooks["x"]'s x-hookwork-event.eventName is 1, not a string`],
    ['summary as an object', { x: entry({ alias: 'x' }, { summary: { a: 1 } }) }, `webhooks["x"]'s summary is {"a":1}, not a string`],
    ['description as a number', { x: entry({ alias: 'x' }, { description: 2 }) }, `webhooks["x"]'s description is 2, not a string`],
    ['an alias in two entries', { x: entry({ alias: 'x' }), y: entry({ alias: 'x' }) }, `webhooks["y"] gives the alias "x", which webhooks["x"] gives too`],
    ['an alias that is another entry\'s synonym', { x: entry({ alias: 'x', synonyms: ['old.x'] }), y: entry({ alias: 'old.x' }) }, `webhooks["y"] gives the alias "old.x", which webhooks["x"] gives too`],
    ['a synonym twice', { x: entry({ alias: 'x', synonyms: ['y', 'y'] }) }, `webhooks["x"] gives the alias "y" twice`],
  ])('refuses a malformed x-hookwork-event (%s): exit code 2, not a hookwork catalogue', async (_what, webhooks, message) => {
    const result = await hookworkTypes(file('shape.json', JSON.stringify({ openapi: '3.1.0', webhooks })));
    expectRefused(result);
    expect(result.stderr).toContain(`hookwork-types: RECEIVER_ERR_INVALID_CLI_ARGUMENT: ${message}`);
    expect(result.stderr).toMatch(/not (a hookwork catalogue|one `npx hookwork catalogue` wrote)/);
    expect(result.stdout).toBe('');
  });

  it.each<[string, () => string[], RegExp]>([
    ['no file', () => [], /give the catalogue file/],
    ['two files', () => ['a.json', 'b.json'], /give one catalogue file, not 2/],
    ['a file that is not JSON', () => [file('bad.json', '{ nope')], /cannot read .*bad\.json as JSON/],
    ['a document without webhooks', () => [file('plain.json', '{"openapi":"3.1.0","paths":{}}')], /has no webhooks section; give the OpenAPI 3.1 document `npx hookwork catalogue` writes/],
    ['an entry hookwork did not write', () => [file('foreign.json', '{"webhooks":{"x":{"post":{"summary":"x"}}}}')], /webhooks\["x"\] has no post operation with x-hookwork-event/],
    ['a name that is not an identifier', () => [file('ok.json', '{"webhooks":{}}'), '--name', 'my-events'], /--name "my-events" is not a TypeScript identifier/],
    // parseArgs's own refusals, worded as the command's others are and as `hookwork catalogue` words them.
    ['an unknown option', () => ['x.json', '--format'], /^hookwork-types: RECEIVER_ERR_INVALID_CLI_ARGUMENT: unknown option "--format"; hookwork-types --help shows the options\n/],
    ['a misspelt --name', () => ['x.json', '--nam', 'X'], /^hookwork-types: RECEIVER_ERR_INVALID_CLI_ARGUMENT: unknown option "--nam" \(did you mean --name\?\); hookwork-types --help shows the options\n/],
    ['a misspelt --out', () => ['x.json', '--outt', 'x.ts'], /^hookwork-types: RECEIVER_ERR_INVALID_CLI_ARGUMENT: unknown option "--outt" \(did you mean --out\?\); hookwork-types --help shows the options\n/],
    ['a file named like an option', () => ['-events.json'], /^hookwork-types: RECEIVER_ERR_INVALID_CLI_ARGUMENT: unknown option "-e"; a catalogue file whose name starts with - goes after --: hookwork-types -- -events\.json\n/],
    ['--name without its value', () => ['x.json', '--name'], /^hookwork-types: RECEIVER_ERR_INVALID_CLI_ARGUMENT: --name needs a value; hookwork-types --help shows the options\n/],
    // The test adds its own --out: the one given here made the types go to one of two files, the last.
    ['--out given twice', () => [file('ok.json', '{"webhooks":{}}'), '--out', join(dir, 'first.ts')], /^hookwork-types: RECEIVER_ERR_INVALID_CLI_ARGUMENT: --out is given 2 times; give it once \(hookwork-types --help shows the options\)\n/],
    ['a value given to --help', () => ['--help=yes'], /^hookwork-types: RECEIVER_ERR_INVALID_CLI_ARGUMENT: --help takes no value; give it alone\n/],
    ['a reserved word as the name', () => [file('ok.json', '{"webhooks":{}}'), '--name', 'string'], /--name string is a reserved word or built-in type of TypeScript; choose a name of your own, e.g. StringWebhookEvent/],
    ['a global as the name', () => [file('ok.json', '{"webhooks":{}}'), '--name', 'Event'], /--name Event is a global of JavaScript or TypeScript that the type would shadow/],
  ])('answers %s with RECEIVER_ERR_INVALID_CLI_ARGUMENT in one line, exit code 2, nothing written', async (what, args, message) => {
    const out = join(dir, `refused-${what.replace(/\W+/g, '-')}.ts`);
    const result = await hookworkTypes(...args(), '--out', out);
    expectRefused(result);
    expect(result.stderr).toMatch(message);
    expect(existsSync(out)).toBe(false);
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
