import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES, HookworkError, isHookworkError } from '../index';

const docs = readFileSync(join(__dirname, '../../../../docs/errors.md'), 'utf8');
const documented = [...docs.matchAll(/^## (HOOKWORK_ERR_[A-Z0-9_]+)\s*$/gm)].map((m) => m[1]);

describe('the error catalogue', () => {
  it('documents every code in docs/errors.md', () => {
    const missing = Object.keys(ERROR_CODES).filter((code) => !documented.includes(code));
    expect(missing).toEqual([]);
  });

  it('documents no code that does not exist', () => {
    const stale = documented.filter((code) => !(code! in ERROR_CODES));
    expect(stale).toEqual([]);
  });

  it('documents each code once', () => {
    expect(new Set(documented).size).toBe(documented.length);
  });

  it('starts messages with the code and keeps the cause', () => {
    const cause = new Error('disk full');
    const error = new HookworkError('HOOKWORK_ERR_ENQUEUE_FAILED', 'could not enqueue', { cause });
    expect(error.message).toBe('HOOKWORK_ERR_ENQUEUE_FAILED: could not enqueue');
    expect(error.cause).toBe(cause);
    expect(error.summary).toBe(ERROR_CODES.HOOKWORK_ERR_ENQUEUE_FAILED);
    expect(isHookworkError(error, 'HOOKWORK_ERR_ENQUEUE_FAILED')).toBe(true);
    expect(isHookworkError(error, 'HOOKWORK_ERR_STORAGE')).toBe(false);
    expect(isHookworkError(new Error('x'))).toBe(false);
  });

  it('lets plugins raise errors with codes of their own', () => {
    const error = new HookworkError('ACME_COMMERCE_ERR_BAD_ORDER', 'order o-1 has no lines');
    expect(isHookworkError(error, 'ACME_COMMERCE_ERR_BAD_ORDER')).toBe(true);
    expect(error.message).toBe('ACME_COMMERCE_ERR_BAD_ORDER: order o-1 has no lines');
    expect(error.summary).toBeUndefined();
    // @ts-expect-error a code must be core's or look like PREFIX_ERR_NAME
    expect(() => new HookworkError('oops', 'x')).not.toThrow();
  });
});
