import { describe, expect, it } from 'vitest';
import { EtcdBinaryMissingError } from './errors.js';
import { etcdMissing, startLocalEtcd } from './local-etcd.js';

describe('startLocalEtcd', () => {
  it("refuses at once, naming Debian's etcd-server package, when the etcd binary is missing", async () => {
    const start = startLocalEtcd({ binary: '/nonexistent/etcd' });
    await expect(start).rejects.toBeInstanceOf(EtcdBinaryMissingError);
    await expect(start).rejects.toThrow(/apt-get install etcd-server/);
    expect(etcdMissing('/nonexistent/etcd')).toMatch(/\/nonexistent\/etcd is missing/);
  });
});
