import { quoted, visibleLines, visibleText } from './visible-text';

// The receiver's copy of core's visibleText: the same cases as core's shown-value tests.
describe("visibleText (the receiver kit's copy of core's)", () => {
  it.each([
    ['a zero-width space', 'Umbraco.ContentPublish\u200b', 'Umbraco.ContentPublish\\u200b'],
    ['a byte order mark', '\ufeffx', '\\ufeffx'],
    ['a right-to-left override', 'a\u202eb', 'a\\u202eb'],
    ['line and paragraph separators', 'a\u2028b\u2029c', 'a\\u2028b\\u2029c'],
    ['a control character', 'a\u0007b', 'a\\u0007b'],
    ['a line break', 'a\nb', 'a\\nb'],
    ['visible text, accents and emoji kept', 'Café ✓ 🎉', 'Café ✓ 🎉'],
  ])('escapes %s', (_, text, shown) => {
    expect(visibleText(text)).toBe(shown);
  });

  it('quotes as JSON with the invisible escaped, and keeps line breaks when printing lines', () => {
    expect(quoted('x\u200b')).toBe('"x\\u200b"');
    expect(visibleLines('one \u202e\ntwo')).toBe('one \\u202e\ntwo');
  });
});
