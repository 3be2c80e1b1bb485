import { getWebhookEventMetadata, isHookworkError } from '@hookwork/core';
import * as cms from '../index';
import { defineCmsEvent, field, objectPayload, schemas, shape, type CmsEntityEventDefinition } from '../index';
import { getCmsEventDefinition } from './define-cms-event';

// A plugin author's own CMS event, as docs/cms-events.md says a plugin may define one.
class OrderPlacedNotification {
  constructor(readonly orders: readonly { key: string }[]) {}
}
const orderShape = shape<{ key: string }>({ id: field(schemas.string, (order) => order.key) });
const good: CmsEntityEventDefinition<OrderPlacedNotification, { key: string }> = {
  kind: 'entity',
  className: 'OrderPlacedWebhookEvent',
  name: 'Order Placed',
  alias: 'acme.orderPlaced',
  type: 'Other',
  notification: OrderPlacedNotification,
  entities: (notification) => notification.orders,
  payload: objectPayload(orderShape, orderShape),
};

describe('defineCmsEvent', () => {
  it('makes a decorated class from a right definition', () => {
    const type = defineCmsEvent(good);
    expect(type.name).toBe('OrderPlacedWebhookEvent');
    expect(getWebhookEventMetadata(type)?.alias).toBe('acme.orderPlaced');
  });

  it('refuses a definition a plugin author got wrong with a coded error naming the field, where a TypeError or a silent default came before', () => {
    const refused = (definition: unknown, message: RegExp) => {
      let error: unknown;
      try {
        defineCmsEvent(definition as typeof good);
      } catch (e) {
        error = e;
      }
      expect(isHookworkError(error, 'HOOKWORK_ERR_INVALID_EVENT_DECLARATION')).toBe(true);
      expect((error as Error).message).toMatch(message);
    };
    refused(undefined, /^HOOKWORK_ERR_INVALID_EVENT_DECLARATION: defineCmsEvent\(undefined\): takes a definition object/);
    refused({ ...good, kind: 'entities' }, /defineCmsEvent\(OrderPlacedWebhookEvent\): kind must be 'entity'.*got "entities"/);
    refused({ ...good, kind: undefined }, /kind must be/);
    refused({ ...good, entitie: good.entities }, /unknown field `entitie` \(did you mean `entities`\?\)/);
    refused({ ...good, className: 'Order Placed' }, /className must be the generated class's name/);
    refused({ ...good, entities: undefined }, /entities must be a function/);
    refused({ ...good, payload: { Minimal: good.payload.Minimal } }, /payload.Extended must be \{ convert\(input\), schema \}/);
    refused({ ...good, example: { orders: [] } }, /example must be a function/);
    refused({ ...good, shouldFire: 'Legacy' }, /shouldFire must be a function \(notification, payloadType\)/);
  });

  it('binds every CMS event to the notification its name says, so the event header names what happened', () => {
    // Umbraco 13.0.1 sent Umbraco.ContentDelete for an unpublish: two rows had swapped their
    // notifications (umbraco/Umbraco-CMS#15486). Umbraco's document type events handle its content
    // type notifications, by Umbraco's own naming.
    const stem = (name: string, suffix: string) => name.slice(0, -suffix.length).replace(/^DocumentType/, 'ContentType');
    const rows = Object.values(cms)
      .map((value) => (typeof value === 'function' ? getCmsEventDefinition(value) : undefined))
      .filter((definition) => definition !== undefined);
    expect(rows.length).toBeGreaterThanOrEqual(87);
    const mismatched = rows.filter((d) => stem(d.className, 'WebhookEvent') !== stem(d.notification.name, 'Notification')).map((d) => `${d.alias}: ${d.notification.name}`);
    expect(mismatched).toEqual([]);
  });
});
