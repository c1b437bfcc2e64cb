import { describe, expect, it } from 'vitest';
import { isValidClusterPath, joinPath, parentPath } from './paths.js';

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

  it('joins and splits', () => {
    expect(joinPath('root:acme', 'web')).toBe('root:acme:web');
    expect(parentPath('root:acme:web')).toBe('root:acme');
    expect(parentPath('root')).toBeUndefined();
  });
});
