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

describe('defaults cannot multiply an object beyond the body limit', () => {
  it('refuses to fill in more than 3 MiB of defaults, and fills in what fits', () => {
    // A 10 KB default on every item of a list of 100,000 empty items would be a gigabyte.
    const blob = Object.fromEntries(Array.from({ length: 1_000 }, (_, i) => [`k${i}`, i]));
    const plan = planDefaults({
      type: 'object',
      properties: {
        items: {
          type: 'array',
          items: { type: 'object', properties: { blob: { type: 'object', default: blob } } },
        },
      },
    })!;
    const many = { items: Array.from({ length: 100_000 }, () => ({})) };
    const start = performance.now();
    expect(() => applyDefaults(plan, many)).toThrow(
      'Request entity too large: defaults would add more than 3145728 bytes to the object',
    );
    expect(performance.now() - start).toBeLessThan(1_000);
    const few = { items: Array.from({ length: 10 }, () => ({})) };
    applyDefaults(plan, few);
    expect(few.items[9]).toEqual({ blob });
  });
});
