import { NotFoundError } from '../cli/errors.js';
import { ApiStatusError } from '../client/api-error.js';
import type { RestClient } from '../client/rest-client.js';
import { parseWorkspaceUrl } from '../context/workspace-url.js';
import { homeWorkspacePath, type WorkspaceObject } from './workspace-api.js';

/**
 * The caller's home workspace path (kcp's `~`, created by the platform on first use), or undefined when the
 * platform has none for them. Bad credentials and an unreachable platform are errors, not "no home".
 */
export async function lookupHomePath(client: RestClient): Promise<string | undefined> {
  try {
    const home = await client.get<WorkspaceObject>(homeWorkspacePath);
    return home.spec?.URL ? parseWorkspaceUrl(home.spec.URL)?.path : undefined;
  } catch (error) {
    if (error instanceof ApiStatusError && error.code !== 401) return undefined;
    throw error;
  }
}

/** lookupHomePath, for callers that cannot go on without a home. */
export async function fetchHomePath(client: RestClient): Promise<string> {
  const path = await lookupHomePath(client);
  if (!path) throw new NotFoundError('this platform has no home workspace for you');
  return path;
}
