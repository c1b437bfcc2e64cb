import { join } from 'node:path';
import { SqliteClusterIndex, type ClusterIndex } from './cluster-index.js';
import { DATABASE_FILE, openDatabase } from './database.js';
import { EtcdClusterIndex } from './etcd/etcd-cluster-index.js';
import { EtcdStore } from './etcd/etcd-store.js';
import { EtcdTokenStore } from './etcd/etcd-token-store.js';
import { StorageUnavailableError } from './etcd/errors.js';
import { EventLog, type EventLogOptions } from './event-log.js';
import { ObjectStore } from './object-store.js';
import { forgetStorageConfig, writeStorageConfig } from './storage-config.js';
import type { PlatformStore } from './store.js';
import { SqliteTokenStore, type TokenStore } from './token-store.js';
import { DEFAULT_KEY_PREFIX } from './etcd/keys.js';
import type { StorageChoice } from '../../shared/storage-flags.js';

export interface OpenStorage {
  store: PlatformStore;
  clusters: ClusterIndex;
  tokens: TokenStore;
  /** True when several replicas may share the store (etcd). */
  shared: boolean;
  /** etcd's revision history, which someone must compact (the controllers' leader does). */
  compactable?: { readonly resourceVersion: number; compact(revision: number): Promise<void> };
  close(): void;
}

export interface OpenStorageOptions {
  dataDir: string;
  choice: StorageChoice;
  history: EventLogOptions;
  /** Dev members stand for clusters that run nothing: a SQLite commit need not wait for the disk. */
  relaxedDurability?: boolean;
  /** Which errors of a write may come from a replica's mirror being behind etcd (EtcdStoreOptions). */
  mayBeStale?: (err: unknown) => boolean;
}

/**
 * Opens the platform's objects, cluster index and tokens on the chosen engine, and records the
 * choice in the data folder (storage.json) so the owner tools reach the same tokens.
 */
export async function openStorage(options: OpenStorageOptions): Promise<OpenStorage> {
  const { choice, dataDir } = options;
  if (choice.engine === 'sqlite') {
    const db = openDatabase(join(dataDir, DATABASE_FILE));
    // WAL with synchronous=NORMAL still keeps every commit across a killed process (only a machine crash
    // may lose the last ones).
    if (options.relaxedDurability) db.pragma('synchronous = NORMAL');
    forgetStorageConfig(dataDir);
    return {
      store: new ObjectStore(db, new EventLog(ObjectStore.initialResourceVersion(db), options.history)),
      clusters: new SqliteClusterIndex(db),
      tokens: new SqliteTokenStore(db),
      shared: false,
      close: () => db.close(),
    };
  }
  const keyPrefix = choice.keyPrefix ?? DEFAULT_KEY_PREFIX;
  const store = await EtcdStore.open({
    endpoints: choice.endpoints,
    keyPrefix,
    ...(choice.tls ? { tls: choice.tls } : {}),
    history: options.history,
    ...(options.mayBeStale ? { mayBeStale: options.mayBeStale } : {}),
  }).catch((err: unknown) => {
    if (!(err instanceof StorageUnavailableError)) throw err;
    const reason = err.message.replace(/^etcd is unavailable: /, '');
    throw new StorageUnavailableError(
      `cannot reach etcd at ${choice.endpoints.join(', ')} (${reason}): check --etcd-endpoints and that etcd is running`,
      err,
    );
  });
  writeStorageConfig(dataDir, {
    engine: 'etcd',
    endpoints: choice.endpoints,
    keyPrefix,
    ...(choice.tls ? { tls: choice.tls } : {}),
  });
  return {
    store,
    clusters: new EtcdClusterIndex(store),
    tokens: new EtcdTokenStore(store),
    shared: true,
    compactable: store,
    close: () => store.close(),
  };
}
