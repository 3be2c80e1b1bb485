import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { HookworkError } from '../errors/hookwork-error';
import type { Webhook, WebhookSecret } from '../model/webhook';

const SECRET_PREFIX = 'whsec_';

/** Makes a Standard Webhooks signing secret: `whsec_` + base64 of 24 random bytes (as Svix). */
export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(24).toString('base64');
}

/** The key bytes of a `whsec_…` secret; HOOKWORK_ERR_INVALID_SECRET for anything else. */
export function secretKey(secret: string): Buffer {
  const read = readSecret(secret);
  if ('problem' in read) throw new HookworkError('HOOKWORK_ERR_INVALID_SECRET', `a signing secret ${read.problem}`);
  return read.key;
}

/** A secret's key bytes, or what is wrong with its form (words after "a signing secret"). */
function readSecret(secret: unknown): { key: Buffer } | { problem: string } {
  if (typeof secret !== 'string' || !secret.startsWith(SECRET_PREFIX)) return { problem: 'must look like whsec_<base64>; let hookwork generate one (secret: true)' };
  const base64 = secret.slice(SECRET_PREFIX.length);
  const key = Buffer.from(base64, 'base64');
  if (key.length < 16 || key.length > 128 || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return { problem: 'must be whsec_ followed by the base64 of 16 to 128 bytes; let hookwork generate one (secret: true)' };
  return { key };
}

/**
 * Why the key bytes of a secret brought to a webhook (`secret: 'whsec_…'`) are no secret, or
 * undefined: fewer than 4 different byte values (all zeros — `whsec_AAAA…` —, one byte repeated,
 * two alternating). Anyone can guess such a key and sign requests receivers accept as the app's;
 * random bytes repeat that little once in more than 10^24 tries. Checked where a secret is
 * brought, not where one is used: a stored secret keeps signing.
 */
export function weakSecretProblem(key: Buffer): string | undefined {
  const distinct = new Set(key).size;
  if (distinct >= 4) return undefined;
  return `is ${key.length} bytes of ${distinct === 1 ? 'one value repeated' : `only ${distinct} different values`}, which anyone can guess and sign requests with; bring a secret of random bytes (whsec_ + base64 of crypto.randomBytes(24)), or let hookwork generate one (secret: true)`;
}

/**
 * Why `secret` cannot be brought to a webhook as its signing secret, or undefined when it can:
 * not `whsec_` followed by the base64 of 16 to 128 bytes, or key bytes anyone can guess
 * ({@link weakSecretProblem}). The words `app.webhooks.create({ secret })` refuses it with (after
 * the field's name, e.g. `must look like whsec_<base64>; let hookwork generate one (secret:
 * true)`), for a command line or form that takes a secret to refuse it before anything starts.
 *
 * @param secret what was given; anything that is not a string is refused too
 * @returns the problem, starting with a verb (`must …`, `is 24 bytes of one value repeated …`)
 */
export function signingSecretProblem(secret: unknown): string | undefined {
  const read = readSecret(secret);
  return 'problem' in read ? read.problem : weakSecretProblem(read.key);
}

/**
 * One `v1,<base64>` signature of Standard Webhooks: HMAC-SHA256 over `id.timestamp.body`
 * with the secret's key bytes. `timestamp` is in seconds.
 */
export function signPayload(secret: string | Buffer, id: string, timestamp: number, body: string | Buffer): string {
  const key = typeof secret === 'string' ? secretKey(secret) : secret;
  const hmac = createHmac('sha256', key);
  hmac.update(`${id}.${timestamp}.`);
  hmac.update(body);
  return `v1,${hmac.digest('base64')}`;
}

/** The `webhook-signature` header value: one signature per secret, space separated. */
export function signatureHeader(secrets: readonly (string | Buffer)[], id: string, timestamp: number, body: string | Buffer): string {
  // One secret (outside a rotation, nearly always): its signature, without an array to join.
  if (secrets.length === 1) return signPayload(secrets[0]!, id, timestamp, body);
  return secrets.map((secret) => signPayload(secret, id, timestamp, body)).join(' ');
}

/**
 * Whether a `webhook-signature` header holds the v1 signature of `id.timestamp.body` under one
 * secret (constant-time) — for core's own tests (the transport contract checks that what a
 * transport sent is signed as hookwork signs), **not a receiver's verification**: it checks no
 * timestamp age, no header presence or form, no secret strength, and says only true or false.
 * Deliberately not exported from `@hookwork/core` (its entry exports signing only): receivers
 * verify with `@hookwork/receiver`, which is as strict as the Standard Webhooks reference and
 * answers coded errors, or with the `standardwebhooks` package (docs/delivery.md).
 *
 * @internal
 */
export function verifySignature(secret: string, id: string, timestamp: number, body: string | Buffer, header: string): boolean {
  const expected = Buffer.from(signPayload(secret, id, timestamp, body));
  return header.split(' ').some((candidate) => {
    const given = Buffer.from(candidate);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/**
 * The key bytes of a webhook's active secrets, each decoded and checked once rather than at
 * every attempt (that was half the cost of signing: 8.9 µs with the `whsec_` text, 4.3 µs with
 * its bytes). One per app (its Attempt holds it), never shared between apps; held weakly by the
 * stored secret entry, so the keys go with the webhook object that brought them.
 */
export class SigningKeys {
  private readonly keys = new WeakMap<WebhookSecret, { secret: string; key: Buffer }>();

  /** The key bytes of the secrets that sign now: those without an expiry, or expiring later. */
  active(webhook: Pick<Webhook, 'secrets'>, now: Date): Buffer[] {
    const keys: Buffer[] = [];
    for (const entry of webhook.secrets) {
      if (entry.expiresAt && entry.expiresAt.getTime() <= now.getTime()) continue;
      let known = this.keys.get(entry);
      if (known?.secret !== entry.secret) {
        known = { secret: entry.secret, key: secretKey(entry.secret) };
        this.keys.set(entry, known);
      }
      keys.push(known.key);
    }
    return keys;
  }
}
