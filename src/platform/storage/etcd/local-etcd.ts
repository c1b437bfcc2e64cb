import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { freeLoopbackPort } from '../../../shared/free-port.js';
import { LOCAL_MAX_TXN_OPS } from './client.js';
import { EtcdBinaryMissingError } from './errors.js';

// A local etcd cluster on loopback from the machine's etcd binary: for `kplane dev up --storage etcd`,
// the etcd tests and the storage benchmark.

/** Debian's etcd-server package installs it here. */
export const DEFAULT_ETCD_BINARY = '/usr/bin/etcd';

/** Why etcd cannot start here, naming the package to install, or undefined when the binary is there. */
export function etcdMissing(binary = DEFAULT_ETCD_BINARY): string | undefined {
  return existsSync(binary)
    ? undefined
    : `${binary} is missing: install Debian's etcd-server package (sudo apt-get install etcd-server), or pass the path of an etcd binary`;
}

export interface LocalEtcdOptions {
  /** How many members; 3 survives losing one. */
  size?: number;
  binary?: string;
  /** Where the members keep their data (a folder each); a temporary folder, removed on stop, when unset. */
  dataDir?: string;
  /**
   * Each member's client and peer port. A cluster kept in `dataDir` must come back on the ports it was
   * created with (etcd stores its members' peer URLs); free ports are picked when unset.
   */
  ports?: { client: number; peer: number }[];
  /**
   * Serve clients over TLS and require a client certificate signed by `caFile` (etcd's
   * --client-cert-auth). `certFile`/`keyFile` are etcd's serving pair (for 127.0.0.1); `clientCertFile`/
   * `clientKeyFile` are what the health check presents.
   */
  tls?: { caFile: string; certFile: string; keyFile: string; clientCertFile: string; clientKeyFile: string };
}

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

export interface LocalEtcd {
  members: EtcdMember[];
  /** The members' client URLs, for EtcdStore's `endpoints`. */
  endpoints: string[];
  /** Stops every member (SIGKILL: etcd's WAL makes that safe) and removes a temporary data folder. */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
// A process that exits (a failed test, a crashed dev platform) must not leave etcd behind.
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

type Tls = NonNullable<LocalEtcdOptions['tls']>;

function healthAnswer(clientUrl: string, tls: Tls | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const options = tls
      ? {
          ca: readFileSync(tls.caFile),
          cert: readFileSync(tls.clientCertFile),
          key: readFileSync(tls.clientKeyFile),
        }
      : {};
    const request = (tls ? httpsRequest : httpRequest)(
      `${clientUrl}/health`,
      { ...options, timeout: 1000 },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve(/"health":\s*"true"/.test(body)));
      },
    );
    request.on('error', () => resolve(false));
    request.on('timeout', () => request.destroy());
    request.end();
  });
}

async function healthy(clientUrl: string, tls: Tls | undefined, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if (await healthAnswer(clientUrl, tls)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

/**
 * Starts an etcd cluster of `size` members on free loopback ports, each with its own data folder, and
 * waits until every member is healthy. Short heartbeat and election timeouts (loopback has no latency)
 * make a lost member or quorum show within a second instead of etcd's default several; --max-txn-ops is
 * raised from 128 because one platform transaction (bootstrapping a workspace) writes more keys than that.
 */
export async function startLocalEtcd(options: LocalEtcdOptions = {}): Promise<LocalEtcd> {
  const size = options.size ?? 1;
  const binary = options.binary ?? DEFAULT_ETCD_BINARY;
  const missing = etcdMissing(binary);
  if (missing) throw new EtcdBinaryMissingError(missing);
  const temporary = options.dataDir === undefined;
  const root = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'kplane-etcd-'));
  mkdirSync(root, { recursive: true, mode: 0o700 });
  const specs: { name: string; clientUrl: string; peerUrl: string }[] = [];
  for (let i = 0; i < size; i++) {
    specs.push({
      name: `m${i}`,
      clientUrl: `${options.tls ? 'https' : 'http'}://127.0.0.1:${options.ports?.[i]?.client ?? (await freeLoopbackPort())}`,
      peerUrl: `http://127.0.0.1:${options.ports?.[i]?.peer ?? (await freeLoopbackPort())}`,
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
        binary,
        [
          `--name=${spec.name}`,
          `--data-dir=${path.join(root, spec.name)}`,
          `--listen-client-urls=${spec.clientUrl}`,
          `--advertise-client-urls=${spec.clientUrl}`,
          `--listen-peer-urls=${spec.peerUrl}`,
          `--initial-advertise-peer-urls=${spec.peerUrl}`,
          `--initial-cluster=${initialCluster}`,
          '--initial-cluster-state=new',
          '--initial-cluster-token=kplane-local',
          '--heartbeat-interval=50',
          '--election-timeout=500',
          `--max-txn-ops=${LOCAL_MAX_TXN_OPS}`,
          '--logger=zap',
          '--log-level=error',
          ...(options.tls
            ? [
                `--cert-file=${options.tls.certFile}`,
                `--key-file=${options.tls.keyFile}`,
                `--trusted-ca-file=${options.tls.caFile}`,
                '--client-cert-auth',
              ]
            : []),
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
        if (!(await healthy(spec.clientUrl, options.tls, 15_000)))
          throw new Error(`etcd member ${spec.name} did not become healthy again:\n${output}`);
      },
    };
  });
  // All members start at once: each waits for its peers before it serves.
  for (const start of firstStarts) start();
  const cluster: LocalEtcd = {
    members,
    endpoints: specs.map((s) => s.clientUrl),
    async stop() {
      await Promise.all(members.map((m) => m.kill9()));
      if (temporary) rmSync(root, { recursive: true, force: true });
    },
  };
  for (const spec of specs) {
    if (!(await healthy(spec.clientUrl, options.tls, 20_000))) {
      await cluster.stop();
      throw new Error(`etcd member ${spec.name} did not become healthy on ${spec.clientUrl}`);
    }
  }
  return cluster;
}
