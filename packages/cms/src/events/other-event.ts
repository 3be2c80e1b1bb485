import { WebhookEventTypes, type NotificationType } from '@hookwork/core';
import { listPayload, type LegacyShape } from '../payloads/payload-variants';
import type { Shape } from '../payloads/shape';
import { defineCmsEvent, type CmsListEventClass } from './define-cms-event';

/**
 * The common case of the "Other" events: one request per notification carrying the array of
 * the notification's entities (`notification.savedEntities`), Minimal `[{ id }]`.
 */
export function defineOtherListEvent<N extends object, E>(
  className: string,
  name: string,
  alias: string,
  notification: NotificationType<N>,
  items: (notification: N) => Iterable<E>,
  minimal: Shape<NoInfer<E>>,
  extended: Shape<NoInfer<E>>,
  synonyms: readonly string[] = [],
  legacy: LegacyShape<NoInfer<E>> = 'extended',
): CmsListEventClass<N, E> {
  return defineCmsEvent<N, E>({
    kind: 'list',
    className,
    name,
    alias,
    type: WebhookEventTypes.Other,
    notification,
    synonyms,
    items,
    payload: listPayload((list: readonly E[]) => list, minimal, extended, legacy),
  });
}
