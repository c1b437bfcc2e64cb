import { describe, expect, it } from 'vitest';
import { scanJsonText } from './json-text-scan.js';

const duplicateFields = (text: string) => scanJsonText(text, 100).duplicateFields;

describe('scanJsonText: duplicate keys', () => {
  it.each([
    ['{"a":1,"b":2}', []],
    ['{"a":1,"a":2}', ['a']],
    [
      '{"metadata":{"name":"x","name":"y"},"data":{"k":"1","k":"2","k":"3"}}',
      ['metadata.name', 'data.k', 'data.k'],
    ],
    ['{"spec":{"list":[{"n":1,"n":2},{"n":1}]}}', ['spec.list[0].n']],
    ['{"list":[[{"x":1}],[{"x":1,"x":2}]]}', ['list[1][0].x']],
    // Equal after unescaping, so JSON.parse collapsed them.
    ['{"a":1,"\\u0061":2}', ['a']],
    // Look-alikes inside strings are not structure.
    ['{"a":"{\\"a\\":1,\\"a\\":2}","b":"[,]","c":"\\\\"}', []],
    ['{"a":{"b":1},"c":{"b":1}}', []],
    ['[{"a":1},{"a":1}]', []],
    ['"text"', []],
    [' { "a" : 1 , "a" : [ ] } ', ['a']],
  ])('%s has %j', (text, expected) => {
    JSON.parse(text);
    expect(duplicateFields(text)).toEqual(expected);
  });
});

describe('scanJsonText: nesting', () => {
  const nested = (levels: number) => `${'{"a":['.repeat(levels / 2)}${']}'.repeat(levels / 2)}`;

  it.each([
    ['"text"', 0],
    ['{}', 1],
    ['{"a":"{[{["}', 1],
    ['[[],{}]', 2],
    [nested(100), 100],
  ])('%s nests %i levels', (text, levels) => {
    expect(scanJsonText(text, levels).deeperThanLimit).toBe(false);
    if (levels > 0) expect(scanJsonText(text, levels - 1).deeperThanLimit).toBe(true);
  });

  it('stops at the first level too many, however deep the text goes', () => {
    expect(scanJsonText(nested(400_000), 100)).toEqual({ deeperThanLimit: true, duplicateFields: [] });
  });
});
