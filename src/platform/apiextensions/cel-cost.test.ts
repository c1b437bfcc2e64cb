import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/object.js';
import { compileRules, evaluateRules } from './cel-rules.js';
import { estimateRuleCost, STATIC_ESTIMATED_COST_LIMIT } from './cel-cost.js';
import { validateCrd } from './crd-validation.js';

const PAIRS = 'self.names.all(a, self.names.all(b, a == b || a != b))';
const listOfNames = (bounds: Record<string, number>) => ({
  type: 'object',
  'x-kubernetes-validations': [{ rule: PAIRS }],
  properties: {
    names: { type: 'array', ...bounds, items: { type: 'string', maxLength: 63 } },
  },
});

const crdWith = (spec: object): KubeObject => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.io' },
  spec: {
    group: 'example.io',
    names: { plural: 'widgets', kind: 'Widget' },
    scope: 'Namespaced',
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: 'object', properties: { spec } } },
      },
    ],
  },
});

describe('CEL rule cost, as kube-apiserver estimates it at CRD creation', () => {
  it('refuses a nested comprehension over an unbounded list, naming the rule', () => {
    const errors = validateCrd(crdWith(listOfNames({})), undefined);
    expect(errors).toContainEqual({
      type: 'Forbidden',
      field: 'spec.versions[0].schema.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule',
      detail:
        'estimated rule cost exceeds budget by factor of more than 100x (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)',
    });
  });

  it('accepts the same rule once maxItems bounds the list', () => {
    expect(validateCrd(crdWith(listOfNames({ maxItems: 20 })), undefined)).toEqual([]);
    expect(estimateRuleCost(PAIRS, listOfNames({ maxItems: 20 }))).toBeLessThan(STATIC_ESTIMATED_COST_LIMIT);
  });

  it('scales string functions by maxLength', () => {
    const schema = (maxLength?: number) => ({
      type: 'object',
      properties: { s: { type: 'string', ...(maxLength ? { maxLength } : {}) } },
    });
    expect(estimateRuleCost("self.s.contains('x')", schema(100))).toBeLessThan(100);
    expect(estimateRuleCost("self.s.contains('x')", schema())).toBeGreaterThan(300_000);
  });

  it('refuses rules whose total over the lists they sit in exceeds the limit for the schema', () => {
    // Each item's rule is cheap, but runs once per item of a list of lists.
    const spec = {
      type: 'object',
      properties: {
        rows: {
          type: 'array',
          items: {
            type: 'array',
            items: {
              type: 'string',
              'x-kubernetes-validations': [{ rule: "self.contains('a') || self.contains('b')" }],
            },
          },
        },
      },
    };
    const errors = validateCrd(crdWith(spec), undefined);
    expect(errors.map((e) => e.detail)).toContain(
      'contributed to estimated rule & messageExpression cost total exceeding cost limit for entire OpenAPIv3 schema',
    );
    expect(errors.find((e) => e.field === 'spec.versions[0].schema.openAPIV3Schema')?.detail).toMatch(
      /^x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema exceeds budget by factor of/,
    );
  });

  it('validates an object at the bounds quickly', () => {
    const schema = listOfNames({ maxItems: 20 });
    const { rules } = compileRules(schema);
    const names = Array.from({ length: 20 }, (_, i) => `name-${i}`.padEnd(63, 'x'));
    const start = performance.now();
    expect(evaluateRules(rules!, { names }, undefined)).toEqual([]);
    expect(performance.now() - start).toBeLessThan(1_000);
  });
});
