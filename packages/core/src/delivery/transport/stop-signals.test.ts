import { StopSignals } from './stop-signals';

const item = () => {
  const reasons: unknown[] = [];
  return { reasons, stop: (reason: unknown) => void reasons.push(reason) };
};

describe('StopSignals', () => {
  it('stops every item still following a signal when it aborts, with its reason, and forgets deleted ones', () => {
    const stopSignals = new StopSignals<ReturnType<typeof item>>();
    const controller = new AbortController();
    const [a, b, c] = [item(), item(), item()];
    stopSignals.add(controller.signal, a);
    stopSignals.add(controller.signal, b);
    stopSignals.add(controller.signal, c);
    stopSignals.delete(controller.signal, b);
    controller.abort(new Error('the app is stopping'));
    expect([a.reasons, b.reasons, c.reasons].map((r) => r.map((e) => (e as Error).message))).toEqual([['the app is stopping'], [], ['the app is stopping']]);
  });

  it('stops an item at once when its signal has already aborted', () => {
    const stopSignals = new StopSignals<ReturnType<typeof item>>();
    const controller = new AbortController();
    controller.abort('gone');
    const a = item();
    stopSignals.add(controller.signal, a);
    expect(a.reasons).toEqual(['gone']);
  });

  it('listens once per signal, not once per item', () => {
    const stopSignals = new StopSignals<ReturnType<typeof item>>();
    const controller = new AbortController();
    const added = jest.spyOn(controller.signal, 'addEventListener');
    for (let i = 0; i < 5; i++) stopSignals.add(controller.signal, item());
    expect(added).toHaveBeenCalledTimes(1);
  });
});
