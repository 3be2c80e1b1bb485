import { describeKeyRulesContract } from '../testing';
import { memoryStorage } from '../storage/memory/memory-storage';
import { keyProblem } from './key-rules';

describe('keyProblem', () => {
  it('passes any well-formed, non-empty text, of any length', () => {
    for (const key of ['hook', 'msg_0190a1b2c3d4e5f6a7b8c9d0e1f2a3b4', 'collections.save.after.posts', 'ünïcödé ✓ 🚀', 'x'.repeat(10_000)]) expect(keyProblem(key)).toBeUndefined();
  });

  it('names what is wrong, where, and why a store cannot hold it', () => {
    expect(keyProblem('')).toBe('is empty');
    expect(keyProblem('ab\u0000')).toMatch(/^holds U\+0000 \(NUL\) at index 2, which PostgreSQL text cannot hold$/);
    expect(keyProblem('a\uD83D')).toMatch(/^holds a lone UTF-16 surrogate \(U\+D83D\) at index 1, .*U\+FFFD$/);
    expect(keyProblem('\uDE80🚀')).toMatch(/\(U\+DE80\) at index 0/);
  });
});

describeKeyRulesContract('memory', () => ({ subject: { storage: memoryStorage() } }));
