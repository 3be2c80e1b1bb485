import type * as Tsyringe from 'tsyringe';
import { createHookwork, inject, injectable, LoggerToken, WebhookEvent, WebhookEventBase, WebhookEventDependencies, WebhookEventTypes, type HookworkError, type Logger } from '../index';
import { recordingTransport } from '../testing';

// tsyringe's @injectable() records the class in the tsyringe module it came from. A plugin with a
// tsyringe of its own (a dependency pinned to another version) marked its services in that copy,
// which the app's container never reads: start() said `TypeInfo not known for "PriceFormatter"`
// and told the author to mark a class they had marked. Here the second copy is real: tsyringe
// loaded again in an isolated module registry, with its own record.
let foreign!: typeof Tsyringe;
jest.isolateModules(() => {
  foreign = jest.requireActual<typeof Tsyringe>('tsyringe');
});

class Currency {
  readonly code = 'EUR';
}
class OrderPlaced {
  constructor(readonly total: number) {}
}

/** An app composing `event`, whose constructor injects `formatter`, registered as the host does. */
function startWith(event: abstract new (...args: never[]) => WebhookEventBase<OrderPlaced>, formatter: new (...args: never[]) => unknown) {
  const app = createHookwork({
    composers: [
      {
        compose: (builder) => {
          builder.services.registerSingleton(Currency);
          builder.services.registerSingleton(formatter as never);
          builder.webhookEvents().add(event as never);
        },
      },
    ],
    transport: recordingTransport(),
  });
  return { app, started: app.start().then(() => undefined, (error: HookworkError) => error) };
}

describe('injectable and inject from @hookwork/core', () => {
  it('a service marked with core’s injectable() is built with its own parameters', async () => {
    @injectable()
    class PriceFormatter {
      constructor(readonly currency: Currency) {}
      format(n: number) {
        return `${n} ${this.currency.code}`;
      }
    }
    @WebhookEvent('Order Placed', WebhookEventTypes.Other, { alias: 'acme.orderPlaced', notification: OrderPlaced })
    class OrderPlacedEvent extends WebhookEventBase<OrderPlaced> {
      constructor(
        deps: WebhookEventDependencies,
        readonly prices: PriceFormatter,
      ) {
        super(deps);
      }
    }
    const { app, started } = startWith(OrderPlacedEvent, PriceFormatter);
    expect(await started).toBeUndefined();
    await app.stop();
  });

  it('a service marked by another copy of tsyringe is refused naming the second copy, and the fix', async () => {
    @foreign.injectable()
    class PriceFormatter {
      constructor(readonly currency: Currency) {}
      format(n: number) {
        return `${n} ${this.currency.code}`;
      }
    }
    @WebhookEvent('Order Placed', WebhookEventTypes.Other, { alias: 'acme.orderPlaced', notification: OrderPlaced })
    class OrderPlacedEvent extends WebhookEventBase<OrderPlaced> {
      constructor(
        deps: WebhookEventDependencies,
        readonly prices: PriceFormatter,
      ) {
        super(deps);
      }
    }
    const { app, started } = startWith(OrderPlacedEvent, PriceFormatter);
    const error = await started;
    expect(error).toMatchObject({ code: 'HOOKWORK_ERR_EVENT_NOT_RESOLVABLE' });
    expect(error?.message).toContain('TypeInfo not known for "PriceFormatter". PriceFormatter is decorated (it has constructor metadata), so if it is marked @injectable() that came from another copy of tsyringe than @hookwork/core\'s');
    expect(error?.message).toContain('import injectable and inject from @hookwork/core rather than from tsyringe, or npm dedupe');
    await app.stop();
  });

  it('an undecorated service with parameters gets no such hint', async () => {
    class PriceFormatter {
      constructor(readonly currency: Currency) {}
      format(n: number) {
        return `${n} ${this.currency.code}`;
      }
    }
    @WebhookEvent('Order Placed', WebhookEventTypes.Other, { alias: 'acme.orderPlaced', notification: OrderPlaced })
    class OrderPlacedEvent extends WebhookEventBase<OrderPlaced> {
      constructor(
        deps: WebhookEventDependencies,
        readonly prices: PriceFormatter,
      ) {
        super(deps);
      }
    }
    const { app, started } = startWith(OrderPlacedEvent, PriceFormatter);
    const error = await started;
    expect(error).toMatchObject({ code: 'HOOKWORK_ERR_EVENT_NOT_RESOLVABLE' });
    expect(error?.message).not.toContain('another copy of tsyringe');
    await app.stop();
  });

  it('inject() takes one of core’s typed tokens', async () => {
    @injectable()
    class Audit {
      constructor(@inject(LoggerToken) readonly logger: Logger) {}
    }
    const app = createHookwork({ composers: [{ compose: (builder) => void builder.services.registerSingleton(Audit) }], transport: recordingTransport() });
    await app.start();
    expect(typeof app.container.resolve(Audit).logger.warn).toBe('function');
    await app.stop();
  });
});
