import { describe, expect, it } from 'vitest';
import { moveInTree, visibleRows, type BrowserState } from './tree-browser.js';
import type { WorkspaceTreeNode } from './tree.js';

const node = (path: string, children: WorkspaceTreeNode[] = []): WorkspaceTreeNode => ({
  name: path.slice(path.lastIndexOf(':') + 1),
  path,
  children,
});
const tree = node('root', [node('root:acme', [node('root:acme:web')]), node('root:beta')]);
const paths = (state: BrowserState) => visibleRows(tree, state.expanded).map((r) => r.node.path);
const cursorPath = (state: BrowserState) => paths(state)[state.cursor];

describe('moveInTree', () => {
  it('expands, steps in, steps back to the parent and collapses', () => {
    let state: BrowserState = { expanded: new Set(['root']), cursor: 0 };
    expect(paths(state)).toEqual(['root', 'root:acme', 'root:beta']);
    state = moveInTree(tree, state, 'down');
    expect(cursorPath(state)).toBe('root:acme');
    state = moveInTree(tree, state, 'right');
    expect(paths(state)).toEqual(['root', 'root:acme', 'root:acme:web', 'root:beta']);
    state = moveInTree(tree, state, 'right');
    expect(cursorPath(state)).toBe('root:acme:web');
    state = moveInTree(tree, state, 'left');
    expect(cursorPath(state)).toBe('root:acme');
    state = moveInTree(tree, state, 'left');
    expect(paths(state)).toEqual(['root', 'root:acme', 'root:beta']);
    state = moveInTree(tree, moveInTree(tree, state, 'down'), 'down');
    expect(cursorPath(state)).toBe('root:beta');
    expect(moveInTree(tree, { expanded: new Set(), cursor: 0 }, 'up').cursor).toBe(0);
  });
});
