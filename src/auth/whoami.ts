import { ApiStatusError } from '../client/api-error.js';
import { parseWorkspaceUrl } from '../context/workspace-url.js';
import { openCurrentWorkspace } from '../workspace/session.js';
import type { WorkspaceSelector } from '../workspace/session.js';
import { homeWorkspacePath, type WorkspaceObject } from '../workspace/workspace-api.js';
import { reviewSelf, tokenExpiry } from './self-subject-review.js';

export interface WhoAmI {
  username: string;
  groups: string[];
  /** The caller's home workspace path, when the platform has home workspaces. */
  home?: string;
  platform: string;
  workspace: string;
  tokenExpiresAt?: string;
}

/** `whoami`: the platform's own answer (SelfSubjectReview), plus the home workspace and where we are. */
export async function whoami(kubeconfig: WorkspaceSelector): Promise<WhoAmI> {
  const session = await openCurrentWorkspace(kubeconfig);
  try {
    const [user, home] = await Promise.all([reviewSelf(session.client), homePath(session)]);
    const expiresAt = tokenExpiry(user);
    return {
      username: user.username,
      groups: user.groups,
      ...(home ? { home } : {}),
      platform: session.base,
      workspace: session.path,
      ...(expiresAt ? { tokenExpiresAt: expiresAt } : {}),
    };
  } finally {
    session.client.close();
  }
}

async function homePath(
  session: Awaited<ReturnType<typeof openCurrentWorkspace>>,
): Promise<string | undefined> {
  try {
    const home = await session.client.get<WorkspaceObject>(homeWorkspacePath);
    return home.spec?.URL ? parseWorkspaceUrl(home.spec.URL)?.path : undefined;
  } catch (error) {
    if (error instanceof ApiStatusError && error.code !== 401) return undefined;
    throw error;
  }
}
