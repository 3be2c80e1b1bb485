import type { Hookwork } from '../../composition/hookwork-app';
import { classifyAddress, type HostResolver, type ResolvedAddress } from './ssrf-guard';
import { startTestReceiver, type TestReceiver } from '../../testing/test-receiver';
import { startTestApp, ThingHappened } from '../../test-support/test-app';
import { installTripwire, type Tripwire } from '../../test-support/tripwire';

describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['::1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fd00::1', 'unique-local'],
    ['fc12:3456::1', 'unique-local'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['100.64.0.1', 'shared'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['2002:0a00:0001::1', 'private'],
    ['224.0.0.1', 'multicast'],
    ['not-an-ip', 'reserved'],
  ])('%s is %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });

  it.each(['93.184.216.34', '1.1.1.1', '2606:4700:4700::1111', '::ffff:93.184.216.34', '172.32.0.1', '100.128.0.1'])('%s is public', (address) => {
    expect(classifyAddress(address)).toBeUndefined();
  });
});

describe('the SSRF guard in delivery', () => {
  let receiver: TestReceiver;
  let app: Hookwork | undefined;
  let tripwire: Tripwire;
  const lookups: string[] = [];

  /** Made-up names; nothing here is ever resolved by a real DNS server. */
  function resolverFor(table: Record<string, ResolvedAddress[] | (() => ResolvedAddress[])>): HostResolver {
    return async (hostname) => {
      lookups.push(hostname);
      const entry = table[hostname];
      if (!entry) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
      return typeof entry === 'function' ? entry() : entry;
    };
  }

  beforeEach(async () => {
    lookups.length = 0;
    tripwire = installTripwire();
    receiver = await startTestReceiver((_r, res) => {
      // Closing each connection makes the next request connect (and look up) again.
      res.setHeader('connection', 'close');
      res.end('ok');
    });
  });
  afterEach(async () => {
    await app?.stop();
    app = undefined;
    await receiver.close();
    tripwire.uninstall();
    // The tripwire fails the test if anything tried to reach a non-loopback address.
    expect(tripwire.violations).toEqual([]);
  });

  const logsOf = async (key: string) => (await app!.logs(key)).items.reverse();

  it.each([
    ['a private address', [{ address: '10.0.0.1', family: 4 }]],
    ['the cloud metadata address', [{ address: '169.254.169.254', family: 4 }]],
    ['a unique-local IPv6 address', [{ address: 'fd00::1', family: 6 }]],
    ['IPv4-mapped loopback when loopback is not allowed', [{ address: '::ffff:127.0.0.1', family: 6 }]],
  ] as [string, ResolvedAddress[]][])('refuses a name that resolves to %s, without retrying', async (_what, addresses) => {
    app = await startTestApp({ settings: { ssrf: { allowInternal: false, allow: [] } }, delivery: { resolver: resolverFor({ 'hooks.internal.test': addresses }) } });
    const webhook = await app.webhooks.create({ url: `http://hooks.internal.test:${receiver.port}/hook`, events: ['thing.happened'] });
    await app.publish(new ThingHappened('s1'));
    await app.drain();
    expect(lookups).toContain('hooks.internal.test');
    const [entry] = await logsOf(webhook.key);
    expect(entry).toMatchObject({ errorKind: 'ssrf', outcome: 'dead', retryCount: 0 });
    expect(entry!.errorMessage).toContain('HOOKWORK_ERR_SSRF_BLOCKED');
    expect(entry!.errorMessage).toContain('ssrf.allow');
    expect(await app.queueCounts()).toEqual({ pending: 0, inFlight: 0, dead: 1 });
    expect(receiver.requests).toHaveLength(0);
  });

  it.each(['http://169.254.169.254/latest/meta-data/', 'http://10.1.2.3:8080/hook', 'http://[fd00::1]/hook', 'http://[::ffff:7f00:1]:9/hook', 'http://0.0.0.0:9/hook'])(
    'refuses the IP-literal URL %s before connecting',
    async (url) => {
      app = await startTestApp({ settings: { ssrf: { allowInternal: false, allow: [] } } });
      const webhook = await app.webhooks.create({ url, events: ['thing.happened'] });
      await app.publish(new ThingHappened('s2'));
      await app.drain();
      expect((await logsOf(webhook.key)).map((e) => [e.errorKind, e.outcome])).toEqual([['ssrf', 'dead']]);
    },
  );

  it('refuses a rebinding name whose second answer turns internal', async () => {
    let calls = 0;
    app = await startTestApp({
      settings: { ssrf: { allowInternal: false, allow: ['127.0.0.1'] } },
      delivery: { resolver: resolverFor({ 'rebind.test': () => [{ address: calls++ === 0 ? '127.0.0.1' : '10.0.0.1', family: 4 }] }) },
    });
    const webhook = await app.webhooks.create({ url: `http://rebind.test:${receiver.port}/hook`, events: ['thing.happened'] });
    await app.publish(new ThingHappened('first'));
    await app.drain();
    await app.publish(new ThingHappened('second'));
    await app.drain();
    expect(receiver.requests.map((r) => JSON.parse(r.text).id)).toEqual(['first']);
    expect((await logsOf(webhook.key)).map((e) => [e.errorKind, e.outcome])).toEqual([
      [undefined, 'delivered'],
      ['ssrf', 'dead'],
    ]);
    expect(calls).toBe(2);
  });

  it('allows a listed host name, CIDR, or everything with allowInternal', async () => {
    app = await startTestApp({
      settings: { ssrf: { allowInternal: false, allow: ['hooks.internal.test'] } },
      delivery: { resolver: resolverFor({ 'hooks.internal.test': [{ address: '127.0.0.1', family: 4 }] }) },
    });
    await app.webhooks.create({ url: `http://hooks.internal.test:${receiver.port}/hook`, events: ['thing.happened'] });
    await app.publish(new ThingHappened('by-name'));
    await app.drain();
    app.updateSettings({ ssrf: { allowInternal: false, allow: ['127.0.0.0/8'] } });
    await app.publish(new ThingHappened('by-cidr'));
    await app.drain();
    app.updateSettings({ ssrf: { allowInternal: true, allow: [] } });
    await app.publish(new ThingHappened('all-internal'));
    await app.drain();
    expect(receiver.requests.map((r) => JSON.parse(r.text).id)).toEqual(['by-name', 'by-cidr', 'all-internal']);
  });

  it('(the tripwire itself) blocks and records a connect the guard let through', async () => {
    app = await startTestApp({
      settings: { ssrf: { allowInternal: true, allow: [] }, maximumRetries: 0 },
      delivery: { resolver: resolverFor({ 'hooks.internal.test': [{ address: '10.0.0.1', family: 4 }] }) },
    });
    await app.webhooks.create({ url: `http://hooks.internal.test:${receiver.port}/hook`, events: ['thing.happened'] });
    await app.publish(new ThingHappened('tripped'));
    await app.drain();
    expect(tripwire.violations).toEqual(['10.0.0.1']);
    tripwire.violations.length = 0;
  });

  it('refuses loopback by default, and sendTestEvent reports the refusal', async () => {
    app = await startTestApp({ settings: { ssrf: { allowInternal: false, allow: [] } } });
    const webhook = await app.webhooks.create({ url: receiver.url, events: ['thing.happened'] });
    const result = await app.sendTestEvent(webhook.key);
    expect(result).toMatchObject({ ok: false, errorKind: 'ssrf' });
    expect(receiver.requests).toHaveLength(0);
  });
});
