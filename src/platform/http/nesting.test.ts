import { describe, expect, it } from 'vitest';
import { parseJson, parseYamlBody } from './body.js';
import { MAX_NESTING_DEPTH, nestsDeeperThan } from './nesting.js';

const nestedJson = (levels: number) => `${'{"a":'.repeat(levels - 1)}{}${'}'.repeat(levels - 1)}`;

describe('nestsDeeperThan', () => {
  it.each([
    ['a scalar', 'x', 0],
    ['{}', {}, 1],
    ['[]', [], 1],
    ['{"a":[]}', { a: [] }, 2],
    ['[1,[2,{"b":{}}]]', [1, [2, { b: {} }]], 4],
  ])('measures %s as %i levels', (_name, value, levels) => {
    expect(nestsDeeperThan(value, levels)).toBe(false);
    if (levels > 0) expect(nestsDeeperThan(value, levels - 1)).toBe(true);
  });

  it('measures values far deeper than any recursive walk survives', () => {
    const deep = JSON.parse(`${'['.repeat(200_000)}${']'.repeat(200_000)}`) as unknown;
    expect(nestsDeeperThan(deep)).toBe(true);
  });
});

describe('request bodies and the nesting limit', () => {
  it(`accepts ${MAX_NESTING_DEPTH} levels and refuses ${MAX_NESTING_DEPTH + 1} with a 400 naming the limit`, () => {
    expect(() => parseJson(nestedJson(MAX_NESTING_DEPTH))).not.toThrow();
    expect(() => parseJson(nestedJson(MAX_NESTING_DEPTH + 1))).toThrow(
      expect.objectContaining({ code: 400, message: expect.stringContaining('more than 100 levels deep') }),
    );
  });

  it('refuses YAML nested deeper than its parser can go with the same message', () => {
    expect(() => parseYamlBody(nestedJson(MAX_NESTING_DEPTH))).not.toThrow();
    for (const levels of [MAX_NESTING_DEPTH + 1, 5_000]) {
      expect(() => parseYamlBody(nestedJson(levels))).toThrow(
        expect.objectContaining({ code: 400, message: expect.stringContaining('more than 100 levels deep') }),
      );
    }
  });

  it('refuses YAML whose alias points back into itself: a cycle nests without end', () => {
    for (const text of ['a: &x [ *x ]', 'metadata: &m {name: x, self: *m}']) {
      expect(() => parseYamlBody(text)).toThrow(
        expect.objectContaining({ code: 400, message: expect.stringContaining('more than 100 levels deep') }),
      );
    }
  });
});
