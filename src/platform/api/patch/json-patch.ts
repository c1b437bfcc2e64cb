import { deepClone, deepEqual, isPlainObject } from '../object.js';
import { hasOwn, setOwn } from '../own-keys.js';

// RFC 6902 JSON patch with RFC 6901 pointers. Each operation applies to the result of the previous
// one; any failure aborts the whole patch. A pointer's tokens are the client's keys: they only ever
// name a document's own properties (`/__proto__/x` is a field called `__proto__`, never the prototype).

export class JsonPatchError extends Error {}

type Container = Record<string, unknown> | unknown[];

interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new JsonPatchError(`invalid JSON pointer ${JSON.stringify(pointer)}`);
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function arrayIndex(token: string, length: number, allowEnd: boolean): number {
  if (allowEnd && token === '-') return length;
  if (!/^(0|[1-9]\d*)$/.test(token)) throw new JsonPatchError(`invalid array index ${JSON.stringify(token)}`);
  const index = Number(token);
  if (index > length || (!allowEnd && index === length)) {
    throw new JsonPatchError(`array index ${index} out of bounds`);
  }
  return index;
}

/** Resolves everything but the last token: the container the operation acts on. */
function parentOf(doc: unknown, tokens: string[], path: string): Container {
  let current: unknown = doc;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(current)) {
      current = current[arrayIndex(token, current.length, false)];
    } else if (isPlainObject(current) && hasOwn(current, token)) {
      current = current[token];
    } else {
      throw new JsonPatchError(`path ${path} does not exist`);
    }
  }
  if (!Array.isArray(current) && !isPlainObject(current))
    throw new JsonPatchError(`path ${path} does not exist`);
  return current;
}

function getValue(doc: unknown, path: string): unknown {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return doc;
  const parent = parentOf(doc, tokens, path);
  const last = tokens[tokens.length - 1] as string;
  if (Array.isArray(parent)) return parent[arrayIndex(last, parent.length, false)];
  if (!hasOwn(parent, last)) throw new JsonPatchError(`path ${path} does not exist`);
  return parent[last];
}

function addValue(doc: unknown, path: string, value: unknown): unknown {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return value;
  const parent = parentOf(doc, tokens, path);
  const last = tokens[tokens.length - 1] as string;
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, true), 0, value);
  else setOwn(parent, last, value);
  return doc;
}

function removeValue(doc: unknown, path: string): unknown {
  const tokens = parsePointer(path);
  if (tokens.length === 0) throw new JsonPatchError('cannot remove the whole document');
  const parent = parentOf(doc, tokens, path);
  const last = tokens[tokens.length - 1] as string;
  if (Array.isArray(parent)) {
    parent.splice(arrayIndex(last, parent.length, false), 1);
  } else {
    if (!hasOwn(parent, last))
      throw new JsonPatchError(`unable to remove nonexistent key: ${last}: missing value`);
    delete parent[last];
  }
  return doc;
}

function toOperations(patch: unknown): Operation[] {
  if (!Array.isArray(patch)) throw new JsonPatchError('a JSON patch must be an array of operations');
  return patch.map((raw) => {
    if (!isPlainObject(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string') {
      throw new JsonPatchError('each JSON patch operation needs string "op" and "path"');
    }
    return raw as unknown as Operation;
  });
}

export function applyJsonPatch(target: unknown, patch: unknown): unknown {
  let doc = deepClone(target);
  for (const op of toOperations(patch)) {
    switch (op.op) {
      case 'add':
        doc = addValue(doc, op.path, deepClone(op.value));
        break;
      case 'remove':
        doc = removeValue(doc, op.path);
        break;
      case 'replace':
        getValue(doc, op.path);
        doc =
          op.path === ''
            ? deepClone(op.value)
            : addValue(removeValue(doc, op.path), op.path, deepClone(op.value));
        break;
      case 'move': {
        if (op.from === undefined) throw new JsonPatchError('move operation needs "from"');
        if (op.path.startsWith(`${op.from}/`))
          throw new JsonPatchError('cannot move a value into one of its children');
        const value = getValue(doc, op.from);
        doc = addValue(removeValue(doc, op.from), op.path, value);
        break;
      }
      case 'copy': {
        if (op.from === undefined) throw new JsonPatchError('copy operation needs "from"');
        doc = addValue(doc, op.path, deepClone(getValue(doc, op.from)));
        break;
      }
      case 'test':
        if (!deepEqual(getValue(doc, op.path), op.value))
          throw new JsonPatchError(`testing value ${op.path} failed`);
        break;
      default:
        throw new JsonPatchError(`unexpected kind of operation: ${JSON.stringify(op.op)}`);
    }
  }
  return doc;
}
