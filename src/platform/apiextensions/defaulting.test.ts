import { describe, expect, it } from 'vitest';
import { applyDefaults, lacksDefaults, planDefaults } from './defaulting.js';

const schema = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        replicas: { type: 'integer', default: 1 },
        mode: { type: 'string', nullable: true, default: 'fast' },
        template: { type: 'object', properties: { image: { type: 'string' } } },
        ports: {
          type: 'array',
          items: { type: 'object', properties: { protocol: { type: 'string', default: 'TCP' } } },
        },
        limits: {
          type: 'object',
          additionalProperties: { type: 'object', properties: { unit: { type: 'string', default: 'Mi' } } },
        },
        extra: { type: 'object', default: { on: true } },
      },
    },
  },
};
const plan = planDefaults(schema)!;

describe('defaulting', () => {
  it('fills in missing fields, list items and map values where their parent exists', () => {
    const object = { spec: { ports: [{}, { protocol: 'UDP' }], limits: { cpu: {} }, mode: null } };
    expect(lacksDefaults(plan, object)).toBe(true);
    applyDefaults(plan, object);
    expect(object).toEqual({
      spec: {
        replicas: 1,
        mode: null,
        ports: [{ protocol: 'TCP' }, { protocol: 'UDP' }],
        limits: { cpu: { unit: 'Mi' } },
        extra: { on: true },
      },
    });
    expect(lacksDefaults(plan, object)).toBe(false);
  });

  it('leaves an object without the parent alone, and gives each object its own copy of a default', () => {
    const empty = {};
    applyDefaults(plan, empty);
    expect(empty).toEqual({});
    const a = { spec: {} as Record<string, unknown> };
    const b = { spec: {} as Record<string, unknown> };
    applyDefaults(plan, a);
    applyDefaults(plan, b);
    expect(a.spec.extra).not.toBe(b.spec.extra);
  });

  it('plans nothing for a schema without defaults', () => {
    expect(planDefaults({ type: 'object', properties: { a: { type: 'string' } } })).toBeUndefined();
  });
});
