import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { isReceiverError, ReceiverError } from '../errors/receiver-error';
import { newSecret, signedRequest } from '../test-support/signed-request';
import { SignatureVerifier, TIMESTAMP_TOLERANCE_SECONDS } from './signature-verifier';

const verifyOf = (verifier: SignatureVerifier, request: { headers: Record<string, string>; body: string }) => () => verifier.verify(request.headers, Buffer.from(request.body));

function failure(fn: () => unknown): ReceiverError {
  try {
    fn();
  } catch (error) {
    if (isReceiverError(error)) return error;
    throw error;
  }
  throw new Error('expected a ReceiverError');
}

describe('SignatureVerifier', () => {
  const secret = newSecret();
  const verifier = new SignatureVerifier([secret]);

  it('accepts what the standardwebhooks reference signer signs, and returns the id and signing time', () => {
    const timestamp = Math.floor(Date.now() / 1000) - 30;
    const request = signedRequest({ secrets: [secret], timestamp, payload: { id: 'doc-1', name: 'Ünïcödé ✓' } });
    expect(verifier.verify(request.headers, Buffer.from(request.body))).toEqual({ id: request.id, timestamp: new Date(timestamp * 1000) });
  });

  it.each([
    ['two secrets in one string (an environment variable with the old and the new)', () => `${newSecret()} ${newSecret()}`, /^RECEIVER_ERR_INVALID_OPTIONS: secret holds 2 secrets in one string; give them as a list, e\.g\. secrets: process\.env\.WEBHOOK_SECRETS\.split\(/],
    ['three, comma-separated', () => [newSecret(), newSecret(), newSecret()].join(','), /secret holds 3 secrets in one string; give them as a list/],
    ['all zero bytes (the whsec_AAAA… placeholder)', () => `whsec_${Buffer.alloc(24).toString('base64')}`, /secret is 24 bytes of one value repeated, which anyone can guess and sign requests with: a placeholder\? Give the webhook's own secret/],
    ['two byte values alternating', () => `whsec_${Buffer.from('abababababababababababab').toString('base64')}`, /secret is 24 bytes of only 2 different values, which anyone can guess/],
    ['an asymmetric public key', () => `whpk_${Buffer.alloc(32, 1).toString('base64')}`, /secret is a whpk_ public key, of Standard Webhooks' asymmetric \(ed25519, v1a\) scheme, which this kit does not verify; give the webhook's symmetric whsec_ secret/],
    ['an asymmetric private key', () => `whsk_${Buffer.alloc(64, 1).toString('base64')}`, /secret is a whsk_ private key, .* belongs to the sender alone/],
    ['an empty string (an environment variable set to nothing)', () => '', /^RECEIVER_ERR_INVALID_OPTIONS: secret is empty \(an environment variable set to nothing\?\); give the whsec_… secret/],
    ['the prefix alone (cut off where it was copied)', () => 'whsec_', /secret is the whsec_ prefix with nothing after it \(cut off where it was copied\?\)/],
    ['the prefix in upper case', () => newSecret().replace('whsec_', 'WHSEC_'), /secret starts "WHSEC_", and the prefix is lower case: whsec_ \(or leave it out\)/],
    ['base64url', () => `whsec_${Buffer.from(Buffer.alloc(24, 0xfb).map((byte, i) => byte ^ i)).toString('base64url')}`, /secret has - or _, which base64 does not \(base64url, or a passphrase\?\): a Standard Webhooks secret is whsec_ and standard base64/],
    ['a hex key without the prefix (openssl rand -hex 32)', () => randomBytes(32).toString('hex'), /^RECEIVER_ERR_INVALID_OPTIONS: secret is 64 hex digits and no whsec_ prefix — a hex key \(openssl rand -hex, another scheme's webhook secret\), where a Standard Webhooks secret is whsec_ and base64/],
    ['the placeholder of the docs', () => 'whsec_…', /secret is a placeholder as docs and examples write it \(whsec_…, <…>\): give the webhook's own secret/],
    ['a placeholder in angle brackets', () => 'whsec_<your secret>', /secret is a placeholder as docs and examples write it/],
    ["a webhook view's secret hint (an ellipsis and the last 4 characters)", () => `…${newSecret().slice(-4)}`, /^RECEIVER_ERR_INVALID_OPTIONS: secret is the hint of a webhook's secret .*not the secret: hookwork shows the whole whsec_… secret only once, in the answer of app\.webhooks\.create\(\{ secret: true \}\) or rotateSecret\(\)/],
    ['a hint with three dots typed for the ellipsis', () => `...${newSecret().slice(-4)}`, /^RECEIVER_ERR_INVALID_OPTIONS: secret is the hint of a webhook's secret/],
    ['a passphrase', () => 'correct-horse-battery-staple', /secret has - or _, which base64 does not \(base64url, or a passphrase\?\)/],
    ['the prefix twice (whsec_ put before a variable that has it)', () => `whsec_${newSecret()}`, /^RECEIVER_ERR_INVALID_OPTIONS: secret has the whsec_ prefix twice \(whsec_ put before a value that already starts with it\?\); give the secret once/],
    ["an env file's line copied whole", () => `WEBHOOK_SECRET=${newSecret()}`, /^RECEIVER_ERR_INVALID_OPTIONS: secret has 15 characters before its whsec_ prefix \(an env file's NAME=value line copied whole\?\); give the secret alone, from whsec_ on/],
    ['a scheme word before it, not two secrets', () => `Bearer ${newSecret()}`, /^RECEIVER_ERR_INVALID_OPTIONS: secret has 7 characters before its whsec_ prefix \(a word such as Bearer copied with it\?\)/],
    // Copied from a terminal or a PDF that wrapped the line: "not a Standard Webhooks secret; copy it" did not say what to look for.
    ['a line break inside it (copied across a wrapped line)', () => { const s = newSecret(); return `${s.slice(0, 20)}\n${s.slice(20)}`; }, /^RECEIVER_ERR_INVALID_OPTIONS: secret has a line break at character 21 of 39 \(copied across a wrapped line\?\); remove it: a Standard Webhooks secret is whsec_ and base64, with no space or line break inside/],
    ['a space inside it', () => { const s = newSecret(); return `${s.slice(0, 14)} ${s.slice(14)}`; }, /^RECEIVER_ERR_INVALID_OPTIONS: secret has a space at character 15 of 39 \(copied across a wrapped line\?\); remove it/],
    ['a character base64 does not use (a typo, or a character swapped for a look-alike)', () => { const s = newSecret(); return `${s.slice(0, 10)}!${s.slice(11)}`; }, /^RECEIVER_ERR_INVALID_OPTIONS: secret has a character that is not base64 at character 11 of 38: a Standard Webhooks secret is whsec_ and standard base64 \(A-Z, a-z, 0-9, \+ and \/, = only at the end\); copy it again as the sender shows it/],
    ['padding in the middle (two secrets run together, or a cut-and-paste slip)', () => { const s = newSecret(); return `${s.slice(0, 20)}=${s.slice(21)}`; }, /^RECEIVER_ERR_INVALID_OPTIONS: secret has "=" at character 21 of 38, where base64 has it only at the end/],
  ])('refuses %s with the fix for it, not "copy it again"', (_what, secretOf, message) => {
    const given = secretOf();
    const error = failure(() => new SignatureVerifier([given]));
    expect(error.code).toBe('RECEIVER_ERR_INVALID_OPTIONS');
    expect(error.message).toMatch(message);
    // No part of it is repeated (the empty and the prefix alone have none to repeat).
    if (given.length > 8) expect(error.message).not.toContain(given.slice(6, 20));
  });

  // A forged request is refused by node:crypto before the package runs: what the package accepts
  // must pass that check unchanged, however oddly the header is written.
  it.each([
    ['a v1 entry with more after a second comma', (sig: string) => `${sig},more`],
    ['spaces around and between entries', (sig: string) => `  v1,AAAA   ${sig}  `],
    ['the header sent twice, joined with ", "', (sig: string) => `v1,AAAA, ${sig}`],
    ['other versions beside it', (sig: string) => `v1a,AAAA v2,${sig.slice(3)} ${sig}`],
  ])('accepts what the package accepts: %s', (_what, write) => {
    const request = signedRequest({ secrets: [secret] });
    const headers = { ...request.headers, 'webhook-signature': write(request.headers['webhook-signature']!) };
    expect(() => new Webhook(secret).verify(request.body, headers)).not.toThrow();
    expect(verifier.verify(headers, Buffer.from(request.body))).toMatchObject({ id: request.id });
  });

  it('accepts a body that is not UTF-8 as the package signs and verifies it (its UTF-8 reading), leaving the refusal to the JSON step', () => {
    const body = Buffer.from('{"title":"caf\xe9"}', 'latin1');
    const request = signedRequest({ secrets: [secret], body: body.toString('utf8') });
    expect(() => new Webhook(secret).verify(body, request.headers)).not.toThrow();
    expect(verifier.verify(request.headers, body)).toMatchObject({ id: request.id });
  });

  it('accepts a secret without its whsec_ prefix, as the package does', () => {
    const request = signedRequest({ secrets: [secret] });
    expect(() => new SignatureVerifier([secret.slice('whsec_'.length)]).verify(request.headers, Buffer.from(request.body))).not.toThrow();
  });

  describe('during a secret rotation', () => {
    const [oldSecret, newSecret_] = [newSecret(), newSecret()];

    it('accepts a request signed with both secrets whichever one the receiver knows', () => {
      const request = signedRequest({ secrets: [oldSecret, newSecret_] });
      for (const known of [[oldSecret], [newSecret_], [newSecret_, oldSecret]]) {
        expect(() => new SignatureVerifier(known).verify(request.headers, Buffer.from(request.body))).not.toThrow();
      }
    });

    it('accepts a request signed with either of the secrets the receiver knows', () => {
      const both = new SignatureVerifier([oldSecret, newSecret_]);
      expect(() => verifyOf(both, signedRequest({ secrets: [oldSecret] }))()).not.toThrow();
      expect(() => verifyOf(both, signedRequest({ secrets: [newSecret_] }))()).not.toThrow();
      expect(failure(verifyOf(both, signedRequest({ secrets: [newSecret()] }))).message).toContain('any of the 2 configured secrets');
    });
  });

  it('names every missing Standard Webhooks header', () => {
    const request = signedRequest({ secrets: [secret] });
    delete request.headers['webhook-signature'];
    delete request.headers['webhook-timestamp'];
    const error = failure(verifyOf(verifier, request));
    expect(error.code).toBe('RECEIVER_ERR_MISSING_HEADER');
    expect(error.status).toBe(401);
    expect(error.message).toContain('no webhook-timestamp, webhook-signature headers;');
  });

  it('refuses a timestamp that is not whole Unix seconds (the package would read "12abc" as 12)', () => {
    const request = signedRequest({ secrets: [secret] });
    request.headers['webhook-timestamp'] = `${request.headers['webhook-timestamp']}abc`;
    expect(failure(verifyOf(verifier, request)).code).toBe('RECEIVER_ERR_INVALID_TIMESTAMP');
  });

  it.each(['NaN', 'undefined', 'abc'])('shows a timestamp of no known form (%s) as sent, with the form it must have', (text) => {
    const request = signedRequest({ secrets: [secret] });
    request.headers['webhook-timestamp'] = text;
    expect(failure(verifyOf(verifier, request))).toMatchObject({
      code: 'RECEIVER_ERR_INVALID_TIMESTAMP',
      message: expect.stringContaining(`is not a whole number of Unix seconds: it is "${text}", and Standard Webhooks sends integer seconds as plain digits`),
    });
  });

  it('refuses a correctly signed request older or newer than 5 minutes, saying which', () => {
    const now = Math.floor(Date.now() / 1000);
    const old = failure(verifyOf(verifier, signedRequest({ secrets: [secret], timestamp: now - 600 })));
    expect(old.code).toBe('RECEIVER_ERR_STALE_TIMESTAMP');
    expect(old.status).toBe(401);
    expect(old.message).toMatch(/is 60[01] s old/);
    const future = failure(verifyOf(verifier, signedRequest({ secrets: [secret], timestamp: now + 600 })));
    expect(future.code).toBe('RECEIVER_ERR_STALE_TIMESTAMP');
    expect(future.message).toMatch(/is (599|600) s in the future/);
    expect(() => verifyOf(verifier, signedRequest({ secrets: [secret], timestamp: now - 240 }))()).not.toThrow();
  });

  it('refuses a request at the edge of the tolerance whose second runs out between its check and the package\'s, giving the age the package saw — never "300 s old, more than the 300 s"', () => {
    const signedAt = Math.floor(Date.now() / 1000) - TIMESTAMP_TOLERANCE_SECONDS;
    const request = signedRequest({ secrets: [secret], timestamp: signedAt });
    // The kit's own check reads the clock first (exactly the tolerance: accepted), the package's a second later.
    const clock = jest.spyOn(Date, 'now').mockReturnValueOnce(signedAt * 1000 + TIMESTAMP_TOLERANCE_SECONDS * 1000).mockReturnValue(signedAt * 1000 + (TIMESTAMP_TOLERANCE_SECONDS + 1) * 1000);
    try {
      const stale = failure(verifyOf(verifier, request));
      expect(stale.code).toBe('RECEIVER_ERR_STALE_TIMESTAMP');
      expect(stale.message).toContain(`is ${TIMESTAMP_TOLERANCE_SECONDS + 1} s old, more than the ${TIMESTAMP_TOLERANCE_SECONDS} s`);
    } finally {
      clock.mockRestore();
    }
  });

  it('refuses a body changed after signing — re-serialised JSON included', () => {
    const request = signedRequest({ secrets: [secret], body: '{"id": "doc-1",  "b":1}' });
    const reserialised = JSON.stringify(JSON.parse(request.body));
    const error = failure(() => verifier.verify(request.headers, Buffer.from(reserialised)));
    expect(error.code).toBe('RECEIVER_ERR_BAD_SIGNATURE');
    expect(error.message).toContain('never re-serialised JSON');
  });

  it('refuses a signature made with another secret, a changed id and a non-v1 signature', () => {
    expect(failure(verifyOf(verifier, signedRequest({ secrets: [newSecret()] }))).code).toBe('RECEIVER_ERR_BAD_SIGNATURE');
    const request = signedRequest({ secrets: [secret] });
    expect(failure(verifyOf(verifier, { ...request, headers: { ...request.headers, 'webhook-id': 'msg_other' } })).code).toBe('RECEIVER_ERR_BAD_SIGNATURE');
    const v2 = request.headers['webhook-signature']!.replace('v1,', 'v1a,');
    expect(failure(verifyOf(verifier, { ...request, headers: { ...request.headers, 'webhook-signature': v2 } })).code).toBe('RECEIVER_ERR_BAD_SIGNATURE');
  });

  it('says when the header holds no v1 signature at all, rather than blaming the secret', () => {
    const request = signedRequest({ secrets: [secret] });
    for (const signature of ['garbage', 'sha256=abcdef']) {
      const error = failure(verifyOf(verifier, { ...request, headers: { ...request.headers, 'webhook-signature': signature } }));
      expect(error.code).toBe('RECEIVER_ERR_BAD_SIGNATURE');
      expect(error.message).toContain('holds no v1,<base64> signature');
    }
    const v1a = failure(verifyOf(verifier, { ...request, headers: { ...request.headers, 'webhook-signature': request.headers['webhook-signature']!.replace('v1,', 'v1a,') } }));
    expect(v1a).toMatchObject({ code: 'RECEIVER_ERR_BAD_SIGNATURE', message: expect.stringContaining('holds only v1a signatures') });
    expect(failure(verifyOf(verifier, signedRequest({ secrets: [newSecret()] }))).message).toContain('does not match the configured secret');
  });

  it.each([
    ['a v1 entry of another length', 'v1,AAAA', 'its v1 entry has 4 characters, where a v1 signature has 44'],
    ['a v1 entry with no signature', 'v1,', 'its v1 entry is empty ("v1," with no signature after it)'],
    ["Stripe's t=…,v1=… form", `t=${Math.floor(Date.now() / 1000)},v1=${'ab'.repeat(32)}`, "it is written in another scheme's form"],
    ['a line break between entries', `v1,${Buffer.alloc(32, 3).toString('base64')}\nv1,${Buffer.alloc(32, 4).toString('base64')}`, 'its entries are separated by tabs or line breaks'],
  ])('tells the form of a signature that no secret could match: %s', (_what, signature, said) => {
    const request = signedRequest({ secrets: [secret] });
    const error = failure(verifyOf(verifier, { ...request, headers: { ...request.headers, 'webhook-signature': signature } }));
    expect(error).toMatchObject({ code: 'RECEIVER_ERR_BAD_SIGNATURE', message: expect.stringContaining(`holds no v1,<base64> signature: ${said}`) });
  });

  it('says when the body is the base64 text of the JSON signed (a Lambda event.body with isBase64Encoded), and takes the decoded bytes', () => {
    const request = signedRequest({ secrets: [secret], payload: { id: 'doc-1', title: 'café ✓' } });
    const encoded = Buffer.from(Buffer.from(request.body).toString('base64'));
    expect(failure(() => verifier.verify(request.headers, encoded))).toMatchObject({
      code: 'RECEIVER_ERR_BAD_SIGNATURE',
      message: expect.stringContaining("and the body is base64 text of JSON, not the JSON sent: a platform that hands over the body base64-encoded (AWS API Gateway and Lambda function URLs with isBase64Encoded: true"),
    });
    expect(verifier.verify(request.headers, Buffer.from(encoded.toString(), 'base64'))).toMatchObject({ id: request.id });
    // A JSON body that does not verify is not taken for base64, whatever its characters.
    expect(failure(verifyOf(verifier, signedRequest({ secrets: [newSecret()], body: '1234' }))).message).toContain('the secret is not the webhook');
  });

  it('reads a v1 entry with a trailing comma (a repeated header cut short) as the v1 signature it is, as the standardwebhooks package does', () => {
    const request = signedRequest({ secrets: [secret] });
    const withComma = `${request.headers['webhook-signature']!},`;
    expect(() => verifyOf(verifier, { ...request, headers: { ...request.headers, 'webhook-signature': withComma } })()).not.toThrow();
    const other = signedRequest({ secrets: [newSecret()] });
    const wrong = failure(verifyOf(verifier, { ...other, headers: { ...other.headers, 'webhook-signature': `${other.headers['webhook-signature']!},` } }));
    expect(wrong).toMatchObject({ code: 'RECEIVER_ERR_BAD_SIGNATURE', message: expect.stringContaining('does not match the configured secret') });
  });

  it('never puts the secret, the signature or the body in its messages', () => {
    const request = signedRequest({ secrets: [newSecret()], payload: { password: 'hunter2' } });
    const messages = [
      failure(verifyOf(verifier, request)).message,
      failure(verifyOf(verifier, { ...request, headers: { ...request.headers, 'webhook-timestamp': '1' } })).message,
    ];
    for (const message of messages) {
      expect(message).not.toContain(secret.slice(6, 20));
      expect(message).not.toContain(request.headers['webhook-signature']!.slice(3, 20));
      expect(message).not.toContain('hunter2');
      expect(message).toContain(request.id);
    }
  });

  it('takes a secret of hex-looking base64 when it has the prefix (the sender accepts it), and base64 without the prefix', () => {
    const hexLooking = `whsec_${'0123456789abcdef'.repeat(2)}`;
    expect(() => new SignatureVerifier([hexLooking])).not.toThrow();
    const request = signedRequest({ secrets: [hexLooking] });
    expect(new SignatureVerifier([hexLooking]).verify(request.headers, Buffer.from(request.body))).toMatchObject({ id: request.id });
    const bare = newSecret().slice('whsec_'.length);
    const signed = signedRequest({ secrets: [`whsec_${bare}`] });
    expect(new SignatureVerifier([bare]).verify(signed.headers, Buffer.from(signed.body))).toMatchObject({ id: signed.id });
  });

  it('refuses secrets it cannot use, naming the position and not the secret', () => {
    expect(failure(() => new SignatureVerifier([])).code).toBe('RECEIVER_ERR_INVALID_OPTIONS');
    const error = failure(() => new SignatureVerifier([secret, 'whsec_not base64!']));
    expect(error.code).toBe('RECEIVER_ERR_INVALID_OPTIONS');
    expect(error.message).toContain('secret #2');
    expect(error.message).not.toContain('not base64!');
    expect(failure(() => new SignatureVerifier([undefined as unknown as string])).message).toContain('secret is undefined (an environment variable that is not set?)');
  });
});
