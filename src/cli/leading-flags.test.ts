import { describe, expect, it } from 'vitest';
import { moveLeadingFlags } from './leading-flags.js';

describe('moveLeadingFlags', () => {
  it.each([
    [
      ['-w', 'root:acme:ci', 'bind', 'list'],
      ['bind', 'list', '-w', 'root:acme:ci'],
    ],
    [
      ['--workspace=:root', 'place', 'list'],
      ['place', 'list', '--workspace=:root'],
    ],
    [
      ['--kubeconfig', '/k', '-w', 'x', 'ws', 'exec', 'y', '--', 'kubectl', '-w'],
      ['ws', 'exec', 'y', '--kubeconfig', '/k', '-w', 'x', '--', 'kubectl', '-w'],
    ],
    [
      ['ws', 'tree', '-w', 'x'],
      ['ws', 'tree', '-w', 'x'],
    ],
    [['-w'], ['-w']],
  ])('%j → %j', (argv, expected) => {
    expect(moveLeadingFlags(argv)).toEqual(expected);
  });
});
