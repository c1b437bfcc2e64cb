import { readFileSync } from 'node:fs';
import path from 'node:path';
import { InvalidInputError } from '../cli/errors.js';
import { localEtcdFiles } from './data-dir.js';
import type { DevStorageFlags } from './storage-options.js';

// A platform started on etcd leaves storage.json in its data folder (endpoints, key prefix, TLS files; never a
// secret). `dev up` without storage flags on that folder comes back on the same etcd rather than on an empty
// SQLite database beside it: the etcd dev up ran itself when the endpoints are its local etcd's, else the
// user's etcd with the same prefix and files.

const STORAGE_FILE = 'storage.json';
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

interface StorageFile {
  engine?: unknown;
  endpoints?: unknown;
  keyPrefix?: unknown;
  tls?: { caFile?: unknown; certFile?: unknown; keyFile?: unknown };
}

/** The storage flags that bring the folder's platform back where it was, or undefined (SQLite, or new). */
export function rememberedStorage(dataDir: string): DevStorageFlags | undefined {
  const file = path.join(dataDir, STORAGE_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const unreadable = () =>
    new InvalidInputError(
      `${file} does not say where this platform's data is: give --storage etcd --etcd-endpoints URL (or --storage sqlite) explicitly`,
    );
  let remembered: StorageFile;
  try {
    remembered = JSON.parse(text) as StorageFile;
  } catch {
    throw unreadable();
  }
  const endpoints = remembered.endpoints;
  if (
    remembered.engine !== 'etcd' ||
    !Array.isArray(endpoints) ||
    !endpoints.every((e) => typeof e === 'string')
  )
    throw unreadable();
  const prefix = typeof remembered.keyPrefix === 'string' ? { etcdPrefix: remembered.keyPrefix } : {};
  if (isLocalEtcd(dataDir, endpoints as string[])) return { storage: 'etcd', ...prefix };
  const tls = remembered.tls ?? {};
  const named = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return {
    storage: 'etcd',
    etcdEndpoints: (endpoints as string[]).join(','),
    ...prefix,
    ...(named(tls.caFile) ? { etcdCa: named(tls.caFile) } : {}),
    ...(named(tls.certFile) ? { etcdCert: named(tls.certFile) } : {}),
    ...(named(tls.keyFile) ? { etcdKey: named(tls.keyFile) } : {}),
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
