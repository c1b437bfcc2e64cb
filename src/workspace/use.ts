import type { IOStreams, OutputFormat } from '../cli/io.js';
import type { KubeconfigSourceOptions } from '../context/kubeconfig/sources.js';
import { bindingClaimWarnings, bindingsListPath, type APIBindingList } from '../apis/binding-warnings.js';
import { printCurrentWorkspace, workspaceView, type CurrentWorkspaceView } from './current.js';
import { readCurrentContext } from './kubeconfig-view.js';
import { prepareKubeconfigSwitch } from './switch-kubeconfig.js';
import { checkTarget, platformClient, resolveTarget } from './target.js';

export interface UseWorkspaceOptions {
  kubeconfig: KubeconfigSourceOptions;
  /** The argument as typed; '' means home. */
  target: string;
  short: boolean;
  output: OutputFormat;
}

const homeNote =
  "Note: 'kplane ws use' with no argument goes to your home workspace. 'kplane ws -' goes back, 'kplane ws' prints the current one.";

/** `ws use`: resolve the path, check it with the server, rewrite the kubeconfig, and say where we are. */
export async function useWorkspace(
  options: UseWorkspaceOptions,
  io: IOStreams,
): Promise<CurrentWorkspaceView> {
  const current = await readCurrentContext(options.kubeconfig);
  const resolution = resolveTarget(current, options.target);
  if (resolution.kind === 'current') return show(io, workspaceView(current.server, undefined), options);

  const switchKubeconfig = prepareKubeconfigSwitch(options.kubeconfig, current, {
    onWait: (_, notice) => io.err(notice),
  });
  if (resolution.kind === 'previous') {
    return show(io, workspaceView(await switchKubeconfig({ kind: 'swap' }), undefined), options);
  }

  const client = platformClient(current);
  try {
    // The bindings list kcp's claim warnings need doubles as the access probe, saving a discovery request.
    const target = await checkTarget<APIBindingList>(
      client,
      current,
      options.target,
      resolution,
      options.short ? undefined : bindingsListPath,
    );
    // kcp warns about permission claims left open in the new workspace; ask while the kubeconfig is written.
    const warnings = options.short ? [] : bindingClaimWarnings(client, target.path, target.probe);
    await switchKubeconfig({ kind: 'use', server: target.url });
    const view = await show(io, workspaceView(target.url, target.type), options);
    if (!options.short) {
      const home = target.wentHome && options.target === '' ? [homeNote] : [];
      for (const note of [...home, ...target.notes, ...(await warnings)]) io.err(note);
    }
    return view;
  } finally {
    client.close();
  }
}

async function show(
  io: IOStreams,
  view: CurrentWorkspaceView,
  options: UseWorkspaceOptions,
): Promise<CurrentWorkspaceView> {
  await printCurrentWorkspace(io, view, options);
  return view;
}
