import { AccessDeniedError, NotFoundError } from '../cli/errors.js';
import { ApiStatusError } from '../client/api-error.js';
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
  const hasParentObject = parent !== '' && base !== '';
  const discover = () => client.get<{ groups?: unknown[] }>(`${clusterPath(path)}/apis`);
  const [inside, parentObject] = await Promise.allSettled([
    probePath ? client.get<T>(probePath) : discover(),
    hasParentObject ? client.get<WorkspaceObject>(workspacePath(parent, base)) : Promise.resolve(undefined),
  ]);
  const probe = probePath && inside.status === 'fulfilled' ? (inside.value as T) : undefined;
  const discovery =
    probePath === undefined
      ? (inside as PromiseSettledResult<{ groups?: unknown[] }>)
      : probe !== undefined
        ? undefined
        : (await Promise.allSettled([discover()]))[0];
  if (discovery?.status === 'rejected' && !isForbidden(discovery.reason)) throw discovery.reason;
  if (parentObject.status === 'rejected' && isUnauthorized(parentObject.reason)) throw parentObject.reason;
  const denied =
    discovery !== undefined &&
    (discovery.status === 'rejected' || (discovery.value?.groups ?? []).length === 0);
  const notFound = parentObject.status === 'rejected' && isNotFound(parentObject.reason);
  if (denied && notFound) throw new NotFoundError(`workspace "${path}" not found`);
  if (denied) throw new AccessDeniedError(`access to workspace "${path}" denied`);
  const found = probe === undefined ? {} : { probe };
  if (path === 'root') return { type: 'root', ...found };
  if (parentObject.status === 'fulfilled' && parentObject.value) {
    return { type: formatWorkspaceType(parentObject.value.spec?.type), ...found };
  }
  return found;
}

function isForbidden(error: unknown): boolean {
  return error instanceof ApiStatusError && error.code === 403;
}

function isNotFound(error: unknown): boolean {
  return error instanceof ApiStatusError && error.code === 404;
}

function isUnauthorized(error: unknown): boolean {
  return error instanceof ApiStatusError && error.code === 401;
}
