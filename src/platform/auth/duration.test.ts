import { describe, expect, it } from 'vitest';
import { DurationError, parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['1s', 1_000],
    ['90s', 90_000],
    ['30m', 1_800_000],
    ['12h', 43_200_000],
    ['7d', 604_800_000],
    ['1h30m', 5_400_000],
    ['1d2h3m4s', 93_784_000],
    ['0h5m', 300_000],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each([
    '',
    '5',
    'm',
    '1.5h',
    '-1h',
    '1w',
    '1H',
    ' 1h',
    '1h ',
    '30m1h',
    '1h1h',
    '0s',
    '0d0h',
    '1h-30m',
    'soon',
  ])('rejects %j', (text) => expect(() => parseDuration(text)).toThrow(DurationError));

  it('says what a valid duration looks like', () => {
    expect(() => parseDuration('1w')).toThrow('invalid duration "1w": use a number and a unit s, m, h or d');
  });
});
