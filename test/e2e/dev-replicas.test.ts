import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { etcdMissing } from '../../src/platform/storage/etcd/local-etcd.js';
import { isProcessAlive } from '../../src/shared/process-alive.js';
import { kplane, kubectl, userSandbox, type RunResult } from './helpers/cli.js';
import { rawRequest } from './helpers/platform.js';

// `kplane dev up --storage etcd --replicas 2` as a platform owner runs it: a local etcd from the machine's
// binary (dev up's own, /usr/bin/etcd; CI installs Debian's etcd-server), two platform processes on one data
// folder, and a front on the usual port that the admin kubeconfig names. Checked from outside: both replicas
// answer, the real kubectl works through the front (also with a replica killed), and `dev down` leaves no
// process behind.
//
// NEEDS THE STORAGE WIRING in src/platform/server.ts: the second replica can only start once server.ts
// claims `server-ID.pid` for `--replica-id` (acquirePidFile(dataDir, process.pid, options.replicaId));
// until then dev up reports "replica r2 ... already running" and cleans up. The [cross-replica] test also
// needs the replicas to serve from etcd.

const missing = etcdMissing();
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kplane-dev-replicas-'));
const user = userSandbox('kplane-dev-replicas-');

afterAll(async () => {
  await kplane(['dev', 'down', '--data-dir', dataDir]);
  rmSync(dataDir, { recursive: true, force: true });
  user.cleanup();
});

interface UpJson {
  url: string;
  kubeconfig: string;
  topology: {
    url: string;
    front: { url: string; pid: number };
    replicas: { id: string; url: string; pid: number }[];
    etcd: { endpoints: string[]; local: { pid: number; dataDir: string } };
  };
}

const ok = (result: RunResult) => {
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
};

