import { eventClassName } from '../events/event-class-name';
import { container as rootContainer } from 'tsyringe';
import { HookworkError } from '../errors/hookwork-error';
import type { WebhookEventEntry } from '../events/webhook-event-catalogue';

/**
 * Refuses composed event classes registered in tsyringe's root container (`@singleton()`,
 * `@registry()`, `container.register…()`): each app resolves its events from its own child
 * container, which would find that registration and share one instance — built with the first
 * app's webhooks, settings and queue — with every other app in the process.
 */
export function checkNoGlobalRegistration(entries: readonly WebhookEventEntry[]): void {
  const shared = entries.map((e) => e.type).filter((type) => rootContainer.isRegistered(type as never, true));
  if (shared.length === 0) return;
  const names = shared.map((t) => eventClassName(t)).join(', ');
  throw new HookworkError(
    'HOOKWORK_ERR_EVENT_REGISTERED_GLOBALLY',
    `${names} ${shared.length > 1 ? 'are' : 'is'} registered in tsyringe's global container (@singleton(), @registry() or container.register…()), so every app in this process would share the instance the first one built, with that app's webhooks, settings and queue; remove the registration — @WebhookEvent already makes the class injectable, and each app builds it from its own container`,
  );
}
