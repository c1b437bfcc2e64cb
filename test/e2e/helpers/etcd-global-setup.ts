import { startEtcd, type EtcdCluster } from './etcd.js';

// With KPLANE_TEST_STORAGE=etcd, one etcd serves every platform the e2e suite starts (test-storage.ts).
let etcd: EtcdCluster | undefined;

export async function setup(): Promise<void> {
  if (process.env.KPLANE_TEST_STORAGE !== 'etcd') return;
  etcd = await startEtcd(1);
  process.env.KPLANE_TEST_ETCD_ENDPOINTS = etcd.endpoints.join(',');
}

export async function teardown(): Promise<void> {
  await etcd?.stop();
}
