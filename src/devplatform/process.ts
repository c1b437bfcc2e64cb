import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { ExitCode, InvalidInputError, KplaneError, NotFoundError } from '../cli/errors.js';
import { isProcessAlive } from '../shared/process-alive.js';
import type { StorageChoice } from '../shared/storage-flags.js';
import { serverEntryPoint, serverLogFile, serverPidFile } from './data-dir.js';

export interface PlatformReady {
  ready: true;
  url: string;
  kubeconfig: string;
  dataDir: string;
  pid: number;
  /** Member mode: the clusters served, each with its own server URL and admin kubeconfig. */
  members?: { name: string; server: string; kubeconfig: string; labels: Record<string, string> }[];
}

export interface PlatformStartOptions {
  port: number;
  dataDir: string;
  demo: boolean;
  /** Passed on as `--watch-history <N>s`; the platform's default when undefined. */
  watchHistorySeconds?: number | undefined;
  /** An AuthenticationConfiguration file (absolute path), passed on as `--authentication-config`. */
  authenticationConfig?: string | undefined;
  /** Member mode (`--members demo|FILE`): dev member clusters instead of the platform. */
  members?: string | undefined;
  /** Passed on as `--exit-with`: the process stops when that one is gone. */
  exitWith?: number | undefined;
  /** Passed on as `--storage etcd --etcd-…`; SQLite (no flag) when undefined. */
  storage?: StorageChoice | undefined;
  /** Passed on as `--replica-id`: one of several processes on this data folder and one etcd. */
  replicaId?: string | undefined;
}

/**
 * The platform exits with 2 when an argument is wrong (it said which on stderr), so `dev up` fails with the
 * usage exit code too; 3 is something missing (the local etcd's binary); anything else is a failure to start.
 */
function notReady(code: number | null, detail = '', name = 'the platform'): KplaneError {
  const message = `${name} stopped before it was ready (exit code ${code ?? 'signal'})${detail}`;
  if (code === ExitCode.usage) return new InvalidInputError(message);
  return code === ExitCode.notFound ? new NotFoundError(message) : new KplaneError(message);
}

function serverArgs(options: PlatformStartOptions): string[] {
  const args = [serverEntryPoint(), '--port', String(options.port), '--data-dir', options.dataDir];
  if (options.demo) args.push('--demo');
  if (options.watchHistorySeconds !== undefined)
    args.push('--watch-history', `${options.watchHistorySeconds}s`);
  if (options.authenticationConfig !== undefined)
    args.push('--authentication-config', options.authenticationConfig);
  if (options.members !== undefined) args.push('--members', options.members);
  if (options.exitWith !== undefined) args.push('--exit-with', String(options.exitWith));
  if (options.storage?.engine === 'etcd') args.push(...etcdArgs(options.storage));
  if (options.replicaId !== undefined) args.push('--replica-id', options.replicaId);
  return args;
}

function etcdArgs(storage: Extract<StorageChoice, { engine: 'etcd' }>): string[] {
  const args = ['--storage', 'etcd', '--etcd-endpoints', storage.endpoints.join(',')];
  if (storage.keyPrefix !== undefined) args.push('--etcd-prefix', storage.keyPrefix);
  if (storage.tls) {
    args.push('--etcd-ca', storage.tls.caFile);
    if (storage.tls.certFile !== undefined) args.push('--etcd-cert', storage.tls.certFile);
    if (storage.tls.keyFile !== undefined) args.push('--etcd-key', storage.tls.keyFile);
  }
  return args;
}

/** Runs the platform as a child of this process; resolves once it serves, with the child still running. */
export function startForeground(
  options: PlatformStartOptions,
  onSpawn?: (pid: number) => void,
): Promise<{ ready: PlatformReady; child: ChildProcess }> {
  const child = spawn(process.execPath, serverArgs(options), { stdio: ['ignore', 'pipe', 'inherit'] });
  if (child.pid !== undefined) onSpawn?.(child.pid);
  return new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const newline = buffered.indexOf('\n');
      if (newline < 0) return;
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
      try {
        resolve({ ready: JSON.parse(buffered.slice(0, newline)) as PlatformReady, child });
      } catch {
        reject(
          new KplaneError(`the platform printed an unexpected first line: ${buffered.slice(0, newline)}`),
        );
      }
    };
    const onExit = (code: number | null) => reject(notReady(code));
    child.stdout!.on('data', onData);
    child.on('exit', onExit);
  });
}

