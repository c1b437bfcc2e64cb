import { describe, expect, it } from 'vitest';
import {
  MAX_MILLI_UNITS,
  QuantityParseError,
  parseQuantity,
  parseQuantityMilli,
  tryParseQuantity,
} from './quantity.js';

describe('parseQuantity', () => {
  it.each<[string, number]>([
    ['4', 4],
    ['0', 0],
    ['500m', 0.5],
    ['1.5', 1.5],
    ['.5', 0.5],
    ['5.', 5],
    ['+2', 2],
    ['-1', -1],
    ['2e3', 2000],
    ['2E3', 2000],
    ['1e-3', 0.001],
    ['1k', 1000],
    ['1M', 1e6],
    ['2G', 2e9],
    ['1E', 1e18],
    ['100u', 0.0001],
    ['3n', 3e-9],
    ['1Ki', 1024],
    ['16Gi', 17179869184],
    ['1.5Gi', 1610612736],
    ['2Ti', 2 * 2 ** 40],
  ])('%s → %d', (input, expected) => {
    expect(parseQuantity(input)).toBeCloseTo(expected, 12);
  });

  it.each(['', ' 4', '4 ', 'abc', '4GB', '1KI', 'ki', '1.2.3', '--1', '1e', 'e3', 'Gi', '1 Gi'])(
    'rejects %j',
    (input) => {
      expect(() => parseQuantity(input)).toThrow(QuantityParseError);
      expect(() => parseQuantity(input)).toThrow(`invalid quantity ${JSON.stringify(input)}`);
    },
  );

  it('tryParseQuantity gives undefined instead of throwing', () => {
    expect(tryParseQuantity(undefined)).toBeUndefined();
    expect(tryParseQuantity('lots')).toBeUndefined();
    expect(tryParseQuantity('8')).toBe(8);
  });
});

describe('parseQuantityMilli', () => {
  it.each([
    ['500m', 500n],
    ['1', 1000n],
    ['1.5', 1500n],
    ['1Ki', 1024000n],
    ['16Gi', 16n * 2n ** 30n * 1000n],
    ['2e3', 2000000n],
    ['1n', 1n],
    ['0.0001', 1n],
    ['-100', -100000n],
    ['0', 0n],
    ['1e-999', 1n],
    ['1e999', MAX_MILLI_UNITS],
    ['-1e999', -MAX_MILLI_UNITS],
    ['9Ei', MAX_MILLI_UNITS],
  ])('%s is %s thousandths, exactly and never beyond int64', (input, expected) => {
    expect(parseQuantityMilli(input)).toBe(expected);
  });
  it.each(['NaN', 'Infinity', '1e', 'lots', '', '1.2.3'])('refuses %j', (input) => {
    expect(() => parseQuantityMilli(input)).toThrow(QuantityParseError);
  });
});
