import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { kplaneBin } from './cli.js';

export interface AgentProcess {
  stderr(): string;
  /** Resolves with the first match of `pattern` in stderr. */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
  /** SIGKILL: a crash at whatever line the agent was on. */
  kill9(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** `kplane agent …` as a real process. */
export function startAgent(args: string[]): AgentProcess {
  const child = spawn(process.execPath, [kplaneBin, 'agent', ...args], {
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  running.add(child);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      running.delete(child);
      resolve();
    }),
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return {
    stderr: () => stderr,
    waitForStderr: async (pattern, timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(stderr)) {
        if (Date.now() > deadline || child.exitCode !== null) {
          throw new Error(`kplane agent never printed ${pattern}; stderr: ${stderr}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
    kill9: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** A copy of the platform admin's kubeconfig whose server is one workspace (`root:hub`), in `folder`. */
export function workspaceKubeconfig(
  adminKubeconfig: string,
  baseUrl: string,
  workspace: string,
  folder: string,
): string {
  const config = parse(readFileSync(adminKubeconfig, 'utf8')) as {
    clusters: { cluster: { server: string } }[];
    users: { user: { tokenFile?: string } }[];
  };
  for (const entry of config.clusters) entry.cluster.server = `${baseUrl}/clusters/${workspace}`;
  for (const entry of config.users) {
    if (entry.user.tokenFile)
      entry.user.tokenFile = path.resolve(path.dirname(adminKubeconfig), entry.user.tokenFile);
  }
  const file = path.join(folder, `${workspace.replace(/:/g, '_')}.kubeconfig`);
  writeFileSync(file, stringify(config), { mode: 0o600 });
  return file;
}
