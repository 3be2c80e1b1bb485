import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

// A contract suite called where jest's globals are missing (node:test, plain node): before, a bare
// "ReferenceError: describe is not defined" that named neither the suite nor the fix.

const testing = join(__dirname, '..', '..', 'dist', 'testing', 'index.js');
const run = promisify(execFile);

describe('the contract suites outside jest', () => {
  it.each([
    ['describeRequestQueueContract', '(name, () => ({ subject: {} }))'],
    ['describeQueueEngineContract', "(name, () => ({ subject: {} }))"],
    ['describeKeyRulesContract', '(name, () => ({ subject: {} }))'],
    ['describeConcurrentCallersContract', '(name, () => ({ subject: {} }))'],
    ['describeTransportContract', '(name, () => ({}))'],
  ])('%s says to call it from a jest test file', async (suite, call) => {
    const script = `const name = 'mine'; require(${JSON.stringify(testing)}).${suite}${call};`;
    const error = await run(process.execPath, ['-e', script], { timeout: 60_000 }).then(() => undefined, (caught: unknown) => caught as { code: number; stderr: string });
    expect(error?.code).toBe(1);
    expect(error?.stderr).toContain(`TypeError: ${suite} defines jest tests: call it from a jest test file`);
    expect(error?.stderr).not.toMatch(/describe is not defined/);
  });
});
