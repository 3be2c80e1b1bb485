import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** A JSON line a test child process reported. */
export type WorkerEvent = { type: string } & Record<string, unknown>;

/** A running child process whose stdout JSON lines are collected as events. */
export interface WorkerProcess {
  /** The child process (to kill it, e.g. with SIGKILL). */
  child: ChildProcess;
  /** The JSON lines it wrote to stdout so far, in order. */
  events: WorkerEvent[];
  /** Resolves with the first event (already seen or to come) matching `predicate`; rejects after `timeoutMs` or if the process exits first. */
  waitFor(predicate: (event: WorkerEvent) => boolean, timeoutMs?: number): Promise<WorkerEvent>;
  /** Resolves when the process has exited and every line it wrote was read, with its code or signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** What it wrote to stderr so far (for the message of a failed test). */
  stderr(): string;
}

/** Starts `node script ...args` with piped stdio and collects its JSON-line events. */
export function startWorker(script: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): WorkerProcess {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env });
  const events: WorkerEvent[] = [];
  const waiters: { predicate: (e: WorkerEvent) => boolean; resolve: (e: WorkerEvent) => void }[] = [];
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let event: WorkerEvent;
    try {
      event = JSON.parse(line) as WorkerEvent;
    } catch {
      return;
    }
    events.push(event);
    for (const waiter of [...waiters]) {
      if (waiter.predicate(event)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(event);
      }
    }
  });
  // 'close', not 'exit': 'exit' can come while lines the child wrote are still in the pipe,
  // unread; after 'close' every line it wrote has been seen.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  let hasExited = false;
  void exited.then(() => (hasExited = true));
  return {
    child,
    events,
    exited,
    stderr: () => errors,
    waitFor(predicate, timeoutMs = 20_000) {
      const seen = events.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`worker did not report the awaited event within ${timeoutMs} ms; stderr: ${errors}`)), timeoutMs).unref();
        const waiter = {
          predicate,
          resolve: (e: WorkerEvent) => {
            clearTimeout(timer);
            resolve(e);
          },
        };
        waiters.push(waiter);
        void exited.then(({ code, signal }) => {
          if (!waiters.includes(waiter)) return;
          clearTimeout(timer);
          reject(new Error(`worker exited (code ${code}, signal ${signal}) before the awaited event; stderr: ${errors}`));
        });
        if (hasExited) void exited;
      });
    },
  };
}
