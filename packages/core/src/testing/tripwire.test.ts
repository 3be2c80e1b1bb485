import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { installTripwire, isLoopback } from './tripwire';

describe('tripwire', () => {
  it('counts every spelling of a loopback address as loopback, and nothing else', () => {
    for (const address of ['127.0.0.1', '127.9.8.7', '::1', '0:0:0:0:0:0:0:1', '[::1]', '::ffff:127.0.0.1', '::ffff:7f00:1', '::FFFF:7F00:1', '[::ffff:7f00:1]', 'localhost']) {
      expect([address, isLoopback(address)]).toEqual([address, true]);
    }
    // NAT64, IPv4-compatible and 6to4 forms of 127.0.0.1 go out over the network.
    for (const address of ['10.0.0.1', '::ffff:a00:1', '::7f00:1', '64:ff9b::7f00:1', '2002:7f00:1::', '::', '0.0.0.0', 'example.com']) {
      expect([address, isLoopback(address)]).toEqual([address, false]);
    }
  });

  it('lets a connect to IPv4-mapped loopback (::ffff:7f00:1) through', async () => {
    const server = net.createServer((socket) => socket.end('hello'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const tripwire = installTripwire();
    try {
      const received = await new Promise<string>((resolve, reject) => {
        const socket = net.connect({ host: '::ffff:7f00:1', port: (server.address() as AddressInfo).port });
        let text = '';
        socket.on('data', (chunk) => (text += chunk));
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
      });
      expect(received).toBe('hello');
      expect(tripwire.violations).toEqual([]);
    } finally {
      tripwire.uninstall();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('still refuses a connect to a non-loopback IPv4-mapped address', () => {
    const tripwire = installTripwire();
    try {
      expect(() => net.connect({ host: '::ffff:a00:1', port: 9 })).toThrow(/tripwire: connect to non-loopback ::ffff:a00:1/);
      expect(tripwire.violations).toEqual(['::ffff:a00:1']);
    } finally {
      tripwire.uninstall();
    }
  });
});
