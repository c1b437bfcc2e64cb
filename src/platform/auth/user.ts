import { AUTHENTICATED_GROUP, MASTERS_GROUP } from './rbac/bootstrap.js';

export interface UserInfo {
  name: string;
  /** A unique value that identifies the user across time, when the authenticator knows one. */
  uid?: string;
  groups: string[];
  /** What the authenticator adds; SelfSubjectReview shows it. */
  extra?: Record<string, string[]>;
  /**
   * Set for a service-account token: the logical cluster it is valid in and the uid of the ServiceAccount it
   * speaks for. The router refuses it (401) anywhere else, or once that ServiceAccount is gone. Never shown.
   */
  boundTo?: { cluster: string; uid: string };
}

/**
 * Whose share of the server a request counts against (its watches, its answers in flight). A
 * ServiceAccount's name (`system:serviceaccount:ns:name`) is the same in every workspace, so it is
 * keyed by the workspace it belongs to as well: two tenants' `default` accounts never share (or
 * exhaust) one budget.
 */
export function identityKey(user: UserInfo): string {
  if (user.boundTo) return `serviceaccount:${user.boundTo.cluster}:${user.name}`;
  return `user:${user.name}`;
}

/** When the presented token stops working (RFC 3339), in SelfSubjectReview's `extra`. */
export const TOKEN_EXPIRY_EXTRA = 'authentication.kplane.dev/expires-at';

export const ADMIN_USER = 'kplane-admin';
export const ADMIN_GROUPS = [MASTERS_GROUP, AUTHENTICATED_GROUP];

/** Used by the server's own controllers and bootstrap writes. */
export const SYSTEM_USER: UserInfo = { name: 'system:kplane', groups: [MASTERS_GROUP] };

/**
 * Names `dev token` will not mint for: the platform's own identities, and Kubernetes' `system:` namespace
 * (service accounts, nodes, the apiserver itself), which a person's token must never impersonate.
 */
export function isReservedUserName(name: string): boolean {
  return name === ADMIN_USER || name === SYSTEM_USER.name || name.startsWith('system:');
}
