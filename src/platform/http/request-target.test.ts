import { describe, expect, it } from 'vitest';
import { parseRequestTarget } from './request-target.js';

const path = (url: string) => parseRequestTarget(url).segments;

describe('parseRequestTarget', () => {
  const configMaps = ['clusters', 'root:acme:web', 'api', 'v1', 'configmaps'];

  it.each([
    '/clusters/root:acme:web/api/v1/configmaps',
    '/clusters/root%3Aacme%3Aweb/api/v1/configmaps',
    '/clusters/root%3aacme%3aweb/api/v1/configmaps',
    '/clusters/root:acme:%77eb/api/v1/configmaps',
    '/clusters/root:acme:web/api/v1/../v1/configmaps',
    '/clusters/root/../root:acme:web/api/v1/configmaps',
    '/clusters/root/%2e%2e/root:acme:web/api/v1/configmaps',
    '/clusters/root/%2E%2E/root:acme:web/./api/v1/configmaps',
    '/clusters/root:acme:web/api/v1/configmaps/',
    '//clusters//root:acme:web///api/v1/configmaps//',
    '/./clusters/root:acme:web/api/v1/configmaps/.',
    '/../../clusters/root:acme:web/api/v1/configmaps',
    'https://127.0.0.1:6443/clusters/root:acme:web/api/v1/configmaps',
    '/clusters/root:acme:web/api/v1/configmaps#fragment',
  ])('%s names root:acme:web', (url) => expect(path(url)).toEqual(configMaps));

  it('decodes each segment once, so an encoded percent stays a percent', () => {
    expect(path('/clusters/root%253Aacme/api')).toEqual(['clusters', 'root%3Aacme', 'api']);
    expect(path('/clusters/%252e%252e/api')).toEqual(['clusters', '%2e%2e', 'api']);
  });

  it('keeps an encoded slash inside its segment', () => {
    expect(path('/clusters/root%2Facme/api')).toEqual(['clusters', 'root/acme', 'api']);
  });

  it('marks segments that do not decode', () => {
    expect(path('/clusters/root%ZZ/api')).toEqual(['clusters', undefined, 'api']);
    expect(path('/clusters/%E0%A4%A/api')).toEqual(['clusters', undefined, 'api']);
  });

  it('keeps the query apart from the path', () => {
    const target = parseRequestTarget('/clusters/root/api/v1/configmaps?watch&labelSelector=a%3Db');
    expect(target.segments).toEqual(['clusters', 'root', 'api', 'v1', 'configmaps']);
    expect(target.query.has('watch')).toBe(true);
    expect(target.query.get('labelSelector')).toBe('a=b');
    expect(path('/clusters/root/api/v1/configmaps/%3Fx')).toEqual([
      'clusters',
      'root',
      'api',
      'v1',
      'configmaps',
      '?x',
    ]);
  });

  it('reads an empty target as the top', () => {
    expect(path('')).toEqual([]);
    expect(path('/')).toEqual([]);
  });
});
