import type { DeliveryLogEntry } from '../model/delivery-log-entry';
import { LifecycleEmitter, LifecycleReporter } from '../observability/lifecycle-events';
import { silentLogger } from '../observability/logger';
import { contractLogEntry } from '../testing/delivery-log-contract';
import { DeliveryLogWriter } from './delivery-log-writer';

const turn = () => new Promise((resolve) => setImmediate(resolve));

function writerOf(appendWindowMs?: number) {
  const appends: string[][] = [];
  const log = { appendWindowMs, append: async (entries: readonly DeliveryLogEntry[]) => void appends.push(entries.map((e) => e.key)) };
  const writer = new DeliveryLogWriter(log, new LifecycleReporter(new LifecycleEmitter(), silentLogger), silentLogger);
  return { writer, appends };
}

describe('DeliveryLogWriter', () => {
  it('appends the entries of one turn together, at the next turn, without a window', async () => {
    const { writer, appends } = writerOf();
    writer.write(contractLogEntry('a'));
    writer.write(contractLogEntry('b'));
    await turn();
    writer.write(contractLogEntry('c'));
    await turn();
    await writer.flush();
    expect(appends).toEqual([['a', 'b'], ['c']]);
  });

  it("gathers entries for the store's window, in order, and writes them at once on flush", async () => {
    const { writer, appends } = writerOf(40);
    writer.write(contractLogEntry('a'));
    await turn();
    writer.write(contractLogEntry('b'));
    await turn();
    expect(appends).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(appends).toEqual([['a', 'b']]);
    writer.write(contractLogEntry('c'));
    await writer.flush();
    expect(appends).toEqual([['a', 'b'], ['c']]);
  });

  it('writeNow: the entries of one synchronous run (with those gathered before) in one append, resolving once it is done, without waiting for the window', async () => {
    const { writer, appends } = writerOf(60_000);
    writer.write(contractLogEntry('a'));
    const written = [writer.writeNow(contractLogEntry('b')), writer.writeNow(contractLogEntry('c'))];
    expect(appends).toEqual([]);
    await Promise.all(written);
    expect(appends).toEqual([['a', 'b', 'c']]);
    await writer.writeNow(contractLogEntry('d'));
    expect(appends).toEqual([['a', 'b', 'c'], ['d']]);
  });
});
