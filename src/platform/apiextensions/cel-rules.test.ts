import { describe, expect, it } from 'vitest';
import { compileRules, evaluateRules } from './cel-rules.js';

const schema = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      'x-kubernetes-validations': [
        { rule: 'self.replicas <= self.max', message: 'replicas must not exceed max' },
        { rule: 'self.name.startsWith("w")' },
        { rule: 'self.replicas >= oldSelf.replicas', message: 'cannot scale down' },
      ],
      properties: {
        replicas: { type: 'integer' },
        max: { type: 'integer' },
        name: { type: 'string' },
        ratio: { type: 'number', 'x-kubernetes-validations': [{ rule: 'self < 1.0' }] },
        items: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              n: {
                type: 'integer',
                'x-kubernetes-validations': [{ rule: 'self % 2 == 0', message: 'even' }],
              },
            },
          },
        },
      },
    },
  },
};

const { rules, errors } = compileRules(schema);
const check = (spec: unknown, old?: unknown) =>
  evaluateRules(rules!, { spec }, old === undefined ? undefined : { spec: old }).map(
    (e) => `${e.field}: ${e.detail}`,
  );

describe('x-kubernetes-validations', () => {
  it('compiles every rule once', () => expect(errors).toEqual([]));

  it('passes a value that meets the rules, integers as CEL ints', () => {
    expect(check({ replicas: 2, max: 3, name: 'w1', ratio: 0.5, items: [{ n: 2 }] })).toEqual([]);
  });

  it('reports each broken rule at its node, with its message or the rule', () => {
    expect(check({ replicas: 4, max: 3, name: 'x', items: [{ n: 2 }, { n: 3 }] })).toEqual([
      'spec: replicas must not exceed max',
      'spec: failed rule: self.name.startsWith("w")',
      'spec.items[1].n: even',
    ]);
  });

  it('runs transition rules on updates only', () => {
    expect(check({ replicas: 1, max: 3, name: 'w' })).toEqual([]);
    expect(check({ replicas: 1, max: 3, name: 'w' }, { replicas: 2, max: 3, name: 'w' })).toEqual([
      'spec: cannot scale down',
    ]);
  });

  it('reports a rule that cannot be evaluated (a missing field) instead of passing it', () => {
    expect(check({ max: 3, name: 'w' })[0]).toMatch(/^spec: replicas must not exceed max: .*replicas/);
  });

  it('says where a rule does not compile', () => {
    const bad = compileRules(
      {
        type: 'object',
        properties: { a: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self ==' }] } },
      },
      'root',
    );
    expect(bad.errors).toMatchObject([{ path: 'root.properties[a]', index: 0, rule: 'self ==' }]);
  });
});

describe('work per object', () => {
  it('converts each value once however many levels above it carry rules', () => {
    // 90 nested levels, each with a cheap rule, over a 300,000-integer list: ~2 MB of JSON, well
    // inside the body limit. Converting each level's `self` afresh took seconds.
    const depth = 90;
    let schema: Record<string, unknown> = { type: 'array', items: { type: 'integer' } };
    let value: unknown = Array.from({ length: 300_000 }, (_, i) => i);
    for (let d = 0; d < depth; d++) {
      schema = {
        type: 'object',
        'x-kubernetes-validations': [{ rule: 'self.x == 1', message: `level ${d}` }],
        properties: { c: schema, x: { type: 'integer' } },
      };
      value = { c: value, x: d === 40 ? 2 : 1 };
    }
    const { rules } = compileRules(schema);
    const start = performance.now();
    const errors = evaluateRules(rules!, value, undefined);
    expect(performance.now() - start).toBeLessThan(1_500);
    expect(errors.map((e) => e.detail)).toEqual(['level 40']);
  });
});
