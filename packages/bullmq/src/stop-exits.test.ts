import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

// `await app.stop()` must release everything it opened, whatever became of Redis: a host's SIGTERM
// handler stops the app and expects its process to end. Watched in a process of its own, as a
// host's (the fixture runs the built code: npm test builds first; in a dev loop, npx tsc -b
// packages/bullmq). Each run starts a redis-server of its own and takes it away.
const FIXTURE = join(__dirname, '..', 'dist', 'test-fixtures', 'stop-exits.js');

function stoppedApp(scenario: 'down' | 'down-in-flight' | 'back-empty' | 'full'): { status: number | null; lines: Record<string, unknown>[]; stderr: string } {
  // Past the timeout the process is killed (status null): it would have stayed up for good.
  const run = spawnSync(process.execPath, [FIXTURE, scenario], { encoding: 'utf8', timeout: 60_000 });
  const lines = run.stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
  return { status: run.status, lines, stderr: run.stderr };
}

describe('a process whose app is stopped after Redis went away', () => {
  // ioredis arms a 2 s timer with each disconnect() to destroy a socket the server does not close:
  // the connections stop() cut while Redis was away (the worker's, the producer's, BullMQ's
  // blocking one) each left one, so stop() resolved with the process held up after it.
  it('ends by itself, nothing left open once stop() resolved: Redis down with the app idle, down with an attempt\'s completion waiting for it, back without its data', () => {
    for (const scenario of ['down', 'down-in-flight', 'back-empty'] as const) {
      const run = stoppedApp(scenario);
      expect({ scenario, lines: run.lines, stderr: run.stderr, status: run.status }).toEqual({ scenario, lines: [{ type: 'stopped', left: [] }], stderr: '', status: 0 });
    }
  }, 180_000);
});

describe('a process whose app is stopped while Redis refuses its writes', () => {
  // After a refused call of its loops (the stalled-job check's, a fetch's) BullMQ's Worker pauses
  // 5 s on a timer its close() left running: stopped then, the process stayed up for it.
  it('ends by itself, nothing left open once stop() resolved: Redis full (maxmemory reached, noeviction)', () => {
    const run = stoppedApp('full');
    expect({ lines: run.lines, stderr: run.stderr, status: run.status }).toEqual({ lines: [{ type: 'stopped', left: [] }], stderr: '', status: 0 });
  }, 60_000);
});
