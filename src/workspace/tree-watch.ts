import { setTimeout as sleep } from 'node:timers/promises';
import { clearScreen, type IOStreams } from '../cli/io.js';
import type { RestClient } from '../client/rest-client.js';
import { fetchWorkspaceTree, renderWorkspaceTree } from './tree.js';

export interface WatchTreeOptions {
  path: string;
  full: boolean;
  intervalMs: number;
  signal: AbortSignal;
}

/**
 * `ws tree --watch`: polling is the robust choice because a change can happen in any workspace of the tree,
 * and each one would need its own watch. Redraws only when the rendered text changes; returns when aborted.
 */
export async function watchWorkspaceTree(
  client: RestClient,
  options: WatchTreeOptions,
  io: IOStreams,
): Promise<void> {
  let shown: string | undefined;
  while (!options.signal.aborted) {
    let text: string;
    try {
      text = renderWorkspaceTree(await fetchWorkspaceTree(client, options.path), { full: options.full });
    } catch (error) {
      if (options.signal.aborted) return;
      throw error;
    }
    if (text !== shown) {
      shown = text;
      const stamp = `Every ${options.intervalMs / 1000}s: ${new Date().toISOString()}`;
      if (io.stdoutIsTTY) io.out(`${clearScreen()}${stamp}\n\n${text}`);
      else io.out(`--- ${stamp}\n${text}`);
    }
    try {
      await sleep(options.intervalMs, undefined, { signal: options.signal });
    } catch {
      return;
    }
  }
}
