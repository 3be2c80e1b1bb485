import { WebhookLanes, type ReleaseSlot } from './webhook-lanes';

const never = new AbortController().signal;

describe('WebhookLanes', () => {
  it('starts within perWebhook and global, makes the rest wait, and turns away beyond the waiting room', () => {
    const lanes = new WebhookLanes(() => ({ global: 3, perWebhook: 2 }));
    expect(typeof lanes.enter('a', never)).toBe('function');
    expect(typeof lanes.enter('a', never)).toBe('function');
    expect(lanes.enter('a', never)).toBeInstanceOf(Promise); // a is at its limit: waits
    expect(lanes.enter('a', never)).toBeInstanceOf(Promise);
    expect(lanes.enter('a', never)).toBeUndefined(); // a's waiting room (perWebhook) is full
    expect(typeof lanes.enter('b', never)).toBe('function'); // the third global slot
    expect(lanes.enter('c', never)).toBeInstanceOf(Promise); // no global slot left
    expect(lanes.runningCount).toBe(3);
    expect(lanes.waitingCount).toBe(3);
  });

  it('gives freed slots to waiting webhooks in turn', async () => {
    const lanes = new WebhookLanes(() => ({ global: 2, perWebhook: 2 }));
    const first = lanes.enter('a', never) as ReleaseSlot;
    const second = lanes.enter('a', never) as ReleaseSlot;
    const order: string[] = [];
    const wait = (key: string) => (lanes.enter(key, never) as Promise<ReleaseSlot>).then((release) => (order.push(key), release));
    const waits = [wait('a'), wait('a'), wait('b')];
    first();
    await Promise.resolve();
    second();
    await new Promise((resolve) => setImmediate(resolve));
    // a got the first freed slot, then b (a went to the back of the line), not a again.
    expect(order).toEqual(['a', 'b']);
    (await waits[0]!)();
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(['a', 'b', 'a']);
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
