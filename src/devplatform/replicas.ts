import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { NotFoundError } from '../cli/errors.js';
import { devReplicaIds } from '../shared/platform-files.js';
import { isProcessAlive } from '../shared/process-alive.js';
import type { EtcdTlsChoice, StorageChoice } from '../shared/storage-flags.js';
import {
  frontEntryPoint,
  frontFiles,
  localEtcdEntryPoint,
  localEtcdFiles,
  topologyFile,
} from './data-dir.js';
import { recordedPid, refuseWhileRunning, replicaPidFiles } from './recorded-processes.js';
import {
  startDetached,
  startDetachedProcess,
  stopRecordedProcess,
  type PlatformReady,
  type StopResult,
} from './process.js';

// `kplane dev up --storage etcd [--replicas N]`: the platform as N processes on one etcd (the user's, or
// one dev up runs from the machine's binary), sharing the data folder (certificates, admin token). With
// more than one, a TCP front takes the platform's usual port and spreads connections over them. Every
// process is detached with a pid file in the data folder, as the single platform is, so `dev down` finds
// them however `dev up` ended; topology.json records addresses for `dev up`'s report and `dev status`.

export interface ReplicatedStartOptions {
  dataDir: string;
  /** The usual port: the front's, or the only replica's. */
  port: number;
  replicas: number;
  /** etcd to use; undefined endpoints: run a local one. */
  etcd: { endpoints?: string[] | undefined; keyPrefix?: string | undefined; tls?: EtcdTlsChoice | undefined };
  demo: boolean;
  watchHistorySeconds?: number | undefined;
  authenticationConfig?: string | undefined;
}

export interface Topology {
  /** Where clients go: the front, or the only replica. */
  url: string;
  front?: { url: string; pid: number };
  replicas: { id?: string; url: string; pid: number }[];
  etcd: { endpoints: string[]; local?: { pid: number; dataDir: string } };
}

export interface ReplicatedReady extends PlatformReady {
  topology: Topology;
}

export async function startReplicated(options: ReplicatedStartOptions): Promise<ReplicatedReady> {
  const { dataDir } = options;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  refuseWhileRunning(dataDir);
  // An etcd whose platform is gone (dev up killed half-way) would hold the ports and the data.
  await stopRecordedProcess(localEtcdFiles(dataDir).pid);
  try {
    const local = options.etcd.endpoints ? undefined : await startLocalEtcd(dataDir);
    const endpoints = options.etcd.endpoints ?? local!.endpoints;
    const storage: StorageChoice = {
      engine: 'etcd',
      endpoints,
      ...(options.etcd.keyPrefix !== undefined ? { keyPrefix: options.etcd.keyPrefix } : {}),
      ...(options.etcd.tls ? { tls: options.etcd.tls } : {}),
    };
    const ids: (string | undefined)[] =
      options.replicas === 1 ? [undefined] : devReplicaIds(options.replicas);
    const replica = (replicaId: string | undefined, port: number, demo: boolean) =>
      startDetached({
        port,
        dataDir,
        demo,
        watchHistorySeconds: options.watchHistorySeconds,
        authenticationConfig: options.authenticationConfig,
        storage,
        replicaId,
      });
    // The first creates the certificates, the admin token and root (and seeds the demo once); the others
    // find them in the shared folder and the store.
    const first = await replica(ids[0], options.replicas === 1 ? options.port : 0, options.demo);
    const others = await Promise.all(ids.slice(1).map((id) => replica(id, 0, false)));
    const replicas = [first, ...others].map((ready, i) => ({
      ...(ids[i] !== undefined ? { id: ids[i] } : {}),
      url: ready.url,
      pid: ready.pid,
    }));
    const front = options.replicas > 1 ? await startFront(dataDir, options.port, replicas) : undefined;
    const url = front?.url ?? first.url;
    // Each replica wrote the admin kubeconfig with its own address; people and agents go through the front.
    pointKubeconfigAt(first.kubeconfig, url);
    const topology: Topology = {
      url,
      ...(front ? { front } : {}),
      replicas,
      etcd: {
        endpoints,
        ...(local ? { local: { pid: local.pid, dataDir: localEtcdFiles(dataDir).dir } } : {}),
      },
    };
    writeFileSync(topologyFile(dataDir), `${JSON.stringify(topology, null, 2)}\n`, { mode: 0o600 });
    // The pid that stands for the whole: what lives as long as the platform answers on its usual port.
    return { ...first, url, pid: front?.pid ?? first.pid, topology };
  } catch (err) {
    await stopReplicated(dataDir);
    throw err;
  }
}

