export interface UserInfo {
  name: string;
  groups: string[];
}

export const ADMIN_USER = 'kplane-admin';
export const ADMIN_GROUPS = ['system:masters', 'system:authenticated'];

/** Used by the server's own controllers and bootstrap writes. */
export const SYSTEM_USER: UserInfo = { name: 'system:kplane', groups: ['system:masters'] };
