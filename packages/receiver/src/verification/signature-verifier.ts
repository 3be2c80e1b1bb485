import { isUtf8 } from 'node:buffer';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { ReceiverError } from '../errors/receiver-error';
import { kindOf } from '../option-keys';
import { quoted } from '../errors/visible-text';
import { WEBHOOK_HEADERS, sentRepeatedly, standardHeader } from '../headers';
import { readTimestampHeader } from './timestamp-header';

/**
 * The timestamp tolerance of Standard Webhooks, in seconds: a request signed more than this
 * before or after the receiver's clock is refused. It is the `standardwebhooks` package's own
 * (not configurable there), so it is not configurable here either.
 */
export const TIMESTAMP_TOLERANCE_SECONDS = 5 * 60;

/**
 * How long a signed request stays verifiable after it arrives, ms: its timestamp may be up to the
 * tolerance ahead of the receiver's clock, and it verifies until the tolerance past it. A processed
 * id forgotten sooner can be replayed and processed again: the dedupe retention's floor, and how
 * long an `unhandled` id is kept. (The memory dedupe store never forgets one for room before its
 * request stops verifying: full of such ids, it refuses new ones, 503 with Retry-After.)
 */
export const REPLAY_WINDOW_MS = 2 * TIMESTAMP_TOLERANCE_SECONDS * 1000;

/**
 * Why the key bytes of a secret are no secret, or undefined: fewer than 4 different byte values
 * (all zeros — `whsec_AAAA…`, the placeholder docs and examples show —, one byte repeated, two
 * alternating). Anyone can guess such a key and sign requests the receiver would accept; random
 * bytes repeat that little once in more than 10^24 tries. The rule hookwork's sender applies to a
 * secret brought to a webhook (core's `weakSecretProblem`), copied here because the kit does not
 * depend on core; a cross-package test keeps the two in step.
 */
export function weakKeyProblem(key: Buffer): string | undefined {
  const distinct = new Set(key).size;
  if (distinct >= 4) return undefined;
  return `is ${key.length} bytes of ${distinct === 1 ? 'one value repeated' : `only ${distinct} different values`}, which anyone can guess and sign requests with: a placeholder? Give the webhook's own secret, as the sender shows it (hookwork refuses such a secret too, and generates random ones)`;
}

/** What a verified request proved: its id and signing time. */
export interface VerifiedSignature {
  /** `webhook-id`. */
  id: string;
  /** `webhook-timestamp`. */
  timestamp: Date;
}

/** The key sizes a secret may decode to, in bytes: what hookwork's sender accepts (it makes 24). */
const MIN_SECRET_BYTES = 16;
const MAX_SECRET_BYTES = 128;

/**
 * Verifies Standard Webhooks signatures with the `standardwebhooks` package — the reference
 * implementation, so what it accepts is what the specification accepts — against one or more
 * secrets (several during a rotation: the sender signs with the old and the new secret, and a
 * receiver that knows either accepts).
 *
 * Before handing over, it checks the headers itself, only to tell the cause precisely (which
 * header is missing, a timestamp that is not a number, a stale one); the package then checks the
 * timestamp again and compares the signatures in constant time.
 *
 * The package's HMAC is pure JavaScript — 13 ms per MiB per secret on the event loop, measured on
 * this project's 2-core box, where node:crypto takes about 1 ms — and runs before any signature is
 * compared, so a forged request (a compressed body that decodes to 1 MiB is 28 bytes) would buy that
 * from anyone. So each secret's HMAC is first computed with node:crypto over the very content the
 * package signs and compared in constant time: only a request that matches there reaches the
 * package, which still has the final word on everything accepted.
 */
export class SignatureVerifier {
  private readonly secrets: readonly SecretVerifier[];

