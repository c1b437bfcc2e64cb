import { describe, expect, it } from 'vitest';
import { isValidClusterPath, joinPath, parentPath, parseClusterSegment } from './paths.js';

describe('cluster paths', () => {
  it.each(['root', 'root:acme', 'root:acme:web', 'a', '0a', 'x'.repeat(63), 'k3k8s2ysm1x0d4ta'])(
    'accepts %s',
    (path) => expect(isValidClusterPath(path)).toBe(true),
  );

  it.each([
    '',
    'root:',
    ':root',
    'root::acme',
    'root:föö',
    'root:bar_bar',
    'root/acme',
    'root:bar-',
    'root:-bar',
    'Root',
    'x'.repeat(64),
    '*',
  ])('rejects %j', (path) => expect(isValidClusterPath(path)).toBe(false));

  it('decodes the URL segment once', () => {
    expect(parseClusterSegment('root%3Aacme')).toBe('root:acme');
    expect(parseClusterSegment('root:acme')).toBe('root:acme');
    expect(parseClusterSegment('root%253Aacme')).toBeUndefined();
    expect(parseClusterSegment('root%2Facme')).toBeUndefined();
    expect(parseClusterSegment('%E0%A4%A')).toBeUndefined();
    expect(parseClusterSegment('..')).toBeUndefined();
  });

  it('joins and splits', () => {
    expect(joinPath('root:acme', 'web')).toBe('root:acme:web');
    expect(parentPath('root:acme:web')).toBe('root:acme');
    expect(parentPath('root')).toBeUndefined();
  });
});
