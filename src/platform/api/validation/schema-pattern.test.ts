import { describe, expect, it } from 'vitest';
import { MAX_PATTERN_LENGTH, patternErrors, schemaPattern } from './schema-pattern.js';

describe('schema patterns', () => {
  it('keeps Go RE2 semantics: unanchored match, and a pattern RE2 refuses is reported', () => {
    expect(schemaPattern({ pattern: '[0-9]+Gi' })?.test('x10Gi')).toBe(true);
    expect(schemaPattern({ pattern: '^[0-9]+Gi$' })?.test('x10Gi')).toBe(false);
    expect(patternErrors({ properties: { a: { pattern: 'a{1001}' } } }, 'root')).toEqual([
      {
        type: 'Invalid',
        field: 'root.properties[a].pattern',
        value: 'a{1001}',
        detail:
          "must be a valid regular expression, but isn't: error parsing regexp: invalid repeat count: `{1001}`",
      },
    ]);
  });

  it('refuses a pattern too long to compile quickly, without compiling it', () => {
    // RE2JS compiles in time quadratic in the pattern's length: 30,000 characters took 4.4 s.
    const long = 'a'.repeat(100_000);
    const start = performance.now();
    expect(patternErrors({ items: { pattern: long } }, 'root')).toEqual([
      {
        type: 'Forbidden',
        field: 'root.items.pattern',
        detail: `must be no more than ${MAX_PATTERN_LENGTH} characters`,
      },
    ]);
    expect(schemaPattern({ pattern: long })).toBeNull();
    expect(performance.now() - start).toBeLessThan(1_000);
    expect(patternErrors({ pattern: 'a'.repeat(MAX_PATTERN_LENGTH) }, 'root')).toEqual([]);
  });
});
