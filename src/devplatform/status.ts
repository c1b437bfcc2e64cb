import { existsSync, readFileSync } from 'node:fs';
import { NotFoundError } from '../cli/errors.js';
import { isProcessAlive } from '../shared/process-alive.js';
import { agentsPidFile, membersDir, previousPort, serverPidFile, topologyFile } from './data-dir.js';
import { demoProviderFiles } from './demo-oidc.js';
import type { Topology } from './replicas.js';

// `kplane dev status`: what `dev up` started on a data folder and whether each still runs, read from the
// same pid files `dev down` stops (and topology.json for the addresses of a replicated platform).

export interface DevProcessStatus {
  /** platform, front, replica r1…, etcd, members, agents, oidc-provider */
  role: string;
  pid: number;
  running: boolean;
  address?: string;
}

function recorded(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function entry(role: string, pid: number | undefined, address?: string): DevProcessStatus[] {
  if (pid === undefined) return [];
  return [{ role, pid, running: isProcessAlive(pid), ...(address !== undefined ? { address } : {}) }];
}

function platformEntries(dataDir: string): DevProcessStatus[] {
  if (existsSync(topologyFile(dataDir))) {
    const topology = JSON.parse(readFileSync(topologyFile(dataDir), 'utf8')) as Topology;
    return [
      ...(topology.front ? entry('front', topology.front.pid, topology.front.url) : []),
      ...topology.replicas.flatMap((replica) =>
        entry(replica.id === undefined ? 'platform' : `replica ${replica.id}`, replica.pid, replica.url),
      ),
      // An etcd the user runs is theirs to watch: only dev up's own is listed.
      ...(topology.etcd.local
        ? entry('etcd', topology.etcd.local.pid, topology.etcd.endpoints.join(','))
        : []),
    ];
  }
  const port = previousPort(dataDir);
  return entry('platform', recorded(serverPidFile(dataDir)), port ? `https://127.0.0.1:${port}` : undefined);
}

/** Every process recorded on the folder; a NotFoundError (exit 3) when there is none. */
export function devStatus(dataDir: string): DevProcessStatus[] {
  const processes = [
    ...platformEntries(dataDir),
    ...entry('members', recorded(serverPidFile(membersDir(dataDir)))),
    ...entry('agents', recorded(agentsPidFile(dataDir))),
    ...entry('oidc-provider', recorded(demoProviderFiles(dataDir).pid)),
  ];
  if (processes.length === 0) throw new NotFoundError(`no kplane platform is running on ${dataDir}`);
  return processes;
}
