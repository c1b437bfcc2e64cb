import { InvalidInputError } from '../cli/errors.js';
import type { IOStreams, OutputFormat } from '../cli/io.js';
import type { KubeconfigSourceOptions } from '../context/kubeconfig/sources.js';
import { bindingClaimWarnings, bindingsListPath, type APIBindingList } from '../apis/binding-warnings.js';
import { printCurrentWorkspace, workspaceView, type CurrentWorkspaceView } from './current.js';
import { readCurrentContext } from './kubeconfig-view.js';
import { prepareKubeconfigSwitch } from './switch-kubeconfig.js';
import { checkTarget, platformClient, resolveTarget } from './target.js';

export interface UseWorkspaceOptions {
  kubeconfig: KubeconfigSourceOptions;
  /** The argument as typed; undefined (no argument) means home, and an empty one is refused. */
  target: string | undefined;
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
  // `ws use "$DIR"` with an unset variable must not move a script somewhere it never asked for.
  if (options.target === '') {
    throw new InvalidInputError(
      'the workspace path is empty: give a path, "~" for your home workspace, or no argument at all',
    );
  }
  const target = options.target ?? '';
  const current = await readCurrentContext(options.kubeconfig);
  const resolution = resolveTarget(current, target);
  if (resolution.kind === 'current') return show(io, workspaceView(current.server, undefined), options);

  const switchKubeconfig = prepareKubeconfigSwitch(options.kubeconfig, current, {
    onWait: (_, notice) => io.err(notice),
  });
  if (resolution.kind === 'previous') {
    return show(io, workspaceView(await switchKubeconfig({ kind: 'swap' }), undefined), options);
  }

  // One deadline for the whole check: the home lookup, the probe, discovery when the probe fails.
  const client = platformClient(current);
  try {
    // The bindings list kcp's claim warnings need doubles as the access probe, saving a discovery request.
    const checked = await checkTarget<APIBindingList>(
      client,
      current,
      target,
      resolution,
      options.short ? undefined : bindingsListPath,
    );
    // kcp warns about permission claims left open in the new workspace; ask while the kubeconfig is written.
    const warnings = options.short ? [] : bindingClaimWarnings(client, checked.path, checked.probe);
    await switchKubeconfig({ kind: 'use', server: checked.url });
    const view = await show(io, workspaceView(checked.url, checked.type), options);
    if (!options.short) {
      const home = checked.wentHome && options.target === undefined ? [homeNote] : [];
      for (const note of [...home, ...checked.notes, ...(await warnings)]) io.err(note);
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
