import { describe, expect, it } from 'vitest';
import { invalid } from '../../http/errors.js';
import { validateOpenApi, type OpenApiSchema } from './openapi-schema.js';

const database: OpenApiSchema = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['version'],
      properties: {
        version: { type: 'string', enum: ['15', '16', '17'] },
        storage: { type: 'string', pattern: '^[0-9]+Gi$' },
        replicas: { type: 'integer', minimum: 1, maximum: 5 },
        name: { type: 'string', minLength: 2, maxLength: 8 },
        ratio: { type: 'number', minimum: 0, maximum: 1, exclusiveMaximum: true },
        port: { 'x-kubernetes-int-or-string': true },
        tags: { type: 'array', maxItems: 2, items: { type: 'string', minLength: 1 } },
        zones: { type: 'array', uniqueItems: true, items: { type: 'string' } },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        backup: {
          type: 'object',
          additionalProperties: false,
          required: ['schedule'],
          properties: { schedule: { type: 'string' }, keep: { type: 'integer', minimum: 0 } },
        },
        extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        aliases: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
        manifest: {
          type: 'object',
          'x-kubernetes-embedded-resource': true,
          additionalProperties: false,
          properties: { data: { type: 'object' } },
        },
        ports: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['port', 'protocol'],
          items: { type: 'object', properties: { port: { type: 'integer' }, protocol: { type: 'string' } } },
        },
      },
    },
  },
};

/** Each case: a spec, then the expected `<field>: <body>` lines of the 422 it gets. */
const cases: [string, Record<string, unknown>, string[]][] = [
  [
    'an embedded resource that does not say what it is',
    { version: '16', manifest: { metadata: { name: 'x' }, data: {} } },
    [
      'spec.manifest.apiVersion: Required value: must not be empty',
      'spec.manifest.kind: Required value: must not be empty',
    ],
  ],
  [
    'an embedded resource with its envelope',
    { version: '16', manifest: { apiVersion: 'v1', kind: 'ConfigMap', metadata: {} } },
    [],
  ],
  [
    'a repeated item of a set list',
    { version: '16', aliases: ['a', 'b', 'a'] },
    ['spec.aliases[2]: Duplicate value: "a"'],
  ],
  [
    'a repeated key of a map list (other fields may differ)',
    {
      version: '16',
      ports: [
        { port: 80, protocol: 'TCP' },
        { port: 80, protocol: 'UDP' },
        { port: 80, protocol: 'TCP', name: 'again' },
      ],
    },
    ['spec.ports[2]: Duplicate value: "object"'],
  ],
  ['a valid object', { version: '16', storage: '10Gi', replicas: 3, port: 'http', tags: ['a'] }, []],
  ['a missing required field', { storage: '10Gi' }, ['spec.version: Required value']],
  ['null counts as missing', { version: null }, ['spec.version: Required value']],
  [
    'a value outside the enum',
    { version: '9' },
    ['spec.version: Unsupported value: "9": supported values: "15", "16", "17"'],
  ],
  [
    'a string that does not match the pattern',
    { version: '16', storage: 'lots' },
    [`spec.storage: Invalid value: "lots": spec.storage in body should match '^[0-9]+Gi$'`],
  ],
  [
    'the wrong type',
    { version: '16', replicas: 'three' },
    ['spec.replicas: Invalid value: "three": spec.replicas in body must be of type integer: "string"'],
  ],
  [
    'a number where an integer is wanted',
    { version: '16', replicas: 1.5 },
    ['spec.replicas: Invalid value: 1.5: spec.replicas in body must be of type integer: "number"'],
  ],
  [
    'below the minimum',
    { version: '16', replicas: 0 },
    ['spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1'],
  ],
  [
    'above the maximum',
    { version: '16', replicas: 6 },
    ['spec.replicas: Invalid value: 6: spec.replicas in body should be less than or equal to 5'],
  ],
  [
    'at an exclusive maximum',
    { version: '16', ratio: 1 },
    ['spec.ratio: Invalid value: 1: spec.ratio in body should be less than 1'],
  ],
  [
    'a string under minLength',
    { version: '16', name: 'x' },
    ['spec.name: Invalid value: "x": spec.name in body should be at least 2 chars long'],
  ],
  [
    'a string over maxLength',
    { version: '16', name: 'much-too-long' },
    ['spec.name: Invalid value: "much-too-long": spec.name in body should be at most 8 chars long'],
  ],
  [
    'int-or-string refuses a boolean',
    { version: '16', port: true },
    ['spec.port: Invalid value: true: spec.port in body must be of type integer,string: "boolean"'],
  ],
  [
    'array items and maxItems',
    { version: '16', tags: ['a', '', 'c'] },
    [
      'spec.tags: Invalid value: 3: spec.tags in body should have at most 2 items',
      'spec.tags[1]: Invalid value: "": spec.tags[1] in body should be at least 1 chars long',
    ],
  ],
  ['duplicate items', { version: '16', zones: ['a', 'b', 'a'] }, ['spec.zones[2]: Duplicate value: "a"']],
  [
    'additionalProperties schemas',
    { version: '16', labels: { a: 'x', b: 2 } },
    ['spec.labels.b: Invalid value: 2: spec.labels.b in body must be of type string: "integer"'],
  ],
  [
    'additionalProperties false and nested required',
    { version: '16', backup: { keep: -1, when: 'daily' } },
    [
      'spec.backup.schedule: Required value',
      'spec.backup.keep: Invalid value: -1: spec.backup.keep in body should be greater than or equal to 0',
      'spec.backup.when: Forbidden: spec.backup.when in body is a forbidden property',
    ],
  ],
  [
    'preserve-unknown-fields accepts anything',
    { version: '16', extra: { anything: { goes: [1, 'two'] } } },
    [],
  ],
  [
    'several problems at once',
    { storage: '1T', replicas: 9 },
    [
      'spec.version: Required value',
      `spec.storage: Invalid value: "1T": spec.storage in body should match '^[0-9]+Gi$'`,
      'spec.replicas: Invalid value: 9: spec.replicas in body should be less than or equal to 5',
    ],
  ],
];

