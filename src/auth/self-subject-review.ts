import type { RestClient } from '../client/rest-client.js';

export interface UserInfo {
  username: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

/** The platform says when a token expires in this `extra` key of the SelfSubjectReview. */
export const tokenExpiryExtraKey = 'authentication.kplane.dev/expires-at';

/** Who the platform thinks the caller is (authentication.k8s.io/v1 SelfSubjectReview). */
export async function reviewSelf(client: RestClient): Promise<UserInfo> {
  const review = await client.post<{ status?: { userInfo?: Partial<UserInfo> } }>(
    '/clusters/root/apis/authentication.k8s.io/v1/selfsubjectreviews',
    { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview', metadata: {} },
    { idempotent: true },
  );
  const info = review.status?.userInfo ?? {};
  return { username: info.username ?? '', groups: info.groups ?? [], extra: info.extra };
}

export function tokenExpiry(user: UserInfo): string | undefined {
  return user.extra?.[tokenExpiryExtraKey]?.[0];
}
