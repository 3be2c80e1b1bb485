import type { Hookwork } from '../composition/hookwork-app';
import { startTestReceiver, type TestReceiver } from '../testing/test-receiver';
import { startTestApp, ThingHappened } from '../test-support/test-app';
import { EventLoopBudget } from './event-loop-budget';

describe('publishing in a loop does not stall the event loop', () => {
  let receiver: TestReceiver;
  let app: Hookwork | undefined;

  beforeEach(async () => {
    receiver = await startTestReceiver();
  });
  afterEach(async () => {
    await app?.stop();
    app = undefined;
    await receiver.close();
  });

  it('delivers while a host publishes 10,000 notifications in a loop on the memory store', async () => {
    app = await startTestApp();
    await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    let timerFired = false;
    setTimeout(() => (timerFired = true), 0);
    for (let i = 0; i < 10_000; i++) await app.publish(new ThingHappened(`n${i}`));
    // The memory queue enqueues without I/O: without a turn of the event loop now and then, both were nothing.
    expect(receiver.requests.length).toBeGreaterThan(0);
    expect(timerFired).toBe(true);
  });

  it('a budget asks for a turn of the event loop only once it is spent, and resets when the loop turns', async () => {
    const budget = new EventLoopBudget(20);
    expect(budget.spend()).toBeUndefined();
    expect(budget.spend()).toBeUndefined();
    const started = performance.now();
    while (performance.now() - started < 25);
    const wait = budget.spend();
    expect(wait).toBeInstanceOf(Promise);
    await wait;
    expect(budget.spend()).toBeUndefined();
  });
});
