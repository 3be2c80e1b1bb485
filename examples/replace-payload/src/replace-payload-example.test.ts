import { PAGES, runReplacePayloadExample } from './replace-payload-example';
import { startTestReceiver, type TestReceiver } from '@hookwork/core/testing';

describe('the replace-payload example', () => {
  let receiver: TestReceiver;
  beforeEach(async () => {
    receiver = await startTestReceiver();
  });
  afterEach(() => receiver.close());

  it("delivers the host's own payload for each published page, under Umbraco's alias", async () => {
    const lines: string[] = [];
    await runReplacePayloadExample({ url: receiver.origin, print: (line) => lines.push(line) });

    // The replacement kept Content Published's alias and its place among the 5 defaults.
    expect(lines.filter((l) => l.startsWith('  ')).map((l) => l.trim().split(/\s+/)[0])).toEqual([
      'Umbraco.ContentDelete',
      'Umbraco.ContentPublish',
      'Umbraco.ContentUnpublish',
      'Umbraco.MediaDelete',
      'Umbraco.MediaSave',
    ]);

    expect(receiver.requests).toHaveLength(2);
    for (const request of receiver.requests) {
      expect(request.path).toBe('/hooks/publish');
      expect(request.headers['umb-webhook-event']).toBe('Umbraco.ContentPublish');
      expect(request.headers['umb-webhook-retrycount']).toBe('0');
    }
    // Exactly the custom payload, nothing of the standard one. No ordering guarantee between requests.
    const bodies = receiver.requests.map((r) => JSON.parse(r.text) as { publishedContent: { id: string } });
    bodies.sort((a, b) => a.publishedContent.id.localeCompare(b.publishedContent.id));
    expect(bodies).toEqual([
      {
        myData: 'Your data',
        publishedContent: {
          contentType: 'blogPost',
          name: 'Hello, hookwork',
          createDate: '2024-05-01T08:00:00.000Z',
          updateDate: '2024-05-02T10:15:00.000Z',
          route: { path: '/blog/hello-hookwork/', startItem: { id: 'c1922956-7855-4fa0-8f2c-7af149a92135', path: 'root' } },
          id: PAGES[1]!.key,
          properties: { title: 'Hello, hookwork', tags: ['webhooks', 'umbraco'] },
        },
      },
      {
        myData: 'Your data',
        publishedContent: {
          contentType: 'root',
          name: 'Root',
          createDate: '2023-12-11T12:02:38.997Z',
          updateDate: '2023-12-11T12:02:38.997Z',
          route: { path: '/', startItem: { id: 'c1922956-7855-4fa0-8f2c-7af149a92135', path: 'root' } },
          id: 'c1922956-7855-4fa0-8f2c-7af149a92135',
          properties: {},
        },
      },
    ]);
  });
});
