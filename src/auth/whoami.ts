import { readStoredToken } from '../client/credential-store.js';
import { unverifiedClaims } from '../client/jwt-claims.js';
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
  /** An OpenID login's (or a CI job's) ID token: who issued it and the subject it names. */
  issuer?: string;
  subject?: string;
}

/** `whoami`: the platform's own answer (SelfSubjectReview), plus the home workspace and where we are. */
export async function whoami(kubeconfig: WorkspaceSelector): Promise<WhoAmI> {
  return withWorkspaceSession(kubeconfig, async (session) => {
    const [user, home] = await Promise.all([reviewSelf(session.client), lookupHomePath(session.client)]);
    const claims = await storedTokenClaims(session.base);
    const expiresAt =
      tokenExpiry(user) ??
      (typeof claims?.exp === 'number' ? new Date(claims.exp * 1000).toISOString() : undefined);
    return {
      username: user.username,
      groups: user.groups,
      ...(home ? { home } : {}),
      platform: session.base,
      workspace: session.path,
      ...(expiresAt ? { tokenExpiresAt: expiresAt } : {}),
      ...(typeof claims?.iss === 'string' ? { issuer: claims.iss } : {}),
      ...(typeof claims?.sub === 'string' ? { subject: claims.sub } : {}),
    };
  });
}

/** The claims of the token kplane stored for this platform, when it is a JWT (shown, never trusted). */
async function storedTokenClaims(platform: string) {
  try {
    const stored = await readStoredToken(platform);
    return stored ? unverifiedClaims(stored.token) : undefined;
  } catch {
    return undefined;
  }
}
