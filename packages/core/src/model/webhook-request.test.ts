import { leasedRequest, type NewWebhookRequest } from './webhook-request';

describe('leasedRequest', () => {
  const created = new Date('2026-11-30T10:00:00.000Z');
  const request: NewWebhookRequest = { id: 'msg_1', webhookKey: 'wh', eventAlias: 'thing.happened', body: '{"a":1}', createdAt: created, dueAt: created, fifo: 'block', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: 'rojo=00f067aa0ba902b7' };

  it('is the request as stored leased: every field kept, in flight, no attempts, leased to the owner until the given time', () => {
    expect(leasedRequest(request, 'owner-1', created.getTime() + 60_000)).toEqual({ ...request, state: 'inflight', attempts: 0, leaseOwner: 'owner-1', leaseExpiresAt: new Date(created.getTime() + 60_000) });
  });

  it('leaves out the optional fields the request does not have', () => {
    const { fifo: _fifo, traceparent: _traceparent, tracestate: _tracestate, ...plain } = request;
    const leased = leasedRequest(plain, 'owner-1', 0);
    expect('fifo' in leased || 'traceparent' in leased || 'tracestate' in leased).toBe(false);
  });

  it("gives Dates of its own: changing the copy leaves the caller's request as it was", () => {
    const leased = leasedRequest(request, 'owner-1', 0);
    leased.createdAt.setTime(0);
    leased.dueAt.setTime(0);
    expect([request.createdAt.getTime(), request.dueAt.getTime()]).toEqual([created.getTime(), created.getTime()]);
  });
});
