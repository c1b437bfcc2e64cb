import type { IncomingHttpHeaders } from 'node:http';
import type { TokenStore } from '../storage/token-store.js';
import { hashToken, sameHash } from './tokens.js';
import type { UserInfo } from './user.js';

/**
 * Bearer-token authentication: the presented token is hashed and looked up by its hash. Returns
 * undefined for a missing, unknown or expired token, which the caller turns into a 401.
 */
export function authenticate(
  headers: IncomingHttpHeaders,
  tokens: TokenStore,
  now = Date.now(),
): UserInfo | undefined {
  const header = headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) return undefined;
  const hash = hashToken(match[1]);
  const record = tokens.find(hash);
  if (!record || !sameHash(record.hash, hash)) return undefined;
  if (record.expiresAt !== undefined && record.expiresAt <= now) return undefined;
  const groups = record.groups.includes('system:authenticated')
    ? record.groups
    : [...record.groups, 'system:authenticated'];
  return { name: record.user, groups };
}
