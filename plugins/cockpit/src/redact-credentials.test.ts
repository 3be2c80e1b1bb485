import { redactDeep } from './redact-credentials';

describe('redactDeep()', () => {
  it('redacts by key at any depth, in arrays too, and copies instead of changing the input', () => {
    const input = { a: [{ password: 'p', keep: 1 }], nested: { deeper: { apiKey: 'k', API_KEY: 'k2', name: 'n' } } };
    expect(redactDeep(input)).toEqual({ a: [{ password: '[redacted]', keep: 1 }], nested: { deeper: { apiKey: '[redacted]', API_KEY: '[redacted]', name: 'n' } } });
    expect(input.a[0]!.password).toBe('p');
  });

  it('leaves empty credentials empty, so a receiver can still tell "none" from "set"', () => {
    expect(redactDeep({ password: '', token: null })).toEqual({ password: '', token: null });
  });

  it('redacts an object shared in two places in both', () => {
    const shared = { secret: 's' };
    expect(redactDeep({ one: shared, two: shared })).toEqual({ one: { secret: '[redacted]' }, two: { secret: '[redacted]' } });
  });

  it('keeps values that serialise themselves, and does not loop on cycles', () => {
    const date = new Date('2024-01-02T03:04:05Z');
    expect(redactDeep({ at: date })).toEqual({ at: date });
    const cyclic: Record<string, unknown> = { token: 't' };
    cyclic.self = cyclic;
    const out = redactDeep(cyclic) as Record<string, unknown>;
    expect(out.token).toBe('[redacted]');
    expect(out.self).toBe(cyclic);
  });

  it('keeps an own "__proto__" key (as JSON.parse makes it) as a key, redacted inside, instead of dropping it', () => {
    const input = JSON.parse('{"__proto__": {"token": "t", "name": "n"}, "user": "u"}') as object;
    expect(JSON.stringify(redactDeep(input))).toBe('{"__proto__":{"token":"[redacted]","name":"n"},"user":"u"}');
  });

  it('removes the password of URLs with user info, and only that', () => {
    expect(redactDeep(['https://user:pw@host.example.test/p', 'https://host.example.test/p?x=1', 'mailto:a@b.example'])).toEqual([
      'https://[redacted]@host.example.test/p',
      'https://host.example.test/p?x=1',
      'mailto:a@b.example',
    ]);
  });

  // Flysystem adapters take such strings as positional arguments, under no telling key.
  it('redacts the secret parts of connection strings, and the tokens of Dropbox and Azure options by key', () => {
    expect(redactDeep(['DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=c2VjcmV0PT0=;EndpointSuffix=core.windows.net'])).toEqual([
      'DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=[redacted];EndpointSuffix=core.windows.net',
    ]);
    expect(redactDeep('Endpoint=sb://x.example/;SharedAccessKeyName=root;SharedAccessKey=abc')).toBe('Endpoint=sb://x.example/;SharedAccessKeyName=root;SharedAccessKey=[redacted]');
    expect(redactDeep('Server=db;User Id=u;Password=p4ss;')).toBe('Server=db;User Id=u;Password=[redacted];');
    expect(redactDeep({ authorizationToken: 'dbx', accountKey: 'az', sasToken: 'sv=1', connectionString: 'x', name: 'AccountKey is a word' })).toEqual({
      authorizationToken: '[redacted]',
      accountKey: '[redacted]',
      sasToken: '[redacted]',
      connectionString: '[redacted]',
      name: 'AccountKey is a word',
    });
  });
});
