import { describe, expect, it } from 'vitest';
import { jsonPathValues, parseJsonPath, printerColumns } from './printer-columns.js';

const object = {
  metadata: { name: 'x', creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: { size: 3, tags: ['a', 'b'], 'odd.key': 'yes' },
  status: {
    ready: true,
    conditions: [
      { type: 'Ready', status: 'True' },
      { type: 'Synced', status: 'False' },
    ],
  },
};

describe('the JSONPath subset of printer columns', () => {
  const cases: [string, unknown[]][] = [
    ['.spec.size', [3]],
    ['{.spec.size}', [3]],
    ['$.spec.tags[1]', ['b']],
    ['.spec.tags[*]', ['a', 'b']],
    [".spec['odd.key']", ['yes']],
    ['.status.conditions[?(@.type=="Ready")].status', ['True']],
    [".status.conditions[?(@.type=='Synced')].status", ['False']],
    ['.spec.missing', []],
    ['.spec.tags[5]', []],
  ];
  it.each(cases)('%s', (path, expected) => {
    expect(jsonPathValues(object, parseJsonPath(path)!)).toEqual(expected);
  });

  it('refuses what it does not understand', () => {
    expect(parseJsonPath('.spec..size')).toBeUndefined();
    expect(parseJsonPath('.spec[?(@.a > 1)]')).toBeUndefined();
  });
});

describe('printerColumns', () => {
  it('makes Table columns and cells, dates as ages and absent values empty', () => {
    const { columns, cells } = printerColumns([
      { name: 'Size', type: 'integer', jsonPath: '.spec.size' },
      { name: 'Tags', type: 'string', jsonPath: '.spec.tags[*]', priority: 1 },
      { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
      { name: 'Missing', type: 'string', jsonPath: '.spec.nothing' },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    ]);
    expect(columns.map((c) => [c.name, c.type, c.priority ?? 0])).toEqual([
      ['Size', 'integer', 0],
      ['Tags', 'string', 1],
      ['Ready', 'string', 0],
      ['Missing', 'string', 0],
      ['Age', 'string', 0],
    ]);
    expect(cells(object, new Date('2026-01-01T00:05:00Z'))).toEqual([3, 'a,b', 'True', '', '5m']);
  });
});

describe('columns that name prototype members', () => {
  it('find only the fields an object holds itself', () => {
    const object = JSON.parse('{"spec":{"__proto__":"p"}}') as unknown;
    expect(jsonPathValues(object, parseJsonPath('.constructor')!)).toEqual([]);
    expect(jsonPathValues(object, parseJsonPath('.spec.toString')!)).toEqual([]);
    expect(jsonPathValues(object, parseJsonPath('.spec.__proto__')!)).toEqual(['p']);
    expect(
      jsonPathValues({ items: [{}] }, parseJsonPath('.items[?(@.constructor.name=="Object")]')!),
    ).toEqual([]);
  });
});
