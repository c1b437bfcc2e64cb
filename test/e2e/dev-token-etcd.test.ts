// `kplane dev token` on a platform that runs on etcd: the owner tool finds the etcd in the data folder's
// storage.json and mints and revokes there, so every replica (each with a store of its own on that etcd)
// accepts the new token and refuses the revoked ones.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate } from '../../src/platform/auth/authenticate.js';
import { EtcdStore } from '../../src/platform/storage/etcd/etcd-store.js';
import { EtcdTokenStore } from '../../src/platform/storage/etcd/etcd-token-store.js';
import { writeStorageConfig } from '../../src/platform/storage/storage-config.js';
import { kplane, userSandbox, type UserSandbox } from './helpers/cli.js';
import { etcdMissing, startEtcd, type EtcdCluster } from './helpers/etcd.js';
import { eventually } from './helpers/wait.js';

describe.skipIf(etcdMissing)('kplane dev token on a platform on etcd', () => {
  let etcd: EtcdCluster;
  let sandbox: UserSandbox;
  let dataDir: string;
  let replicas: EtcdTokenStore[];
  const stores: EtcdStore[] = [];
  const keyPrefix = '/dev-token/';

  beforeAll(async () => {
    etcd = await startEtcd(1);
    sandbox = userSandbox();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'kplane-dev-token-etcd-'));
    writeStorageConfig(dataDir, { engine: 'etcd', endpoints: etcd.endpoints, keyPrefix });
    // Two replicas of the platform, as two servers on that etcd would hold them.
    for (let i = 0; i < 2; i++)
      stores.push(await EtcdStore.open({ endpoints: etcd.endpoints, keyPrefix, requestTimeoutMs: 1500 }));
    replicas = stores.map((store) => new EtcdTokenStore(store));
  });
  afterAll(async () => {
    for (const store of stores) store.close();
    sandbox?.cleanup();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    await etcd?.stop();
  });

  const who = (tokens: EtcdTokenStore, token: string) =>
    authenticate({ authorization: `Bearer ${token}` }, tokens)?.name;
  const onEvery = (token: string, ok: (name: string | undefined) => boolean) =>
    Promise.all(replicas.map((tokens) => eventually(() => Promise.resolve(who(tokens, token)), ok)));

  it('mints a token every replica accepts, and revokes it on every replica', async () => {
    const minted = await kplane(['dev', 'token', 'alice', '--group', 'dev', '--data-dir', dataDir], {
      env: sandbox.env,
    });
    expect(minted.stderr).toBe('');
    expect(minted.code).toBe(0);
    const token = minted.stdout.trim();
    expect(await onEvery(token, (name) => name === 'alice')).toEqual(['alice', 'alice']);

    const revoked = await kplane(['dev', 'token', 'alice', '--revoke', '--data-dir', dataDir], {
      env: sandbox.env,
    });
    expect(revoked).toMatchObject({ code: 0, stderr: 'revoked 1 token(s) of user alice\n' });
    expect(await onEvery(token, (name) => name === undefined)).toEqual([undefined, undefined]);
  });

  it('says which storage.json is wrong, and mints nothing', async () => {
    const broken = mkdtempSync(path.join(os.tmpdir(), 'kplane-dev-token-broken-'));
    try {
      writeFileSync(path.join(broken, 'storage.json'), '{"engine":"etcd","endpoints":[]}');
      const result = await kplane(['dev', 'token', 'bob', '--data-dir', broken], { env: sandbox.env });
      expect(result.code).not.toBe(0);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(path.join(broken, 'storage.json'));
      expect(result.stderr).toContain('endpoints must list');
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  });

  it('says when the etcd it names cannot be reached', async () => {
    const away = mkdtempSync(path.join(os.tmpdir(), 'kplane-dev-token-away-'));
    try {
      // A port nothing listens on: etcd's members are all down.
      writeStorageConfig(away, { engine: 'etcd', endpoints: ['http://127.0.0.1:9'], keyPrefix });
      const result = await kplane(['dev', 'token', 'bob', '--data-dir', away], { env: sandbox.env });
      expect(result.code).not.toBe(0);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain("cannot reach the platform's etcd at http://127.0.0.1:9");
    } finally {
      rmSync(away, { recursive: true, force: true });
    }
  });
});