  /**
   * @param secrets `whsec_<base64>` secrets (the prefix may be left out, as the package allows).
   * @throws ReceiverError RECEIVER_ERR_INVALID_OPTIONS when there is none, or one is not base64,
   *   not the base64 of 16 to 128 bytes, or of bytes anyone can guess ({@link weakKeyProblem}), as
   *   hookwork's sender requires (the message gives the secret's position, never the secret).
   */
  constructor(secrets: readonly string[]) {
    if (secrets.length === 0) {
      throw new ReceiverError('RECEIVER_ERR_INVALID_OPTIONS', 'secrets is empty; give the whsec_… secret of the webhook (several during a rotation), or unsigned: true to accept unsigned requests');
    }
    this.secrets = secrets.map((secret, index) => {
      const at = secrets.length > 1 ? ` #${index + 1}` : '';
      if (typeof secret !== 'string') {
        // Typically `secrets: [process.env.NEW, process.env.OLD]` with one variable unset. The kind
        // is named, never the value: it could be a secret of the wrong type.
        if (isSecretMetadata(secret)) throw secretMetadataGiven(`secret${at}`);
        const kind = secret === undefined ? 'undefined (an environment variable that is not set?)' : kindOf(secret);
        throw new ReceiverError('RECEIVER_ERR_INVALID_OPTIONS', `secret${at} is ${kind}; give the whsec_… string the sender shows`);
      }
      if (!/^(whsec_)?[A-Za-z0-9+/]+={0,2}$/.test(secret.trim())) {
        throw new ReceiverError('RECEIVER_ERR_INVALID_OPTIONS', `secret${at} ${notASecret(secret.trim())}`);
      }
      // Hex digits are base64 characters too, so a hex key would be read as base64 of other bytes
      // and every signature refused, blaming nothing in particular. Without the prefix (hookwork's
      // secrets always have it), 32 or more hex digits are one: random base64 is never all hex
      // (odds under 10^-14).
      if (/^(?:[0-9a-fA-F]{2}){16,}$/.test(secret.trim())) {
        throw new ReceiverError('RECEIVER_ERR_INVALID_OPTIONS', `secret${at} is ${secret.trim().length} hex digits and no whsec_ prefix — a hex key (openssl rand -hex, another scheme's webhook secret), where a Standard Webhooks secret is whsec_ and base64: copy the webhook's secret as the sender shows it`);
      }
      const bytes = Buffer.from(secret.trim().replace(/^whsec_/, ''), 'base64').length;
      if (bytes < MIN_SECRET_BYTES || bytes > MAX_SECRET_BYTES) {
        throw new ReceiverError(
          'RECEIVER_ERR_INVALID_OPTIONS',
          `secret${at} is the base64 of ${bytes} bytes, and a Standard Webhooks secret is whsec_ and the base64 of ${MIN_SECRET_BYTES} to ${MAX_SECRET_BYTES} (hookwork makes 24): is it a placeholder? Copy the secret as the sender shows it`,
        );
      }
      const weak = weakKeyProblem(Buffer.from(secret.trim().replace(/^whsec_/, ''), 'base64'));
      if (weak) throw new ReceiverError('RECEIVER_ERR_INVALID_OPTIONS', `secret${at} ${weak}`);
      let webhook: Webhook;
      try {
        webhook = new Webhook(secret.trim());
      } catch (error) {
        throw new ReceiverError('RECEIVER_ERR_INVALID_OPTIONS', `secret${at} is not a Standard Webhooks secret (${(error as Error).message}); copy it as the sender shows it: whsec_ followed by base64`);
      }
      const key = Buffer.from(secret.trim().replace(/^whsec_/, ''), 'base64');
      // The key bytes as node:crypto gets them must be the package's: proven once on a probe, or
      // this secret is left to the package alone (slower, never wrong).
      const probe = Buffer.from('msg_probe.0.{}');
      const agrees = webhook.sign('msg_probe', new Date(0), '{}') === `v1,${createHmac('sha256', key).update(probe).digest('base64')}`;
      return { webhook, key: agrees ? key : undefined };
    });
  }

