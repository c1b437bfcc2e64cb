import { createHash } from 'node:crypto';

// `npm run test:e2e:etcd` runs the e2e suite again with every platform a test starts on etcd
// (KPLANE_TEST_STORAGE=etcd): one etcd for the run (etcd-global-setup.ts), each data folder under a
// key prefix of its own, so tests never see each other's objects and a restart on the same folder
// finds its data again.

/** The etcd endpoints of this run when the suite runs on etcd, else undefined (SQLite). */
export function testEtcdEndpoints(): string | undefined {
  if (process.env.KPLANE_TEST_STORAGE !== 'etcd') return undefined;
  const endpoints = process.env.KPLANE_TEST_ETCD_ENDPOINTS;
  // A run asked to use etcd must not pass quietly on SQLite.
  if (!endpoints) throw new Error('KPLANE_TEST_STORAGE=etcd, but no etcd was started (etcd-global-setup.ts)');
  return endpoints;
}

/** The platform flags that put `dataDir`'s platform on this run's storage ([] on SQLite). */
export function testStorageArgs(dataDir: string): string[] {
  const endpoints = testEtcdEndpoints();
  if (!endpoints) return [];
  const prefix = `/kplane-test/${createHash('sha256').update(dataDir).digest('hex').slice(0, 16)}/`;
  return ['--storage', 'etcd', '--etcd-endpoints', endpoints, '--etcd-prefix', prefix];
}
