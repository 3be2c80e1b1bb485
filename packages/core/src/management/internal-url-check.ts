import { isIP } from 'node:net';
import { SsrfGuard, type SsrfPolicySource } from '../delivery/transport/ssrf-guard';
import type { HookworkError } from '../errors/hookwork-error';

/** Names that always resolve to loopback (RFC 6761 §6.3), so the guard will refuse them as it refuses 127.0.0.1. */
const LOOPBACK_NAME = /^(localhost|[^.]+(\.[^.]+)*\.localhost)\.?$/i;

/**
 * The refusal delivery will meet for a webhook URL whose host is known without a lookup — an
 * internal IP literal (`http://127.0.0.1:3000/hook`, `http://[::1]/`, `http://10.0.0.5/`) or a
 * `localhost` name — under the current `ssrf` settings; undefined when delivery may go ahead
 * (a public address, an allowed one, or a name only DNS can judge at connect time).
 */
export function internalUrlRefusal(url: string, settings: SsrfPolicySource): HookworkError | undefined {
  let hostname: string;
  let port: number;
  try {
    const parsed = new URL(url);
    hostname = parsed.hostname;
    // The port connected to, which an ssrf.allow entry may be limited to.
    port = Number(parsed.port) || (parsed.protocol === 'https:' ? 443 : 80);
  } catch {
    return undefined;
  }
  const guard = new SsrfGuard(settings);
  if (LOOPBACK_NAME.test(hostname)) {
    // localhost resolves to 127.0.0.1 or ::1: delivery goes ahead when either is allowed.
    const refusal = guard.check(hostname, '127.0.0.1', port);
    return refusal && guard.check(hostname, '::1', port) ? refusal : undefined;
  }
  const host = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  return isIP(host) ? guard.check(host, host, port) : undefined;
}
