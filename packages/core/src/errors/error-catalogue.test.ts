import { join } from 'node:path';
import { CORE_ERRORS, defineErrorCodes, ERROR_CODES, HookworkError, isHookworkError } from '../index';
import { describeErrorCatalogue } from '../testing';

describeErrorCatalogue(CORE_ERRORS, join(__dirname, '../../../../docs/errors.md'));

describe('hookwork errors', () => {
  it('start messages with the code, keep the cause and carry the code\'s status and summary', () => {
    const cause = new Error('disk full');
    const error = new HookworkError('HOOKWORK_ERR_ENQUEUE_FAILED', 'could not enqueue', { cause });
    expect(error.message).toBe('HOOKWORK_ERR_ENQUEUE_FAILED: could not enqueue');
    expect(error.cause).toBe(cause);
    expect(error.summary).toBe(ERROR_CODES.HOOKWORK_ERR_ENQUEUE_FAILED.summary);
    expect(error.status).toBe(503);
    expect(new HookworkError('HOOKWORK_ERR_WEBHOOK_NOT_FOUND', 'x').status).toBe(404);
    expect(isHookworkError(error, 'HOOKWORK_ERR_ENQUEUE_FAILED')).toBe(true);
    expect(isHookworkError(error, 'HOOKWORK_ERR_STORAGE')).toBe(false);
    expect(isHookworkError(new Error('x'))).toBe(false);
  });

  it('survive JSON.stringify with code, status, details and the cause', () => {
    const error = new HookworkError('HOOKWORK_ERR_INVALID_WEBHOOK', 'refused', { details: [{ field: 'url', problem: 'is required' }], cause: Object.assign(new Error('inner'), { code: 'EINNER' }) });
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'HookworkError',
      code: 'HOOKWORK_ERR_INVALID_WEBHOOK',
      status: 400,
      message: 'HOOKWORK_ERR_INVALID_WEBHOOK: refused',
      details: [{ field: 'url', problem: 'is required' }],
      cause: { name: 'Error', message: 'inner', code: 'EINNER' },
    });
  });

  it('let packages declare codes of their own, with their status, and refuse malformed ones', () => {
    const commerce = defineErrorCodes('@acme/commerce', { ACME_COMMERCE_ERR_BAD_ORDER: { summary: 'An order has no lines.', status: 422 } });
    const error = commerce.create('ACME_COMMERCE_ERR_BAD_ORDER', 'order o-1 has no lines');
    expect(error).toBeInstanceOf(HookworkError);
    expect(isHookworkError(error, 'ACME_COMMERCE_ERR_BAD_ORDER')).toBe(true);
    expect([error.message, error.status, error.summary]).toEqual(['ACME_COMMERCE_ERR_BAD_ORDER: order o-1 has no lines', 422, 'An order has no lines.']);
    // A code the catalogue does not declare is a programming error, not an error of status 500 no page documents.
    // @ts-expect-error only the catalogue's own codes
    expect(() => commerce.create('ACME_COMMERCE_ERR_BAD_ORDR', 'x')).toThrow(
      'HOOKWORK_ERR_INVALID_ARGUMENT: defineErrorCodes("@acme/commerce"): create("ACME_COMMERCE_ERR_BAD_ORDR"): the catalogue declares no such code (did you mean ACME_COMMERCE_ERR_BAD_ORDER?); raise one of its codes (ACME_COMMERCE_ERR_BAD_ORDER), or declare the new code in defineErrorCodes() and document it',
    );
    // @ts-expect-error only the catalogue's own codes
    expect(() => commerce.create('toString', 'x')).toThrow(/HOOKWORK_ERR_INVALID_ARGUMENT: .*create\("toString"\): the catalogue declares no such code/);
    expect(() => defineErrorCodes('@acme/x', { 'bad-code': { summary: 's', status: 400 } })).toThrow(/PREFIX_ERR_NAME/);
    expect(() => defineErrorCodes('@acme/x', { ACME_ERR_X: { summary: 's', status: 200 } })).toThrow(/4xx or 5xx/);
    // A plugin's own bad declaration is coded like any other bad input, and says how to write it.
    const refusal = (codes: unknown) => {
      try {
        defineErrorCodes('@acme/x', codes as never);
      } catch (error) {
        return error as HookworkError;
      }
      throw new Error('defineErrorCodes accepted bad codes');
    };
    expect(refusal({ 'bad-code': { summary: 's', status: 400 } })).toMatchObject({ code: 'HOOKWORK_ERR_INVALID_ARGUMENT', message: expect.stringContaining('with _ERR_ after the prefix (ACME_ERR_BAD_ORDER)') });
    expect(refusal({ ACME_ERR_X: { status: 400 } }).message).toBe('HOOKWORK_ERR_INVALID_ARGUMENT: defineErrorCodes("@acme/x"): ACME_ERR_X has no summary; give one line saying what went wrong (docs and problem details show it)');
    expect(refusal({ ACME_ERR_X: { summary: 's', status: '400' } }).message).toContain('ACME_ERR_X has status "400"; use a 4xx or 5xx HTTP status');
    expect(refusal({ ACME_ERR_X: 400 }).message).toContain('ACME_ERR_X must be { summary, status }; got 400');
  });

  it("refuse a plugin's code under hookwork's prefix, which would take a core code's meaning or a hookwork package's", () => {
    const refusal = (owner: string, codes: unknown) => () => defineErrorCodes(owner, codes as never);
    // isHookworkError(e, 'HOOKWORK_ERR_APP_STOPPED') could no longer tell core's error from the plugin's.
    expect(refusal('@acme/commerce', { HOOKWORK_ERR_APP_STOPPED: { summary: 'Our app stopped.', status: 400 } })).toThrow(
      'HOOKWORK_ERR_INVALID_ARGUMENT: defineErrorCodes("@acme/commerce"): HOOKWORK_ERR_APP_STOPPED is a code of @hookwork/core; a package declares codes of its own under its own prefix (ACME_ERR_APP_STOPPED)',
    );
    expect(refusal('@acme/commerce', { HOOKWORK_ERR_COMMERCE_BAD_ORDER: { summary: 's', status: 400 } })).toThrow(
      /HOOKWORK_ERR_COMMERCE_BAD_ORDER: the HOOKWORK_ prefix is for @hookwork\/\* packages; a package declares codes of its own under its own prefix \(ACME_ERR_COMMERCE_BAD_ORDER\)/,
    );
    expect(refusal('@hookwork/cms', { HOOKWORK_ERR_INVALID_CMS_OPTIONS: { summary: 's', status: 500 } })).not.toThrow();
  });

  it('give a code no catalogue defines status 500 and no summary', () => {
    const error = new HookworkError('ACME_COMMERCE_ERR_UNDECLARED', 'x');
    expect([error.status, error.summary]).toEqual([500, undefined]);
    // @ts-expect-error a code must be core's or look like PREFIX_ERR_NAME
    expect(() => new HookworkError('oops', 'x')).not.toThrow();
  });
});
