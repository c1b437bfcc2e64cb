import { testStorageArgs } from './test-storage.js';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
export const kplaneBin = path.join(repoRoot, 'bin', 'run.js');
export const kubectlBin = process.env.KUBECTL ?? '/usr/bin/kubectl';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  input?: string;
  timeoutMs?: number;
}

export function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', ...options.env };
    for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key];
    const child = execFile(
      command,
      args,
      { env, timeout: options.timeoutMs ?? 30_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Runs kplane as a user would: the real launcher in a fresh Node process. */
export function kplane(args: string[], options: RunOptions = {}): Promise<RunResult> {
  return run(process.execPath, [kplaneBin, ...args], options);
}

export function kubectl(args: string[], options: RunOptions = {}): Promise<RunResult> {
  return run(kubectlBin, args, options);
}

/** A throwaway HOME with its own kubeconfig path and kubectl cache, so tests never touch the real user's files. */
export interface UserSandbox {
  dir: string;
  env: Record<string, string>;
  kubeconfig: string;
  cleanup(): void;
}

/**
 * The sandbox's PATH starts with a folder holding `kplane` (and the kubectl plugin names) linked to this
 * checkout's launcher, as a global install would, so exec plugins and `kubectl kplane` find it. No D-Bus session:
 * like CI, the sandbox has no Secret Service, so the keyring fallback is what runs.
 */
export function userSandbox(prefix = 'kplane-user-'): UserSandbox {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  const kubeconfig = path.join(dir, 'kubeconfig');
  const binDir = path.join(dir, 'bin');
  mkdirSync(binDir);
  symlinkSync(kplaneBin, path.join(binDir, 'kplane'));
  return {
    dir,
    kubeconfig,
    env: {
      PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ''}`,
      DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/kplane-test-bus',
      HOME: dir,
      KUBECONFIG: kubeconfig,
      KUBECACHEDIR: path.join(dir, 'kube-cache'),
      XDG_DATA_HOME: path.join(dir, 'data'),
      XDG_CONFIG_HOME: path.join(dir, 'config'),
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface DevPlatform {
  url: string;
  dataDir: string;
  adminKubeconfig: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts the real platform through `kplane dev up --detach` on a free loopback port and a temp data folder.
 * With `demo`, the demo's clusters are records only unless `members` asks for them to run as member clusters
 * joined by agents: most tests play the agent themselves and must not race a real one.
 */
export async function startDevPlatform(
  options: { demo?: boolean; members?: boolean; dataDir?: string } = {},
): Promise<DevPlatform> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'kplane-platform-'));
  const args = ['dev', 'up', '--detach', '--port', '0', '--data-dir', dataDir, '-o', 'json'];
  if (options.demo) args.push('--demo');
  if (options.demo && !options.members) args.push('--no-members');
  args.push(...testStorageArgs(dataDir));
  const result = await kplane(args, { timeoutMs: 60_000 });
  if (result.code !== 0) throw new Error(`kplane dev up failed (${result.code}): ${result.stderr}`);
  const ready = JSON.parse(result.stdout) as { url: string; kubeconfig: string; pid: number };
  return {
    url: ready.url,
    dataDir,
    adminKubeconfig: ready.kubeconfig,
    pid: ready.pid,
    stop: async () => {
      const down = await kplane(['dev', 'down', '--data-dir', dataDir]);
      if (down.code === 0) return;
      // If dev down could not do it (a broken build, say), a test still never leaves a server behind.
      try {
        process.kill(ready.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    },
  };
}
