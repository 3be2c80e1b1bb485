import { createReceiver, type ReceivedEvent } from '@hookwork/receiver';
import type { SiteEvent } from './site-events';

// What the union buys a receiver team, checked by the compiler (`tsc -p tsconfig.test.json`, part
// of npm test): each line under an expect-error directive must NOT compile.

/** The line a search log would print for an event — the switch narrows each payload. */
function describeEvent(event: ReceivedEvent<SiteEvent, string | undefined>): string {
  switch (event.alias) {
    case 'Umbraco.ContentPublish':
      // Umbraco lists the published cultures; an invariant document has none.
      return `publish ${event.payload.id} in ${event.payload.cultures.map((c) => c.culture).join(', ') || 'invariant'}`;
    case 'Umbraco.ContentUnpublish':
      // @ts-expect-error an unpublished document's payload has only its id
      return `unpublish ${event.payload.id} (${event.payload.cultures.length})`;
    case 'Umbraco.ContentDelete':
      return `delete ${event.payload.id}`;
  }
}

describe('the site events union', () => {
  it('narrows payloads by alias and refuses handlers of events it does not have', async () => {
    const lines: string[] = [];
    const receiver = createReceiver<SiteEvent>({
      unsigned: true,
      handlers: {
        'Umbraco.ContentPublish': (event) => void lines.push(describeEvent(event)),
        'Umbraco.ContentDelete': (event) => void lines.push(`${event.alias} ${event.payload.id}`),
        // @ts-expect-error Media events are not in SiteEvent: a typo or a missing subscription shows at compile time
        'Umbraco.MediaSave': () => {},
      },
    });
    await receiver.handle({
      headers: { 'hookwork-event': 'Umbraco.ContentPublish', 'webhook-id': 'msg_1' },
      body: '{"id":"doc-1","cultures":[]}',
    });
    await receiver.handle({
      headers: { 'hookwork-event': 'Umbraco.ContentPublish', 'webhook-id': 'msg_2' },
      body: '{"id":"doc-2","cultures":[{"culture":"en-US","date":"2024-05-01T08:00:00Z"},{"culture":"da-DK","date":"2024-05-01T08:00:00Z"}]}',
    });
    expect(lines).toEqual(['publish doc-1 in invariant', 'publish doc-2 in en-US, da-DK']);
  });

  it('keeps a handler from writing a payload it was not given', () => {
    createReceiver<SiteEvent>({
      secrets: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      handlers: {
        // @ts-expect-error a delete's payload has no cultures to read
        'Umbraco.ContentDelete': (event) => void event.payload.cultures,
        // @ts-expect-error handlers get their event read-only
        'Umbraco.ContentPublish': (event) => void (event.payload = { id: 'x', cultures: [] }),
      },
    });
    expect(describeEvent({ alias: 'Umbraco.ContentDelete', payload: { id: 'doc-9' } } as ReceivedEvent<SiteEvent>)).toBe('delete doc-9');
  });
});
