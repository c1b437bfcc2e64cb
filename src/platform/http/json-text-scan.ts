// One pass over a JSON body's raw text, without recursion, for what JSON.parse does not say:
// - how deep it nests (measured on the text, which is cheaper than walking the parsed value);
// - which keys appear twice in one object. JSON.parse keeps the last without a word; kube-apiserver's
//   strict decoder reports them (`duplicate field "data.a"`): an error under fieldValidation=Strict, a
//   warning under Warn. The paths are the ones kube-apiserver prints.
// It runs on text JSON.parse already accepted.

interface ObjectFrame {
  kind: 'object';
  path: string;
  keys: Set<string>;
  key: string;
}

interface ArrayFrame {
  kind: 'array';
  path: string;
  index: number;
}

type Frame = ObjectFrame | ArrayFrame;

const BACKSLASH = 0x5c;
const QUOTE = 0x22;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;

/** The end (exclusive) of the JSON string starting at the quote at `start`. */
function stringEnd(text: string, start: number): number {
  let quote = text.indexOf('"', start + 1);
  // A quote preceded by an odd number of backslashes is escaped.
  for (;;) {
    if (quote < 0) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    quote = text.indexOf('"', quote + 1);
  }
}

/** The key a JSON string token stands for; most keys hold no escapes and need no decoding. */
function keyOf(text: string, start: number, end: number): string {
  const raw = text.slice(start + 1, end - 1);
  return raw.includes('\\') ? (JSON.parse(text.slice(start, end)) as string) : raw;
}

function childPath(frame: Frame | undefined): string {
  if (!frame) return '';
  if (frame.kind === 'array') return `${frame.path}[${frame.index}]`;
  return frame.path ? `${frame.path}.${frame.key}` : frame.key;
}

export interface JsonTextScan {
  /** Whether objects and arrays nest more than the limit; the scan stops there. */
  deeperThanLimit: boolean;
  /** Paths of the keys that appear twice in one object, in the order met. */
  duplicateFields: string[];
}

/** Scans the valid JSON `text`: nesting beyond `maxDepth` levels, and duplicate keys. */
export function scanJsonText(text: string, maxDepth: number): JsonTextScan {
  const duplicates: string[] = [];
  const stack: Frame[] = [];
  // Inside an object, a string is a key when it follows `{` or `,`.
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    const top = stack[stack.length - 1];
    if (ch === QUOTE) {
      const end = stringEnd(text, i);
      if (expectKey && top?.kind === 'object') {
        const key = keyOf(text, i, end);
        if (top.keys.has(key)) duplicates.push(top.path ? `${top.path}.${key}` : key);
        top.keys.add(key);
        top.key = key;
        expectKey = false;
      }
      i = end - 1;
    } else if (ch === OPEN_OBJECT || ch === OPEN_ARRAY) {
      if (stack.length === maxDepth) return { deeperThanLimit: true, duplicateFields: duplicates };
      const path = childPath(top);
      stack.push(
        ch === OPEN_OBJECT
          ? { kind: 'object', path, keys: new Set(), key: '' }
          : { kind: 'array', path, index: 0 },
      );
      expectKey = ch === OPEN_OBJECT;
    } else if (ch === CLOSE_OBJECT || ch === CLOSE_ARRAY) {
      stack.pop();
    } else if (ch === COMMA) {
      if (top?.kind === 'object') expectKey = true;
      else if (top?.kind === 'array') top.index += 1;
    }
  }
  return { deeperThanLimit: false, duplicateFields: duplicates };
}
