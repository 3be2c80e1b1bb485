import { lookup as dnsLookup } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { HookworkError } from '../../errors/hookwork-error';
import { splitAllowEntry } from '../../settings/allow-entry';

/** Why an address counts as internal; `undefined` from {@link classifyAddress} means public. */
export type InternalAddressKind =
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'unique-local'
  | 'shared' // CGNAT 100.64.0.0/10
  | 'multicast'
  | 'reserved';

/** One resolved address, as `dns.lookup(…, { all: true })` gives them. */
export interface ResolvedAddress {
  /** The IP address, as text (`93.184.215.14`, `2606:2800::1`). */
  address: string;
  /** Its IP version. */
  family: 4 | 6;
}

/**
 * Resolves a host name to addresses. The default is the system resolver (`dns.lookup`);
 * tests inject one that answers made-up names with internal addresses, so the guard is tested
 * without a packet leaving the machine.
 */
export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

/** What the guard reads on every check (the `ssrf` setting), so a settings change applies at once. */
export interface SsrfPolicySource {
  /** The settings in force now: read at every check, never cached. */
  readonly current: { readonly ssrf: { readonly allowInternal: boolean; readonly allow: readonly string[] } };
}

/** The `ssrf` setting: what the guard allows besides public addresses. */
export type SsrfPolicy = SsrfPolicySource['current']['ssrf'];

/**
 * Whether the `ssrf` setting `after` allows every connection `before` allowed, so a connection
 * judged under `before` may go on being used under `after` without being judged again. A pure
 * decision, and a conservative one: true only when that follows from the settings as written —
 * `after` allows every internal address, or neither does and every `allow` entry of `before` is
 * in `after` as written (entries only ever add what they allow; order does not matter). Anything
 * else is false, also where `after` happens to allow the same in other words (`localhost` for
 * `LOCALHOST`, a range for its addresses): then the caller judges its connections again.
 */
export function ssrfPolicyKeepsAllowed(before: SsrfPolicy, after: SsrfPolicy): boolean {
  if (before === after || after.allowInternal) return true;
  if (before.allowInternal) return false;
  const entries = new Set(after.allow);
  return before.allow.every((entry) => entries.has(entry));
}

/**
 * What a pooled connection keeps of the judgment that let it be made: the `ssrf` setting then
 * in force and the host it was made for (see {@link SsrfGuard.recheck}).
 */
export interface ConnectionJudgment {
  policy: SsrfPolicy;
  /** The host name (or IP literal) the connection was made for, which a name entry matches. */
  host: string;
}

type Range = { family: 4; base: number; bits: number } | { family: 6; base: bigint; bits: number };

function parseIPv4(address: string): number | undefined {
  const parts = address.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = value * 256 + n;
  }
  return value;
}

