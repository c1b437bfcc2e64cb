import { createHash } from 'node:crypto';
import { TOKEN_EXPIRY_EXTRA, type UserInfo } from '../user.js';

export const VERIFIED_TOKEN_TTL_MS = 10_000;
export const VERIFIED_TOKEN_ENTRIES = 1024;

/**
 * Users of recently verified tokens, keyed by the token's sha256: kubectl sends one token many times a
 * minute, and a signature check costs a few hundred µs where a lookup costs a few. An entry lives 10 s
 * at most and never past the token's own expiry, so a key the issuer removed stops working within 10 s
 * (as kube-apiserver's token cache). Bounded: the oldest entry leaves first.
 */
export class VerifiedTokens {
  private readonly entries = new Map<string, { user: UserInfo; until: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  get(token: string): UserInfo | undefined {
    const key = hash(token);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until > this.now()) return entry.user;
    this.entries.delete(key);
    return undefined;
  }

  remember(token: string, user: UserInfo): void {
    const expiry = Date.parse(user.extra?.[TOKEN_EXPIRY_EXTRA]?.[0] ?? '');
    const until = Math.min(this.now() + VERIFIED_TOKEN_TTL_MS, Number.isNaN(expiry) ? 0 : expiry);
    if (until <= this.now()) return;
    if (this.entries.size >= VERIFIED_TOKEN_ENTRIES) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(hash(token), { user, until });
  }
}

function hash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
