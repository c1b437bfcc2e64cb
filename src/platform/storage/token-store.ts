import { statement, type Db } from './database.js';

export interface TokenRecord {
  hash: string;
  user: string;
  groups: string[];
  /** Milliseconds since the epoch; undefined never expires. */
  expiresAt?: number;
  /**
   * Set for service-account tokens: the logical cluster that holds the ServiceAccount and its uid. Such a
   * token is valid in that cluster only, and only while that very ServiceAccount exists.
   */
  boundTo?: { cluster: string; uid: string };
}

interface TokenRow {
  hash: string;
  user: string;
  groups: string;
  expires_at: number | null;
  bound_cluster: string | null;
  bound_uid: string | null;
}

/**
 * Bearer tokens by their sha256 hash; the plain token is never stored. `find` runs on every request, so it
 * is synchronous on either engine; writes may have to wait for etcd, so callers await them.
 */
export interface TokenStore {
  find(hash: string): TokenRecord | undefined;
  add(record: TokenRecord): void | Promise<void>;
  /** Adds a service-account token and drops the bound tokens that ran out, as one write. */
  addDroppingExpired(record: TokenRecord, now?: number): void | Promise<void>;
  /** Deletes every token of `user`; returns how many there were. */
  revokeUser(user: string): number | Promise<number>;
  /** Deletes the expired tokens bound to a ServiceAccount; returns how many. */
  forgetExpiredBound(now?: number): number | Promise<number>;
}

/**
 * The tokens as a SQLite table. Every lookup reads the database, so tokens minted or revoked by the owner
 * tools in another process count at once.
 */
export class SqliteTokenStore implements TokenStore {
  constructor(private readonly db: Db) {}

  find(hash: string): TokenRecord | undefined {
    const row = statement(
      this.db,
      'SELECT hash, user, groups, expires_at, bound_cluster, bound_uid FROM tokens WHERE hash = ?',
    ).get(hash) as TokenRow | undefined;
    if (!row) return undefined;
    const record: TokenRecord = {
      hash: row.hash,
      user: row.user,
      groups: JSON.parse(row.groups) as string[],
    };
    if (row.expires_at !== null) record.expiresAt = row.expires_at;
    if (row.bound_cluster !== null && row.bound_uid !== null)
      record.boundTo = { cluster: row.bound_cluster, uid: row.bound_uid };
    return record;
  }

  add(record: TokenRecord): void {
    statement(
      this.db,
      'INSERT INTO tokens (hash, user, groups, expires_at, created_at, bound_cluster, bound_uid) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(
      record.hash,
      record.user,
      JSON.stringify(record.groups),
      record.expiresAt ?? null,
      Date.now(),
      record.boundTo?.cluster ?? null,
      record.boundTo?.uid ?? null,
    );
  }

  /**
   * Adds a service-account token and drops the bound tokens that ran out, in one transaction (one fsync, not
   * two): an agent renewing on a timer never grows the table.
   */
  addDroppingExpired(record: TokenRecord, now = Date.now()): void {
    this.db.transaction(() => {
      this.forgetExpiredBound(now);
      this.add(record);
    })();
  }

  /** Deletes every token of `user`; returns how many there were. */
  revokeUser(user: string): number {
    return Number(statement(this.db, 'DELETE FROM tokens WHERE user = ?').run(user).changes);
  }

  /** Deletes the expired tokens bound to a ServiceAccount, so minting on a timer does not grow the table. */
  forgetExpiredBound(now = Date.now()): number {
    return Number(
      statement(
        this.db,
        'DELETE FROM tokens WHERE bound_cluster IS NOT NULL AND expires_at IS NOT NULL AND expires_at <= ?',
      ).run(now).changes,
    );
  }
}