/** Starts the platform in its own session, logging to DIR/server.log, and returns once it serves. */
export async function startDetached(
  options: PlatformStartOptions,
  timeoutMs = 30_000,
  onSpawn?: (pid: number) => void,
): Promise<PlatformReady> {
  // Owner-only from the start (the platform would fix it, but only after the log is already there).
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  return startDetachedProcess<PlatformReady>(
    serverArgs(options),
    serverLogFile(options.dataDir, options.replicaId),
    timeoutMs,
    onSpawn,
    options.replicaId === undefined ? 'the platform' : `platform replica ${options.replicaId}`,
  );
}

/**
 * Runs `node ARGS…` in its own session with stdout and stderr appended to `logFile`, and resolves with the
 * JSON ready line it prints (the contract of every process `dev up` starts). `onSpawn` learns its pid at once,
 * so what should live and die with it can start meanwhile.
 */
export async function startDetachedProcess<Ready extends { ready: true }>(
  args: string[],
  logFile: string,
  timeoutMs = 30_000,
  onSpawn?: (pid: number) => void,
  name = 'the platform',
): Promise<Ready> {
  const logOffset = existsSync(logFile) ? statSync(logFile).size : 0;
  const log = openSync(logFile, 'a', 0o600);
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  if (child.pid !== undefined) onSpawn?.(child.pid);
  let exitCode: number | null | undefined;
  child.on('exit', (code) => (exitCode = code));
  child.unref();
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ready = readyLine<Ready>(readFileSync(logFile, 'utf8').slice(logOffset));
    if (ready) return ready;
    if (exitCode !== undefined) {
      const tail = readFileSync(logFile, 'utf8').slice(logOffset).trim();
      throw notReady(exitCode, `:\n${tail}`, name);
    }
    await sleep(25);
  }
  throw new KplaneError(`${name} did not answer within ${timeoutMs / 1000}s; see ${logFile}`);
}

function readyLine<Ready extends { ready: true }>(text: string): Ready | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const parsed = JSON.parse(line) as Ready;
      if (parsed.ready) return parsed;
    } catch {
      // a partial line: the next poll reads it whole
    }
  }
  return undefined;
}

export interface StopResult {
  pid: number;
  forced: boolean;
}

/** Stops the platform recorded in DIR/server.pid: SIGTERM, then SIGKILL if it has not gone after a while. */
export async function stopPlatform(dataDir: string, graceMs = 10_000): Promise<StopResult> {
  const stopped = await stopRecordedProcess(serverPidFile(dataDir), graceMs);
  if (!stopped) throw new NotFoundError(`no kplane platform is running on ${dataDir}`);
  return stopped;
}

/** Stops the process a pid file names, as stopPlatform does; undefined when none is running. */
export async function stopRecordedProcess(
  pidFile: string,
  graceMs = 10_000,
): Promise<StopResult | undefined> {
  const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : NaN;
  if (!Number.isInteger(pid) || pid <= 0 || !isProcessAlive(pid)) return undefined;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isProcessAlive(pid)) return { pid, forced: false };
    await sleep(25);
  }
  process.kill(pid, 'SIGKILL');
  return { pid, forced: true };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Runs one of the platform's owner commands (`token`, `revoke-tokens`) against the data folder, in the
 * platform's own process so the CLI never loads server code. Resolves with what it printed on stdout.
 */
export function runPlatformTool(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [serverEntryPoint(), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('exit', (code) => {
      if (code === 0) resolve(stdout);
      else
        reject(
          new KplaneError(
            stderr.trim() || `the platform tool failed (exit code ${code})`,
            code === 2 ? 2 : 1,
          ),
        );
    });
  });
}
