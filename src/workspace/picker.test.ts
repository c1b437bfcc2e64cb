import { describe, expect, it } from 'vitest';
import { flattenWorkspaceTrees, fuzzyFilter, type PickerEntry } from './picker.js';
import type { WorkspaceTreeNode } from './tree.js';

const entries: PickerEntry[] = [
  { path: 'root' },
  { path: 'root:acme' },
  { path: 'root:acme:api' },
  { path: 'root:acme:web' },
  { path: 'root:webshop' },
  { path: 'root:users:alice' },
];

describe('fuzzyFilter', () => {
  it.each([
    ['', entries.map((e) => e.path)],
    ['acme:we', ['root:acme:web']],
    ['ACME:WE', ['root:acme:web']],
    ['web', ['root:acme:web', 'root:webshop']],
    ['root:w', ['root:webshop', 'root:acme:web']],
    ['rtw', ['root:acme:web', 'root:webshop']],
    ['zzz', []],
  ])('%j matches %j, prefix and contiguous matches first', (term, expected) => {
    expect(fuzzyFilter(entries, term).map((e) => e.path)).toEqual(expected);
  });
});

describe('flattenWorkspaceTrees', () => {
  const node = (path: string, children: WorkspaceTreeNode[] = [], type?: string): WorkspaceTreeNode => ({
    name: path.slice(path.lastIndexOf(':') + 1),
    path,
    ...(type ? { type } : {}),
    children,
  });

  it('lists every node once, sorted, keeping a known type', () => {
    const fromRoot = node('root', [node('root:acme', [node('root:acme:web', [], 'root:team')])]);
    const fromCurrent = node('root:acme', [node('root:acme:web')]);
    const fromHome = node('root:users:alice');
    expect(flattenWorkspaceTrees([fromRoot, fromCurrent, fromHome])).toEqual([
      { path: 'root' },
      { path: 'root:acme' },
      { path: 'root:acme:web', type: 'root:team' },
      { path: 'root:users:alice' },
    ]);
  });
});
