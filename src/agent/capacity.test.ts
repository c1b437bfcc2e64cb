import { describe, expect, it } from 'vitest';
import { formatQuantity, parseQuantity } from './capacity.js';

describe('parseQuantity', () => {
  it.each([
    ['4', 4],
    ['500m', 0.5],
    ['1Gi', 2 ** 30],
    ['2k', 2000],
    ['16Mi', 16 * 2 ** 20],
  ])('%s is %d base units', (text, value) => expect(parseQuantity(text)).toBe(value));

  it('gives NaN for what is not a quantity, so a bad node field is skipped rather than summed', () => {
    expect(parseQuantity('lots')).toBeNaN();
    expect(parseQuantity('1Xi')).toBeNaN();
  });
});

describe('formatQuantity', () => {
  it('keeps whole units and writes fractions as millis', () => {
    expect(formatQuantity(8)).toBe('8');
    expect(formatQuantity(1.5)).toBe('1500m');
  });

  it('writes bytes in the largest exact binary unit, as the Nodes did', () => {
    expect(formatQuantity(240 * 2 ** 30, 'memory')).toBe('240Gi');
    expect(formatQuantity(1536 * 2 ** 20, 'memory')).toBe('1536Mi');
    expect(formatQuantity(1000, 'memory')).toBe('1000');
    expect(formatQuantity(2 ** 30, 'cpu')).toBe(String(2 ** 30));
  });
});
