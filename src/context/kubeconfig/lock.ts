// `<file>.lock`, created with O_CREAT|O_EXCL exactly as client-go does, so kplane and kubectl never interleave a
// read-modify-write of the same kubeconfig. Ours records `<pid>@<host>` so a lock left by a crashed kplane can
// be broken; kubectl's locks are empty and are only ever waited for.
import { constants } from 'node:fs';
import { mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { KubeconfigLockError } from './errors.js';

export interface LockOptions {
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
  /** Called once per lock when we first have to wait for it (e.g. to print a note on stderr). */
  onWait?: (lockFile: string) => void;
}

export interface HeldLocks {
  readonly lockFiles: readonly string[];
  release(): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const BREAK_GUARD_STALE_MS = 5_000;

export function lockFileFor(file: string): string {
  return `${file}.lock`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function ownerTag(): string {
  return `${process.pid}@${hostname()}`;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when the lock names a process on this host that no longer exists. Empty (kubectl) locks are never stale. */
async function isStale(lockFile: string): Promise<boolean> {
  let content: string;
  try {
    content = (await readFile(lockFile, 'utf8')).trim();
  } catch {
    return false;
  }
  const m = /^(\d+)(?:@(.*))?$/.exec(content);
  if (!m) return false;
  if (m[2] !== undefined && m[2] !== hostname()) return false;
  const pid = Number(m[1]);
  return pid > 0 && pid !== process.pid && !isAlive(pid);
}

async function tryCreate(lockFile: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(lockFile, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code === 'ENOENT') {
      await mkdir(dirname(lockFile), { recursive: true, mode: 0o755 });
      return tryCreate(lockFile);
    }
    throw new KubeconfigLockError(
      lockFile,
      `cannot create the kubeconfig lock ${lockFile}: ${(err as Error).message}`,
    );
  }
  try {
    await handle.writeFile(ownerTag(), 'utf8');
  } finally {
    await handle.close();
  }
  return true;
}

/**
 * Breaks a stale lock. Breakers serialise through `<lock>.break` and re-check under it, so one process can never
 * remove a lock that another has just taken after breaking the same stale one.
 */
async function breakIfStale(lockFile: string): Promise<void> {
  if (!(await isStale(lockFile))) return;
  const guard = `${lockFile}.break`;
  if (!(await tryCreate(guard))) {
    try {
      if (Date.now() - (await stat(guard)).mtimeMs > BREAK_GUARD_STALE_MS) await unlink(guard);
    } catch {
      // gone already
    }
    return;
  }
  try {
    if (await isStale(lockFile)) await unlink(lockFile).catch(() => undefined);
  } finally {
    await unlink(guard).catch(() => undefined);
  }
}

async function acquireOne(lockFile: string, deadline: number, options: LockOptions): Promise<void> {
  let delay = 2;
  let warned = false;
  for (;;) {
    if (await tryCreate(lockFile)) return;
    await breakIfStale(lockFile);
    if (await tryCreate(lockFile)) return;
    if (Date.now() >= deadline) {
      const ms = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      const seconds = ms % 1000 === 0 ? String(ms / 1000) : (ms / 1000).toFixed(1);
      throw new KubeconfigLockError(
        lockFile,
        `timed out after ${seconds}s waiting for the kubeconfig lock ${lockFile}. ` +
          `If no kubectl or kplane is running, remove it: rm ${lockFile}`,
      );
    }
    if (!warned) {
      warned = true;
      options.onWait?.(lockFile);
    }
    // Jittered backoff: many shells may switch at once, and each holder is done in milliseconds.
    await sleep(delay / 2 + Math.random() * delay);
    delay = Math.min(delay * 1.6, 100);
  }
}

/** Takes `<file>.lock` for each file, in sorted order (as client-go does) so that two writers cannot deadlock. */
export async function acquireKubeconfigLocks(
  files: readonly string[],
  options: LockOptions = {},
): Promise<HeldLocks> {
  const lockFiles = [...new Set(files)].sort().map(lockFileFor);
  const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const held: string[] = [];
  const release = async () => {
    for (const lockFile of held.splice(0).reverse()) await unlink(lockFile).catch(() => undefined);
  };
  try {
    for (const lockFile of lockFiles) {
      await acquireOne(lockFile, deadline, options);
      held.push(lockFile);
    }
  } catch (err) {
    await release();
    throw err;
  }
  return { lockFiles, release };
}

/** Runs `fn` while holding the locks for `files`; always releases. */
export async function withKubeconfigLocks<T>(
  files: readonly string[],
  fn: () => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const locks = await acquireKubeconfigLocks(files, options);
  try {
    return await fn();
  } finally {
    await locks.release();
  }
}