describe('validateOpenApi', () => {
  it.each(cases)('%s', (_, spec, expected) => {
    const errors = validateOpenApi(database, { spec });
    const rendered = errors.length
      ? (invalid({ group: 'db.example.io', resource: 'databases', kind: 'Database' }, 'x', errors).details
          ?.causes ?? [])
      : [];
    expect(rendered.map((cause) => `${cause.field}: ${cause.message}`)).toEqual(expected);
  });

  it('says which field in the Status message, as the apiserver does', () => {
    const error = invalid(
      { group: 'db.example.io', resource: 'databases', kind: 'Database' },
      'broken',
      validateOpenApi(database, { spec: { storage: '10Gi' } }),
    );
    expect(error.code).toBe(422);
    expect(error.message).toBe('Database.db.example.io "broken" is invalid: spec.version: Required value');
  });

  it('checks the type at the top and ignores what it cannot compile', () => {
    expect(validateOpenApi({ type: 'object' }, [])[0]?.detail).toBe(
      '<root> in body must be of type object: "array"',
    );
    expect(validateOpenApi({ type: 'string', pattern: '(?<' }, 'x')).toEqual([]);
  });
});

describe('uniqueness of big lists', () => {
  // A tenant's 3 MiB body holds ~100,000 short items; comparing each with every other stalled
  // the shared event loop for seconds (7.5 s for 10,000 map items).
  const n = 20_000;
  const cases: [string, OpenApiSchema, unknown[]][] = [
    [
      'list-type map',
      {
        type: 'array',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['name', 'port'],
        items: { type: 'object', properties: { name: { type: 'string' }, port: { type: 'integer' } } },
      },
      Array.from({ length: n }, (_, i) => ({ port: i, name: `v${i}` })),
    ],
    [
      'list-type set',
      { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
      Array.from({ length: n }, (_, i) => `v${i}`),
    ],
    [
      'uniqueItems',
      {
        type: 'array',
        uniqueItems: true,
        items: { type: 'object', additionalProperties: { type: 'integer' } },
      },
      Array.from({ length: n }, (_, i) => ({ b: i, a: 1 })),
    ],
  ];

  it.each(cases)(
    'checks a %s of 20,000 items in linear time, still finding the first repeat',
    (_, schema, items) => {
      const start = performance.now();
      expect(validateOpenApi(schema, items)).toEqual([]);
      expect(performance.now() - start).toBeLessThan(1_000);
      // The same item again, with its keys in another order, is a repeat.
      const again = isObject(items[7]) ? Object.fromEntries(Object.entries(items[7]).reverse()) : items[7];
      const errors = validateOpenApi(schema, [...items, again]);
      expect(errors.map((e) => `${e.type} ${e.field}`)).toEqual([`Duplicate [${n}]`]);
    },
  );
});

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
