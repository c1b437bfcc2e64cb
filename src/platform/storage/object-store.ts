import type { KubeObject } from '../api/object.js';
import { statement, type Db } from './database.js';
import type { ChangeEvent, EventLog } from './event-log.js';
import type { CollectionScope, ListPosition, ObjectKey } from './object-key.js';
import type { PlatformStore, StoredEntry, StoreTransaction } from './store.js';

export type { StoredEntry, StoreTransaction } from './store.js';

interface Row {
  cluster: string;
  resource: string;
  namespace: string;
  name: string;
  body: string;
}

const RV_KEY = 'resourceVersion';
const SELECT_ROWS = 'SELECT cluster, resource, namespace, name, body FROM objects';
const BY_KEY = 'cluster = ? AND resource = ? AND namespace = ? AND name = ?';

/**
 * Durable object storage. All reads and writes are synchronous SQLite calls on one connection, so a
 * transaction is never interleaved with another request. Each write bumps the single global
 * resourceVersion; the change events are published only after the transaction commits.
 */
export class ObjectStore implements PlatformStore {
  private rv: number;
  private open: SqliteTransaction | undefined;

  constructor(
    private readonly db: Db,
    readonly events: EventLog,
  ) {
    this.rv = readResourceVersion(db);
  }

  static initialResourceVersion(db: Db): number {
    return readResourceVersion(db);
  }

  get resourceVersion(): number {
    return this.rv;
  }

  get(key: ObjectKey): KubeObject | undefined {
    return getObject(this.db, key);
  }

  list(scope: CollectionScope): StoredEntry[] {
    return listObjects(this.db, scope);
  }

  /**
   * Up to `count` entries of the collection that come after `after` in key order (namespace, then
   * name), as a list's page reads them. Each call runs its query to the end: no cursor stays open.
   */
  listAfter(scope: CollectionScope, after: ListPosition | undefined, count: number): StoredEntry[] {
    return (
      statement(this.db, `${SELECT_ROWS} ${afterClause(scope)} ORDER BY namespace, name LIMIT ?`).all(
        ...afterParameters(scope, after),
        count,
      ) as Row[]
    ).map(toEntry);
  }

  /** How many entries of the collection come after `after`. */
  countAfter(scope: CollectionScope, after: ListPosition | undefined): number {
    const row = statement(this.db, `SELECT COUNT(*) AS count FROM objects ${afterClause(scope)}`).get(
      ...afterParameters(scope, after),
    ) as { count: number };
    return Number(row.count);
  }

  /** One resource across every logical cluster; for controllers resyncing after a restart. */
  listEverywhere(resource: string): StoredEntry[] {
    const rows = statement(this.db, `${SELECT_ROWS} WHERE resource = ?`).all(resource) as Row[];
    return rows.map(toEntry);
  }

  /** SQLite is the truth itself: its reads are always current. */
  ensureCurrent(): void {}

  /**
   * Runs `work` in one immediate transaction. Nested calls join the outer transaction, so hooks
   * can write without caring whether they are already inside one.
   */
  transact<T>(work: (tx: StoreTransaction) => T): T {
    if (this.open) return work(this.open);
    const startRv = this.rv;
    const tx = new SqliteTransaction(this.db, () => ++this.rv);
    this.open = tx;
    let result: T;
    try {
      result = this.db
        .transaction(() => {
          const value = work(tx);
          if (this.rv !== startRv) {
            statement(this.db, 'INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(
              RV_KEY,
              String(this.rv),
            );
          }
          return value;
        })
        .immediate();
    } catch (err) {
      this.rv = startRv;
      throw err;
    } finally {
      this.open = undefined;
    }
    for (const event of tx.staged) this.events.publish(event);
    return result;
  }
}

export class SqliteTransaction implements StoreTransaction {
  readonly staged: ChangeEvent[] = [];

  constructor(
    private readonly db: Db,
    private readonly nextRv: () => number,
  ) {}

  get(key: ObjectKey): KubeObject | undefined {
    return getObject(this.db, key);
  }

