import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { platformLogFileName, platformPidFileName } from '../shared/platform-files.js';

/**
 * The data folder `--data-dir` names, made absolute; without one, `$XDG_DATA_HOME/kplane/dev` or
 * `~/.local/share/kplane/dev`: where a user's own platform keeps its data.
 */
export function resolveDataDir(given: string | undefined): string {
  const dataHome = process.env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share');
  return path.resolve(given ?? path.join(dataHome, 'kplane', 'dev'));
}

export const defaultPort = 6443;

/**
 * A restarted platform should come back on the port it had, or every kubeconfig entry pointing at it breaks.
 * The admin kubeconfig the server writes records that port.
 */
export function previousPort(dataDir: string): number | undefined {
  const file = path.join(dataDir, 'admin.kubeconfig');
  if (!existsSync(file)) return undefined;
  const match = /server:\s*https?:\/\/127\.0\.0\.1:(\d+)\//.exec(readFileSync(file, 'utf8'));
  return match ? Number(match[1]) : undefined;
}

/** `server.pid`, or with several replicas on the folder (`dev up --replicas N`) replica ID's `server-ID.pid`. */
export function serverPidFile(dataDir: string, replicaId?: string): string {
  return path.join(dataDir, platformPidFileName(replicaId));
}

export function serverLogFile(dataDir: string, replicaId?: string): string {
  return path.join(dataDir, platformLogFileName(replicaId));
}

/**
 * `dev up --storage etcd` without endpoints runs etcd itself: its data in DATA_DIR/etcd, its pid and log
 * beside the platform's. The front of `--replicas N` keeps its pid and log there too.
 */
export const localEtcdFiles = (dataDir: string) => ({
  dir: path.join(dataDir, 'etcd'),
  pid: path.join(dataDir, 'etcd.pid'),
  log: path.join(dataDir, 'etcd.log'),
});

export const frontFiles = (dataDir: string) => ({
  pid: path.join(dataDir, 'front.pid'),
  log: path.join(dataDir, 'front.log'),
});

/** What the last `dev up --storage etcd` started, for `dev status` and `dev down`. */
export function topologyFile(dataDir: string): string {
  return path.join(dataDir, 'topology.json');
}

export function localEtcdEntryPoint(): string {
  return new URL('../platform/process/local-etcd-main.js', import.meta.url).pathname;
}

export function frontEntryPoint(): string {
  return new URL('./front-main.js', import.meta.url).pathname;
}

export function serverEntryPoint(): string {
  return new URL('../platform/main.js', import.meta.url).pathname;
}

/** The dev compute (`dev up --demo`): the member clusters' server and their agents keep their files here. */
export function membersDir(dataDir: string): string {
  return path.join(dataDir, 'members');
}

export function agentsPidFile(dataDir: string): string {
  return path.join(membersDir(dataDir), 'agents.pid');
}

export function agentsLogFile(dataDir: string): string {
  return path.join(membersDir(dataDir), 'agents.log');
}

export function agentFleetEntryPoint(): string {
  return new URL('./agent-fleet-main.js', import.meta.url).pathname;
}
