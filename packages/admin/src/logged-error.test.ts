import { loggedError } from './logged-error';

class ClientRequestLike {
  header = 'GET / HTTP/1.1\r\nAuthorization: Bearer tok-abc123xyz789\r\n';
}

describe('loggedError', () => {
  it('keeps the class, the code and what holds no credential; masks every string; names an object of another class instead of copying it', () => {
    const error = Object.assign(new TypeError('connect redis://u:hunter2@h:6379'), { code: 'ECONNREFUSED', port: 6379, request: new ClientRequestLike(), at: new Date(0), target: new URL('https://u:pw123456@sso.example/x') });
    const copy = loggedError(error) as TypeError & Record<string, unknown>;
    expect(copy).toBeInstanceOf(TypeError);
    expect(copy).not.toBe(error);
    expect({ message: copy.message, code: copy.code, port: copy.port, request: copy.request, at: copy.at, target: copy.target }).toEqual({ message: 'connect redis://***@h:6379', code: 'ECONNREFUSED', port: 6379, request: '[ClientRequestLike]', at: new Date(0), target: 'https://***@sso.example/x' });
    expect(copy.stack).toMatch(/^TypeError: connect redis:\/\/\*\*\*@h:6379\n/);
    expect(Object.keys(copy)).toEqual(Object.keys(error));
    expect(error.message).toBe('connect redis://u:hunter2@h:6379');
  });

  it('survives a cycle, a getter that throws, and a string or nothing thrown', () => {
    const error: Error & { self?: unknown } = new Error('x');
    error.self = error;
    Object.defineProperty(error, 'broken', { enumerable: true, get: () => { throw new Error('no'); } });
    const copy = loggedError(error) as Record<string, unknown>;
    expect(copy.self).toBe('[Circular]');
    expect('broken' in copy).toBe(false);
    expect(loggedError('Bearer abcdefgh123')).toBe('Bearer ***');
    expect(loggedError(undefined)).toBeUndefined();
  });
});