  /**
   * Verifies one request. `headers` must have lower-case names; `body` is the raw body exactly as
   * received. Svix's `svix-id`, `svix-timestamp` and `svix-signature` are read where the
   * `webhook-` ones are absent, as Svix's library does.
   *
   * @throws ReceiverError RECEIVER_ERR_MISSING_HEADER, RECEIVER_ERR_INVALID_TIMESTAMP,
   *   RECEIVER_ERR_STALE_TIMESTAMP, RECEIVER_ERR_BAD_SIGNATURE, or RECEIVER_ERR_INVALID_JSON for a
   *   body that is not UTF-8 and verifies against no signature.
   */
  verify(headers: Readonly<Record<string, string>>, body: Buffer): VerifiedSignature {
    const id = standardHeader(headers, 'id');
    const timestampHeader = standardHeader(headers, 'timestamp');
    const signature = standardHeader(headers, 'signature');
    const missing = [!id && WEBHOOK_HEADERS.id, !timestampHeader && WEBHOOK_HEADERS.timestamp, !signature && WEBHOOK_HEADERS.signature].filter(Boolean);
    if (!id || !timestampHeader || !signature) {
      throw new ReceiverError(
        'RECEIVER_ERR_MISSING_HEADER',
        `the request has no ${missing.join(', ')} header${missing.length > 1 ? 's' : ''}; the sender must sign per Standard Webhooks (in hookwork: give the webhook a secret), or accept unsigned requests explicitly with unsigned: true (Svix's svix-id, svix-timestamp and svix-signature are read as well)`,
      );
    }
    const reading = readTimestampHeader(timestampHeader);
    if (!('seconds' in reading)) {
      throw new ReceiverError('RECEIVER_ERR_INVALID_TIMESTAMP', `webhook-timestamp of ${id} is not a whole number of Unix seconds${reading.why ? `: ${reading.why}` : ''}`);
    }
    const { seconds } = reading;
    // The package reads the wall clock itself, so this check must too.
    const skew = Math.floor(Date.now() / 1000) - seconds;
    if (Math.abs(skew) > TIMESTAMP_TOLERANCE_SECONDS) {
      throw staleTimestamp(id, skew);
    }
    // The header text trimmed, as the wire delivers it: what was checked above is what is verified.
    const given = { [WEBHOOK_HEADERS.id]: id, [WEBHOOK_HEADERS.timestamp]: String(seconds), [WEBHOOK_HEADERS.signature]: signature };
    const content = signedContent(id, seconds, body);
    const offered = v1Signatures(signature);
    let lastFailure: unknown;
    for (const { webhook, key } of this.secrets) {
      if (key !== undefined) {
        const expected = Buffer.from(createHmac('sha256', key).update(content).digest('base64'));
        if (!offered.some((candidate) => sameBytes(candidate, expected))) continue;
      }
      try {
        webhook.verify(body, given, { jsonParse: false });
        return { id, timestamp: new Date(seconds * 1000) };
      } catch (error) {
        // The package re-checks the timestamp with its own clock; a second boundary between the
        // two checks is the only way to get here, and it means the same thing — told with the skew
        // the package saw (the one read above was within the tolerance: "300 s old, more than 300 s").
        if (error instanceof WebhookVerificationError && /timestamp/i.test(error.message)) throw staleTimestamp(id, Math.floor(Date.now() / 1000) - seconds, error);
        lastFailure = error;
      }
    }
    // Every v1 signature is the base64 of a 32-byte HMAC-SHA256: 44 characters, the last one "=".
    // Without one such entry nothing can match whatever the secret, so the header's form is the
    // cause — told from its shape alone (never a character of it), before any secret is blamed.
    if (!v1Signatures(signature).some((candidate) => WELL_FORMED_V1.test(candidate.toString()))) {
      throw new ReceiverError('RECEIVER_ERR_BAD_SIGNATURE', `the webhook-signature of ${id} ${signatureFormProblem(signature)}`, { cause: lastFailure });
    }
    if (!isUtf8(body)) {
      // The package signs the body's UTF-8 reading (each invalid byte read as U+FFFD), while the
      // specification — and a sender that signs bytes, as Go's library does — signs the bytes: such
      // a body can't verify, and blaming the secret would send the team the wrong way. It would be
      // refused as no JSON anyway, with this code.
      throw new ReceiverError(
        'RECEIVER_ERR_INVALID_JSON',
        `the body of ${id} is not UTF-8 text and no signature matches it: Standard Webhooks payloads are JSON, sent as UTF-8 (RFC 8259), and verifiers read the signed body as UTF-8; the sender encodes it otherwise and must send UTF-8`,
        { cause: lastFailure },
      );
    }
    const secrets = this.secrets.length === 1 ? 'the configured secret' : `any of the ${this.secrets.length} configured secrets`;
    throw new ReceiverError('RECEIVER_ERR_BAD_SIGNATURE', `the signature of ${id} does not match ${secrets}${mismatchCause(id, body)}`, { cause: lastFailure });
  }
}

/** One configured secret: the package's verifier, and its key bytes for node:crypto (unless they could not be proven the same). */
interface SecretVerifier {
  webhook: Webhook;
  key: Buffer | undefined;
}

/**
 * What the package signs, byte for byte: `id.timestamp.body` with the body read as UTF-8 text and
 * written back (each invalid byte becomes U+FFFD) — for a UTF-8 body, its bytes as they are.
 */
