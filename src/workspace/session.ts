import { RestClient } from '../client/rest-client.js';
import { loadKubeconfig } from '../context/kubeconfig/load.js';
import type { KubeconfigSourceOptions } from '../context/kubeconfig/sources.js';
import { NotAWorkspaceError } from '../context/workspace-path.js';
import { currentWorkspace } from '../context/workspace-switch.js';
import { connectionFromSettings } from '../client/connection.js';
import { clientSettingsFor } from '../context/kubeconfig/client-settings.js';

export interface WorkspaceSession {
  /** The current workspace path. */
  path: string;
  /** The platform's base URL (before `/clusters/`). */
  base: string;
  client: RestClient;
}

/** A client for the platform of the current context, for commands that act in the current workspace. */
export async function openCurrentWorkspace(kubeconfig: KubeconfigSourceOptions): Promise<WorkspaceSession> {
  const { config } = await loadKubeconfig(kubeconfig);
  const current = currentWorkspace(config);
  if (!current.parsed) throw new NotAWorkspaceError(current.server);
  const settings = clientSettingsFor(config, current.contextName);
  return {
    path: current.parsed.path,
    base: current.parsed.base,
    client: new RestClient(connectionFromSettings(settings, current.parsed.base)),
  };
}
