import { statement, type Db } from './database.js';

export interface TokenRecord {
  hash: string;
  user: string;
  groups: string[];
  /** Milliseconds since the epoch; undefined never expires. */
  expiresAt?: number;
}

/**
 * Bearer tokens by their sha256 hash; the plain token is never stored. Every lookup reads the
 * database, so tokens minted or revoked by the owner tools in another process count at once.
 */
export class TokenStore {
  constructor(private readonly db: Db) {}

  find(hash: string): TokenRecord | undefined {
    const row = statement(this.db, 'SELECT hash, user, groups, expires_at FROM tokens WHERE hash = ?').get(
      hash,
    ) as { hash: string; user: string; groups: string; expires_at: number | null } | undefined;
    if (!row) return undefined;
    const record: TokenRecord = {
      hash: row.hash,
      user: row.user,
      groups: JSON.parse(row.groups) as string[],
    };
    if (row.expires_at !== null) record.expiresAt = row.expires_at;
    return record;
  }

  add(record: TokenRecord): void {
    statement(
      this.db,
      'INSERT INTO tokens (hash, user, groups, expires_at, created_at) VALUES (?, ?, ?, ?, ?)',
    ).run(record.hash, record.user, JSON.stringify(record.groups), record.expiresAt ?? null, Date.now());
  }

  /** Deletes every token of `user`; returns how many there were. */
  revokeUser(user: string): number {
    return Number(statement(this.db, 'DELETE FROM tokens WHERE user = ?').run(user).changes);
  }
}