async function startLocalEtcd(dataDir: string): Promise<{ endpoints: string[]; pid: number }> {
  const files = localEtcdFiles(dataDir);
  const ready = await startDetachedProcess<{ ready: true; endpoints: string[]; pid: number }>(
    [localEtcdEntryPoint(), '--data-dir', files.dir],
    files.log,
    30_000,
    undefined,
    'the local etcd',
  );
  writeFileSync(files.pid, `${ready.pid}\n`, { mode: 0o600 });
  return ready;
}

async function startFront(
  dataDir: string,
  port: number,
  replicas: { url: string }[],
): Promise<{ url: string; pid: number }> {
  const files = frontFiles(dataDir);
  const backends = replicas.map((replica) => new URL(replica.url).host).join(',');
  const ready = await startDetachedProcess<{ ready: true; url: string; pid: number }>(
    [frontEntryPoint(), '--port', String(port), '--backends', backends],
    files.log,
    10_000,
    undefined,
    'the front',
  );
  writeFileSync(files.pid, `${ready.pid}\n`, { mode: 0o600 });
  return { url: ready.url, pid: ready.pid };
}

function pointKubeconfigAt(file: string, url: string): void {
  const config = parse(readFileSync(file, 'utf8')) as { clusters?: { cluster: { server: string } }[] };
  for (const entry of config.clusters ?? []) entry.cluster.server = `${url}/clusters/root`;
  const temp = `${file}.tmp`;
  writeFileSync(temp, stringify(config), { mode: 0o600 });
  renameSync(temp, file);
}

export interface StoppedProcess extends StopResult {
  /** `front`, `replica r1`, `platform` (the only process), `etcd`. */
  role: string;
}

/**
 * Stops what `dev up` started on this folder: the front (no new connections), every platform process
 * (the single one or each replica; a killed one's stale pid file is removed), then the local etcd, which
 * the replicas need until they have stopped. Returns what was running.
 */
export async function stopReplicated(dataDir: string): Promise<StoppedProcess[]> {
  const stopped: StoppedProcess[] = [];
  const stop = async (file: string, role: string) => {
    const result = await stopRecordedProcess(file);
    if (result) stopped.push({ role, ...result });
    const pid = recordedPid(file);
    if (pid === undefined || !isProcessAlive(pid)) rmSync(file, { force: true });
  };
  await stop(frontFiles(dataDir).pid, 'front');
  await Promise.all(replicaPidFiles(dataDir).map((file) => stop(file, replicaRole(path.basename(file)))));
  await stop(localEtcdFiles(dataDir).pid, 'etcd');
  rmSync(topologyFile(dataDir), { force: true });
  return stopped;
}

/** `dev down`: stopReplicated, and a NotFoundError (exit 3) when nothing was running. */
export async function stopPlatformProcesses(dataDir: string): Promise<StoppedProcess[]> {
  const stopped = await stopReplicated(dataDir);
  if (stopped.length === 0) throw new NotFoundError(`no kplane platform is running on ${dataDir}`);
  return stopped;
}

function replicaRole(pidFileName: string): string {
  const id = /^server-([a-z0-9-]+)\.pid$/.exec(pidFileName)?.[1];
  return id === undefined ? 'platform' : `replica ${id}`;
}
