import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** Debian's etcd-server package installs it here; CI installs the package when it is missing. */
export const etcdBin = process.env.ETCD ?? '/usr/bin/etcd';
export const etcdMissing = existsSync(etcdBin)
  ? undefined
  : `${etcdBin} is missing: install Debian's etcd-server package (apt-get install etcd-server) to run the etcd tests`;

export interface EtcdMember {
  name: string;
  clientUrl: string;
  peerUrl: string;
  running(): boolean;
  /** SIGKILL, then wait: a crashed member. */
  kill9(): Promise<void>;
  /** Starts the member again on the same ports and data folder. */
  restart(): Promise<void>;
}

export interface EtcdCluster {
  members: EtcdMember[];
  endpoints: string[];
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
// A failed test must not leave etcd behind.
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

async function healthy(clientUrl: string, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${clientUrl}/health`, { signal: AbortSignal.timeout(1000) });
      const body = (await response.json()) as { health?: string };
      if (body.health === 'true') return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

/**
 * Starts an etcd cluster of `size` members on free loopback ports, each with its own temporary data
 * folder, and waits until it has a leader. Short heartbeat and election timeouts make a lost member
 * or quorum show within a second instead of etcd's default several.
 */
export async function startEtcd(size = 1): Promise<EtcdCluster> {
  if (etcdMissing) throw new Error(etcdMissing);
  const root = mkdtempSync(path.join(os.tmpdir(), 'kplane-etcd-'));
  const specs: { name: string; clientUrl: string; peerUrl: string }[] = [];
  for (let i = 0; i < size; i++) {
    specs.push({
      name: `m${i}`,
      clientUrl: `http://127.0.0.1:${await freePort()}`,
      peerUrl: `http://127.0.0.1:${await freePort()}`,
    });
  }
  const initialCluster = specs.map((s) => `${s.name}=${s.peerUrl}`).join(',');
  const firstStarts: (() => void)[] = [];
  const members: EtcdMember[] = specs.map((spec) => {
    let child: ChildProcess | undefined;
    let output = '';
    const start = () => {
      output = '';
      child = spawn(
        etcdBin,
        [
          `--name=${spec.name}`,
          `--data-dir=${path.join(root, spec.name)}`,
          `--listen-client-urls=${spec.clientUrl}`,
          `--advertise-client-urls=${spec.clientUrl}`,
          `--listen-peer-urls=${spec.peerUrl}`,
          `--initial-advertise-peer-urls=${spec.peerUrl}`,
          `--initial-cluster=${initialCluster}`,
          '--initial-cluster-state=new',
          '--initial-cluster-token=kplane-test',
          '--heartbeat-interval=50',
          '--election-timeout=500',
          '--max-txn-ops=1024',
          '--logger=zap',
          '--log-level=error',
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      child.stderr?.on('data', (chunk: Buffer) => {
        if (output.length < 20_000) output += chunk.toString();
      });
      running.add(child);
      const started = child;
      started.once('exit', () => running.delete(started));
    };
    firstStarts.push(start);
    return {
      ...spec,
      running: () => child !== undefined && child.exitCode === null && child.signalCode === null,
      async kill9() {
        if (!child) return;
        child.kill('SIGKILL');
        await exited(child);
      },
      async restart() {
        start();
        if (!(await healthy(spec.clientUrl, 15_000)))
          throw new Error(`etcd member ${spec.name} did not become healthy again:\n${output}`);
      },
    };
  });
  // All members start at once: each waits for its peers before it serves.
  for (const start of firstStarts) start();
  const cluster: EtcdCluster = {
    members,
    endpoints: specs.map((s) => s.clientUrl),
    async stop() {
      await Promise.all(members.map((m) => m.kill9()));
      rmSync(root, { recursive: true, force: true });
    },
  };
  for (const spec of specs) {
    if (!(await healthy(spec.clientUrl, 20_000))) {
      await cluster.stop();
      throw new Error(`etcd member ${spec.name} did not become healthy on ${spec.clientUrl}`);
    }
  }
  return cluster;
}
