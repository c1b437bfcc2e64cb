import { describe, expect, it } from 'vitest';
import { matchesLabels, parseLabelSelector } from './label-selector.js';
import { matchesFields, parseFieldSelector } from './field-selector.js';

const labels = { app: 'web', tier: 'frontend', 'kplane.io/team': 'ci', size: '5' };

describe('label selectors', () => {
  it.each([
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app!=web', false],
    ['app=api', false],
    ['missing!=x', true],
    ['app', true],
    ['!app', false],
    ['!missing', true],
    ['app in (api, web)', true],
    ['app in (api)', false],
    ['app notin (api,db)', true],
    ['missing notin (a)', true],
    ['missing in (a)', false],
    ['app=web,tier=frontend', true],
    ['app=web,tier=backend', false],
    ['kplane.io/team=ci', true],
    ['size>4', true],
    ['size<4', false],
    ['app=', false],
  ])('%j matches: %s', (selector, expected) => {
    expect(matchesLabels(parseLabelSelector(selector), labels)).toBe(expected);
  });

  it('matches the empty value', () => {
    expect(matchesLabels(parseLabelSelector('env='), { env: '' })).toBe(true);
    expect(matchesLabels(parseLabelSelector('env in (,prod)'), { env: '' })).toBe(true);
  });

  it.each(['app=web,', 'app in web', 'app in (a', '=web', 'app=web=x', 'bad key=1', 'app=-x-', 'size>x'])(
    'rejects %j',
    (selector) => {
      expect(() => parseLabelSelector(selector)).toThrow(/unable to parse requirement/);
    },
  );
});

describe('field selectors', () => {
  const fields: Record<string, string> = { 'metadata.name': 'a,b', 'metadata.namespace': 'default' };
  const lookup = (field: string) => fields[field];

  it('parses operators and escapes', () => {
    expect(parseFieldSelector('metadata.name=a\\,b,metadata.namespace!=kube-system')).toEqual([
      { field: 'metadata.name', operator: '=', value: 'a,b' },
      { field: 'metadata.namespace', operator: '!=', value: 'kube-system' },
    ]);
    expect(parseFieldSelector('metadata.name==x')[0]).toEqual({
      field: 'metadata.name',
      operator: '=',
      value: 'x',
    });
  });

  it('matches', () => {
    expect(matchesFields(parseFieldSelector('metadata.name=a\\,b'), lookup)).toBe(true);
    expect(matchesFields(parseFieldSelector('metadata.namespace!=default'), lookup)).toBe(false);
    expect(matchesFields(parseFieldSelector(''), lookup)).toBe(true);
  });

  it('rejects nonsense', () => {
    expect(() => parseFieldSelector('metadata.name')).toThrow(/invalid selector/);
  });
});
