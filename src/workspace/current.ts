import { printData, type IOStreams, type OutputFormat } from '../cli/io.js';
import type { KubeconfigSourceOptions } from '../context/kubeconfig/sources.js';
import { parseWorkspaceUrl } from '../context/workspace-url.js';
import { readCurrentServer } from './kubeconfig-view.js';

export interface CurrentWorkspaceView {
  /** Absent when the current context's server is not a workspace URL. */
  path?: string;
  type?: string;
  url: string;
}

/**
 * `ws current` / `ws .`: read the kubeconfig only; never touches the network. With `short`, a kubeconfig without
 * a workspace prints nothing and is no error.
 */
export async function showCurrentWorkspace(
  options: { kubeconfig: KubeconfigSourceOptions; short: boolean; output: OutputFormat },
  io: IOStreams,
): Promise<CurrentWorkspaceView> {
  let server: string;
  try {
    server = await readCurrentServer(options.kubeconfig);
  } catch (error) {
    // A shell prompt calls `ws --short`: with no kubeconfig or no current context it shows nothing and succeeds.
    if (options.short) return { url: '' };
    throw error;
  }
  const view = workspaceView(server);
  await printCurrentWorkspace(io, view, options);
  return view;
}

/** What `ws current` and `ws use` show for a server URL (the path only when it is a workspace URL). */
export function workspaceView(server: string, type?: string): CurrentWorkspaceView {
  const parsed = parseWorkspaceUrl(server);
  return parsed ? { path: parsed.path, type, url: server } : { url: server };
}

/** kcp's exact sentences, so scripts written against `kubectl ws` keep working. */
export async function printCurrentWorkspace(
  io: IOStreams,
  view: CurrentWorkspaceView,
  options: { short: boolean; output: OutputFormat },
): Promise<void> {
  if (options.output !== 'text') {
    await printData(io, options.output, view);
    return;
  }
  if (options.short) {
    if (view.path) io.out(view.path);
    return;
  }
  if (!view.path) {
    io.out(`Current workspace is the URL ${JSON.stringify(view.url)}.`);
    return;
  }
  io.out(`Current workspace is '${view.path}'${view.type ? ` (type ${view.type})` : ''}.`);
}
