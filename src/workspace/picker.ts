import { ExitCode, KplaneError } from '../cli/errors.js';
import type { KubeconfigSourceOptions } from '../context/kubeconfig/sources.js';
import { parseWorkspaceUrl } from '../context/workspace-url.js';
import { readCurrentContext } from './kubeconfig-view.js';
import { fetchWorkspaceTree, type WorkspaceTreeNode } from './tree.js';
import { fetchHomePath } from './home.js';
import { platformClient } from './target.js';
import { escapeControlCharacters } from '../cli/terminal-text.js';

export interface PickerEntry {
  path: string;
  type?: string;
}

/** Esc or Ctrl-C in the picker: nothing changed, and the shell sees the usual 128+SIGINT. */
export class PickerCancelledError extends KplaneError {
  constructor() {
    super('cancelled', ExitCode.cancelled);
  }
}

/** Everything below the given roots, once each, sorted by path. */
export function flattenWorkspaceTrees(trees: readonly WorkspaceTreeNode[]): PickerEntry[] {
  const byPath = new Map<string, PickerEntry>();
  const walk = (node: WorkspaceTreeNode) => {
    if (!byPath.has(node.path) || (node.type && !byPath.get(node.path)!.type)) {
      byPath.set(node.path, { path: node.path, ...(node.type ? { type: node.type } : {}) });
    }
    node.children.forEach(walk);
  };
  trees.forEach(walk);
  return [...byPath.values()].sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * Simple fuzzy filter: every typed character appears in order, case-insensitive. Prefix matches rank first,
 * then contiguous (substring) matches, then scattered ones; ties keep the input order.
 */
export function fuzzyFilter(entries: readonly PickerEntry[], term: string): PickerEntry[] {
  const needle = term.toLowerCase();
  if (needle === '') return [...entries];
  const ranked: { entry: PickerEntry; rank: number; index: number }[] = [];
  entries.forEach((entry, index) => {
    const rank = matchRank(entry.path.toLowerCase(), needle);
    if (rank !== undefined) ranked.push({ entry, rank, index });
  });
  return ranked.sort((a, b) => a.rank - b.rank || a.index - b.index).map((r) => r.entry);
}

function matchRank(haystack: string, needle: string): number | undefined {
  if (haystack.startsWith(needle)) return 0;
  if (haystack.includes(needle)) return 1;
  let at = 0;
  for (const char of needle) {
    at = haystack.indexOf(char, at);
    if (at === -1) return undefined;
    at++;
  }
  return 2;
}

/** The workspaces the user may enter: the trees from root, home and the current workspace, skipping what fails. */
export async function listEnterableWorkspaces(kubeconfig: KubeconfigSourceOptions): Promise<PickerEntry[]> {
  const current = await readCurrentContext(kubeconfig);
  const parsed = parseWorkspaceUrl(current.server);
  const client = platformClient(current);
  try {
    const home = await fetchHomePath(client).catch(() => undefined);
    const roots = [...new Set(['root', home, parsed?.path].filter((p): p is string => Boolean(p)))];
    const trees = await Promise.all(
      roots.map((path) => fetchWorkspaceTree(client, path).catch(() => undefined)),
    );
    return flattenWorkspaceTrees(trees.filter((t): t is WorkspaceTreeNode => t !== undefined));
  } finally {
    client.close();
  }
}

/** Shows the picker; resolves to the chosen absolute path. The prompt library loads only here. */
export async function pickWorkspace(entries: readonly PickerEntry[]): Promise<string> {
  if (entries.length === 0) throw new KplaneError('there are no workspaces you can list');
  const { default: search } = await import('@inquirer/search');
  const controller = new AbortController();
  // The prompt only knows Ctrl-C. readline (which the prompt enables) tells a lone Esc from the start of an
  // arrow key's escape sequence, so listen to its keypress events rather than raw bytes.
  const onKeypress = (_text: unknown, key: { name?: string } | undefined) => {
    if (key?.name === 'escape') controller.abort();
  };
  process.stdin.on('keypress', onKeypress);
  try {
    return await search<string>(
      {
        message: 'Workspace:',
        pageSize: 15,
        source: (term) =>
          fuzzyFilter(entries, term ?? '').map((entry) => ({
            value: entry.path,
            // The prompt writes to the terminal itself, past IOStreams: show control characters here too.
            name: escapeControlCharacters(entry.type ? `${entry.path} (${entry.type})` : entry.path),
          })),
      },
      { signal: controller.signal, output: process.stdout, input: process.stdin, clearPromptOnDone: false },
    );
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'ExitPromptError' || name === 'AbortPromptError') throw new PickerCancelledError();
    throw error;
  } finally {
    process.stdin.off('keypress', onKeypress);
    // An aborted prompt can leave stdin flowing, which would keep the process waiting for input.
    process.stdin.pause();
  }
}
