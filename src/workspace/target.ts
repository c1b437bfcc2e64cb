// Where a workspace argument leads from the current context, and whether the platform lets us in: shared by
// `ws use`, `ws exec|env|shell` and the picker, so they resolve `~`, `..` and `:` exactly alike.
import os from 'node:os';
import { KplaneError } from '../cli/errors.js';
import { connectionFromSettings } from '../client/connection.js';
import { Deadline } from '../client/deadline.js';
import { RestClient } from '../client/rest-client.js';
import { resolveWorkspacePath, type WorkspacePathResolution } from '../context/workspace-path.js';
import { parseWorkspaceUrl, workspaceUrl } from '../context/workspace-url.js';
import { checkWorkspaceAccess } from './access-check.js';
import { fetchHomePath } from './home.js';
import type { CurrentContextView } from './kubeconfig-view.js';

/** The platform's base URL: what comes before `/clusters/` in the current server, else its origin. */
export function platformBase(server: string): string {
  return parseWorkspaceUrl(server)?.base ?? new URL(server).origin;
}

/**
 * A client for every workspace of the current context's platform, for one command's checks (ws use, ws exec, the
 * picker's listing): one deadline bounds all its requests, however many it makes one after another.
 */
export function platformClient(current: CurrentContextView, deadline = new Deadline()): RestClient {
  return new RestClient(connectionFromSettings(current.settings, platformBase(current.server)), { deadline });
}

/** kcp's path rules from the current workspace; `~` stays unresolved until the platform is asked. */
export function resolveTarget(
  current: CurrentContextView,
  target: string,
  homePath?: string,
): WorkspacePathResolution {
  const currentPath = parseWorkspaceUrl(current.server)?.path;
  return resolveWorkspacePath(currentPath, target, {
    userHomeDir: os.homedir(),
    currentServer: current.server,
    homePath,
  });
}

export interface CheckedTarget<T> {
  path: string;
  url: string;
  /** The workspace type, when the parent let us read the Workspace object. */
  type?: string;
  /** Notes for stderr about how the path was read (kcp's). */
  notes: string[];
  /** True when the platform was asked for the home workspace. */
  wentHome: boolean;
  /** The answer to `probePath`, when it was the request that proved access. */
  probe?: T;
}

/**
 * Resolves `~` with the platform and checks that the target exists and may be entered (not for `:`, which kcp
 * switches to unchecked). `resolution` is resolveTarget's answer, after the caller handled `-` and `.`.
 */
export async function checkTarget<T = unknown>(
  client: RestClient,
  current: CurrentContextView,
  target: string,
  resolution: WorkspacePathResolution,
  probePath?: (path: string) => string,
): Promise<CheckedTarget<T>> {
  const wentHome = resolution.kind === 'home';
  if (resolution.kind === 'home') resolution = resolveTarget(current, target, await fetchHomePath(client));
  if (resolution.kind === 'top') {
    return { path: resolution.path, url: urlOf(current, resolution.path), notes: [], wentHome };
  }
  if (resolution.kind !== 'path') throw new KplaneError(`cannot switch to "${target}"`);
  const { path, notes } = resolution;
  const { type, probe } = await checkWorkspaceAccess<T>(client, path, probePath?.(path));
  return { path, url: urlOf(current, path), type, notes, wentHome, probe };
}

function urlOf(current: CurrentContextView, path: string): string {
  return workspaceUrl(platformBase(current.server), path);
}
