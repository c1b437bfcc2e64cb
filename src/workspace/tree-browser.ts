import readline from 'node:readline';
import type { WorkspaceTreeNode } from './tree.js';
import { PickerCancelledError } from './picker.js';
import { escapeControlCharacters } from '../cli/terminal-text.js';

export interface BrowserRow {
  node: WorkspaceTreeNode;
  depth: number;
}

export interface BrowserState {
  expanded: ReadonlySet<string>;
  cursor: number;
}

/** The rows on screen: a node's children show only while it is expanded. */
export function visibleRows(root: WorkspaceTreeNode, expanded: ReadonlySet<string>): BrowserRow[] {
  const rows: BrowserRow[] = [];
  const walk = (node: WorkspaceTreeNode, depth: number) => {
    rows.push({ node, depth });
    if (expanded.has(node.path)) for (const child of node.children) walk(child, depth + 1);
  };
  walk(root, 0);
  return rows;
}

export type BrowserKey = 'up' | 'down' | 'left' | 'right';

/** ↑/↓ move; → expands (or steps into the first child); ← collapses (or steps to the parent). */
export function moveInTree(root: WorkspaceTreeNode, state: BrowserState, key: BrowserKey): BrowserState {
  const rows = visibleRows(root, state.expanded);
  const row = rows[state.cursor]!;
  const expanded = new Set(state.expanded);
  if (key === 'up') return { expanded, cursor: Math.max(0, state.cursor - 1) };
  if (key === 'down') return { expanded, cursor: Math.min(rows.length - 1, state.cursor + 1) };
  if (key === 'right') {
    if (row.node.children.length === 0) return state;
    if (!expanded.has(row.node.path)) expanded.add(row.node.path);
    else return { expanded, cursor: state.cursor + 1 };
    return { expanded, cursor: state.cursor };
  }
  if (expanded.has(row.node.path)) {
    expanded.delete(row.node.path);
    return { expanded, cursor: state.cursor };
  }
  const parent = rows.slice(0, state.cursor).findLastIndex((r) => r.depth < row.depth);
  return { expanded, cursor: parent === -1 ? state.cursor : parent };
}

export function renderBrowser(root: WorkspaceTreeNode, state: BrowserState): string {
  const lines = visibleRows(root, state.expanded).map(({ node, depth }, index) => {
    const marker = node.children.length === 0 ? ' ' : state.expanded.has(node.path) ? '▾' : '▸';
    const type = node.type ? ` (${node.type})` : '';
    return `${index === state.cursor ? '❯' : ' '} ${'  '.repeat(depth)}${marker} ${node.name}${type}`;
  });
  return [...lines, '', '↑↓ move • ←→ collapse/expand • enter switch • esc quit'].join('\n');
}

const keyNames: Record<string, BrowserKey> = { up: 'up', down: 'down', left: 'left', right: 'right' };

/** Runs the browser on the terminal; resolves to the chosen path, rejects with PickerCancelledError on Esc/q/Ctrl-C. */
export function browseWorkspaceTree(root: WorkspaceTreeNode): Promise<string> {
  const input = process.stdin;
  const output = process.stdout;
  let state: BrowserState = { expanded: new Set([root.path]), cursor: 0 };
  // Written past IOStreams (raw mode), so names from the server are escaped here.
  const draw = () =>
    output.write(
      `\x1b[2J\x1b[H${escapeControlCharacters(renderBrowser(root, state)).replaceAll('\n', '\r\n')}`,
    );
  return new Promise((resolve, reject) => {
    readline.emitKeypressEvents(input);
    input.setRawMode(true);
    input.resume();
    const finish = (done: () => void) => {
      input.off('keypress', onKey);
      input.setRawMode(false);
      input.pause();
      output.write('\r\n');
      done();
    };
    const onKey = (_text: unknown, key: { name?: string; ctrl?: boolean } | undefined) => {
      if (!key?.name) return;
      if (key.name === 'escape' || key.name === 'q' || (key.ctrl && key.name === 'c')) {
        finish(() => reject(new PickerCancelledError()));
        return;
      }
      if (key.name === 'return') {
        const row = visibleRows(root, state.expanded)[state.cursor]!;
        finish(() => resolve(row.node.path));
        return;
      }
      const move = keyNames[key.name];
      if (!move) return;
      state = moveInTree(root, state, move);
      draw();
    };
    input.on('keypress', onKey);
    draw();
  });
}
