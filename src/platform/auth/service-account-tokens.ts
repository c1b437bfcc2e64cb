import type { FieldError } from '../http/errors.js';
import type { ObjectReader } from './rbac/objects.js';
import type { TokenStore } from '../storage/token-store.js';
import { AUTHENTICATED_GROUP } from './rbac/bootstrap.js';
import { hashToken, mintToken } from './tokens.js';
import type { UserInfo } from './user.js';

// Service-account tokens as kube-apiserver's TokenRequest hands them out, kept like every other platform token
// (only the hash is stored), and bound the way kcp binds them: to the logical cluster of the ServiceAccount and
// to that ServiceAccount's uid, so a token works nowhere else and stops working when its account is deleted
// (even if one of the same name is made again).

export const SERVICE_ACCOUNTS_GROUP = 'system:serviceaccounts';

/** kube-apiserver's bounds: under 10 minutes is refused; the platform's maximum is one year (kube: 2^32 s). */
export const TOKEN_EXPIRATION_SECONDS = { default: 3600, min: 600, max: 365 * 24 * 3600 } as const;

/**
 * The audience of every token the platform mints, the name kube-apiserver's own audience has by default. A
 * token here is an opaque random string only this platform can check, so it can serve no other audience: a
 * TokenRequest that leaves this one out is refused rather than minting a token nobody could use.
 */
export const PLATFORM_AUDIENCE = 'https://kubernetes.default.svc.cluster.local';

/** The audiences a token gets: the platform's own when none are asked for, as kube-apiserver defaults them. */
export function tokenAudiences(requested: string[] | undefined): string[] {
  return requested && requested.length > 0 ? requested : [PLATFORM_AUDIENCE];
}

/** `spec.audiences` problems: a list that leaves out the platform's own audience. */
export function audienceErrors(audiences: string[]): FieldError[] {
  if (audiences.includes(PLATFORM_AUDIENCE)) return [];
  return [
    {
      type: 'Invalid',
      field: 'spec.audiences',
      value: audiences as never,
      detail: `this platform only accepts tokens for its own audience "${PLATFORM_AUDIENCE}"; ask for it (or for none)`,
    },
  ];
}

export interface ServiceAccountRef {
  /** The logical cluster id. */
  cluster: string;
  namespace: string;
  name: string;
  uid: string;
}

export function serviceAccountUserName(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/** `spec.expirationSeconds` problems, worded as kube-apiserver words them; none for a valid value. */
export function expirationErrors(seconds: unknown): FieldError[] {
  const field = 'spec.expirationSeconds';
  if (typeof seconds !== 'number' || !Number.isInteger(seconds))
    return [{ type: 'Invalid', field, value: seconds as never, detail: 'must be a whole number of seconds' }];
  if (seconds < TOKEN_EXPIRATION_SECONDS.min)
    return [
      { type: 'Invalid', field, value: seconds, detail: 'may not specify a duration less than 10 minutes' },
    ];
  if (seconds > TOKEN_EXPIRATION_SECONDS.max)
    return [
      {
        type: 'Invalid',
        field,
        value: seconds,
        detail: `may not specify a duration larger than ${TOKEN_EXPIRATION_SECONDS.max} seconds (365 days)`,
      },
    ];
  return [];
}

/**
 * Mints a token for the ServiceAccount, valid `seconds` from `now`; only its hash is kept. On SQLite the
 * token is stored when this returns; on etcd once `stored` resolves, so a caller must await `stored` before
 * handing the token out (another replica may be asked to accept it next).
 */
export function mintServiceAccountToken(
  tokens: TokenStore,
  account: ServiceAccountRef,
  seconds: number,
  now = Date.now(),
): { token: string; expiresAt: number; stored: Promise<void> } {
  const token = mintToken();
  const expiresAt = now + seconds * 1000;
  const stored = Promise.resolve(
    tokens.addDroppingExpired(
      {
        hash: hashToken(token),
        user: serviceAccountUserName(account.namespace, account.name),
        groups: [
          SERVICE_ACCOUNTS_GROUP,
          `${SERVICE_ACCOUNTS_GROUP}:${account.namespace}`,
          AUTHENTICATED_GROUP,
        ],
        expiresAt,
        boundTo: { cluster: account.cluster, uid: account.uid },
      },
      now,
    ),
  );
  // A caller that does not await it yet (token-requests.ts until its create is async) must not turn a
  // failed write into an unhandled rejection that ends the process; one that awaits still sees the error.
  stored.catch(() => undefined);
  return { token, expiresAt, stored };
}

/**
 * Whether a bound credential may act in `cluster`: an unbound one (a person's token, an OIDC user) always may;
 * a service-account token only in its own logical cluster, and only while its ServiceAccount (same uid) exists.
 */
export function credentialValidIn(user: UserInfo, cluster: string, reader: ObjectReader): boolean {
  const bound = user.boundTo;
  if (!bound) return true;
  if (bound.cluster !== cluster) return false;
  const match = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(user.name);
  if (!match) return false;
  const account = reader.get({ cluster, resource: 'serviceaccounts', namespace: match[1]!, name: match[2]! });
  return account?.metadata.uid === bound.uid;
}
