// How an `ssrf.allow` entry is read: a setting's format, so it lives with the settings, and both
// their check (resolve-settings.ts) and the SSRF guard that applies it (delivery/transport) read it here.

/** An `ssrf.allow` entry taken apart: the address, range or name, and the port it is limited to. */
export interface AllowEntryParts {
  /** The IP, CIDR range (`10.0.0.0/8`, `fd00::/8`) or host name, without brackets. */
  base: string;
  /** The port the entry is limited to; undefined: every port. */
  port?: number;
  /** What is wrong with the port part, when there is one the guard cannot read. */
  portProblem?: string;
}

/**
 * Splits an `ssrf.allow` entry into its address part and its port: `127.0.0.1:4000`,
 * `10.0.0.0/8:8080`, `hooks.internal:8443`, `[::1]:4000`, `[fd00::/8]:8080`. An IPv6 address or
 * range is bracketed to take a port (`::1` alone is every port of ::1).
 */
export function splitAllowEntry(entry: string): AllowEntryParts {
  const text = entry.trim();
  let base: string;
  let portText: string | undefined;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return { base: text, portProblem: 'has a [ without its ]' };
    base = text.slice(1, close);
    const rest = text.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) return { base, portProblem: `has ${JSON.stringify(rest)} after the ], where only :port may follow` };
    if (rest !== '') portText = rest.slice(1);
  } else {
    const colon = text.indexOf(':');
    // Two colons or more: an IPv6 address or range, which takes a port only in brackets.
    if (colon < 0 || text.indexOf(':', colon + 1) >= 0) return { base: text };
    base = text.slice(0, colon);
    portText = text.slice(colon + 1);
  }
  if (portText === undefined) return { base };
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65535)) return { base, portProblem: `has the port ${JSON.stringify(portText)}, which is not a port number (1 to 65535)` };
  return { base, port };
}
