import { maskCredentials, maskUrlCredentials } from './url-credentials';

describe('maskUrlCredentials', () => {
  it('masks user and password alike, an empty user (Redis) and an @ in the password included', () => {
    expect(maskUrlCredentials('redis://:s3cret@127.0.0.1:6379/2')).toBe('redis://***@127.0.0.1:6379/2');
    expect(maskUrlCredentials('postgres://app:s3cret@db.internal:5432/app')).toBe('postgres://***@db.internal:5432/app');
    expect(maskUrlCredentials('postgres://app:p@ss@db/app')).toBe('postgres://***@db/app');
    expect(maskUrlCredentials('https://token@example.com/hooks?x=1')).toBe('https://***@example.com/hooks?x=1');
  });

  it('leaves a URL without credentials, and an @ after the authority, as they are', () => {
    expect(maskUrlCredentials('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(maskUrlCredentials('http://127.0.0.1:3000/users/@me?to=a@b#c@d')).toBe('http://127.0.0.1:3000/users/@me?to=a@b#c@d');
  });

  it('masks an http(s) URL written without its slashes, or with backslashes or more slashes, as a URL parser reads them all', () => {
    expect(maskUrlCredentials('http:user:s3cret@example.com/hook')).toBe('http:***@example.com/hook');
    expect(maskUrlCredentials('HTTPS:/user:s3cret@example.com/')).toBe('HTTPS:/***@example.com/');
    expect(maskUrlCredentials('http:\\\\user:s3cret@example.com/')).toBe('http:\\\\***@example.com/');
    expect(maskUrlCredentials('http:///user:s3cret@example.com/')).toBe('http:///***@example.com/');
    // Text that only names the scheme is left alone.
    expect(maskUrlCredentials('scheme ftp: is not allowed; use http: or https: (ask a@b)')).toBe('scheme ftp: is not allowed; use http: or https: (ask a@b)');
  });

  it('works on text that is not a URL, and on every URL in a line', () => {
    expect(maskUrlCredentials('mysql://app:s3cret@127.0.0.1/db')).toBe('mysql://***@127.0.0.1/db');
    expect(maskUrlCredentials('store: postgres://a:b@h/d, queue: redis://:c@h')).toBe('store: postgres://***@h/d, queue: redis://***@h');
  });
});

describe('maskUrlCredentials on a connection string that does not parse', () => {
  // A password with an unencoded #, /, ? or space is what makes such a URL invalid, so it is the
  // very input a "must be a postgres:// URL; got …" message shows: the password must not show.
  it.each([
    ['postgres://app:pa#ssWORD@127.0.0.1:5432/test', 'postgres://***@127.0.0.1:5432/test'],
    ['postgres://app:pa/ssWORD@127.0.0.1:5432/test', 'postgres://***@127.0.0.1:5432/test'],
    ['postgres://app:pa?ssWORD@db/test', 'postgres://***@db/test'],
    ['postgres://app:pa ssWORD@db/test', 'postgres://***@db/test'],
    ['redis://:pa#ssWORD@127.0.0.1:6379', 'redis://***@127.0.0.1:6379'],
    ['redis://:123/456@redis:6379', 'redis://***@redis:6379'],
  ])('%s', (input, masked) => {
    expect(maskUrlCredentials(input)).toBe(masked);
    expect(maskUrlCredentials(input)).not.toContain('ssWORD');
  });

  it('still leaves a host and port before a path with an @ alone, and masks each URL of a line apart', () => {
    expect(maskUrlCredentials('http://localhost:3000/users/@me')).toBe('http://localhost:3000/users/@me');
    expect(maskUrlCredentials('http://[::1]:3000/@me')).toBe('http://[::1]:3000/@me');
    expect(maskUrlCredentials('store: postgres://a:b#c@h/d, queue: redis://:e@h')).toBe('store: postgres://***@h/d, queue: redis://***@h');
  });
});

describe('maskCredentials', () => {
  it("masks a URL's credentials and an authorization value's, wherever they are in a line", () => {
    expect(maskCredentials('session store redis://admin:hunter2@10.0.0.5:6379 refused: WRONGPASS')).toBe('session store redis://***@10.0.0.5:6379 refused: WRONGPASS');
    expect(maskCredentials('upstream said 401 to Authorization: Bearer eyJhbGciOi.J9x-_~+/== (expired)')).toBe('upstream said 401 to Authorization: Bearer *** (expired)');
    expect(maskCredentials('headers {"authorization":"basic dXNlcjpwYXNz"} and postgres://app:pw@db/app')).toBe('headers {"authorization":"basic ***"} and postgres://***@db/app');
    expect(maskCredentials('BEARER\tabc123')).toBe('BEARER\t***');
  });

  it('leaves text without credentials as it is', () => {
    expect(maskCredentials('session store at 10.1.2.3:6379 refused the connection (ECONNREFUSED)')).toBe('session store at 10.1.2.3:6379 refused the connection (ECONNREFUSED)');
  });

  it('masks the word after "bearer" in prose too: less shown, never a token', () => {
    expect(maskCredentials('the bearer token expired')).toBe('the bearer *** expired');
  });
});
