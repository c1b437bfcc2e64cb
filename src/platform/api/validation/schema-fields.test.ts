import { describe, expect, it } from 'vitest';
import { checkAndPruneFields } from './schema-fields.js';
import { kindSchema, obj, str, stringMap } from '../schema.js';

const schema = kindSchema('A widget.', {
  data: stringMap('data'),
  spec: obj('spec', { color: str('color') }),
});

describe('checkAndPruneFields', () => {
  it('reports and prunes unknown fields with dotted paths', () => {
    const value = { kind: 'W', metadata: { name: 'a', lables: {} }, spec: { colour: 'red', color: 'blue' } };
    const problems = checkAndPruneFields(schema, value);
    expect(problems.unknown).toEqual(['metadata.lables', 'spec.colour']);
    expect(value).toEqual({ kind: 'W', metadata: { name: 'a' }, spec: { color: 'blue' } });
  });

  it('accepts map values under additionalProperties and reports wrong types', () => {
    const value = { metadata: { name: 'a', labels: { a: 'b' } }, data: { x: 'y', n: 1 } };
    const problems = checkAndPruneFields(schema, value);
    expect(problems.unknown).toEqual([]);
    expect(problems.typeErrors).toEqual(['cannot unmarshal number into field data.n of type string']);
  });

  it('treats null as unset', () => {
    expect(checkAndPruneFields(schema, { metadata: { labels: null }, spec: null })).toEqual({
      unknown: [],
      typeErrors: [],
    });
  });
});

describe('checkAndPruneFields with keys named like prototype members', () => {
  it('reports and prunes them as unknown fields where the schema has no such property', () => {
    const value = JSON.parse(
      '{"metadata":{"constructor":{"a":1},"__proto__":{"name":"x"}},"spec":{"toString":"y"},"data":{"__proto__":"kept"}}',
    ) as Record<string, unknown>;
    expect(checkAndPruneFields(schema, value)).toEqual({
      unknown: ['metadata.constructor', 'metadata.__proto__', 'spec.toString'],
      typeErrors: [],
    });
    expect(JSON.stringify(value)).toBe('{"metadata":{},"spec":{},"data":{"__proto__":"kept"}}');
  });
});
