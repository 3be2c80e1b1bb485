import { classifyAddress, SsrfGuard, ssrfPolicyKeepsAllowed, type SsrfPolicy } from './ssrf-guard';

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
    // Every range IANA's special-purpose registries mark not globally reachable.
    ['192.0.2.10', 'reserved'],
    ['198.51.100.7', 'reserved'],
    ['203.0.113.200', 'reserved'],
    ['64:ff9b:1::a00:1', 'private'],
    ['64:ff9b:1:ffff::1', 'private'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'reserved'],
    ['2001:2::1', 'reserved'],
    ['2001:10::1', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['3fff::1', 'reserved'],
    ['5f00::1', 'reserved'],
    ['100:0:0:1::1', 'reserved'],
    ['not-an-ip', 'reserved'],
  ])('%s is %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });

  it.each(['93.184.216.34', '1.1.1.1', '2606:4700:4700::1111', '::ffff:93.184.216.34', '172.32.0.1', '100.128.0.1', '192.0.3.1', '203.0.114.1', '64:ff9b:2::1', '2001:4860:4860::8888', '2001:20::1', '3fff:1000::1'])('%s is public', (address) => {
    expect(classifyAddress(address)).toBeUndefined();
  });
});

// The guard in delivery (names, literals in every spelling, rebinding, the allow list) is part of
// the transport contract (testing/transport-contract.ts), run against every built-in transport.

describe('the ssrf.allow list', () => {
  const guard = (allow: string[]) => new SsrfGuard({ current: { ssrf: { allowInternal: false, allow } } });
  const allowed = (allow: string[], address: string) => guard(allow).check(address, address) === undefined;

  it.each([
    // An IPv6 range allows what lies in it as written, never the IPv4 address a form carries:
    // allowing the NAT64 or 6to4 prefix is not allowing 0.0.0.0 (which reaches this machine).
    [['64:ff9b::/96'], '0.0.0.0', false],
    [['64:ff9b::/96'], '64:ff9b::a00:1', true],
    [['2002::/16'], '0.0.0.0', false],
    [['2002::/16'], '0.1.2.3', false],
    [['::ffff:0:0/96'], '0.0.0.0', true],
    [['::ffff:0:0/96'], '127.0.0.1', true],
    // An IPv4-mapped entry is another spelling of the IPv4 one, its prefix counted past the 96 bits.
    [['::ffff:10.0.0.0/104'], '10.200.3.4', true],
    [['::ffff:10.0.0.0/104'], '::ffff:10.200.3.4', true],
    [['::ffff:10.0.0.0/104'], '172.16.0.1', false],
    [['::ffff:127.0.0.1'], '127.0.0.1', true],
    // An IPv4 entry covers the IPv6 forms that carry its addresses.
    [['10.0.0.0/8'], '::ffff:10.1.2.3', true],
    [['10.0.0.0/8'], '64:ff9b::a01:203', true],
    [['10.0.0.0/8'], '2002:a01:203::1', true],
    [['fd00::/8'], 'fd12::1', true],
    [['fd00::/8'], 'fe80::1', false],
    // An IPv6 range never allows an address connected to as the IPv4 address it carries: ::/0
    // allowed the metadata address and loopback to a name answering their mapped forms.
    [['::/0'], '::ffff:169.254.169.254', false],
    [['::/0'], '::ffff:127.0.0.1', false],
    [['::/64'], '::ffff:10.0.0.1', false],
    [['::/0'], '::a9fe:a9fe', false],
    [['::/0'], '::1', true],
    [['::/0'], 'fd12::1', true],
    [['::/0'], '64:ff9b::a00:1', true],
    [['::/0', '127.0.0.1'], '::ffff:127.0.0.1', true],
  ] as [string[], string, boolean][])('%j allows %s: %s', (allow, address, expected) => {
    expect(allowed(allow, address)).toBe(expected);
  });
});