function signedContent(id: string, seconds: number, body: Buffer): Buffer {
  const prefix = `${id}.${seconds}.`;
  return isUtf8(body) ? Buffer.concat([Buffer.from(prefix), body]) : Buffer.from(`${prefix}${body.toString()}`);
}

/** The signatures of `v1` entries, as the package reads the header: entries split on spaces, then `version,signature` on commas. */
function v1Signatures(header: string): Buffer[] {
  return header
    .split(' ')
    .map((entry) => entry.split(','))
    .filter(([version]) => version === 'v1')
    .map(([, signature]) => Buffer.from(signature ?? ''));
}

/** A v1 signature as Standard Webhooks writes it: the padded standard base64 of 32 bytes. */
const WELL_FORMED_V1 = /^[A-Za-z0-9+/]{43}=$/;

/**
 * Why a `webhook-signature` holding no well-formed v1 entry can't verify, by the form of its
 * entries: the slips of a hand-written sender (a hex digest, base64url, no padding, `V1`, tabs, a
 * `sha256=` header of another scheme). Names no character of the header: only its shape.
 */
function signatureFormProblem(header: string): string {
  const fix = 'Standard Webhooks signs with space-separated "v1,<base64 HMAC-SHA256>" entries, each 44 characters of standard base64 ending in "=" — the sender must send that';
  const entries = header.split(' ').filter((entry) => entry !== '');
  const v1 = entries.filter((entry) => entry.split(',')[0] === 'v1').map((entry) => entry.split(',')[1] ?? '');
  const why = (detail: string) => `holds no v1,<base64> signature: ${detail}; ${fix}`;
  if (v1.length === 0 && entries.some((entry) => entry.startsWith('v1a,'))) {
    return "holds only v1a signatures — Standard Webhooks' asymmetric (ed25519, whpk_ public key) scheme, which this kit does not verify; have the sender sign with a symmetric whsec_ secret (v1)";
  }
  const split = header.split(/\s+/).filter((entry) => entry !== '');
  if (/[^\S ]/.test(header) && split.some((entry) => entry.startsWith('v1,') && WELL_FORMED_V1.test(entry.split(',')[1] ?? ''))) {
    return why('its entries are separated by tabs or line breaks, and verifiers split the header on spaces only');
  }
  for (const candidate of v1) {
    if (/^[0-9a-fA-F]{64}$/.test(candidate)) return why('its v1 entry is 64 hex digits — a hex HMAC-SHA256, where the signature is its base64 (digest("base64"), not "hex")');
    if (/^[A-Za-z0-9+/]{43}$/.test(candidate)) return why('its v1 entry has 43 characters and no trailing "=", base64 without its padding, and verifiers compare the text as written');
    if (/[-_]/.test(candidate) && /^[A-Za-z0-9_-]{43}=?$/.test(candidate)) return why('its v1 entry is base64url (it has - or _), where Standard Webhooks uses standard base64 (+ and /)');
    if (candidate === '') return why('its v1 entry is empty ("v1," with no signature after it)');
    return why(`its v1 entry has ${candidate.length} characters${/^[A-Za-z0-9+/]+={0,2}$/.test(candidate) ? '' : ', not all of them base64'}, where a v1 signature has 44`);
  }
  const versioned = entries.find((entry) => /^v1[,=]/i.test(entry));
  if (versioned !== undefined && /^V1,/.test(versioned)) return why('its version is written "V1", and versions are lower case: "v1,"');
  if (entries.some((entry) => /^(v\d+|sha\d+)=/i.test(entry) || /^t=\d+,/.test(entry))) {
    return why('it is written in another scheme\'s form (name=value, as GitHub\'s sha256=… or Stripe\'s t=…,v1=… headers are), not Standard Webhooks\'');
  }
  return why('the sender signs some other way, or a proxy rewrote the header');
}

/**
 * Whether a body is the base64 text of a JSON body (a platform that base64-encodes what it hands
 * over) rather than JSON itself: only asked once no signature matched, to name that cause.
 */
function isBase64OfJson(body: Buffer): boolean {
  if (body.length < 4 || body.length % 4 !== 0 || body.length > 4 * 1024 * 1024) return false;
  const text = body.toString('latin1');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return false;
  const decoded = Buffer.from(text, 'base64');
  const first = decoded.find((byte) => byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d);
  return (first === 0x7b || first === 0x5b) && isUtf8(decoded);
}

