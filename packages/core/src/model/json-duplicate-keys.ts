/**
 * Where a JSON text names one key twice in one object: `{"url":"ftp://x","url":"https://ok"}`.
 * JSON.parse keeps the last and says nothing, while other readers (a proxy, an audit tool, a
 * reviewer's eye) take the first; RFC 8259 §4 leaves such a text's meaning to the reader. Inputs
 * a person or a program writes — the admin API's bodies, a settings file — refuse it instead.
 *
 * Each duplicate is the path to it, its keys and array indexes as strings (`['headers', 'X-A']`),
 * in document order, at most `max` of them. `text` must be valid JSON (parse it first); the walk
 * keeps a stack of its own, so a deeply nested text cannot overflow the call stack, and it reads
 * each character once.
 */
export function duplicateJsonKeys(text: string, max = 10): string[][] {
  interface Frame {
    /** The keys seen so far in an object; undefined in an array. */
    keys: Set<string> | undefined;
    /** The key or index being read in it. */
    at: string;
    index: number;
  }
  const found: string[][] = [];
  const stack: Frame[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length && found.length < max; i++) {
    const c = text[i];
    if (c === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      const top = stack.at(-1);
      if (expectKey && top?.keys) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (top.keys.has(key)) found.push([...stack.slice(0, -1).map((frame) => frame.at), key]);
        top.keys.add(key);
        top.at = key;
        expectKey = false;
      }
      i = end;
    } else if (c === '{') {
      stack.push({ keys: new Set(), at: '', index: 0 });
      expectKey = true;
    } else if (c === '[') {
      stack.push({ keys: undefined, at: '0', index: 0 });
    } else if (c === '}' || c === ']') {
      stack.pop();
      expectKey = false;
    } else if (c === ',') {
      const top = stack.at(-1);
      if (top?.keys) expectKey = true;
      else if (top) top.at = String(++top.index);
    }
  }
  return found;
}
