import { describe, expect, it } from 'vitest';
import { ApiError } from '../http/errors.js';
import { decodeContinue, encodeContinue, pageInMemory, parseListPaging } from './list-paging.js';

const LIST = { list: 'clusters/root/configmaps/default', keyLength: 2, newestRv: 50 };

function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return `${err.code} ${err.message}`;
    throw err;
  }
  throw new Error('expected an ApiError');
}

describe('continue tokens', () => {
  it('carry the resourceVersion and the last key back to the list that issued them', () => {
    const token = encodeContinue(LIST.list, { rv: 42, start: ['default', 'cm-1'] });
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(JSON.parse(Buffer.from(token, 'base64url').toString())).toMatchObject({
      v: 'meta.k8s.io/v1',
      rv: 42,
    });
    expect(decodeContinue(token, LIST)).toEqual({ rv: 42, start: ['default', 'cm-1'] });
  });

  it('are refused, with a 400, anywhere but the list they came from or when forged', () => {
    const token = encodeContinue(LIST.list, { rv: 42, start: ['default', 'cm-1'] });
    const forged = (body: unknown) => Buffer.from(JSON.stringify(body)).toString('base64url');
    for (const [value, expected] of [
      [token, { ...LIST, list: 'clusters/abc/configmaps/default' }],
      [token, { ...LIST, list: 'clusters/root/secrets/default' }],
      [token, { ...LIST, keyLength: 3 }],
      [token, { ...LIST, newestRv: 41 }],
      ['%%%', LIST],
      [forged({ v: 'meta.k8s.io/v1', rv: 0, start: 'default/a', list: LIST.list }), LIST],
      [forged({ v: 'meta.k8s.io/v1', rv: 2, start: 'default/', list: LIST.list }), LIST],
      [forged({ v: 'v2', rv: 2, start: 'default/a', list: LIST.list }), LIST],
      [forged(['x']), LIST],
    ] as const) {
      expect(failure(() => decodeContinue(value, expected))).toMatch(
        /^400 invalid continue token: continue key is not valid/,
      );
    }
  });
});

describe('parseListPaging', () => {
  const parse = (query: string) => parseListPaging(new URLSearchParams(query));

  it('pages only when asked: a positive limit or a continue token', () => {
    expect(parse('')).toBeUndefined();
    expect(parse('limit=0')).toBeUndefined();
    expect(parse('limit=-3')).toBeUndefined();
    expect(parse('limit=500')).toEqual({ limit: 500 });
    expect(parse('continue=abc')).toEqual({ limit: Infinity, continue: 'abc' });
    expect(parse('limit=5&continue=abc&resourceVersion=0')).toEqual({ limit: 5, continue: 'abc' });
  });

  it('refuses a limit that is not a number and a resourceVersion beside continue', () => {
    expect(failure(() => parse('limit=ten'))).toBe('400 limit must be a whole number, got "ten"');
    expect(failure(() => parse('limit=5&continue=abc&resourceVersion=7'))).toBe(
      '400 specifying resource version is not allowed when using continue',
    );
  });
});

describe('pageInMemory', () => {
  const items = ['a', 'b', 'c', 'd', 'e'];
  const keyOf = (item: string) => [item];

  it('cuts a sorted list after the token key and says what remains', () => {
    expect(pageInMemory(items, keyOf, { limit: 2 })).toEqual({
      items: ['a', 'b'],
      last: ['b'],
      remaining: 3,
    });
    expect(pageInMemory(items, keyOf, { limit: 2, token: { rv: 1, start: ['b'] } })).toEqual({
      items: ['c', 'd'],
      last: ['d'],
      remaining: 1,
    });
    expect(pageInMemory(items, keyOf, { limit: 2, token: { rv: 1, start: ['d'] } })).toEqual({
      items: ['e'],
    });
    // A key that is gone still places the page: it starts at the next one.
    expect(pageInMemory(items, keyOf, { limit: 9, token: { rv: 1, start: ['bb'] } })).toEqual({
      items: ['c', 'd', 'e'],
    });
  });
});
