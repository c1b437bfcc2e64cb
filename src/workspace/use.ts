import os from 'node:os';
import { KplaneError, NotFoundError } from '../cli/errors.js';
import type { IOStreams, OutputFormat } from '../cli/io.js';
import { connectionFromSettings } from '../client/connection.js';
import { RestClient } from '../client/rest-client.js';
import type { KubeconfigSourceOptions } from '../context/kubeconfig/sources.js';
import { resolveWorkspacePath } from '../context/workspace-path.js';
import { parseWorkspaceUrl, workspaceUrl } from '../context/workspace-url.js';
import { bindingClaimWarnings, bindingsListPath, type APIBindingList } from '../apis/binding-warnings.js';
import { checkWorkspaceAccess } from './access-check.js';
import { printCurrentWorkspace, type CurrentWorkspaceView } from './current.js';
import {
  quickSwitchPlanOf,
  readCurrentContext,
  rememberQuickSwitch,
  rememberWrittenKubeconfig,
  type CurrentContextView,
} from './kubeconfig-view.js';
import type { QuickSwitch } from '../context/kubeconfig/quick-switch.js';
import { lookupHomePath } from './home.js';

export interface UseWorkspaceOptions {
  kubeconfig: KubeconfigSourceOptions;
  /** The argument as typed; '' means home. */
  target: string;
  short: boolean;
  output: OutputFormat;
}

const homeNote =
  "Note: 'kplane ws use' with no argument goes to your home workspace. 'kplane ws -' goes back, 'kplane ws' prints the current one.";

/** The kubeconfig writer and its YAML parser load while the platform is being asked, not before. */
function loadWriter() {
  return Promise.all([import('../context/kubeconfig/modify.js'), import('../context/workspace-switch.js')]);
}

/**
 * The switch without a YAML parser, when the snapshot says the file is in kcp's usual layout and the file still
 * holds those bytes. Returns the new current server, or undefined (nothing written) for the full edit.
 */
async function tryQuickSwitch(
  options: UseWorkspaceOptions,
  current: CurrentContextView,
  change: QuickSwitch,
): Promise<string | undefined> {
  const plan = quickSwitchPlanOf(options.kubeconfig, current);
  if (!plan || !current.snapshot) return undefined;
  const { quickSwitchKubeconfig } = await import('../context/kubeconfig/quick-switch.js');
  const result = await quickSwitchKubeconfig(plan, change);
  if (!result) return undefined;
  rememberQuickSwitch(options.kubeconfig, current.snapshot, result);
  return result.server;
}

/** `ws use`: resolve the path, check it with the server, rewrite the kubeconfig, and say where we are. */
export async function useWorkspace(
  options: UseWorkspaceOptions,
  io: IOStreams,
): Promise<CurrentWorkspaceView> {
  const current = await readCurrentContext(options.kubeconfig);
  const currentPath = parseWorkspaceUrl(current.server)?.path;
  const resolveOptions = { userHomeDir: os.homedir(), currentServer: current.server };
  let resolution = resolveWorkspacePath(currentPath, options.target, resolveOptions);
  const notes: string[] = [];

  if (resolution.kind === 'current') {
    const view = viewOf(current.server, undefined);
    await printCurrentWorkspace(io, view, options);
    return view;
  }
  // With a quick plan the writer is only a fallback; loading it anyway would cost the time the plan saves.
  const writer = quickSwitchPlanOf(options.kubeconfig, current) ? undefined : loadWriter();
  // An unhandled rejection would end the process before the network answer is reported.
  writer?.catch(() => undefined);
  if (resolution.kind === 'previous') {
    const swapped = await tryQuickSwitch(options, current, { kind: 'swap' });
    if (swapped !== undefined) {
      const view = viewOf(swapped, undefined);
      await printCurrentWorkspace(io, view, options);
      return view;
    }
    const [{ modifyKubeconfig }, { currentWorkspace, planSwapToPrevious }] = await (writer ?? loadWriter());
    const result = await modifyKubeconfig(options.kubeconfig, planSwapToPrevious);
    await rememberWrittenKubeconfig(options.kubeconfig, result);
    const view = viewOf(currentWorkspace(result.after).server, undefined);
    await printCurrentWorkspace(io, view, options);
    return view;
  }

  const base = parseWorkspaceUrl(current.server)?.base ?? new URL(current.server).origin;
  const client = new RestClient(connectionFromSettings(current.settings, base));
  try {
    let type: string | undefined;
    let bindings: APIBindingList | undefined;
    if (resolution.kind === 'home') {
      const homePath = await fetchHomePath(client);
      resolution = resolveWorkspacePath(currentPath, options.target, { ...resolveOptions, homePath });
      if (options.target === '' && !options.short) notes.push(homeNote);
    }
    if (resolution.kind === 'path') {
      notes.push(...resolution.notes);
      // The bindings list kcp's claim warnings need doubles as the access probe, saving a discovery request.
      const probe = options.short ? undefined : bindingsListPath(resolution.path);
      ({ type, probe: bindings } = await checkWorkspaceAccess<APIBindingList>(
        client,
        resolution.path,
        probe,
      ));
    }
    if (resolution.kind !== 'path' && resolution.kind !== 'top') {
      throw new KplaneError(`cannot switch to "${options.target}"`);
    }
    const targetUrl = workspaceUrl(base, resolution.path);
    // kcp warns about permission claims left open in the new workspace; ask while the kubeconfig is written.
    const warnings = options.short
      ? Promise.resolve([])
      : bindingClaimWarnings(client, resolution.path, bindings);
    if ((await tryQuickSwitch(options, current, { kind: 'use', server: targetUrl })) === undefined) {
      const [{ modifyKubeconfig }, { planUseWorkspace }] = await (writer ?? loadWriter());
      const result = await modifyKubeconfig(options.kubeconfig, (fresh) =>
        planUseWorkspace(fresh, targetUrl),
      );
      await rememberWrittenKubeconfig(options.kubeconfig, result);
    }
    const view = viewOf(targetUrl, type);
    await printCurrentWorkspace(io, view, options);
    if (!options.short) for (const note of [...notes, ...(await warnings)]) io.err(note);
    return view;
  } finally {
    client.close();
  }
}

export async function fetchHomePath(client: RestClient): Promise<string> {
  const path = await lookupHomePath(client);
  if (!path) throw new NotFoundError('this platform has no home workspace for you');
  return path;
}

function viewOf(server: string, type: string | undefined): CurrentWorkspaceView {
  const parsed = parseWorkspaceUrl(server);
  return parsed ? { path: parsed.path, type, url: server } : { url: server };
}
