import { AccessDeniedError, NotFoundError } from '../cli/errors.js';
import { isStatusCode } from '../client/api-error.js';
import type { RestClient } from '../client/rest-client.js';
import { splitPath } from '../context/workspace-path.js';
import { clusterPath, workspacePath, type WorkspaceObject } from './workspace-api.js';
import { formatWorkspaceType } from './tree.js';

/**
 * kcp's existence check before a switch. The server answers 403 for a workspace that does not exist and for
 * one the caller may not enter, so it cannot tell them apart alone: a discovery request in the target says
 * whether we may enter, and a GET of the Workspace object in the parent says whether it exists. Both go out
 * at once. Returns the workspace type when the parent let us read it.
 *
 * `probePath`, a request inside the target that the caller wants anyway, goes out instead of discovery: when it
 * succeeds the caller may enter, and its answer comes back as `probe`; when it fails for any reason, discovery
 * decides as usual.
 */
export async function checkWorkspaceAccess<T = unknown>(
  client: RestClient,
  path: string,
  probePath?: string,
): Promise<{ type?: string; probe?: T }> {
  const { parent, base } = splitPath(path);
  const [access, parentObject] = await Promise.allSettled([
    mayEnter<T>(client, path, probePath),
    parent !== '' && base !== ''
      ? client.get<WorkspaceObject>(workspacePath(parent, base))
      : Promise.resolve(undefined),
  ]);
  if (access.status === 'rejected') throw access.reason;
  if (parentObject.status === 'rejected' && isStatusCode(parentObject.reason, 401)) throw parentObject.reason;
  const notFound = parentObject.status === 'rejected' && isStatusCode(parentObject.reason, 404);
  if (!access.value.allowed && notFound) throw new NotFoundError(`workspace "${path}" not found`);
  if (!access.value.allowed) throw new AccessDeniedError(`access to workspace "${path}" denied`);
  const found = access.value.probe === undefined ? {} : { probe: access.value.probe };
  if (path === 'root') return { type: 'root', ...found };
  if (parentObject.status === 'fulfilled' && parentObject.value) {
    return { type: formatWorkspaceType(parentObject.value.spec?.type), ...found };
  }
  return found;
}

/** Whether the caller may work in `path`: the probe answered, else discovery there lists some API group. */
async function mayEnter<T>(
  client: RestClient,
  path: string,
  probePath: string | undefined,
): Promise<{ allowed: boolean; probe?: T }> {
  if (probePath) {
    try {
      return { allowed: true, probe: await client.get<T>(probePath) };
    } catch {
      // discovery decides
    }
  }
  try {
    const discovery = await client.get<{ groups?: unknown[] }>(`${clusterPath(path)}/apis`);
    return { allowed: (discovery.groups ?? []).length > 0 };
  } catch (error) {
    if (isStatusCode(error, 403)) return { allowed: false };
    throw error;
  }
}
