import { readFileSync } from 'node:fs';
import path from 'node:path';
import { InvalidInputError } from '../cli/errors.js';
import { readStorageConfig, StorageConfigError } from '../shared/storage-config-file.js';
import { localEtcdFiles } from './data-dir.js';
import type { DevStorageFlags } from './storage-options.js';

// A platform started on etcd leaves storage.json in its data folder (endpoints, key prefix, TLS files; never a
// secret). `dev up` without storage flags on that folder comes back on the same etcd rather than on an empty
// SQLite database beside it: the etcd dev up ran itself when the endpoints are its local etcd's, else the
// user's etcd with the same prefix and files.

const LOCAL_PORTS_FILE = 'ports.json';

/** True when the command line says anything about storage: then it alone decides. */
export function namesStorage(flags: DevStorageFlags): boolean {
  return [
    flags.storage,
    flags.etcdEndpoints,
    flags.etcdCa,
    flags.etcdCert,
    flags.etcdKey,
    flags.etcdPrefix,
  ].some((value) => value !== undefined);
}

/** The storage flags that bring the folder's platform back where it was, or undefined (SQLite, or new). */
export function rememberedStorage(dataDir: string): DevStorageFlags | undefined {
  let remembered;
  try {
    remembered = readStorageConfig(dataDir);
  } catch (err) {
    if (!(err instanceof StorageConfigError)) throw err;
    throw new InvalidInputError(
      `${err.message}; or give --storage etcd --etcd-endpoints URL (or --storage sqlite) explicitly`,
    );
  }
  if (!remembered) return undefined;
  const prefix = { etcdPrefix: remembered.keyPrefix };
  if (isLocalEtcd(dataDir, remembered.endpoints)) return { storage: 'etcd', ...prefix };
  const { tls } = remembered;
  return {
    storage: 'etcd',
    etcdEndpoints: remembered.endpoints.join(','),
    ...prefix,
    ...(tls ? { etcdCa: tls.caFile } : {}),
    ...(tls?.certFile !== undefined ? { etcdCert: tls.certFile } : {}),
    ...(tls?.keyFile !== undefined ? { etcdKey: tls.keyFile } : {}),
  };
}

/** Whether `endpoints` are the local etcd's that dev up ran on this folder (it keeps its ports). */
function isLocalEtcd(dataDir: string, endpoints: string[]): boolean {
  try {
    const ports = JSON.parse(
      readFileSync(path.join(localEtcdFiles(dataDir).dir, LOCAL_PORTS_FILE), 'utf8'),
    ) as { client?: unknown };
    return (
      endpoints.length === 1 &&
      endpoints[0]?.replace(/\/$/, '') === `http://127.0.0.1:${String(ports.client)}`
    );
  } catch {
    return false;
  }
}
