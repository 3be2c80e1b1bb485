import { OPERATOR_WEBHOOK_EVENTS } from '../events/operator-webhook-events';
import type { Composer } from './composer';

/**
 * Composes the operator events, so a webhook subscribed to them (an operator endpoint, signed
 * like any other) receives `breaker.opened`, `breaker.closed`, `webhook.recovered`,
 * `webhook.disabled` and `request.exhausted` as they happen:
 *
 * ```ts
 * const app = createHookwork({ composers: [cmsComposer(), operatorEventsComposer()] });
 * await app.webhooks.create({ url: 'https://ops.example.com/hookwork', events: ['breaker.opened', 'webhook.disabled'], secret: true });
 * ```
 */
export function operatorEventsComposer(): Composer {
  return {
    compose(builder) {
      builder.webhookEvents().add(...OPERATOR_WEBHOOK_EVENTS);
    },
  };
}
