import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RECEIVER_ERROR_CODES } from './receiver-error-codes';
import { isReceiverError, ReceiverError } from './receiver-error';

const docs = readFileSync(join(__dirname, '../../../../docs/errors.md'), 'utf8');
const documented = [...docs.matchAll(/^### (RECEIVER_ERR_[A-Z0-9_]+)\s*$/gm)].map((m) => m[1]!);

describe("the receiver kit's error codes", () => {
  it('are each documented once in docs/errors.md, and nothing else is', () => {
    expect([...documented].sort()).toEqual(Object.keys(RECEIVER_ERROR_CODES).sort());
  });

  it('give the documented status', () => {
    for (const [code, { status }] of Object.entries(RECEIVER_ERROR_CODES)) {
      const section = docs.slice(docs.indexOf(`### ${code}\n`));
      expect(section).toMatch(new RegExp(`^### ${code}\\nStatus: ${status}\\.`));
    }
  });

  it('start messages with the code and keep the cause', () => {
    const cause = new Error('boom');
    const error = new ReceiverError('RECEIVER_ERR_HANDLER_FAILED', 'the handler failed', { cause });
    expect(error.message).toBe('RECEIVER_ERR_HANDLER_FAILED: the handler failed');
    expect(error.cause).toBe(cause);
    expect(error.status).toBe(500);
    expect(isReceiverError(error, 'RECEIVER_ERR_HANDLER_FAILED')).toBe(true);
    expect(isReceiverError(error, 'RECEIVER_ERR_BAD_SIGNATURE')).toBe(false);
    expect(isReceiverError(new Error('x'))).toBe(false);
  });
});
