import { timeOrderedHex, timeOrderedUuid } from './time-ordered-uuid';

describe('time-ordered UUIDs (version 7)', () => {
  it('have the RFC 9562 layout: 48 bits of ms, version 7, variant 10, and every random digit varies', () => {
    const before = Date.now();
    const ids = Array.from({ length: 5000 }, timeOrderedUuid);
    const after = Date.now();
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const ms = parseInt(ids[0]!.slice(0, 8) + ids[0]!.slice(9, 13), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(after);
    expect(new Set(ids).size).toBe(ids.length);
    // 5,000 ids (several refills of the random pool): each random position takes all its values.
    const hex = ids.map((id) => id.replace(/-/g, ''));
    for (const position of [13, 14, 15, ...Array.from({ length: 15 }, (_, i) => 17 + i)]) {
      expect([position, new Set(hex.map((h) => h[position])).size]).toEqual([position, 16]);
    }
    expect(new Set(hex.map((h) => h[16])).size).toBe(4);
  });

  it('as hex are the same layout without dashes', () => {
    expect(timeOrderedHex()).toMatch(/^[0-9a-f]{12}7[0-9a-f]{3}[89ab][0-9a-f]{15}$/);
  });
});
