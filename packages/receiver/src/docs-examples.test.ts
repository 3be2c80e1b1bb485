import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';

// Every TypeScript example a receiver team reads — docs/receiver.md and this package's README —
// compiled against the kit's source as it is now, so an example that stops compiling (a handler
// type that refused `({ payload }) => index.upsert(…)`, say) fails here, not in a reader's editor.
// A line marked "✗ does not compile" must not: it is compiled under @ts-expect-error.

const root = resolve(__dirname, '../../..');
const pages = ['docs/receiver.md', 'packages/receiver/README.md'];

/**
 * What the examples use without declaring: the names a reader's own app has (a search index, the
 * secret, a receiver made earlier on the page, a Redis store copied from the example). Declared
 * globally, so an example that declares or imports the name itself uses its own.
 */
const PRELUDE = `
type SiteEvent =
  | { alias: 'Umbraco.ContentPublish'; payload: { id: string; cultures: { culture: string; date: string }[] } }
  | { alias: 'Umbraco.ContentUnpublish'; payload: { id: string } }
  | { alias: 'Umbraco.ContentDelete'; payload: { id: string } };
// Methods that resolve to values, as real clients' do: handlers written as the call they make must compile.
declare const search: { upsert(id: string): Promise<{ indexed: number }>; remove(id: string): Promise<boolean> };
declare const index: { upsert(id: string, cultures: readonly { culture: string | null; date?: string }[]): Promise<number>; remove(id: string): Promise<boolean> };
declare const secrets: string;
declare const receiver: import('@hookwork/receiver').Receiver<SiteEvent>;
declare const handlers: import('@hookwork/receiver').WebhookHandlers<SiteEvent>;
declare const redis: import('ioredis').Redis;
declare const otherRedis: import('ioredis').Redis;
declare const uniquePrefix: string;
declare const cleanUp: () => Promise<void>;
declare function redisDedupeStore(redis: import('ioredis').Redis, prefix?: string): import('@hookwork/receiver').DedupeStore;
declare const createReceiver: typeof import('@hookwork/receiver').createReceiver;
`;

interface Example {
  page: string;
  /** The line of the opening fence, 1-based. */
  line: number;
  code: string;
}

function examplesOf(page: string): Example[] {
  const text = readFileSync(join(root, page), 'utf8');
  const examples: Example[] = [];
  const fence = /^```ts\n([\s\S]*?)^```$/gm;
  for (let match = fence.exec(text); match; match = fence.exec(text)) {
    examples.push({ page, line: text.slice(0, match.index).split('\n').length, code: match[1]! });
  }
  return examples;
}

/** The example as a module: each line marked ✗ expected to be a compile error. */
function asModule(code: string): string {
  const lines = code.split('\n').flatMap((line) => (line.includes('✗ does not compile') ? [`// @ts-expect-error ${line.slice(line.indexOf('✗')).trim()}`, line] : [line]));
  return `${lines.join('\n')}\nexport {};\n`;
}

const examples = pages.flatMap(examplesOf);

describe('the TypeScript examples of docs/receiver.md and the README', () => {
  it('are found: each page has some', () => {
    for (const page of pages) expect(examples.filter((example) => example.page === page).length).toBeGreaterThan(0);
    // Lines the docs say must not compile are there to be checked.
    expect(examples.some((example) => example.code.includes('✗ does not compile'))).toBe(true);
  });

  it('compile against the kit as it is, and the lines marked ✗ do not', () => {
    const dir = join(root, 'packages/receiver/.docs-examples');
    const files = new Map<string, string>([[join(dir, 'prelude.d.ts'), PRELUDE]]);
    examples.forEach((example, i) => files.set(join(dir, `example-${i}.ts`), asModule(example.code)));
    const options: ts.CompilerOptions = {
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2022.d.ts'],
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      strict: true,
      noEmit: true,
      esModuleInterop: true,
      skipLibCheck: true,
      types: ['node', 'jest'],
      typeRoots: [join(root, 'node_modules/@types')],
      baseUrl: root,
      paths: {
        '@hookwork/receiver': ['packages/receiver/src/index.ts'],
        '@hookwork/receiver/express': ['packages/receiver/src/adapters/express.ts'],
        '@hookwork/receiver/fastify': ['packages/receiver/src/adapters/fastify.ts'],
        '@hookwork/receiver/testing': ['packages/receiver/src/testing/index.ts'],
      },
    };
    const host = ts.createCompilerHost(options);
    const { getSourceFile, fileExists, readFile } = host;
    host.fileExists = (name) => files.has(name) || fileExists.call(host, name);
    host.readFile = (name) => files.get(name) ?? readFile.call(host, name);
    host.getSourceFile = (name, languageVersion, ...rest) => {
      const text = files.get(name);
      return text !== undefined ? ts.createSourceFile(name, text, languageVersion, true) : getSourceFile.call(host, name, languageVersion, ...rest);
    };
    const program = ts.createProgram([...files.keys()], options, host);
    const problems = ts
      .getPreEmitDiagnostics(program)
      .map((diagnostic) => {
        const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
        const file = diagnostic.file?.fileName ?? '';
        const index = /example-(\d+)\.ts$/.exec(file)?.[1];
        if (index === undefined) return `${file || '(options)'}: ${message}`;
        const example = examples[Number(index)]!;
        const { line } = diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
        return `${example.page}, the example at line ${example.line}, its line ${line + 1}: ${message}`;
      });
    expect(problems).toEqual([]);
  });
});
