import {
  etcdMissing as whyMissing,
  startLocalEtcd,
  type LocalEtcd,
} from '../../../src/platform/storage/etcd/local-etcd.js';

export type EtcdCluster = LocalEtcd;

/** Why the etcd tests skip here (the binary is missing: CI installs Debian's etcd-server), or undefined. */
export const etcdMissing = whyMissing(process.env.ETCD);

/** A fresh etcd cluster of `size` members on loopback with a temporary data folder; stop() removes it. */
export function startEtcd(size = 1): Promise<EtcdCluster> {
  return startLocalEtcd({ size, ...(process.env.ETCD ? { binary: process.env.ETCD } : {}) });
}
