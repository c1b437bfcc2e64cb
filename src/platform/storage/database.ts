import Database from 'libsql';
import { ensureOwnerOnlyFile } from '../process/owner-only.js';

export type Db = Database.Database;

/** The database's file name inside a platform's data folder. */
export const DATABASE_FILE = 'platform.db';

// WAL with synchronous=FULL makes every committed transaction durable before we answer: a
// server killed with SIGKILL right after a 201 still has the object when it restarts. The owner
// tools (`token`, `revoke-tokens`) open the same file from another process while the server runs,
// so the busy timeout comes first: even switching to WAL may have to wait for the other writer.
const PRAGMAS = ['busy_timeout = 5000', 'journal_mode = WAL', 'synchronous = FULL', 'foreign_keys = ON'];

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS objects (
  cluster   TEXT NOT NULL,
  resource  TEXT NOT NULL,
  namespace TEXT NOT NULL,
  name      TEXT NOT NULL,
  rv        INTEGER NOT NULL,
  body      TEXT NOT NULL,
  PRIMARY KEY (cluster, resource, namespace, name)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS objects_by_namespace ON objects (cluster, namespace);
CREATE TABLE IF NOT EXISTS clusters (
  id   TEXT PRIMARY KEY,
  path TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS tokens (
  hash       TEXT PRIMARY KEY,
  user       TEXT NOT NULL,
  groups     TEXT NOT NULL,
  expires_at INTEGER,
  created_at INTEGER NOT NULL
);
`;

/**
 * Opens (or creates) the database owner-only. SQLite would create the file 0644; made 0600 first, it
 * passes that mode on to the -wal and -shm files it creates beside it.
 */
export function openDatabase(file: string): Db {
  if (file !== ':memory:') ensureOwnerOnlyFile(file);
  const db = new Database(file);
  for (const pragma of PRAGMAS) db.pragma(pragma);
  db.exec(SCHEMA);
  addMissingColumns(db);
  return db;
}

/**
 * Columns added after the first release, each with the type an existing row takes as NULL: a data folder
 * from an older platform keeps every token and gains the column (its old tokens stay unbound).
 */
const ADDED_COLUMNS: { table: string; column: string; type: string }[] = [
  // A service-account token is valid only in the logical cluster of its ServiceAccount, while that
  // ServiceAccount (by uid) exists.
  { table: 'tokens', column: 'bound_cluster', type: 'TEXT' },
  { table: 'tokens', column: 'bound_uid', type: 'TEXT' },
];

function addMissingColumns(db: Db): void {
  for (const { table, column, type } of ADDED_COLUMNS) {
    const columns = db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[];
    if (!columns.some((existing) => existing.name === column))
      db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
  }
}

const statements = new WeakMap<Db, Map<string, Database.Statement>>();

/**
 * `db.prepare(sql)`, compiled once per connection and reused: compiling a statement costs more than
 * the point read it makes (about 20 µs against 15), and every request makes several reads.
 */
export function statement(db: Db, sql: string): Database.Statement {
  let prepared = statements.get(db);
  if (!prepared) statements.set(db, (prepared = new Map()));
  let compiled = prepared.get(sql);
  if (!compiled) prepared.set(sql, (compiled = db.prepare(sql)));
  return compiled;
}
