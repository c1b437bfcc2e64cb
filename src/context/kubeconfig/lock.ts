// `<file>.lock`, created with O_CREAT|O_EXCL exactly as client-go does, so kplane and kubectl never interleave a
// read-modify-write of the same kubeconfig. Ours records `<pid>@<host>` so a lock left by a crashed kplane can
// be broken; kubectl's locks are empty and are only ever waited for.
// File calls are synchronous: each is tiny, and `ws use` waits on them (an asynchronous call is a round trip
// through libuv's thread pool). Only the wait between attempts is asynchronous.
import {
  closeSync,
  constants,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
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
function isStale(lockFile: string): boolean {
  let content: string;
  try {
    content = readFileSync(lockFile, 'utf8').trim();
  } catch {
    return false;
  }
  const m = /^(\d+)(?:@(.*))?$/.exec(content);
  if (!m) return false;
  if (m[2] !== undefined && m[2] !== hostname()) return false;
  const pid = Number(m[1]);
  return pid > 0 && pid !== process.pid && !isAlive(pid);
}

function tryCreate(lockFile: string): boolean {
  let fd: number;
  try {
    fd = openSync(lockFile, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code === 'ENOENT') {
      mkdirSync(dirname(lockFile), { recursive: true, mode: 0o755 });
      return tryCreate(lockFile);
    }
    throw new KubeconfigLockError(
      lockFile,
      `cannot create the kubeconfig lock ${lockFile}: ${(err as Error).message}`,
    );
  }
  try {
    writeSync(fd, ownerTag());
  } finally {
    closeSync(fd);
  }
  return true;
}

function removeQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // gone already
  }
}

/**
 * Breaks a stale lock. Breakers serialise through `<lock>.break` and re-check under it, so one process can never
 * remove a lock that another has just taken after breaking the same stale one.
 */
function breakIfStale(lockFile: string): void {
  if (!isStale(lockFile)) return;
  const guard = `${lockFile}.break`;
  if (!tryCreate(guard)) {
    try {
      if (Date.now() - statSync(guard).mtimeMs > BREAK_GUARD_STALE_MS) unlinkSync(guard);
    } catch {
      // gone already
    }
    return;
  }
  try {
    if (isStale(lockFile)) removeQuietly(lockFile);
  } finally {
    removeQuietly(guard);
  }
}

async function acquireOne(lockFile: string, deadline: number, options: LockOptions): Promise<void> {
  let delay = 2;
  let warned = false;
  for (;;) {
    if (tryCreate(lockFile)) return;
    breakIfStale(lockFile);
    if (tryCreate(lockFile)) return;
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
    for (const lockFile of held.splice(0).reverse()) removeQuietly(lockFile);
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