/** Processes whose command line names the data folder: the platform's, the front's, etcd's and its member's. */
function processesOn(dir: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (commandLine.includes(dir) && isProcessAlive(Number(pid))) found.push(`${pid}: ${commandLine}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

describe.skipIf(missing !== undefined)(
  `kplane dev up --storage etcd --replicas 2${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    let up: UpJson;
    const admin = (...args: string[]) =>
      kubectl(args, { env: { ...user.env, KUBECONFIG: path.join(dataDir, 'admin.kubeconfig') } });

    it(
      'starts a local etcd, two replicas and a front that the admin kubeconfig names',
      { timeout: 90_000 },
      async () => {
        const result = await kplane(
          [
            'dev',
            'up',
            '--storage',
            'etcd',
            '--replicas',
            '2',
            '--detach',
            '--port',
            '0',
            '--data-dir',
            dataDir,
            '-o',
            'json',
          ],
          { env: user.env, timeoutMs: 80_000 },
        );
        up = JSON.parse(ok(result)) as UpJson;
        const { topology } = up;
        expect(topology.front.url).toBe(up.url);
        expect(topology.replicas.map((replica) => replica.id)).toEqual(['r1', 'r2']);
        const ports = new Set(
          [up.url, ...topology.replicas.map((replica) => replica.url)].map((url) => new URL(url).port),
        );
        expect(ports.size).toBe(3);
        expect(topology.etcd.local.dataDir).toBe(path.join(dataDir, 'etcd'));
        expect(topology.etcd.endpoints).toHaveLength(1);
        expect(readFileSync(up.kubeconfig, 'utf8')).toContain(`server: ${up.url}/clusters/root`);
      },
    );

    it('has both replicas answer /readyz on their own ports', async () => {
      const ca = readFileSync(path.join(dataDir, 'ca.crt'));
      for (const replica of up.topology.replicas) {
        const ready = await rawRequest(replica.url, '/readyz', { ca });
        expect(ready.status, `${replica.id}: ${ready.body}`).toBe(200);
      }
    });

    it('serves the real kubectl through the front, every connection', { timeout: 60_000 }, async () => {
      // Each kubectl run opens its own connection, and the front hands them out in turn.
      for (let i = 0; i < 4; i++)
        expect(ok(await admin('get', 'namespaces', '-o', 'name'))).toContain('namespace/default');
      ok(await admin('create', 'configmap', 'through-front', '--from-literal=a=1'));
    });

    // CROSS-REPLICA: needs the platform wired to etcd (--storage etcd honoured by server.ts). Until then each
    // replica keeps its own view, and this fails.
    it(
      'shows a namespace created through replica 1 through replica 2 [cross-replica]',
      { timeout: 60_000 },
      async () => {
        const [r1, r2] = up.topology.replicas;
        ok(await admin('--server', `${r1!.url}/clusters/root`, 'create', 'namespace', 'made-on-r1'));
        const seen = await admin(
          '--server',
          `${r2!.url}/clusters/root`,
          'get',
          'namespace',
          'made-on-r1',
          '-o',
          'name',
        );
        expect(seen.stdout, seen.stderr).toBe('namespace/made-on-r1\n');
      },
    );

    it(
      'keeps serving through the front when a replica is killed, and dev down stops the rest',
      { timeout: 90_000 },
      async () => {
        const [, r2] = up.topology.replicas;
        process.kill(r2!.pid, 'SIGKILL');
        for (let i = 0; i < 4; i++)
          expect(ok(await admin('get', 'namespaces', '-o', 'name'))).toContain('namespace/default');

        const status = await kplane(['dev', 'status', '--data-dir', dataDir, '-o', 'json']);
        expect(
          (JSON.parse(ok(status)) as { role: string; running: boolean }[]).map(({ role, running }) => [
            role,
            running,
          ]),
        ).toEqual([
          ['front', true],
          ['replica r1', true],
          ['replica r2', false],
          ['etcd', true],
        ]);

        const down = await kplane(['dev', 'down', '--data-dir', dataDir], { timeoutMs: 60_000 });
        expect(down.code, down.stderr).toBe(0);
        expect(down.stderr).toContain(`kplane front (pid ${up.topology.front.pid}) stopped.`);
        expect(down.stderr).toContain(
          `kplane platform replica r1 (pid ${up.topology.replicas[0]!.pid}) stopped.`,
        );
        expect(down.stderr).toContain(`local etcd (pid ${up.topology.etcd.local.pid}) stopped.`);
        for (const pid of [
          up.topology.front.pid,
          up.topology.etcd.local.pid,
          ...up.topology.replicas.map((r) => r.pid),
        ])
          expect(isProcessAlive(pid), `pid ${pid}`).toBe(false);
        expect(processesOn(dataDir)).toEqual([]);
        for (const file of ['front.pid', 'server-r1.pid', 'server-r2.pid', 'etcd.pid'])
          expect(existsSync(path.join(dataDir, file)), file).toBe(false);

        expect(await kplane(['dev', 'status', '--data-dir', dataDir])).toMatchObject({
          code: 3,
          stderr: `Error: no kplane platform is running on ${dataDir}\n`,
        });
        const again = await kplane(['dev', 'down', '--data-dir', dataDir]);
        expect(again).toMatchObject({
          code: 3,
          stderr: `Error: no kplane platform is running on ${dataDir}\n`,
        });
      },
    );
  },
);

describe('kplane dev up refuses replicas without a shared store', () => {
  it('exits 2 with what to add, and starts nothing', async () => {
    const fresh = path.join(dataDir, 'never-made');
    const result = await kplane(['dev', 'up', '--replicas', '2', '--detach', '--data-dir', fresh], {
      env: user.env,
    });
    expect(result).toMatchObject({
      code: 2,
      stderr:
        'Error: --replicas 2: replicas share one store, and SQLite serves one process: add --storage etcd\n',
    });
    expect(existsSync(fresh)).toBe(false);
  });

  it('exits 2 when TLS files come without the etcd they are for', async () => {
    const fresh = path.join(dataDir, 'never-made-either');
    const result = await kplane(
      ['dev', 'up', '--storage', 'etcd', '--etcd-ca', '/tmp/ca.crt', '--detach', '--data-dir', fresh],
      { env: user.env },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--etcd-ca is for an etcd you run: give its --etcd-endpoints too');
    expect(existsSync(fresh)).toBe(false);
  });
});
