import { connectionFromSettings } from '../client/connection.js';
import { RestClient } from '../client/rest-client.js';
import type { KubeconfigSourceOptions } from '../context/kubeconfig/sources.js';
import { NotAWorkspaceError } from '../context/workspace-path.js';
import { parseWorkspaceUrl } from '../context/workspace-url.js';
import { readCurrentContext } from './kubeconfig-view.js';

export interface WorkspaceSession {
  /** The current workspace path. */
  path: string;
  /** The platform's base URL (before `/clusters/`). */
  base: string;
  /** The context's namespace, or `default`. */
  namespace: string;
  client: RestClient;
}

/** A client for the platform of the current context, for commands that act in the current workspace. */
export async function openCurrentWorkspace(kubeconfig: KubeconfigSourceOptions): Promise<WorkspaceSession> {
  const current = await readCurrentContext(kubeconfig);
  const parsed = parseWorkspaceUrl(current.server);
  if (!parsed) throw new NotAWorkspaceError(current.server);
  return {
    path: parsed.path,
    base: parsed.base,
    namespace: current.settings.namespace ?? 'default',
    client: new RestClient(connectionFromSettings(current.settings, parsed.base)),
  };
}
