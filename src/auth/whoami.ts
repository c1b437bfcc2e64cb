import { withWorkspaceSession, type WorkspaceSelector } from '../workspace/session.js';
import { lookupHomePath } from '../workspace/home.js';
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
  return withWorkspaceSession(kubeconfig, async (session) => {
    const [user, home] = await Promise.all([reviewSelf(session.client), lookupHomePath(session.client)]);
    const expiresAt = tokenExpiry(user);
    return {
      username: user.username,
      groups: user.groups,
      ...(home ? { home } : {}),
      platform: session.base,
      workspace: session.path,
      ...(expiresAt ? { tokenExpiresAt: expiresAt } : {}),
    };
  });
}
