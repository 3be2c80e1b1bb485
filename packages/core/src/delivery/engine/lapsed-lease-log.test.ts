import type { Logger } from '../../observability/logger';
import { LapsedLeaseLog } from './lapsed-lease-log';

function capturing(): { logger: Logger; lines: { message: string; meta?: Record<string, unknown> }[] } {
  const lines: { message: string; meta?: Record<string, unknown> }[] = [];
  return { lines, logger: { debug() {}, info() {}, warn: (message, meta) => lines.push({ message, meta }), error() {} } };
}

const leases = (from: number, count: number, webhooks = 3) =>
  Array.from({ length: count }, (_, i) => ({ requestId: `msg_${from + i}`, webhookKey: `hook-${(from + i) % webhooks}`, lapsedMs: 600 + i }));

describe('LapsedLeaseLog, a stall that meets 500 running attempts', () => {
  it('writes one line at once and one summary, not a line per request', () => {
    const { logger, lines } = capturing();
    const log = new LapsedLeaseLog(logger, () => 60_000);
    // Claims of 100 at a time meet them, then a renewal meets the rest late.
    for (let batch = 0; batch < 4; batch++) log.lapsed('reclaimed', leases(batch * 100, 100));
    log.lapsed('renewed_late', leases(400, 100));
    expect(lines).toHaveLength(1);
    expect(lines[0]!.message).toContain('the lease of request msg_0 (webhook hook-0) (and 99 other requests of 3 webhooks) ran out 600 ms before this process claimed it again');
    expect(lines[0]!.message).toContain('leaseDuration (1 min)');
    expect(lines[0]!.meta).toMatchObject({ lease: 'reclaimed', requestId: 'msg_0', webhookKey: 'hook-0', lapsedMs: 600, requests: 100 });
    log.flush();
    expect(lines).toHaveLength(2);
    expect(lines[1]!.message).toBe(
      "400 more leases of running attempts ran out within 1 min (300 claimed again here, 100 renewed late; the last: request msg_499 of webhook hook-1, the longest run out for 699 ms); another process sharing the store may have sent them meanwhile — leaseDuration is 1 min",
    );
    expect(lines[1]!.meta).toMatchObject({ more: 400, reclaimed: 300, renewed_late: 100 });
  });

  it('tells leases lost to another process in a line of their own, even within a lapse window', () => {
    const { logger, lines } = capturing();
    const log = new LapsedLeaseLog(logger, () => 600);
    log.lapsed('reclaimed', leases(0, 1));
    log.lapsed('lost', [{ requestId: 'msg_9', webhookKey: 'hook-9' }]);
    log.lapsed('lost', [{ requestId: 'msg_10', webhookKey: 'hook-9' }], true);
    expect(lines.map((l) => l.message.slice(0, 40))).toEqual(['the lease of request msg_0 (webhook hook', 'request msg_9 (webhook hook-9): its leas']);
    expect(lines[1]!.message).toContain("(by this process's clock it had not run out)");
    expect(lines[1]!.message).toContain('clocks of the processes sharing the store disagree by more than leaseDuration (600 ms)');
    log.flush();
    expect(lines[2]!.message).toBe("1 more lease of a running attempt was taken by another process within 1 min (the last: request msg_10 of webhook hook-9); the processes holding those leases may send the requests again, and settle them — leaseDuration is 600 ms");
  });
});
