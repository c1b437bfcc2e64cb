import { statement, type Db } from './database.js';

export interface ClusterRef {
  /** The logical cluster name (`root`, or a 16-character id), what objects are keyed by. */
  id: string;
  /** The canonical workspace path, e.g. `root:acme:web`. */
  path: string;
}

/**
 * The path ↔ logical-cluster-id mapping, so resolving `/clusters/<path-or-id>` costs one lookup. `resolve`
 * runs on every request, so it is synchronous on either engine; `add` and `remove` join the caller's open
 * storage transaction (they commit or roll back with it).
 */
export interface ClusterIndex {
  /** Resolves a workspace path or a logical cluster id; a path wins if both could match. */
  resolve(ref: string): ClusterRef | undefined;
  /** Maps `cluster.id` to `cluster.path`, replacing any mapping of either. */
  add(cluster: ClusterRef): void;
  remove(id: string): void;
}

/** The index as a SQLite table; writes join whatever transaction the caller has open on the connection. */
export class SqliteClusterIndex implements ClusterIndex {
  constructor(private readonly db: Db) {}

  resolve(ref: string): ClusterRef | undefined {
    const row = statement(
      this.db,
      'SELECT id, path FROM clusters WHERE path = ?1 OR id = ?1 ORDER BY path = ?1 DESC LIMIT 1',
    ).get(ref) as ClusterRef | undefined;
    return row ? { id: row.id, path: row.path } : undefined;
  }

  add(cluster: ClusterRef): void {
    statement(this.db, 'INSERT OR REPLACE INTO clusters (id, path) VALUES (?, ?)').run(
      cluster.id,
      cluster.path,
    );
  }

  remove(id: string): void {
    statement(this.db, 'DELETE FROM clusters WHERE id = ?').run(id);
  }
}
