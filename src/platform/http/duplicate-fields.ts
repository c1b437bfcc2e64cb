// JSON.parse keeps the last of two equal keys without a word. kube-apiserver's strict decoder reports
// them instead (`duplicate field "data.a"`): an error under fieldValidation=Strict, a warning under Warn.
// This scanner finds them in the raw text, with the path kube-apiserver prints. It runs on text that
// JSON.parse already accepted and whose nesting was checked, and it never recurses.

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

/** The end (exclusive) of the JSON string starting at the quote at `start`. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const ch = text.charCodeAt(i);
    if (ch === 0x5c /* \ */) i += 2;
    else if (ch === 0x22 /* " */) return i + 1;
    else i += 1;
  }
  return i;
}

function childPath(frame: Frame | undefined): string {
  if (!frame) return '';
  if (frame.kind === 'array') return `${frame.path}[${frame.index}]`;
  return frame.path ? `${frame.path}.${frame.key}` : frame.key;
}

/** Paths of the keys that appear twice in one object of the valid JSON `text`, in the order met. */
export function duplicateFields(text: string): string[] {
  const duplicates: string[] = [];
  const stack: Frame[] = [];
  // Inside an object, a string is a key when it follows `{` or `,`.
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    const top = stack[stack.length - 1];
    if (ch === '"') {
      const end = stringEnd(text, i);
      if (expectKey && top?.kind === 'object') {
        const key = JSON.parse(text.slice(i, end)) as string;
        if (top.keys.has(key)) duplicates.push(top.path ? `${top.path}.${key}` : key);
        top.keys.add(key);
        top.key = key;
        expectKey = false;
      }
      i = end - 1;
    } else if (ch === '{') {
      stack.push({ kind: 'object', path: childPath(top), keys: new Set(), key: '' });
      expectKey = true;
    } else if (ch === '[') {
      stack.push({ kind: 'array', path: childPath(top), index: 0 });
    } else if (ch === '}' || ch === ']') {
      stack.pop();
    } else if (ch === ',') {
      if (top?.kind === 'object') expectKey = true;
      else if (top?.kind === 'array') top.index += 1;
    }
  }
  return duplicates;
}
