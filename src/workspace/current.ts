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
  const parsed = parseWorkspaceUrl(server);
  const view: CurrentWorkspaceView = parsed ? { path: parsed.path, url: server } : { url: server };
  await printCurrentWorkspace(io, view, options);
  return view;
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