/**
 * Why no signature matched, as far as the request tells: an id holding a comma (a header sent
 * twice), an empty body, the base64 text of the body — else the secret or a changed body.
 */
function mismatchCause(id: string, body: Buffer): string {
  if (/,\s/.test(id)) return `, and the webhook-id holds a comma: ${sentRepeatedly(id)}`;
  // A signature over an empty body is rarely what a sender meant: its payload never left it
  // (fetch(url, { method: 'POST', headers }) with no body) or was lost on the way; blaming the
  // secret sent the team the wrong way.
  if (body.length === 0) {
    return ', and the request has an empty body: the sender signed a payload and sent none (a request made without its body), or something in between dropped it — the sender must send the bytes it signed';
  }
  if (isBase64OfJson(body)) {
    return ", and the body is base64 text of JSON, not the JSON sent: a platform that hands over the body base64-encoded (AWS API Gateway and Lambda function URLs with isBase64Encoded: true, Azure's binary bodies) — pass the decoded bytes, Buffer.from(event.body, 'base64')";
  }
  return ": the secret is not the webhook's (copy it again, or add the new one during a rotation), or the body was changed after signing (verify the raw bytes, never re-serialised JSON)";
}

/** Constant-time equality of two signatures (their lengths are no secret: a base64 HMAC-SHA256 is 44 characters). */
function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Where the whole secret is to be had, for a refusal of a webhook view's hint or secret metadata. */
const SHOWN_ONCE =
  "hookwork shows the whole whsec_… secret only once, in the answer of app.webhooks.create({ secret: true }) or rotateSecret() (the admin API's POST webhook and POST webhook/{id}/secret/rotate; the admin page, once, after creating or rotating); webhook views and the admin page show only its hint. Give that whole secret (kept then, e.g. in an environment variable), or rotate the secret to get a new one";

/**
 * A secret's hint as webhook views and the admin page show it: an ellipsis (U+2026, or three dots
 * typed for it) and the secret's last 4 characters, `…QquY`.
 */
const SECRET_HINT = /^(?:…|\.\.\.)[A-Za-z0-9+/=]{4}$/;

/** An entry of a webhook view's `secrets` (`{ id, hint, createdAt }`), given where the secret belongs. */
export function isSecretMetadata(value: unknown): boolean {
  return value !== null && typeof value === 'object' && typeof (value as { hint?: unknown }).hint === 'string' && 'id' in value;
}

/**
 * The refusal of a webhook view's secrets entry given as `what` (`secret #2`, `secrets`): its hint
 * is no key, and "is an object" did not say where the secret is.
 */
export function secretMetadataGiven(what: string): ReceiverError {
  return new ReceiverError('RECEIVER_ERR_INVALID_OPTIONS', `${what} is a secret's metadata from a webhook view ({ id, hint, createdAt }, an entry of webhook.secrets), not the secret: ${SHOWN_ONCE}`);
}

/**
 * Why a string is not a `whsec_` secret, for the cases with a better fix than "copy it again":
 * several secrets in one string (an environment variable holding the old and the new during a
 * rotation) and the keys of the asymmetric scheme. Names no part of the secret.
 */
