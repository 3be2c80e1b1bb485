import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

// Runs the BUILT example the way its README does (`npm test` runs `tsc -b` first).
const mainJs = join(__dirname, '..', 'dist', 'main.js');

describe('node examples/replace-payload/dist/main.js', () => {
  it('prints the custom payloads its receiver got', async () => {
    if (!existsSync(mainJs)) throw new Error(`${mainJs} is missing: build first (npx tsc -b examples/replace-payload)`);
    // The timeout is an upper bound for a hung run, not a speed assertion.
    const { stdout } = await promisify(execFile)(process.execPath, [mainJs], { timeout: 60_000 });

    expect(stdout).toContain('the receiver got 2 requests:');
    const bodies = stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { myData: string; publishedContent: { name: string } });
    expect(bodies.map((b) => [b.myData, b.publishedContent.name]).sort()).toEqual([
      ['Your data', 'Hello, hookwork'],
      ['Your data', 'Root'],
    ]);
    expect(stdout.match(/umb-webhook-event: Umbraco\.ContentPublish/g)).toHaveLength(2);
  });
});
