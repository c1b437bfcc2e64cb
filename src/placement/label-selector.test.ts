import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  LabelSelectorSyntaxError,
  formatLabelSelector,
  labelSelectorMismatches,
  labelSelectorProblem,
  matchesLabelSelector,
  parseLabelSelector,
} from './label-selector.js';
import type { LabelSelector } from './types.js';

describe('parseLabelSelector', () => {
  it.each<[string, LabelSelector]>([
    ['', {}],
    ['   ', {}],
    ['region=eu-west', { matchLabels: { region: 'eu-west' } }],
    ['region==eu-west', { matchLabels: { region: 'eu-west' } }],
    [' region = eu-west , tier=gold ', { matchLabels: { region: 'eu-west', tier: 'gold' } }],
    ['region=', { matchLabels: { region: '' } }],
    ['region!=eu-west', { matchExpressions: [{ key: 'region', operator: 'NotIn', values: ['eu-west'] }] }],
    [
      'region in (eu-west, eu-central)',
      { matchExpressions: [{ key: 'region', operator: 'In', values: ['eu-west', 'eu-central'] }] },
    ],
    [
      'region notin (us-east)',
      { matchExpressions: [{ key: 'region', operator: 'NotIn', values: ['us-east'] }] },
    ],
    ['gpu', { matchExpressions: [{ key: 'gpu', operator: 'Exists' }] }],
    ['!gpu', { matchExpressions: [{ key: 'gpu', operator: 'DoesNotExist' }] }],
    ['! gpu', { matchExpressions: [{ key: 'gpu', operator: 'DoesNotExist' }] }],
    [
      'example.com/tier=gold,!spot,zone in (a)',
      {
        matchLabels: { 'example.com/tier': 'gold' },
        matchExpressions: [
          { key: 'spot', operator: 'DoesNotExist' },
          { key: 'zone', operator: 'In', values: ['a'] },
        ],
      },
    ],
    // Two values for one key cannot both live in matchLabels; the AND is kept (and matches nothing).
    ['a=1,a=2', { matchLabels: { a: '1' }, matchExpressions: [{ key: 'a', operator: 'In', values: ['2'] }] }],
    ['a=1,a=1', { matchLabels: { a: '1' } }],
    // `in` and `notin` are only keywords where an operator is expected.
    ['in=notin', { matchLabels: { in: 'notin' } }],
    // As apimachinery: empty values between commas, repeats counted once.
    ['region notin (a,)', { matchExpressions: [{ key: 'region', operator: 'NotIn', values: ['a', ''] }] }],
    ['region in (,)', { matchExpressions: [{ key: 'region', operator: 'In', values: [''] }] }],
    ['region in (a,b,a)', { matchExpressions: [{ key: 'region', operator: 'In', values: ['a', 'b'] }] }],
  ])('%j', (input, expected) => {
    expect(parseLabelSelector(input)).toEqual(expected);
  });

  it.each<[string, number, RegExp]>([
    ['region in (a', 12, /expected "," or "\)" after "a", found the end/],
    ['region in a', 10, /expected "\(" after "in", found "a"/],
    ['region in ()', 11, /"in" on "region" needs at least one value/],
    ['region in (a b)', 13, /expected "," or "\)" after "a", found "b"/],
    ['region in (a,!)', 13, /expected a value, found "!"/],
    ['region=a b', 9, /expected "," between requirements, found "b"/],
    ['region=a,', 9, /expected a requirement after ","/],
    [',region', 0, /expected a label key, found ","/],
    ['region >= 3', 7, /compares numbers/],
    ['replicas<3', 8, /compares numbers/],
    ['region eu', 7, /expected an operator after "region" \(=, ==, !=, in, notin\), found "eu"/],
    ['-bad=1', 0, /label key name "-bad" must start and end with a letter or digit/],
    ['Example.com/x=1', 0, /prefix "Example.com" must be a DNS subdomain/],
    ['region=eu_', 7, /label value "eu_" must start and end/],
    [`region=${'a'.repeat(64)}`, 7, /longer than 63 characters/],
    ['!', 1, /expected a label key, found the end/],
    ['a=(b)', 2, /expected a value after "=", found "\("/],
  ])('rejects %j at offset %i', (input, position, message) => {
    let error: unknown;
    try {
      parseLabelSelector(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LabelSelectorSyntaxError);
    const syntax = error as LabelSelectorSyntaxError;
    expect(syntax.position).toBe(position);
    expect(syntax.problem).toMatch(message);
    expect(syntax.message).toContain(JSON.stringify(input));
    expect(syntax.message).toContain(`column ${position + 1}`);
  });
});

describe('matchesLabelSelector', () => {
  const labels = { region: 'eu-west', tier: 'gold', empty: '' };
  it.each<[string, boolean]>([
    ['', true],
    ['region=eu-west', true],
    ['region=us-east', false],
    ['region!=us-east', true],
    ['missing!=x', true],
    ['region in (us-east,eu-west)', true],
    ['region notin (eu-west)', false],
    ['missing notin (a)', true],
    ['missing in (a)', false],
    ['tier', true],
    ['!tier', false],
    ['!missing', true],
    ['empty=', true],
    ['empty', true],
    ['region=eu-west,tier=silver', false],
    ['constructor', false],
  ])('%j → %s', (selector, expected) => {
    expect(matchesLabelSelector(parseLabelSelector(selector), labels)).toBe(expected);
  });

  it('matches nothing for an absent selector and everything for an empty one', () => {
    expect(matchesLabelSelector(undefined, labels)).toBe(false);
    expect(matchesLabelSelector({}, {})).toBe(true);
  });
});

describe('labelSelectorMismatches', () => {
  it('names every key that failed, what was wanted and what was there', () => {
    const selector = parseLabelSelector('region in (eu-west,eu-central),tier=gold,!spot,gpu');
    expect(labelSelectorMismatches(selector, { region: 'us-east', tier: 'gold', spot: 'true' })).toEqual([
      { key: 'region', wanted: 'region in (eu-west,eu-central)', actual: 'us-east' },
      { key: 'spot', wanted: '!spot', actual: 'true' },
      { key: 'gpu', wanted: 'gpu', actual: undefined },
    ]);
  });
});

describe('labelSelectorProblem', () => {
  it.each<[LabelSelector, RegExp | undefined]>([
    [{}, undefined],
    [{ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }, /In on "a" needs at least one value/],
    [
      { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] },
      /Exists on "a" takes no values/,
    ],
    [{ matchExpressions: [{ key: 'a', operator: 'Gt' as never, values: ['1'] }] }, /"Gt" is not a valid/],
    [{ matchLabels: { 'bad key': 'x' } }, /label key name "bad key"/],
  ])('%j', (selector, problem) => {
    const found = labelSelectorProblem(selector);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toMatch(problem);
  });
});

