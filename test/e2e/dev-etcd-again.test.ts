// `kplane dev up --storage etcd` once, then plain `kplane dev up` on the same folder: the platform comes back
// on the same etcd with its data (the folder's storage.json says where), never on an empty SQLite database.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { etcdMissing } from '../../src/platform/storage/etcd/local-etcd.js';
import { kplane, kubectl, userSandbox, type RunResult } from './helpers/cli.js';

const missing = etcdMissing();
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kplane-dev-etcd-again-'));
const user = userSandbox('kplane-dev-etcd-again-');

afterAll(async () => {
  await kplane(['dev', 'down', '--data-dir', dataDir]);
  rmSync(dataDir, { recursive: true, force: true });
  user.cleanup();
});

const ok = (result: RunResult) => {
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
};
const up = (...flags: string[]) =>
  kplane(['dev', 'up', ...flags, '--detach', '--port', '0', '--data-dir', dataDir], {
    env: user.env,
    timeoutMs: 60_000,
  });
const admin = (...args: string[]) =>
  kubectl(args, { env: { ...user.env, KUBECONFIG: path.join(dataDir, 'admin.kubeconfig') } });

describe.skipIf(missing !== undefined)(
  `dev up again on a folder that ran on etcd${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    it(
      'comes back on the same etcd with its data when no storage flag is given',
      { timeout: 120_000 },
      async () => {
        ok(await up('--storage', 'etcd'));
        ok(await admin('create', 'namespace', 'kept-on-etcd'));
        ok(await kplane(['dev', 'down', '--data-dir', dataDir], { env: user.env }));

        const again = ok(await up());
        expect(again).toContain('etcd:');
        expect(ok(await admin('get', 'namespace', 'kept-on-etcd', '-o', 'name'))).toBe(
          'namespace/kept-on-etcd\n',
        );
        expect(existsSync(path.join(dataDir, 'platform.db'))).toBe(false);
        expect(existsSync(path.join(dataDir, 'storage.json'))).toBe(true);
      },
    );
  },
);