function notASecret(secret: string): string {
  if (secret === '') return 'is empty (an environment variable set to nothing?); give the whsec_… secret the sender shows';
  if (/^whsec_?$/i.test(secret)) return 'is the whsec_ prefix with nothing after it (cut off where it was copied?); copy the whole secret as the sender shows it';
  // `whsec_${process.env.SECRET}` where the variable already holds the prefix.
  if (/^whsec_whsec_/.test(secret)) return 'has the whsec_ prefix twice (whsec_ put before a value that already starts with it?); give the secret once, as the sender shows it';
  const parts = secret.split(/[\s,;]+/).filter(Boolean);
  // Each part a secret in its own right: "Bearer whsec_…" is base64 characters too, and no two secrets.
  const isSecret = (part: string) => /^(whsec_)?[A-Za-z0-9+/]+={0,2}$/.test(part) && Buffer.from(part.replace(/^whsec_/, ''), 'base64').length >= MIN_SECRET_BYTES;
  if (parts.length > 1 && parts.every(isSecret)) {
    return `holds ${parts.length} secrets in one string; give them as a list, e.g. secrets: process.env.WEBHOOK_SECRETS.split(/[\\s,]+/)`;
  }
  if (/^(["'`]).+\1$/s.test(secret) && /^(whsec_)?[A-Za-z0-9+/]+={0,2}$/.test(secret.slice(1, -1).trim())) {
    return 'is wrapped in quotes — an env file read without unquoting (docker --env-file, a systemd EnvironmentFile) keeps them; remove the quotes around the whsec_… value';
  }
  // An env file's line copied whole (WEBHOOK_SECRET=whsec_…), a scheme word (Bearer whsec_…): text before the secret.
  const at = secret.indexOf('whsec_');
  if (at > 0 && /^whsec_[A-Za-z0-9+/]+={0,2}$/.test(secret.slice(at))) {
    return `has ${at} characters before its whsec_ prefix (${/^[A-Za-z_][A-Za-z0-9_]*=/.test(secret) ? "an env file's NAME=value line copied whole?" : 'a word such as Bearer copied with it?'}); give the secret alone, from whsec_ on`;
  }
  if (/^whpk_/.test(secret)) return "is a whpk_ public key, of Standard Webhooks' asymmetric (ed25519, v1a) scheme, which this kit does not verify; give the webhook's symmetric whsec_ secret";
  if (/^whsk_/.test(secret)) return "is a whsk_ private key, of Standard Webhooks' asymmetric scheme — a signing key that belongs to the sender alone; give the webhook's symmetric whsec_ secret";
  const body = secret.replace(/^whsec_/i, '');
  if (/^whsec_/i.test(secret) && !secret.startsWith('whsec_') && /^[A-Za-z0-9+/]+={0,2}$/.test(body)) {
    return `starts ${quoted(secret.slice(0, 6))}, and the prefix is lower case: whsec_ (or leave it out)`;
  }
  if (/[-_]/.test(body) && /^[A-Za-z0-9_-]+={0,2}$/.test(body)) {
    return 'has - or _, which base64 does not (base64url, or a passphrase?): a Standard Webhooks secret is whsec_ and standard base64 (+ and /); copy it as the sender shows it (a base64url key converts with Buffer.from(key, "base64url").toString("base64"))';
  }
  // Before the placeholder check, which the ellipsis would meet: the hint is from the app, not the docs.
  if (SECRET_HINT.test(secret)) return `is the hint of a webhook's secret (an ellipsis and the secret's last 4 characters, as webhook views and the admin page show it), not the secret: ${SHOWN_ONCE}`;
  // `whsec_…` as docs write it, `whsec_<your secret>`, `whsec_xxx...`: copied from an example.
  if (/…|\.\.\.|[<>{}]/.test(secret)) return 'is a placeholder as docs and examples write it (whsec_…, <…>): give the webhook\'s own secret, as the sender shows it once when it makes the webhook or rotates its secret';
  // Where it breaks, by position and kind only (never the character: it is part of a secret). A
  // space or line break inside is a secret copied across a wrapped line (a terminal, a PDF).
  const stray = body.search(/[^A-Za-z0-9+/=]/);
  const where = (index: number) => `at character ${index + (secret.length - body.length) + 1} of ${secret.length}`;
  if (stray >= 0 && /\s/.test(body[stray]!)) {
    return `has ${body[stray] === ' ' ? 'a space' : /[\r\n]/.test(body[stray]!) ? 'a line break' : 'a tab or other white space'} ${where(stray)} (copied across a wrapped line?); remove it: a Standard Webhooks secret is whsec_ and base64, with no space or line break inside`;
  }
  if (stray >= 0) return `has a character that is not base64 ${where(stray)}: a Standard Webhooks secret is whsec_ and standard base64 (A-Z, a-z, 0-9, + and /, = only at the end); copy it again as the sender shows it`;
  const padding = body.search(/=+[^=]/);
  if (padding >= 0) return `has "=" ${where(padding)}, where base64 has it only at the end (two values run together, or a slip where it was pasted?); copy it again as the sender shows it`;
  return 'is not a Standard Webhooks secret; copy it as the sender shows it: whsec_ followed by base64';
}

function staleTimestamp(id: string, skew: number, cause?: unknown): ReceiverError {
  const direction = skew > 0 ? `${skew} s old` : `${-skew} s in the future`;
  return new ReceiverError(
    'RECEIVER_ERR_STALE_TIMESTAMP',
    `webhook-timestamp of ${id} is ${direction}, more than the ${TIMESTAMP_TOLERANCE_SECONDS} s Standard Webhooks allows: a replayed request, or a clock that is off (sync the receiver's and the sender's clocks with NTP)`,
    cause === undefined ? {} : { cause },
  );
}
