import { NotificationBus } from './notification-bus';

class Saved {
  constructor(readonly id: number) {}
}
class SpecialSaved extends Saved {}

describe('NotificationBus', () => {
  it('awaits every async handler before publish resolves', async () => {
    const bus = new NotificationBus();
    const done: string[] = [];
    bus.subscribe(Saved, async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      done.push('slow');
    });
    bus.subscribe(Saved, () => void done.push('sync'));
    await bus.publish(new Saved(1));
    expect(done.sort()).toEqual(['slow', 'sync']);
  });

  it('routes by the exact class of the notification', async () => {
    const bus = new NotificationBus();
    const seen: string[] = [];
    bus.subscribe(Saved, (n) => void seen.push(`saved ${n.id}`));
    bus.subscribe(SpecialSaved, (n) => void seen.push(`special ${n.id}`));
    await bus.publish(new Saved(1));
    await bus.publish(new SpecialSaved(2));
    expect(seen).toEqual(['saved 1', 'special 2']);
  });

  it('reports a throwing handler without stopping the others', async () => {
    const bus = new NotificationBus();
    const seen: number[] = [];
    const boom = new Error('boom');
    bus.subscribe(Saved, () => {
      throw boom;
    }, 'broken');
    bus.subscribe(Saved, async (n) => void seen.push(n.id));
    const outcomes = await bus.publish(new Saved(3));
    expect(seen).toEqual([3]);
    expect(outcomes).toEqual([{ ok: false, error: boom, handlerName: 'broken' }, { ok: true }]);
  });

  it('runs handlers subscribed since the last publish, and a publish under way keeps the handlers it began with', async () => {
    const bus = new NotificationBus();
    const seen: string[] = [];
    bus.subscribe(Saved, (n) => {
      seen.push(`first ${n.id}`);
      // Subscribed during a publish: not run by it, run by the next one.
      if (n.id === 1) bus.subscribe(Saved, (m) => void seen.push(`second ${m.id}`));
    });
    expect(await bus.publish(new Saved(1))).toEqual([{ ok: true }]);
    expect(await bus.publish(new Saved(2))).toEqual([{ ok: true }, { ok: true }]);
    bus.clear();
    expect(await bus.publish(new Saved(3))).toEqual([]);
    expect(seen).toEqual(['first 1', 'first 2', 'second 2']);
  });

  it('unsubscribes, and keeps buses apart', async () => {
    const a = new NotificationBus();
    const b = new NotificationBus();
    const seen: string[] = [];
    const off = a.subscribe(Saved, () => void seen.push('a'));
    b.subscribe(Saved, () => void seen.push('b'));
    await a.publish(new Saved(1));
    off();
    await a.publish(new Saved(2));
    expect(seen).toEqual(['a']);
    expect(a.hasSubscribers(Saved)).toBe(false);
    expect(b.hasSubscribers(Saved)).toBe(true);
  });
});
