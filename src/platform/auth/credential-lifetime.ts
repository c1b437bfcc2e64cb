import type { ObjectKey } from '../storage/object-key.js';
import type { ObjectReader } from './rbac/objects.js';
import { credentialValidIn } from './service-account-tokens.js';
import { TOKEN_EXPIRY_EXTRA, type UserInfo } from './user.js';

// A request is authenticated once, when it arrives; a watch then lives for up to half an hour. What the
// credential was checked against can end meanwhile (its ServiceAccount deleted, its token expired), so a watch
// keeps asking whether the credential that opened it still holds.

/** What a long-lived request needs to know to end with the credential that opened it. */
export interface CredentialLifetime {
  /** When the token stops working (ms since the epoch); undefined for one that never expires. */
  expiresAt: number | undefined;
  /** Whether a change to `key` could revoke the credential: a cheap test, run for every stored change. */
  revokedBy(key: ObjectKey): boolean;
  /** Whether the credential still holds in the cluster it was used in, judged from what is stored now. */
  holds(): boolean;
}

/** How long `user`'s credential, as used in `cluster`, stays good. */
export function credentialLifetime(
  user: UserInfo,
  cluster: string,
  reader: ObjectReader,
): CredentialLifetime {
  const account = boundAccount(user);
  return {
    expiresAt: credentialExpiry(user),
    revokedBy: (key) =>
      account !== undefined &&
      key.cluster === account.cluster &&
      key.resource === 'serviceaccounts' &&
      key.namespace === account.namespace &&
      key.name === account.name,
    holds: () => credentialValidIn(user, cluster, reader),
  };
}

/**
 * When the token ends, from what every authenticator (platform tokens, ServiceAccount tokens, JWTs) states in
 * `extra`. That is whole seconds rounded down, so a watch ends at most a second before its token would.
 */
export function credentialExpiry(user: UserInfo): number | undefined {
  const stated = user.extra?.[TOKEN_EXPIRY_EXTRA]?.[0];
  if (stated === undefined) return undefined;
  const time = Date.parse(stated);
  // An expiry that cannot be read must not become "never": end at once rather than never.
  return Number.isNaN(time) ? 0 : time;
}

function boundAccount(user: UserInfo): { cluster: string; namespace: string; name: string } | undefined {
  if (!user.boundTo) return undefined;
  const match = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(user.name);
  if (!match) return undefined;
  return { cluster: user.boundTo.cluster, namespace: match[1]!, name: match[2]! };
}
