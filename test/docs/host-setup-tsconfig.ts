import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** docs/host-setup.md, the page a host project follows. */
export const hostSetupPage = (): string => readFileSync(join(ROOT, 'docs', 'host-setup.md'), 'utf8');

/**
 * The compilerOptions of the tsconfig docs/host-setup.md recommends, read from the page's
 * ```jsonc block under "## tsconfig" (comments dropped): the tests that compile host code use
 * exactly it, so the page cannot recommend a tsconfig that fails.
 */
export function documentedTsconfig(): Record<string, unknown> {
  const block = /## tsconfig[\s\S]*?```jsonc\n([\s\S]*?)```/.exec(hostSetupPage())?.[1];
  if (!block) throw new Error('docs/host-setup.md has no ```jsonc block under "## tsconfig"');
  return (JSON.parse(block.replace(/\/\/.*$/gm, '')) as { compilerOptions: Record<string, unknown> }).compilerOptions;
}

/** The row of host-setup.md's table of `module` settings for one of them: what it says to add. */
export function documentedAdditions(module: string): string {
  const row = hostSetupPage()
    .split('\n')
    .find((line) => line.startsWith('| ') && line.split('|')[1]!.includes(`"${module}"`));
  if (!row) throw new Error(`docs/host-setup.md's table of module settings has no row for "${module}"`);
  return row.split('|')[2]!;
}
