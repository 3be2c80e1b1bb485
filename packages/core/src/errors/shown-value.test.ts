import { execFileSync } from 'node:child_process';
import { createHookwork } from '../composition/create-hookwork';
import { memoryStorage } from '../storage/memory/memory-storage';
import { HookworkError, messageWithoutCode, shownValue } from './hookwork-error';

describe('shownValue', () => {
  it('shows a value by its kind: strings quoted, numbers bare, bigint, NaN and functions as themselves', () => {
    expect([shownValue('5000'), shownValue(5000), shownValue(5n), shownValue(Number.NaN), shownValue(undefined), shownValue({ a: 1 })]).toEqual(['"5000"', '5000', '5n', 'NaN', 'undefined', '{"a":1}']);
  });

  it('never throws on what JSON cannot hold, so the coded error it is written into still reaches the caller', () => {
    const cyclic: Record<string, unknown> = { name: 'x', other: 1 };
    cyclic.self = cyclic;
    expect(shownValue(cyclic)).toBe('an object with keys name, other, self');
    expect(shownValue({ id: 7n })).toBe('an object with keys id');
    const list: unknown[] = [1];
    list.push(list);
    expect(shownValue(list)).toBe('an array of 2');
    expect(shownValue({ toJSON: () => { throw new Error('no'); } })).toBe('an object with keys toJSON');
  });

  it('escapes what a reader cannot see — a zero-width space, a bidirectional override, U+2028, a BOM — and keeps other text', () => {
    expect(shownValue('Umbraco.ContentPublish\u200b')).toBe('"Umbraco.ContentPublish\\u200b"');
    expect(shownValue({ 'k\u202e': 'a\u2028b\ufeff' })).toBe('{"k\\u202e":"a\\u2028b\\ufeff"}');
    expect(shownValue('café 📦 Ωmega')).toBe('"café 📦 Ωmega"');
  });

  it('cuts a long value, saying how long it was', () => {
    const shown = shownValue('x'.repeat(10_000));
    expect(shown).toBe(`"${'x'.repeat(199)}… (10002 characters)`);
  });
});

describe('messageWithoutCode', () => {
  it('gives what a coded error says without the code it starts with, for hookwork codes and a plugin\'s alike', () => {
    expect(messageWithoutCode(new HookworkError('HOOKWORK_ERR_SSRF_BLOCKED', 'the host 10.0.0.1: is internal'))).toBe('the host 10.0.0.1: is internal');
    expect(messageWithoutCode(new HookworkError('ACME_ERR_BAD_ORDER', 'order 7 has no lines'))).toBe('order 7 has no lines');
    // A message that does not start with its code (an object shaped like one) is left as it is.
    expect(messageWithoutCode({ code: 'ACME_ERR_BAD_ORDER', message: 'order 7 has no lines' })).toBe('order 7 has no lines');
  });
});

describe('HookworkError', () => {
  it('keeps its message on one line with nothing a reader cannot see, whatever a message quotes', () => {
    // A value quoted with JSON.stringify kept U+202E as it was (reversing the rest of a log line),
    // and a driver's or V8's message embedded went over several lines.
    const error = new HookworkError('HOOKWORK_ERR_INVALID_ARGUMENT', `was given ${JSON.stringify('enqueued\u202e')}: first line\nsecond line\u200b`);
    expect(error.message).toBe('HOOKWORK_ERR_INVALID_ARGUMENT: was given "enqueued\\u202e": first line second line\\u200b');
    expect(messageWithoutCode(error)).toBe('was given "enqueued\\u202e": first line second line\\u200b');
    // Text a reader can see is kept as it is, and escaping twice changes nothing.
    expect(new HookworkError('HOOKWORK_ERR_INVALID_ARGUMENT', 'café 📦 "a\\u202e"').message).toBe('HOOKWORK_ERR_INVALID_ARGUMENT: café 📦 "a\\u202e"');
  });

  it('escapes through every quoting path, e.g. app.lifecycle.on() given a name with a bidirectional override', () => {
    const app = createHookwork({ storage: memoryStorage() });
    expect(() => app.lifecycle.on('enqueued\u202e' as never, () => undefined)).toThrow('HOOKWORK_ERR_INVALID_ARGUMENT: app.lifecycle.on() was given "enqueued\\u202e", which is not a lifecycle event (did you mean enqueued?)');
  });

  it('makes a message quoting a long run of blanks one line in time proportional to its length', () => {
    // In a process of its own, so that the old way — a regex that tried the blanks before a break
    // again from each blank of a run, a quarter of an hour for a million — fails at the timeout.
    const script = `const { HookworkError } = require(${JSON.stringify(require.resolve('./hookwork-error'))});
      const error = new HookworkError('HOOKWORK_ERR_INVALID_ARGUMENT', 'was given "a' + ' '.repeat(1_000_000) + 'b"  \\n \\n  and more');
      console.log(JSON.stringify([error.message.length, error.message.slice(-16)]));`;
    const output = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], { encoding: 'utf8', timeout: 45_000 });
    expect(JSON.parse(output)).toEqual([`HOOKWORK_ERR_INVALID_ARGUMENT: was given "a${' '.repeat(1_000_000)}b" and more`.length, 'b" and more'.padStart(16, ' ')]);
  }, 60_000);
});
