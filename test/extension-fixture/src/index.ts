import {
  WebhookEvent,
  WebhookEventBase,
  WebhookEventTypes,
  defineCollectionExtension,
  type Composer,
  type PayloadContext,
} from '@hookwork/core';

/** The fixture's notification. */
export class SomethingHappened {
  constructor(readonly what: string) {}
}

/** The fixture's one event. */
@WebhookEvent('Something Happened', WebhookEventTypes.Other, { alias: 'something.happened', notification: SomethingHappened })
export class SomethingHappenedWebhookEvent extends WebhookEventBase<SomethingHappened> {
  override convertNotificationToRequestPayload(notification: SomethingHappened, context: PayloadContext): unknown {
    return { what: notification.what, alias: context.alias };
  }
}

/** Options of addSomething(). */
export interface AddSomethingOptions {
  /** Attached to the event class as an event option. */
  tag?: string;
}

declare module '@hookwork/core' {
  interface WebhookEventCollectionBuilder {
    /** Adds the fixture's event (contributed by @hookwork/extension-fixture). */
    addSomething(options?: AddSomethingOptions): this;
  }
}

/** The extension: installed on an app's builder by {@link somethingComposer}. */
export const somethingExtension = defineCollectionExtension(
  '@hookwork/extension-fixture',
  {
    addSomething(options: AddSomethingOptions = {}) {
      return this.addWithOptions({ tag: options.tag }, SomethingHappenedWebhookEvent);
    },
  },
  { composerHint: 'somethingComposer()' },
);

/** The fixture's composer: installs addSomething() and adds nothing by itself. */
export function somethingComposer(): Composer {
  return {
    name: '@hookwork/extension-fixture',
    extensions: [somethingExtension],
    compose: (builder) => {
      builder.webhookEvents().install(somethingExtension);
    },
  };
}
