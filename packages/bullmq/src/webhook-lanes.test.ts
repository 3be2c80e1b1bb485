import { setMaxListeners } from 'node:events';
import { WebhookLanes, type ReleaseSlot } from './webhook-lanes';

const never = new AbortController().signal;
setMaxListeners(0, never);

describe('WebhookLanes', () => {
  it('starts within perWebhook and global, makes the rest wait in a room of global jobs, and turns away beyond it', () => {
    const lanes = new WebhookLanes(() => ({ global: 3, perWebhook: 2 }));
    expect(typeof lanes.enter('a', never)).toBe('function');
    expect(typeof lanes.enter('a', never)).toBe('function');
    expect(lanes.enter('a', never)).toBeInstanceOf(Promise); // a is at its limit: waits
    expect(lanes.enter('a', never)).toBeInstanceOf(Promise);
    // Beyond perWebhook while the room (global) has space: waiting beats a round trip to Redis.
    expect(lanes.enter('a', never)).toBeInstanceOf(Promise);
    expect(lanes.isFull('a')).toBe(true);
    expect(lanes.enter('a', never)).toBeUndefined(); // the room is full and a holds it all
    expect(typeof lanes.enter('b', never)).toBe('function'); // the third global slot
    expect(lanes.runningCount).toBe(3);
    expect(lanes.waitingCount).toBe(3);
  });

  it('makes room for a webhook with fewer waiting: the newest job of the webhook with the most goes', async () => {
    const lanes = new WebhookLanes(() => ({ global: 6, perWebhook: 1 }));
    const outcomes = new Map<string, unknown>();
    const wait = (name: string, key: string) => {
      const entered = lanes.enter(key, never);
      expect(entered).toBeInstanceOf(Promise);
      void (entered as Promise<unknown>).then((outcome) => outcomes.set(name, outcome));
    };
    for (const key of ['a', 'b', 'c']) lanes.enter(key, never); // each at its limit of 1
    wait('a1', 'a');
    wait('a2', 'a');
    wait('a3', 'a');
    wait('b1', 'b');
    wait('b2', 'b');
    wait('c1', 'c');
    expect(lanes.waitingCount).toBe(6); // the room is full
    expect(lanes.isFull('c')).toBe(false); // c would have 2, a has 3
    wait('c2', 'c');
    await Promise.resolve();
    expect([...outcomes]).toEqual([['a3', 'evicted']]);
    expect(lanes.waitingCount).toBe(6);
    // Now a, b and c hold 2 each: a third for any of them would leave another no fewer.
    expect(lanes.isFull('c')).toBe(true);
    expect(lanes.enter('c', never)).toBeUndefined();
    expect(lanes.enter('a', never)).toBeUndefined();
    // A webhook with none waiting (its slot taken) still gets in, from the one that came last
    // to a freed slot of the largest (all equal here: c, the last in turn).
    lanes.enter('d', never);
    lanes.enter('d', never) as Promise<unknown>;
    await Promise.resolve();
    expect(outcomes.get('c2')).toBe('evicted');
    expect(outcomes.size).toBe(2);
  });

  it('sends an arriving job of the webhook with the most waiting back itself, evicting none of its own', async () => {
    const lanes = new WebhookLanes(() => ({ global: 3, perWebhook: 1 }));
    lanes.enter('a', never);
    const waits = [1, 2, 3].map(() => lanes.enter('a', never) as Promise<unknown>);
    expect(waits.every((wait) => wait instanceof Promise)).toBe(true);
    expect(lanes.enter('a', never)).toBeUndefined();
    let evicted = 0;
    for (const wait of waits) void wait.then((outcome) => (evicted += outcome === 'evicted' ? 1 : 0));
    await Promise.resolve();
    expect(evicted).toBe(0);
    expect(lanes.waitingCount).toBe(3);
  });

  it('gives freed slots to waiting webhooks in turn, also to one holding more than perWebhook waiting', async () => {
    const lanes = new WebhookLanes(() => ({ global: 4, perWebhook: 2 }));
    const running = ['a', 'a', 'b', 'b'].map((key) => lanes.enter(key, never) as ReleaseSlot);
    const order: string[] = [];
    const wait = (key: string) => (lanes.enter(key, never) as Promise<ReleaseSlot>).then((release) => (order.push(key), release));
    const waits = [wait('a'), wait('a'), wait('a'), wait('b')];
    const settle = () => new Promise((resolve) => setImmediate(resolve));
    running[0]!();
    await settle();
    running[2]!();
    await settle();
    // a got the first freed slot, then b (a went to the back of the line).
    expect(order).toEqual(['a', 'b']);
    running[1]!();
    await settle();
    (await waits[0]!)();
    await settle();
    // a's third, beyond perWebhook in the room, starts as a's attempts end.
    expect(order).toEqual(['a', 'b', 'a', 'a']);
    expect(lanes.waitingCount).toBe(0);
  });

  it('at publish, counts as full only a webhook holding its perWebhook share of a full room, not every webhook of a spread load', () => {
    const lanes = new WebhookLanes(() => ({ global: 4, perWebhook: 2 }));
    // Four webhooks, each running 1 and waiting 1: the room (4) is full, the load spread.
    for (const key of ['a', 'b', 'c', 'd']) expect(typeof lanes.enter(key, never)).toBe('function');
    for (const key of ['a', 'b', 'c', 'd']) expect(lanes.enter(key, never)).toBeInstanceOf(Promise);
    expect(lanes.waitingCount).toBe(4);
    // A job of any of them fetched now would be turned away (no webhook holds more)…
    expect(lanes.enter('a', never)).toBeUndefined();
    // …but none holds its share waiting: their new jobs go to the wait list, not delayed.
    for (const key of ['a', 'b', 'c', 'd', 'e']) expect(lanes.isFull(key)).toBe(false);
  });

  it('when the limits change, starts what may start and shrinks the room to the new global, newest of the largest first', async () => {
    let limits = { global: 4, perWebhook: 1 };
    const lanes = new WebhookLanes(() => limits);
    const outcomes = new Map<string, unknown>();
    const wait = (name: string, key: string) => void (lanes.enter(key, never) as Promise<unknown>).then((outcome) => outcomes.set(name, outcome));
    const releaseA = lanes.enter('a', never) as ReleaseSlot;
    expect(typeof lanes.enter('b', never)).toBe('function');
    wait('a1', 'a');
    wait('a2', 'a');
    wait('a3', 'a');
    wait('b1', 'b');
    expect(lanes.waitingCount).toBe(4);
    lanes.reconcile(); // unchanged limits: nothing moves
    await Promise.resolve();
    expect(outcomes.size).toBe(0);

    limits = { global: 2, perWebhook: 1 };
    lanes.reconcile();
    await Promise.resolve();
    // The room holds 2 now: a's two newest go back to Redis, b's and a's oldest stay.
    expect(outcomes).toEqual(new Map([['a3', 'evicted'], ['a2', 'evicted']]));
    expect(lanes.waitingCount).toBe(2);

    limits = { global: 4, perWebhook: 2 };
    lanes.reconcile();
    await Promise.resolve();
    // Raised: a and b may each run a second attempt, at once, with no new job fetched.
    expect(typeof outcomes.get('a1')).toBe('function');
    expect(typeof outcomes.get('b1')).toBe('function');
    expect(lanes.runningCount).toBe(4);
    expect(lanes.waitingCount).toBe(0);
    releaseA();
    expect(lanes.runningCount).toBe(3);
  });

  it('takes a waiting job out when its signal aborts', async () => {
    const lanes = new WebhookLanes(() => ({ global: 1, perWebhook: 1 }));
    lanes.enter('a', never);
    const leaving = new AbortController();
    const waiting = lanes.enter('a', leaving.signal) as Promise<unknown>;
    leaving.abort();
    expect(await waiting).toBe('aborted');
    expect(lanes.waitingCount).toBe(0);
  });

  it('sends turned-away jobs back a little further each time, within bounds and jitter', () => {
    const lanes = new WebhookLanes(() => ({ global: 4, perWebhook: 2 }));
    lanes.enter('a', never);
    lanes.enter('a', never);
    const delays = Array.from({ length: 30 }, () => lanes.bounceDelay('a', 100, 1000));
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(80);
      expect(delay).toBeLessThanOrEqual(1200);
    }
    expect(delays[0]).toBeLessThanOrEqual(240); // 2 rounds of 100 ms, +20 %
    expect(delays.slice(-3).every((d) => d >= 800)).toBe(true); // capped at 1000 ms, -20 %
  });
});
