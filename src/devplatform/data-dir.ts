import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

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

export function serverPidFile(dataDir: string): string {
  return path.join(dataDir, 'server.pid');
}

export function serverLogFile(dataDir: string): string {
  return path.join(dataDir, 'server.log');
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
