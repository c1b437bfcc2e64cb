import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
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

describe('CEL rule cost at runtime, bounded as kube-apiserver bounds it', () => {
  const unbounded = listOfNames({});
  const names = (n: number) => Array.from({ length: n }, (_, i) => `n${i}`);

  it('does not run an evaluation that could cost more than the per-call limit', () => {
    // A schema stored without the creation-time check (or bound in from elsewhere) still cannot
    // make one evaluation run 25 million iterations.
    const { rules } = compileRules(unbounded);
    const start = performance.now();
    const errors = evaluateRules(rules!, { names: names(5_000) }, undefined);
    expect(performance.now() - start).toBeLessThan(1_000);
    expect(errors).toEqual([
      {
        type: 'Invalid',
        field: '<root>',
        value: 'object',
        detail: `call cost exceeds limit for rule: ${PAIRS}`,
      },
    ]);
    // The same rule over a small list runs and passes.
    expect(evaluateRules(rules!, { names: names(50) }, undefined)).toEqual([]);
  });

  it("stops evaluating an object's rules once they used up the per-object budget", () => {
    // Each row's rule is under the per-call limit, 200 rows of them are not under the budget.
    const schema = {
      type: 'object',
      properties: {
        rows: {
          type: 'array',
          items: {
            type: 'object',
            'x-kubernetes-validations': [{ rule: PAIRS }],
            properties: { names: { type: 'array', items: { type: 'string' } } },
          },
        },
      },
    };
    const { rules } = compileRules(schema);
    const rows = Array.from({ length: 200 }, () => ({ names: names(150) }));
    const start = performance.now();
    const errors = evaluateRules(rules!, { rows }, undefined);
    expect(performance.now() - start).toBeLessThan(3_000);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.detail).toBe(
      'validation failed due to running out of cost budget, no further validation rules will be run',
    );
    expect(evaluateRules(rules!, { rows: rows.slice(0, 5) }, undefined)).toEqual([]);
  });
});

describe('the cost estimate of real CRDs', () => {
  it("accepts OCM's ManifestWork CRD, whose cheap rule sits under two unbounded lists, as kube-apiserver does", () => {
    const file = new URL(
      '../../../test/e2e/fixtures/ocm/0000_00_work.open-cluster-management.io_manifestworks.crd.yaml',
      import.meta.url,
    );
    const crd = parse(readFileSync(file, 'utf8')) as KubeObject;
    expect(validateCrd(crd, undefined)).toEqual([]);
  });
});
