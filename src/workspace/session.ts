import { AccessDeniedError } from '../cli/errors.js';
import { isStatusCode } from '../client/api-error.js';
import { connectionFromSettings } from '../client/connection.js';
import { RestClient } from '../client/rest-client.js';
import type { WorkspaceSelector } from '../context/kubeconfig/sources.js';
import { NotAWorkspaceError, resolveWorkspaceFlag } from '../context/workspace-path.js';
import { parseWorkspaceUrl, workspaceUrl } from '../context/workspace-url.js';
import { readCurrentContext } from './kubeconfig-view.js';

/** The platform's 403 for a workspace that does not exist or that the caller may not enter (as kcp answers). */
const WORKSPACE_ACCESS_DENIED = 'workspace access not permitted';

export interface WorkspaceSession {
  /** The current workspace path. */
  path: string;
  /** The platform's base URL (before `/clusters/`). */
  base: string;
  /** The context's namespace, or `default`. */
  namespace: string;
  client: RestClient;
}

// Defined beside the kubeconfig sources, so the commands' base class can name it without importing a use case.
export type { WorkspaceSelector };

/**
 * A client for the platform of the current context, for commands that act in the current workspace (or in the
 * one `-w` names; the kubeconfig is only read).
 */
export async function openCurrentWorkspace(kubeconfig: WorkspaceSelector): Promise<WorkspaceSession> {
  const current = await readCurrentContext(kubeconfig);
  const parsed = parseWorkspaceUrl(current.server);
  if (!parsed) throw new NotAWorkspaceError(current.server);
  const path =
    kubeconfig.workspace === undefined
      ? parsed.path
      : resolveWorkspaceFlag(parsed.path, kubeconfig.workspace, current.server);
  return {
    path,
    base: parsed.base,
    namespace: current.settings.namespace ?? 'default',
    client: new RestClient(
      connectionFromSettings({ ...current.settings, server: workspaceUrl(parsed.base, path) }, parsed.base),
    ),
  };
}

/** Runs `work` with a session for the current workspace (or `-w`'s), and always closes its connections. */
export async function withWorkspaceSession<T>(
  kubeconfig: WorkspaceSelector,
  work: (session: WorkspaceSession) => Promise<T>,
): Promise<T> {
  const session = await openCurrentWorkspace(kubeconfig);
  try {
    return await work(session);
  } catch (error) {
    // The platform's answer names no workspace (so it cannot tell a missing one from a forbidden one): say which.
    if (isStatusCode(error, 403) && error.message === WORKSPACE_ACCESS_DENIED)
      throw new AccessDeniedError(`access to workspace "${session.path}" denied`);
    throw error;
  } finally {
    session.client.close();
  }
}
