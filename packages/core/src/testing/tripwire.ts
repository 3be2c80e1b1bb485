import net from 'node:net';

// Node's BlockList judges an IPv4-mapped IPv6 address by the IPv4 rules (::ffff:7f00:1 is
// 127.0.0.1, however it is spelt) and reads every IPv6 spelling (0:0:0:0:0:0:0:1 is ::1). Only
// the mapped form reaches this machine: NAT64 or IPv4-compatible forms of 127.0.0.1 do not.
const LOOPBACK = new net.BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Whether `address` (an IP, possibly bracketed or with a zone, or `localhost`) is this machine's loopback. */
export function isLoopback(address: string): boolean {
  const a = address.toLowerCase().replace(/^\[|\]$/g, '');
  if (a === 'localhost') return true;
  const family = net.isIP(a.replace(/%.*$/, ''));
  return family !== 0 && LOOPBACK.check(a.replace(/%.*$/, ''), family === 4 ? 'ipv4' : 'ipv6');
}

/** A guard for SSRF tests: records and blocks any connect to a non-loopback address. */
export interface Tripwire {
  /** Every non-loopback address something tried to connect to. */
  readonly violations: string[];
  uninstall(): void;
}

/**
 * Wraps `net.Socket.prototype.connect` (which every http/https/tls connection goes through) so
 * no packet can reach a non-loopback address while a test runs: IP hosts are checked before
 * connecting, and the answers of a socket's `lookup` (the SSRF guard's) are checked before the
 * socket uses them. A violation is recorded and the connect fails.
 */
export function installTripwire(): Tripwire {
  const original = net.Socket.prototype.connect;
  const violations: string[] = [];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  net.Socket.prototype.connect = function (this: net.Socket, ...args: any[]) {
    const options = Array.isArray(args[0]) ? args[0][0] : typeof args[0] === 'object' && args[0] !== null ? args[0] : { port: args[0], host: args[1] };
    if (options && !options.path) {
      const host: string = options.host ?? 'localhost';
      if (net.isIP(host.replace(/^\[|\]$/g, ''))) {
        if (!isLoopback(host)) {
          violations.push(host);
          throw new Error(`tripwire: connect to non-loopback ${host}`);
        }
      } else if (typeof options.lookup === 'function') {
        const lookup = options.lookup;
        options.lookup = (hostname: string, lookupOptions: unknown, callback: (...a: unknown[]) => void) =>
          lookup(hostname, lookupOptions, (error: unknown, address: unknown, family: unknown) => {
            const addresses = Array.isArray(address) ? address.map((a: { address: string }) => a.address) : address === undefined ? [] : [String(address)];
            const bad = addresses.filter((a) => !isLoopback(a));
            if (!error && bad.length > 0) {
              violations.push(...bad);
              callback(new Error(`tripwire: ${hostname} resolved to non-loopback ${bad.join(', ')}`));
              return;
            }
            callback(error, address, family);
          });
      } else if (!isLoopback(host)) {
        violations.push(host);
        throw new Error(`tripwire: connect to ${host} without a guarded lookup`);
      }
    }
    return original.apply(this, args as Parameters<typeof original>);
  } as typeof original;
  return {
    violations,
    uninstall() {
      net.Socket.prototype.connect = original;
    },
  };
}