describe('formatLabelSelector', () => {
  it.each<[string, string]>([
    ['', ''],
    ['tier=gold,region=eu-west', 'region=eu-west,tier=gold'],
    ['region!=a', 'region!=a'],
    ['region notin (a,b),region in (c),x,!y', 'region notin (a,b),region in (c),x,!y'],
    ['a=1,a=', 'a=1,a in (,)'],
    ['a in (,b)', 'a in (,b)'],
  ])('%j → %j', (input, formatted) => {
    expect(formatLabelSelector(parseLabelSelector(input))).toBe(formatted);
  });

  const key = fc.constantFrom('region', 'zone', 'example.com/tier', 'gpu');
  const value = fc.constantFrom('', 'a', 'b', 'eu-west', 'x.y_z');
  // A list of one empty value is typed `(,)`: `()` is an error.
  const setValues = fc
    .array(fc.constantFrom('', 'a', 'b', 'eu-west', 'x.y_z'), { minLength: 1, maxLength: 3 })
    .map((vs) => (vs.length === 1 && vs[0] === '' ? ['', ''] : vs));
  const requirement = fc.oneof(
    fc.tuple(key, value).map(([k, v]) => `${k}=${v}`),
    fc.tuple(key, value).map(([k, v]) => `${k}!=${v}`),
    fc.tuple(key, setValues).map(([k, vs]) => `${k} in (${vs.join(', ')})`),
    fc.tuple(key, setValues).map(([k, vs]) => `${k} notin (${vs.join(',')})`),
    key,
    key.map((k) => `!${k}`),
  );
  const labels = fc.dictionary(key, value, { maxKeys: 4 });

  it('formats to a string that parses to a selector matching exactly the same labels', () => {
    fc.assert(
      fc.property(
        fc.array(requirement, { maxLength: 5 }),
        fc.array(labels, { minLength: 1, maxLength: 10 }),
        (reqs, samples) => {
          const selector = parseLabelSelector(reqs.join(','));
          const again = parseLabelSelector(formatLabelSelector(selector));
          for (const l of samples)
            expect(matchesLabelSelector(again, l)).toBe(matchesLabelSelector(selector, l));
        },
      ),
    );
  });
});