function parseIPv6(address: string): bigint | undefined {
  let text = address.toLowerCase().replace(/%.*$/, '');
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    // An embedded dotted IPv4 tail (::ffff:127.0.0.1) stands for the last two groups.
    const tail = parseIPv4(text.slice(lastColon + 1));
    if (tail === undefined) return undefined;
    text = `${text.slice(0, lastColon + 1)}${Math.floor(tail / 65536).toString(16)}:${(tail % 65536).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  const total = head.length + rest.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return undefined;
  const words = [...head, ...Array<string>(8 - total).fill('0'), ...rest];
  let value = 0n;
  for (const word of words) {
    if (!/^[0-9a-f]{1,4}$/.test(word)) return undefined;
    value = (value << 16n) | BigInt(parseInt(word, 16));
  }
  return value;
}

const v4 = (cidr: string): Range => {
  const [base, bits] = cidr.split('/');
  return { family: 4, base: parseIPv4(base!)!, bits: Number(bits) };
};
const v6 = (cidr: string): Range => {
  const [base, bits] = cidr.split('/');
  return { family: 6, base: parseIPv6(base!)!, bits: Number(bits) };
};

function inRange(range: Range, family: 4 | 6, value: number | bigint): boolean {
  if (range.family !== family) return false;
  if (range.family === 4) {
    const mask = range.bits === 0 ? 0 : (0xffffffff << (32 - range.bits)) >>> 0;
    return ((value as number) & mask) >>> 0 === (range.base & mask) >>> 0;
  }
  const shift = BigInt(128 - range.bits);
  return (value as bigint) >> shift === range.base >> shift;
}

// Every range of IANA's IPv4 and IPv6 special-purpose address registries marked not globally
// reachable (as Python's ipaddress judges is_global), plus multicast and the deprecated site-local.

const IPV4_RANGES: [Range, InternalAddressKind][] = [
  [v4('0.0.0.0/8'), 'unspecified'],
  [v4('10.0.0.0/8'), 'private'],
  [v4('100.64.0.0/10'), 'shared'],
  [v4('127.0.0.0/8'), 'loopback'],
  [v4('169.254.0.0/16'), 'link-local'],
  [v4('172.16.0.0/12'), 'private'],
  [v4('192.0.0.0/24'), 'reserved'],
  [v4('192.0.2.0/24'), 'reserved'], // documentation (TEST-NET-1)
  [v4('192.168.0.0/16'), 'private'],
  [v4('198.18.0.0/15'), 'reserved'], // benchmarking
  [v4('198.51.100.0/24'), 'reserved'], // documentation (TEST-NET-2)
  [v4('203.0.113.0/24'), 'reserved'], // documentation (TEST-NET-3)
  [v4('224.0.0.0/4'), 'multicast'],
  [v4('240.0.0.0/4'), 'reserved'],
];

const IPV6_RANGES: [Range, InternalAddressKind][] = [
  [v6('::/128'), 'unspecified'],
  [v6('::1/128'), 'loopback'],
  // Local-use NAT64 (RFC 8215): a network's own translator, into its own IPv4 addresses, with
  // the IPv4 address at a place the network chooses, so the whole prefix is refused.
  [v6('64:ff9b:1::/48'), 'private'],
  [v6('100::/64'), 'reserved'], // discard-only
  [v6('100:0:0:1::/64'), 'reserved'], // dummy prefix
  // Teredo: tunnelled over UDP to the (obfuscated) IPv4 address it carries.
  [v6('2001::/32'), 'reserved'],
  [v6('2001:2::/48'), 'reserved'], // benchmarking
  [v6('2001:10::/28'), 'reserved'], // ORCHID (deprecated)
  [v6('2001:db8::/32'), 'reserved'], // documentation
  [v6('3fff::/20'), 'reserved'], // documentation
  [v6('5f00::/16'), 'reserved'], // segment routing (SRv6) SIDs
  [v6('fc00::/7'), 'unique-local'],
  [v6('fe80::/10'), 'link-local'],
  [v6('fec0::/10'), 'reserved'],
  [v6('ff00::/8'), 'multicast'],
];

/** IPv6 forms that carry an IPv4 address in their low 32 bits: mapped, compatible, NAT64. */
const EMBEDDING_V4 = [v6('::ffff:0:0/96'), v6('::/96'), v6('64:ff9b::/96')];
const IPV4_MAPPED = EMBEDDING_V4[0]!;
const IPV4_COMPATIBLE = EMBEDDING_V4[1]!;
const SIX_TO_FOUR = v6('2002::/16');

type Ip = { family: 4; value: number } | { family: 6; value: bigint };

/** An IP address as written (no embedded IPv4 taken out), or undefined when it is none. */
function parseAddress(address: string): Ip | undefined {
  const family = isIP(address.replace(/%.*$/, ''));
  if (family === 4) return { family: 4, value: parseIPv4(address)! };
  if (family !== 6) return undefined;
  const value = parseIPv6(address);
  return value === undefined ? undefined : { family: 6, value };
}

/** An address reduced to the form it is reached by: IPv4-mapped/embedded IPv6 becomes IPv4. */
function canonicalOf(ip: Ip): Ip {
  if (ip.family === 4) return ip;
  const { value } = ip;
  if (value > 1n && EMBEDDING_V4.some((range) => inRange(range, 6, value))) return { family: 4, value: Number(value & 0xffffffffn) };
  // 6to4 (2002::/16) carries the IPv4 address in bits 16..48.
  if (inRange(SIX_TO_FOUR, 6, value)) return { family: 4, value: Number((value >> 80n) & 0xffffffffn) };
  return ip;
}

/**
 * Whether connecting to `ip` as written may reach its IPv4 address on this machine's own IPv4
 * stack: an IPv4-mapped address always does (a dual-stack socket connects to the IPv4 address),
 * an IPv4-compatible one where a system still tunnels them. NAT64 and 6to4 go to a translator or
 * relay, which the address as written names.
 */
function reachesIPv4Here(ip: Ip): boolean {
  return ip.family === 6 && (inRange(IPV4_MAPPED, 6, ip.value) || (ip.value > 1n && inRange(IPV4_COMPATIBLE, 6, ip.value)));
}

function canonical(address: string): Ip | undefined {
  const ip = parseAddress(address);
  return ip && canonicalOf(ip);
}

/**
 * Classifies an IP address: the kind of internal address it is, or `undefined` when it is
 * public (globally reachable, per IANA's special-purpose registries). IPv4-mapped
 * (`::ffff:10.0.0.1`), IPv4-compatible, NAT64 (`64:ff9b::/96`) and 6to4 forms are judged by the
 * IPv4 address they carry; local-use NAT64 (`64:ff9b:1::/48`) and Teredo (`2001::/32`) are
 * refused whole. Something that is not an IP address counts as `reserved`.
 */
export function classifyAddress(address: string): InternalAddressKind | undefined {
  const ip = canonical(address);
  if (!ip) return 'reserved';
  const ranges = ip.family === 4 ? IPV4_RANGES : IPV6_RANGES;
  for (const [range, kind] of ranges) if (inRange(range, ip.family, ip.value)) return kind;
  if (ip.family === 4 && ip.value === 0xffffffff) return 'reserved';
  return undefined;
}

type AllowMatcher = (host: string, ip: Ip | undefined, reached: Ip | undefined, port: number | undefined) => boolean;

/**
 * An allow-list entry: an IP, a CIDR range, or a host name (matched case-insensitively), each
 * optionally limited to a port (see {@link splitAllowEntry}). An IPv4
 * entry also matches the IPv6 forms that carry its addresses (mapped, NAT64, 6to4: they are judged
 * by those); an IPv4-mapped entry (`::ffff:10.0.0.0/104`) is another spelling of an IPv4 one
 * (`10.0.0.0/8`). Any other IPv6 entry matches IPv6 addresses as written: allowing the NAT64
 * prefix `64:ff9b::/96` allows connecting to those addresses, not to 0.0.0.0, which the prefix
 * itself would carry (and which reaches this machine); and it never matches an IPv4-mapped or
 * IPv4-compatible address, which is connected to as the IPv4 address it carries (`::/0` allows
 * every IPv6 address, not every IPv4 one). A port-limited entry matches a check
 * without a port (a name's lookup, which Node makes without one) only provisionally: the
 * transports check the connected socket's port again (see {@link SsrfGuard.portLimited}).
 */
function allowMatcher(entry: string): AllowMatcher {
  const parts = splitAllowEntry(entry);
  const address = addressMatcher(parts.base);
  // An entry the settings would refuse matches nothing (a port it does not read allows no port).
  if (parts.portProblem) return () => false;
  const limit = parts.port;
  if (limit === undefined) return address;
  return (host, ip, reached, port) => (port === undefined || port === limit) && address(host, ip, reached, port);
}

function addressMatcher(entry: string): AllowMatcher {
  const [base, bits] = entry.trim().split('/');
  const ip = parseAddress(base!);
  if (ip) {
    const width = ip.family === 4 ? 32 : 128;
    const given = bits === undefined ? width : Number(bits);
    const prefix = Number.isInteger(given) && given >= 0 && given <= width ? given : width;
    if (ip.family === 6 && prefix >= 96 && inRange(IPV4_MAPPED, 6, ip.value)) {
      const range: Range = { family: 4, base: Number(ip.value & 0xffffffffn), bits: prefix - 96 };
      return (_host, _ip, reached) => reached !== undefined && inRange(range, reached.family, reached.value);
    }
    const range = { family: ip.family, base: ip.value, bits: prefix } as Range;
    if (range.family === 4) return (_host, _ip, reached) => reached !== undefined && inRange(range, reached.family, reached.value);
    // Never an address reached as IPv4 (::ffff:169.254.169.254 is the metadata address): ::/0
    // allowed every IPv4 address, in its mapped form, to a name whose DNS answers one.
    return (_host, candidate) => candidate !== undefined && !reachesIPv4Here(candidate) && inRange(range, candidate.family, candidate.value);
  }
  const name = entry.trim().toLowerCase().replace(/\.$/, '');
  return (host) => host.toLowerCase().replace(/\.$/, '') === name;
}

/**
 * The error of a refused address (code HOOKWORK_ERR_SSRF_BLOCKED); the transport logs it as errorKind
 * `ssrf`. It names the `ssrf.allow` entry that would allow this very host on its port (the host alone,
 * every port, where the port is not known at the check: a lookup is made without one); `portRefused` when an entry
 * limited to a port is in force, so the port is what was refused and is named in the address too.
 */
export function ssrfBlockedError(host: string, address: string, kind: InternalAddressKind, port?: number, portRefused = false): HookworkError {
  const withPort = (name: string, shownPort: number | string) => `${isIP(name) === 6 ? `[${name}]` : name}:${shownPort}`;
  const shown = portRefused && port !== undefined ? (host === address ? withPort(address, port) : `${withPort(host, port)} (${withPort(address, port)})`) : host === address ? address : `${host} (${address})`;
  // Before, the hint showed the same made-up entry (127.0.0.1:4000) whatever was refused.
  // No port known (a lookup is made without one): the entry for every port of the host, and how
  // to narrow it in words — a placeholder such as "<port>" inside the entry reads as part of it and
  // breaks across lines where the admin page wraps the message.
  const entry = JSON.stringify(port === undefined ? (isIP(host) === 6 ? `[${host}]` : host) : withPort(host, port));
  const narrow = port === undefined ? ' (every port of it; append ":" and the receiver\'s port to allow that port alone)' : '';
  return new HookworkError(
    'HOOKWORK_ERR_SSRF_BLOCKED',
    `delivery to ${shown} was refused: it is ${kind === 'unspecified' ? 'an' : 'a'} ${kind} address; to allow it, add ${entry} to the ssrf.allow setting${narrow}, or set ssrf.allowInternal`,
  );
}

/**
 * The SSRF guard: decides whether an address may be connected to, reading the `ssrf` setting
 * on every check. It is applied where the connection is made (the agents' `lookup`), so a name
 * that resolves differently the second time (DNS rebinding) is judged on what is connected to.
 */
export class SsrfGuard {
  private cachedAllow: readonly string[] | undefined;
  private matchers: AllowMatcher[] = [];
  private limited = false;
  private literalsFor: unknown;
  private readonly literals = new Map<string, HookworkError | undefined>();

  constructor(
    private readonly settings: SsrfPolicySource,
    private readonly resolver: HostResolver = systemResolver,
  ) {}

  /**
   * The refusal for connecting to `address` (reached as `host`) on `port`, or undefined when
   * allowed. Without a port (a lookup, which Node makes without one), an entry limited to a port
   * allows provisionally: the connected socket is checked again with its port.
   */
  check(host: string, address: string, port?: number): HookworkError | undefined {
    const { allowInternal, allow } = this.settings.current.ssrf;
    if (allowInternal) return undefined;
    const kind = classifyAddress(address);
    if (kind === undefined) return undefined;
    const ip = parseAddress(address);
    const reached = ip && canonicalOf(ip);
    if (this.allowList(allow).some((matches) => matches(host, ip, reached, port))) return undefined;
    // The port named in the address only when an entry is limited to one: then it is what was refused.
    return ssrfBlockedError(host, address, kind, port, port !== undefined && this.limited);
  }

  /** The `ssrf` setting in force now (a new object after every settings update). */
  policy(): SsrfPolicy {
    return this.settings.current.ssrf;
  }

  /**
   * The refusal for sending another request over a kept-alive connection to `address`:`port`
   * that was judged as `judged` says; undefined when allowed. Judged again only when the `ssrf`
   * setting changed since in a way that may forbid something (see {@link ssrfPolicyKeepsAllowed};
   * then `judged` takes the new one): a connection made while an address was allowed must not
   * carry requests to it once the setting refuses it.
   */
  recheck(judged: ConnectionJudgment, address: string | undefined, port: number | undefined): HookworkError | undefined {
    const policy = this.settings.current.ssrf;
    if (judged.policy === policy || address === undefined) return undefined;
    // A change that only allows more forbids no connection: kept unjudged, as the undici
    // transport keeps its whole pool (one decision, ssrfPolicyKeepsAllowed, for both transports).
    if (ssrfPolicyKeepsAllowed(judged.policy, policy)) {
      judged.policy = policy;
      return undefined;
    }
    // Judged as the lookup judges a new connection, so the refusal reads the same: with the port
    // only when an entry limited to one is in force.
    const refusal = this.check(judged.host.replace(/^\[|\]$/g, ''), address, this.portLimited() ? port : undefined);
    if (!refusal) judged.policy = policy;
    return refusal;
  }

  /**
   * Whether an `ssrf.allow` entry in force is limited to a port: then the address a connection
   * reached must be checked again with its port once connected ({@link check} with the port),
   * as the lookup and the URL checks do not know it.
   */
  portLimited(): boolean {
    const { allowInternal, allow } = this.settings.current.ssrf;
    if (allowInternal) return false;
    this.allowList(allow);
    return this.limited;
  }

  /**
   * Checks a URL's host when it is an IP literal: Node connects to those without a lookup,
   * so the lookup hook never sees them.
   */
  checkLiteralHost(hostname: string, port?: number): HookworkError | undefined {
    // An entry limited to a port: judged with the port, before connecting (not cached).
    if (port !== undefined && this.portLimited()) {
      const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
      return isIP(bare) ? this.check(bare, bare, port) : undefined;
    }
    // Asked once per attempt with a handful of distinct hosts: the answer is kept until the
    // `ssrf` setting changes (a new object), which cost about 1 % of a delivery's CPU when not.
    const ssrf = this.settings.current.ssrf;
    if (ssrf !== this.literalsFor) {
      this.literals.clear();
      this.literalsFor = ssrf;
    }
    const known = this.literals.get(hostname);
    if (known !== undefined || this.literals.has(hostname)) return known;
    const host = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
    const refusal = isIP(host) ? this.check(host, host) : undefined;
    if (this.literals.size < 1024) this.literals.set(hostname, refusal);
    return refusal;
  }

  /**
   * The refusal for a connection Node's `http.request` would make with `options`, judged just
   * before it is made: what a host's axios interceptor left there (a URL rewritten to an IP
   * literal, a proxy, a Unix socket) is what is connected to, whatever the webhook's URL said.
   * Host names are judged later, by {@link lookup}, which the caller puts in `options`.
   */
  checkConnectOptions(options: { socketPath?: string | null; hostname?: string | null; host?: string | null; port?: number | string | null; protocol?: string | null }): HookworkError | undefined {
    if (options.socketPath) {
      if (this.settings.current.ssrf.allowInternal) return undefined;
      return new HookworkError(
        'HOOKWORK_ERR_SSRF_BLOCKED',
        `delivery through the Unix socket ${options.socketPath} was refused: a socket reaches this machine; to allow it, set ssrf.allowInternal (or stop the axios interceptor setting socketPath)`,
      );
    }
    // Node connects to hostname, else host, else localhost (a name: the lookup judges it).
    return this.checkLiteralHost(options.hostname || options.host || 'localhost', connectPort(options));
  }

  /**
   * A `lookup` for http(s) agents: resolves, drops refused addresses, and fails with the
   * refusal when none is left. Answers in both shapes Node asks for (Node 20 asks with
   * `{ all: true }` and expects an array).
   */
  readonly lookup: LookupFunction = this.lookupOn(undefined);

  /**
   * A {@link lookup} that judges the addresses for a connection to `port`: with an `ssrf.allow`
   * entry limited to a port, a name is refused before any connection is made to another port (a
   * refused connection and a refusal by the guard would otherwise tell local ports apart).
   */
  lookupOnPort(port: number): LookupFunction {
    return this.lookupOn(port);
  }

  private lookupOn(port: number | undefined): LookupFunction {
    return (hostname, options, callback) => this.resolveFor(hostname, options, callback, port);
  }

  private resolveFor(hostname: string, options: Parameters<LookupFunction>[1], callback: Parameters<LookupFunction>[2], port: number | undefined): void {
    const family = typeof options === 'object' && options ? options.family : undefined;
    // The resolver is the host's code: a throw, a promise it does not return or an answer of
    // the wrong shape must fail this connection, never become an unhandled rejection (which
    // ends the process) with the connection left waiting for the deadline.
    Promise.resolve(hostname)
      .then((name) => this.resolver(name))
      .then((answer) => this.allowedOf(hostname, resolverAnswer(hostname, answer), family, port))
      .then(
        (allowed) => {
          if (typeof options === 'object' && options?.all) (callback as unknown as (e: null, a: ResolvedAddress[]) => void)(null, allowed);
          else callback(null, allowed[0]!.address, allowed[0]!.family);
        },
        (error: Error) => (callback as (e: Error) => void)(error),
      );
  }

  /** The addresses of the family asked for that may be connected to; throws the refusal when none is left. */
  private allowedOf(hostname: string, addresses: ResolvedAddress[], family: number | string | undefined, port: number | undefined): ResolvedAddress[] {
    const wanted = addresses.filter((a) => !family || family === 0 || a.family === family || family === `IPv${a.family}`);
    let refusal: HookworkError | undefined;
    const allowed = wanted.filter((a) => {
      const error = this.check(hostname, a.address, port);
      refusal ??= error;
      return error === undefined;
    });
    if (allowed.length === 0) throw refusal ?? Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname });
    return allowed;
  }

  private allowList(allow: readonly string[]): AllowMatcher[] {
    if (allow !== this.cachedAllow) {
      this.cachedAllow = allow;
      this.matchers = allow.map(allowMatcher);
      this.limited = allow.some((entry) => splitAllowEntry(entry).port !== undefined);
    }
    return this.matchers;
  }
}

/** The port Node's http connects to with `options`: the given one, else the protocol's default. */
export function connectPort(options: { port?: number | string | null; protocol?: string | null }): number {
  return Number(options.port) || (options.protocol === 'https:' ? 443 : 80);
}

/**
 * A resolver's answer, checked: an array of entries whose `address` is an IP address (the family
 * is taken from the address itself). Throws HOOKWORK_ERR_INVALID_RESOLVER_ANSWER otherwise.
 */
function resolverAnswer(hostname: string, answer: unknown): ResolvedAddress[] {
  const entries = Array.isArray(answer) ? answer : undefined;
  const addresses: ResolvedAddress[] = [];
  for (const entry of entries ?? []) {
    const address = (entry as { address?: unknown } | null)?.address;
    const family = typeof address === 'string' ? isIP(address.replace(/%.*$/, '')) : 0;
    if (family === 0) break;
    addresses.push({ address: address as string, family: family as 4 | 6 });
  }
  if (entries && addresses.length === entries.length) return addresses;
  return invalidResolverAnswer(hostname, entries ? entries[addresses.length] : answer, entries !== undefined);
}

function invalidResolverAnswer(hostname: string, bad: unknown, inList: boolean): never {
  let shown: string;
  try {
    shown = JSON.stringify(bad) ?? String(bad);
  } catch {
    shown = String(bad);
  }
  if (shown.length > 100) shown = `${shown.slice(0, 100)}…`;
  throw new HookworkError(
    'HOOKWORK_ERR_INVALID_RESOLVER_ANSWER',
    `delivery.resolver answered ${hostname} with ${inList ? `an entry ${shown}` : shown}; it must resolve to an array of { address, family } with IP addresses, as dns.lookup(name, { all: true }) gives (dns.promises.resolve4 gives bare strings: map them to { address, family: 4 })`,
  );
}

/** The system resolver (`dns.lookup` with `all: true`), as a {@link HostResolver}. */
export const systemResolver: HostResolver = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true }, (error, addresses) => {
      if (error) reject(error);
      else resolve(addresses.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 })));
    });
  });
