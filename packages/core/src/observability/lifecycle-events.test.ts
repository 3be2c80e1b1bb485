import { createHookwork, type LifecycleEvents } from '../index';

describe('app.lifecycle', () => {
  it('refuses a listener under a name that is no lifecycle event, naming the one meant, instead of never calling it', () => {
    const app = createHookwork({});
    const listen = (method: 'on' | 'once' | 'addListener', name: string) => () => (app.lifecycle[method] as (event: string, fn: () => void) => unknown)(name, () => {});
    for (const method of ['on', 'once', 'addListener'] as const) {
      expect(listen(method, 'deadLetter')).toThrow(
        `HOOKWORK_ERR_INVALID_ARGUMENT: app.lifecycle.${method}() was given "deadLetter", which is not a lifecycle event (did you mean deadLettered?); the events are enqueued, attemptSucceeded, attemptFailed, deadLettered,`,
      );
    }
    expect(listen('on', 'dead-lettered')).toThrow(expect.objectContaining({ code: 'HOOKWORK_ERR_INVALID_ARGUMENT' }));
    expect(app.lifecycle.listenerCount('deadLetter' as keyof LifecycleEvents)).toBe(0);
  });

  it('calls a listener under a lifecycle event name', () => {
    const app = createHookwork({});
    const seen: string[] = [];
    app.lifecycle.on('webhookDisabled', (info) => seen.push(info.webhookKey));
    app.lifecycle.once('webhookDisabled', (info) => seen.push(`once ${info.webhookKey}`));
    app.lifecycle.emit('webhookDisabled', { webhookKey: 'w1', reason: 'test' });
    app.lifecycle.emit('webhookDisabled', { webhookKey: 'w2', reason: 'test' });
    expect(seen).toEqual(['w1', 'once w1', 'w2']);
  });
});
