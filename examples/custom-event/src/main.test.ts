import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

// Runs the BUILT example the way its README does (`npm test` runs `tsc -b` first).
const mainJs = join(__dirname, '..', 'dist', 'main.js');

describe('node examples/custom-event/dist/main.js', () => {
  it('prints the composed catalogue and the five requests its receiver got', async () => {
    if (!existsSync(mainJs)) throw new Error(`${mainJs} is missing: build first (npx tsc -b examples/custom-event)`);
    // The timeout is an upper bound for a hung run, not a speed assertion.
    const { stdout } = await promisify(execFile)(process.execPath, [mainJs], { timeout: 60_000 });

    expect(stdout).toMatch(/commerce\.orderPlaced\s+Order Placed \(Other\)/);
    expect(stdout).toContain('the receiver got 5 requests:');
    const events = [...stdout.matchAll(/^POST \/hooks\/\w+ {2}hookwork-event: (\S+)$/gm)].map((m) => m[1]).sort();
    expect(events).toEqual(['Umbraco.ContentPublish', 'commerce.orderPlaced', 'commerce.orderRefunded', 'commerce.orderShipped', 'commerce.orderShipped']);
    expect(stdout).toContain('{"orderId":"order-1001","refundId":"refund-1","refunded":{"amount":"12.50","currency":"EUR"},"reason":"one mug arrived broken"}');
  });
});
