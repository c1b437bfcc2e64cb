import type { IncomingHttpHeaders } from 'node:http';
import type { TokenStore } from '../storage/token-store.js';
import { AUTHENTICATED_GROUP } from './rbac/bootstrap.js';
import { hashToken, sameHash } from './tokens.js';
import { TOKEN_EXPIRY_EXTRA, type UserInfo } from './user.js';

/**
 * Bearer-token authentication: the presented token is hashed and looked up by its hash. Returns
 * undefined for a missing, unknown or expired token, which the caller turns into a 401. A failure
 * inside (a record no Date can hold, a locked database) is also "not authenticated": a 500 would tell
 * a caller more than a 401, and no request may get further on a credential that was not checked.
 */
export function authenticate(
  headers: IncomingHttpHeaders,
  tokens: TokenStore,
  now = Date.now(),
): UserInfo | undefined {
  try {
    return lookUpBearerToken(headers, tokens, now);
  } catch (err) {
    // The message names what failed; the token itself never reaches a log.
    process.stderr.write(
      `kplane platform: authentication failed: ${(err as Error)?.message ?? String(err)}\n`,
    );
    return undefined;
  }
}

function lookUpBearerToken(
  headers: IncomingHttpHeaders,
  tokens: TokenStore,
  now: number,
): UserInfo | undefined {
  const header = headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) return undefined;
  const hash = hashToken(match[1]);
  const record = tokens.find(hash);
  if (!record || !sameHash(record.hash, hash)) return undefined;
  if (record.expiresAt !== undefined && record.expiresAt <= now) return undefined;
  const groups = record.groups.includes(AUTHENTICATED_GROUP)
    ? record.groups
    : [...record.groups, AUTHENTICATED_GROUP];
  const user: UserInfo = { name: record.user, groups };
  if (record.boundTo) {
    user.boundTo = record.boundTo;
    user.uid = record.boundTo.uid;
  }
  if (record.expiresAt !== undefined) user.extra = { [TOKEN_EXPIRY_EXTRA]: [rfc3339(record.expiresAt)] };
  return user;
}

/** Whole seconds, rounded down: a client that trusts this time never uses a token past its end. */
function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
