import { existsSync } from 'node:fs';
import path from 'node:path';
import { InvalidInputError } from '../cli/errors.js';
import { parseStorageFlags, StorageFlagsError, type StorageFlags } from '../shared/storage-flags.js';
import type { ReplicatedStartOptions } from './replicas.js';

// `dev up`'s --storage, --etcd-* and --replicas, checked before anything starts (exit 2, nothing changed).

export interface DevStorageFlags {
  storage?: string | undefined;
  etcdEndpoints?: string | undefined;
  etcdCa?: string | undefined;
  etcdCert?: string | undefined;
  etcdKey?: string | undefined;
  etcdPrefix?: string | undefined;
  replicas?: number | undefined;
}

/** Stands in for the local etcd's address while its flags are checked: dev up learns the real one later. */
const LOCAL_ETCD_PLACEHOLDER = 'http://127.0.0.1:2379';

/**
 * The etcd and replica count `dev up` is to run on, or undefined for the default (one process on SQLite).
 * Without --etcd-endpoints, dev up runs etcd itself (plain http on loopback), so TLS files make no sense.
 */
export function devStorage(
  flags: DevStorageFlags,
): Pick<ReplicatedStartOptions, 'etcd' | 'replicas'> | undefined {
  const replicas = flags.replicas ?? 1;
  if (!Number.isInteger(replicas) || replicas < 1)
    throw new InvalidInputError(
      `--replicas ${replicas}: give a whole number of platform processes, 1 or more`,
    );
  if (replicas > 1 && flags.storage !== 'etcd')
    throw new InvalidInputError(
      `--replicas ${replicas}: replicas share one store, and SQLite serves one process: add --storage etcd`,
    );
  const local = flags.etcdEndpoints === undefined;
  if (flags.storage === 'etcd' && local) {
    const tlsFlag = [
      ['--etcd-ca', flags.etcdCa],
      ['--etcd-cert', flags.etcdCert],
      ['--etcd-key', flags.etcdKey],
    ].find(([, value]) => value !== undefined)?.[0];
    if (tlsFlag)
      throw new InvalidInputError(
        `${tlsFlag} is for an etcd you run: give its --etcd-endpoints too (without them dev up runs a local etcd on loopback)`,
      );
  }
  const given: StorageFlags = {
    ...(flags.storage !== undefined ? { storage: flags.storage } : {}),
    ...(flags.etcdEndpoints !== undefined ? { 'etcd-endpoints': flags.etcdEndpoints } : {}),
    ...(flags.storage === 'etcd' && local ? { 'etcd-endpoints': LOCAL_ETCD_PLACEHOLDER } : {}),
    ...(flags.etcdCa !== undefined ? { 'etcd-ca': flags.etcdCa } : {}),
    ...(flags.etcdCert !== undefined ? { 'etcd-cert': flags.etcdCert } : {}),
    ...(flags.etcdKey !== undefined ? { 'etcd-key': flags.etcdKey } : {}),
    ...(flags.etcdPrefix !== undefined ? { 'etcd-prefix': flags.etcdPrefix } : {}),
  };
  let storage;
  try {
    storage = parseStorageFlags(given);
  } catch (err) {
    if (!(err instanceof StorageFlagsError)) throw err;
    throw new InvalidInputError(err.message);
  }
  if (storage.engine === 'sqlite') return undefined;
  // The replicas would fail on a missing file only once started, with exit 1 and a log left behind.
  const files: [string, string | undefined][] = [
    ['--etcd-ca', storage.tls?.caFile],
    ['--etcd-cert', storage.tls?.certFile],
    ['--etcd-key', storage.tls?.keyFile],
  ];
  for (const [flag, file] of files)
    if (file !== undefined && !existsSync(file))
      throw new InvalidInputError(`${flag} ${file}: no such file: give the path of the PEM file`);
  return {
    replicas,
    etcd: {
      ...(local ? {} : { endpoints: storage.endpoints }),
      ...(storage.keyPrefix !== undefined ? { keyPrefix: storage.keyPrefix } : {}),
      // The replicas run detached: they get the files as the user meant them, from any folder.
      ...(storage.tls
        ? {
            tls: {
              caFile: path.resolve(storage.tls.caFile),
              ...(storage.tls.certFile !== undefined ? { certFile: path.resolve(storage.tls.certFile) } : {}),
              ...(storage.tls.keyFile !== undefined ? { keyFile: path.resolve(storage.tls.keyFile) } : {}),
            },
          }
        : {}),
    },
  };
}
