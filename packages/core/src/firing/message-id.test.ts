import { newMessageId } from './webhook-firing-service';

describe('newMessageId', () => {
  it('is msg_ and 32 hex digits in a UUIDv7 layout: the time in ms, version 7, the RFC 9562 variant, random bits', () => {
    const before = Date.now();
    const id = newMessageId();
    const after = Date.now();
    expect(id).toMatch(/^msg_[0-9a-f]{12}7[0-9a-f]{3}[89ab][0-9a-f]{15}$/);
    const ms = parseInt(id.slice(4, 16), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(after);
  });

  it('sorts ids of later milliseconds after earlier ones, and never repeats', async () => {
    const first = Array.from({ length: 1000 }, newMessageId);
    const start = Date.now();
    while (Date.now() === start) await new Promise((resolve) => setTimeout(resolve, 1));
    const later = newMessageId();
    expect(first.every((id) => id < later)).toBe(true);
    expect(new Set(first).size).toBe(first.length);
  });
});
