import type { UserInfo } from '../auth/user.js';
import type { KubeObject } from '../api/object.js';
import { OWNER_ANNOTATION } from './constants.js';

// kcp records who created a workspace in annotation experimental.tenancy.kcp.io/owner as JSON
// userInfo ({"username":…,"groups":[…]}). Token details (extra) are about the credential, not the
// person, so they stay out.

export interface Owner {
  username: string;
  groups: string[];
}

export function ownerAnnotation(user: UserInfo): string {
  return JSON.stringify({ username: user.name, groups: user.groups });
}

export function ownerOf(object: KubeObject | undefined): Owner | undefined {
  const text = object?.metadata.annotations?.[OWNER_ANNOTATION];
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as Partial<Owner>;
    if (typeof parsed.username !== 'string' || parsed.username === '') return undefined;
    const groups = Array.isArray(parsed.groups) ? parsed.groups.filter((g) => typeof g === 'string') : [];
    return { username: parsed.username, groups };
  } catch {
    return undefined;
  }
}