describe('ssrf.allow entries limited to a port', () => {
  const guard = (allow: string[]) => new SsrfGuard({ current: { ssrf: { allowInternal: false, allow } } });

  it.each([
    [['127.0.0.1:4000'], '127.0.0.1', 4000, true],
    [['127.0.0.1:4000'], '127.0.0.1', 4001, false],
    [['127.0.0.1:4000'], '127.0.0.2', 4000, false],
    [['127.0.0.0/8:4000'], '127.9.9.9', 4000, true],
    [['127.0.0.0/8:4000'], '127.9.9.9', 22, false],
    [['[::1]:4000'], '::1', 4000, true],
    [['[::1]:4000'], '::1', 80, false],
    [['[fd00::/8]:8080'], 'fd12::1', 8080, true],
    [['[fd00::/8]:8080'], 'fd12::1', 8081, false],
    // An IPv6 entry without brackets has no port: every port of it.
    [['::1'], '::1', 9, true],
    // The IPv4 entry covers the mapped form on its port only.
    [['127.0.0.1:4000'], '::ffff:127.0.0.1', 4000, true],
    [['127.0.0.1:4000'], '::ffff:127.0.0.1', 4001, false],
    [['127.0.0.1'], '127.0.0.1', 4001, true],
  ] as [string[], string, number, boolean][])('%j allows %s port %d: %s', (allow, address, port, expected) => {
    expect(guard(allow).check(address, address, port) === undefined).toBe(expected);
  });

  it('names the kind of address refused with its article: "an unspecified address" (0.0.0.0, ::), as the admin page shows it', () => {
    // It read "it is a unspecified address" under a webhook whose URL is http://0.0.0.0:3000/.
    expect(guard([]).check('0.0.0.0', '0.0.0.0', 3000)?.message).toContain('delivery to 0.0.0.0 was refused: it is an unspecified address;');
    expect(guard([]).check('::', '::', 3000)?.message).toContain('was refused: it is an unspecified address;');
    expect(guard([]).check('10.0.0.7', '10.0.0.7', 80)?.message).toContain('was refused: it is a private address;');
  });

  it('matches a name on its port, and names the port it refused', () => {
    const limited = guard(['hooks.internal:8443']);
    expect(limited.check('hooks.internal', '10.0.0.7', 8443)).toBeUndefined();
    expect(limited.check('hooks.internal', '10.0.0.7', 8080)?.message).toContain('delivery to hooks.internal:8080 (10.0.0.7:8080) was refused');
  });

  it('hints with the ssrf.allow entry that allows the host refused on its port, a placeholder marked as one where the port is not known', () => {
    // The hint once showed a made-up entry (127.0.0.1:4000) whatever was refused.
    const none = guard([]);
    expect(none.check('hooks.internal', '10.0.0.7', 8443)?.message).toBe(
      'HOOKWORK_ERR_SSRF_BLOCKED: delivery to hooks.internal (10.0.0.7) was refused: it is a private address; to allow it, add "hooks.internal:8443" to the ssrf.allow setting, or set ssrf.allowInternal',
    );
    expect(none.check('::1', '::1', 3000)?.message).toContain('to allow it, add "[::1]:3000" to the ssrf.allow setting, or set ssrf.allowInternal');
    // A lookup has no port: the entry is the host (every port), and the words say how to narrow it —
    // no placeholder inside the quoted entry (the admin page wrapped "10.0.0.5:<port>" inside it).
    expect(none.check('10.0.0.7', '10.0.0.7')?.message).toBe(
      'HOOKWORK_ERR_SSRF_BLOCKED: delivery to 10.0.0.7 was refused: it is a private address; to allow it, add "10.0.0.7" to the ssrf.allow setting (every port of it; append ":" and the receiver\'s port to allow that port alone), or set ssrf.allowInternal',
    );
    expect(guard(['hooks.internal:8443']).check('hooks.internal', '10.0.0.7', 8080)?.message).toContain('add "hooks.internal:8080" to the ssrf.allow setting');
    // The entry the hint names is one the settings take, and it allows what was refused.
    expect(guard(['hooks.internal:8443']).check('hooks.internal', '10.0.0.7', 8443)).toBeUndefined();
    expect(guard(['[::1]:3000']).check('::1', '::1', 3000)).toBeUndefined();
    expect(guard(['10.0.0.7']).check('10.0.0.7', '10.0.0.7')).toBeUndefined();
    expect(none.check('::1', '::1')?.message).toContain('add "[::1]" to the ssrf.allow setting (every port of it;');
    expect(guard(['[::1]']).check('::1', '::1', 3000)).toBeUndefined();
  });

  it('allows a check without a port (a lookup) provisionally, and says the connection must be checked again', () => {
    expect(guard(['127.0.0.1:4000']).check('127.0.0.1', '127.0.0.1')).toBeUndefined();
    expect(guard(['127.0.0.1:4000']).portLimited()).toBe(true);
    expect(guard(['127.0.0.1', 'hooks.internal']).portLimited()).toBe(false);
  });
});

describe('ssrfPolicyKeepsAllowed (may connections judged under one ssrf setting go on under the next)', () => {
  const policy = (allow: string[], allowInternal = false): SsrfPolicy => ({ allowInternal, allow });

  it.each<[string, SsrfPolicy, SsrfPolicy]>([
    ['the same setting as a new object', policy(['127.0.0.1']), policy(['127.0.0.1'])],
    ['an allow entry added', policy(['127.0.0.1']), policy(['127.0.0.1', 'hooks.internal.test'])],
    ['the first allow entry', policy([]), policy(['10.0.0.0/8'])],
    ['the entries reordered', policy(['a.test', '10.0.0.0/8']), policy(['10.0.0.0/8', 'a.test'])],
    ['allowInternal turned on', policy(['127.0.0.1']), policy([], true)],
    ['allowInternal kept on, entries dropped', policy(['127.0.0.1'], true), policy([], true)],
    ['a port-limited entry added next to an unlimited one', policy(['127.0.0.1']), policy(['127.0.0.1', 'hooks.internal.test:8080'])],
  ])('keeps them after %s', (_what, before, after) => {
    expect(ssrfPolicyKeepsAllowed(before, after)).toBe(true);
  });

  it.each<[string, SsrfPolicy, SsrfPolicy]>([
    ['an allow entry removed', policy(['127.0.0.1', 'hooks.internal.test']), policy(['127.0.0.1'])],
    ['allowInternal turned off, whatever the entries', policy([], true), policy(['127.0.0.0/8', '::1'])],
    ['an entry narrowed to a port', policy(['127.0.0.1']), policy(['127.0.0.1:8080'])],
    // Conservative: the same in other words is judged again, not proven equal.
    ['an entry respelt (case)', policy(['hooks.internal.test']), policy(['HOOKS.internal.test'])],
    ['an address replaced by a range holding it', policy(['127.0.0.1']), policy(['127.0.0.0/8'])],
  ])('judges them again after %s', (_what, before, after) => {
    expect(ssrfPolicyKeepsAllowed(before, after)).toBe(false);
  });

  it('is transitive over steps that each widen, as a transport keeping its pool across several changes relies on', () => {
    const steps = [policy([]), policy(['a.test']), policy(['a.test', 'b.test']), policy([], true)];
    for (let i = 0; i < steps.length; i++) for (let j = i; j < steps.length; j++) expect(ssrfPolicyKeepsAllowed(steps[i]!, steps[j]!)).toBe(true);
  });
});
