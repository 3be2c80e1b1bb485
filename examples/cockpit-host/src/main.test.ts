import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

// Runs the BUILT example the way its README does (`npm test` runs `tsc -b` first).
const mainJs = join(__dirname, '..', 'dist', 'main.js');

describe('node examples/cockpit-host/dist/main.js', () => {
  it('prints the envelopes and the Authorization header its receiver got', async () => {
    if (!existsSync(mainJs)) throw new Error(`${mainJs} is missing: build first (npx tsc -b examples/cockpit-host)`);
    // The timeout is an upper bound for a hung run, not a speed assertion.
    const { stdout } = await promisify(execFile)(process.execPath, [mainJs], { timeout: 60_000 });

    expect(stdout).toContain('the receiver got 2 requests:');
    expect(stdout).toContain(`authorization: Basic ${Buffer.from('deploy:s3cret').toString('base64')}`);
    const bodies = stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { event: string });
    expect(bodies.map((b) => b.event).sort()).toEqual(['collections.remove.after', 'collections.save.after.posts']);
    expect(bodies.find((b) => b.event === 'collections.save.after.posts')).toEqual({
      event: 'collections.save.after.posts',
      hook: 'Rebuild blog',
      backend: 1,
      args: ['posts', { title: 'Hello, hookwork', slug: 'hello-hookwork', published: true, _id: 'posts-1' }, false],
    });
    // The README shows the first request as main.js prints it: the block, line for line (it had left out two of them).
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    const shown = /```\n(POST \/hooks\/rebuild\n[\s\S]*?)\n```/.exec(readme)?.[1];
    expect(shown).toBeDefined();
    expect(stdout).toContain(shown);
  });
});