  list(scope: CollectionScope): StoredEntry[] {
    return listObjects(this.db, scope);
  }

  /** Every object in a logical cluster, optionally only one namespace's. */
  listCluster(cluster: string, namespace?: string): StoredEntry[] {
    const rows = (
      namespace === undefined
        ? statement(this.db, `${SELECT_ROWS} WHERE cluster = ?`).all(cluster)
        : statement(this.db, `${SELECT_ROWS} WHERE cluster = ? AND namespace = ?`).all(cluster, namespace)
    ) as Row[];
    return rows.map(toEntry);
  }

  /** Creates or replaces the object, stamping it with a fresh resourceVersion. */
  put(key: ObjectKey, object: KubeObject): KubeObject {
    const previous = this.get(key);
    const rv = this.nextRv();
    const stored: KubeObject = { ...object, metadata: { ...object.metadata, resourceVersion: String(rv) } };
    const body = JSON.stringify(stored);
    statement(
      this.db,
      'INSERT OR REPLACE INTO objects (cluster, resource, namespace, name, rv, body) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(key.cluster, key.resource, key.namespace, key.name, rv, body);
    const bytes = body.length;
    this.staged.push({ type: previous ? 'MODIFIED' : 'ADDED', rv, key, object: stored, previous, bytes });
    return stored;
  }

  /** Deletes the object; the DELETED event carries it at the deletion's resourceVersion. */
  remove(key: ObjectKey): KubeObject | undefined {
    const previous = this.get(key);
    if (!previous) return undefined;
    const rv = this.nextRv();
    statement(this.db, `DELETE FROM objects WHERE ${BY_KEY}`).run(
      key.cluster,
      key.resource,
      key.namespace,
      key.name,
    );
    const gone: KubeObject = { ...previous, metadata: { ...previous.metadata, resourceVersion: String(rv) } };
    this.staged.push({ type: 'DELETED', rv, key, object: gone, previous });
    return gone;
  }
}

function readResourceVersion(db: Db): number {
  const row = statement(db, 'SELECT value FROM meta WHERE key = ?').get(RV_KEY) as
    { value: string } | undefined;
  return row ? Number(row.value) : 0;
}

function getObject(db: Db, key: ObjectKey): KubeObject | undefined {
  const row = statement(db, `SELECT body FROM objects WHERE ${BY_KEY}`).get(
    key.cluster,
    key.resource,
    key.namespace,
    key.name,
  ) as { body: string } | undefined;
  return row ? (JSON.parse(row.body) as KubeObject) : undefined;
}

function listObjects(db: Db, scope: CollectionScope): StoredEntry[] {
  const select = `${SELECT_ROWS} WHERE cluster = ? AND resource = ?`;
  const rows = (
    scope.namespace === undefined
      ? statement(db, `${select} ORDER BY namespace, name`).all(scope.cluster, scope.resource)
      : statement(db, `${select} AND namespace = ? ORDER BY name`).all(
          scope.cluster,
          scope.resource,
          scope.namespace,
        )
  ) as Row[];
  return rows.map(toEntry);
}

// No position reads from the start: ('', '') sorts before every key.
function afterClause(scope: CollectionScope): string {
  return scope.namespace === undefined
    ? 'WHERE cluster = ? AND resource = ? AND (namespace, name) > (?, ?)'
    : 'WHERE cluster = ? AND resource = ? AND namespace = ? AND name > ?';
}

function afterParameters(scope: CollectionScope, after: ListPosition | undefined): string[] {
  const position = after ?? { namespace: '', name: '' };
  return scope.namespace === undefined
    ? [scope.cluster, scope.resource, position.namespace, position.name]
    : [scope.cluster, scope.resource, scope.namespace, position.name];
}

function toEntry(row: Row): StoredEntry {
  return {
    key: { cluster: row.cluster, resource: row.resource, namespace: row.namespace, name: row.name },
    object: JSON.parse(row.body) as KubeObject,
  };
}
