import { describe, expect, it } from 'vitest';
import { parseHotCommand } from './fast-path.js';

describe('the hot-path parser', () => {
  it.each([
    [['ws'], { action: 'current', target: '.', short: false }],
    [['ws', '--short'], { action: 'current', short: true }],
    [['ws', '.'], { action: 'current' }],
    [['ws', 'current', '--short'], { action: 'current', short: true }],
    [['ws', 'root:acme'], { action: 'use', target: 'root:acme' }],
    [['ws', '-'], { action: 'use', target: '-' }],
    [['ws', 'use', '..'], { action: 'use', target: '..' }],
    [['ws', 'cd', ':root', '-o', 'json'], { action: 'use', target: ':root', output: 'json' }],
    [['ws', 'use'], { action: 'use', target: undefined }],
    [['ws', 'use', ''], { action: 'use', target: '' }],
    [['ws', ''], { action: 'use', target: '' }],
    [['ws', 'use', 'x', '--kubeconfig=/k'], { action: 'use', kubeconfig: '/k' }],
    [['auth', 'token', '--server', 'https://h'], { action: 'auth-token', server: 'https://h' }],
  ])('takes %j', (argv, expected) => {
    expect(parseHotCommand(argv)).toMatchObject(expected);
  });

  it.each([
    [['ws', 'tree']],
    [['ws', 'create', 'x']],
    [['ws', 'create-context']],
    [['ws', 'create-context', '--overwrite']],
    [['ws', 'use', 'x', '--help']],
    [['ws', 'a', 'b']],
    [['ws', '-o', 'table']],
    [['ws', '--kubeconfig']],
    [['auth', 'token']],
    [['dev', 'up']],
    [[]],
  ])('leaves %j to oclif', (argv) => {
    expect(parseHotCommand(argv)).toBeUndefined();
  });
});
