import { describe, expect, it } from 'vitest';
import { replicasErrors, resourceListErrors, resourceRequirementsErrors } from './resource-quantities.js';

const FIELD = 'spec.template.spec.containers[0].resources';
const details = (resources: unknown) =>
  resourceRequirementsErrors(resources, FIELD).map((e) => `${e.field}: ${e.detail ?? ''}`);

describe('resourceRequirementsErrors', () => {
  it('accepts ordinary requests and limits', () => {
    expect(details({ requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: 1, memory: '2Gi' } })).toEqual(
      [],
    );
  });
  it.each([
    ['-100', 'must be greater than or equal to 0'],
    ['-1e999', 'must be greater than or equal to 0'],
    ['1e999', 'must be less than 9223372036854775807m'],
    ['lots', "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"],
    ['Infinity', 'quantities must match the regular expression'],
  ])('refuses cpu %j: %s', (cpu, detail) => {
    const [error] = details({ requests: { cpu } });
    expect(error).toContain(`${FIELD}.requests[cpu]: ${detail}`);
  });
  it('refuses a limit that is not a quantity, at its own path', () => {
    expect(details({ limits: { memory: true } })).toEqual([
      `${FIELD}.limits[memory]: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
    ]);
  });
  it('refuses a request above its limit, in kube words', () => {
    expect(details({ requests: { cpu: '2' }, limits: { cpu: '1500m' } })).toEqual([
      `${FIELD}.requests[cpu]: must be less than or equal to cpu limit of 1500m`,
    ]);
  });
});

describe('replicasErrors', () => {
  it.each([undefined, 0, 3, 2147483647])('accepts %s', (replicas) => {
    expect(replicasErrors(replicas, 'spec.replicas')).toEqual([]);
  });
  it.each([
    [-1, 'must be greater than or equal to 0'],
    [1e300, 'must be less than or equal to 2147483647'],
    [2147483648, 'must be less than or equal to 2147483647'],
    [1.5, 'must be an integer'],
    ['3', 'must be an integer'],
  ])('refuses %s: %s', (replicas, detail) => {
    expect(replicasErrors(replicas, 'spec.replicas')).toEqual([
      { type: 'Invalid', field: 'spec.replicas', value: replicas, detail },
    ]);
  });
});

describe('resourceListErrors', () => {
  it("refuses a Node's or a pod overhead's negative quantity at its key", () => {
    expect(resourceListErrors({ cpu: '4', memory: '-1Gi' }, 'status.allocatable')).toEqual([
      {
        type: 'Invalid',
        field: 'status.allocatable[memory]',
        value: '-1Gi',
        detail: 'must be greater than or equal to 0',
      },
    ]);
  });
});
