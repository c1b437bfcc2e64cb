// `<file>.lock`, created exclusively as client-go does, so kplane and kubectl never interleave a read-modify-write
// of the same kubeconfig. Ours records `<pid>@<host>` from the moment it exists, so a lock left by a crashed kplane
// can be broken; kubectl's locks are empty and are only ever waited for (so an empty lock can never be ours).
// File calls are synchronous: each is tiny, and `ws use` waits on them (an asynchronous call is a round trip
// through libuv's thread pool). Only the wait between attempts is asynchronous.
import {
  closeSync,
  constants,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { describeFileError, KubeconfigLockError } from './errors.js';
import { isProcessAlive } from '../../shared/process-alive.js';
import { lockTempFile } from './temp-files.js';

export interface LockOptions {
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
  /**
   * Called once per lock when it has been waited for `noticeAfterMs` (default 1 s), with a sentence saying which
   * file is locked and by whom, for stderr.
   */
  onWait?: (lockFile: string, notice: string) => void;
  noticeAfterMs?: number;
}

export interface HeldLocks {
  readonly lockFiles: readonly string[];
  release(): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const BREAK_GUARD_STALE_MS = 5_000;
const DEFAULT_NOTICE_AFTER_MS = 1_000;

export function lockFileFor(file: string): string {
  return `${file}.lock`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function ownerTag(): string {
  return `${process.pid}@${hostname()}`;
}

/** Who holds a lock: a kplane (its pid, and host when recorded), or another program (kubectl's lock is empty). */
type LockHolder =
  { kind: 'kplane'; pid: number; host?: string } | { kind: 'other'; empty: boolean } | undefined;

function lockHolder(lockFile: string): LockHolder {
  let content: string;
  try {
    content = readFileSync(lockFile, 'utf8').trim();
  } catch {
    return undefined;
  }
  const m = /^(\d+)(?:@(.*))?$/.exec(content);
  if (!m) return { kind: 'other', empty: content === '' };
  return { kind: 'kplane', pid: Number(m[1]), host: m[2] };
}

/** True when the lock names a process on this host that no longer exists. Empty (kubectl) locks are never stale. */
function isStale(lockFile: string): boolean {
  const holder = lockHolder(lockFile);
  if (holder?.kind !== 'kplane') return false;
  if (holder.host !== undefined && holder.host !== hostname()) return false;
  return holder.pid > 0 && holder.pid !== process.pid && !isProcessAlive(holder.pid);
}

/** The note for stderr while a lock is waited for. */
function waitNotice(lockFile: string): string {
  const holder = lockHolder(lockFile);
  let by: string;
  if (holder?.kind === 'kplane') {
    by = `kplane pid ${holder.pid}${holder.host && holder.host !== hostname() ? ` on ${holder.host}` : ''}`;
  } else if (holder?.kind === 'other' && holder.empty) by = 'another program, probably kubectl';
  else by = 'another program';
  return `waiting for the kubeconfig lock ${lockFile} (held by ${by}) ...`;
}

function cannotCreate(lockFile: string, err: unknown): KubeconfigLockError {
  return new KubeconfigLockError(
    lockFile,
    `cannot create the kubeconfig lock ${lockFile}: ${describeFileError(err)}. Nothing was changed.`,
  );
}

/**
 * Creates the lock with our tag already in it: the tag is written to a temp file of ours, which is then hard-linked
 * to the lock name. link() fails with EEXIST like O_EXCL, and the lock never exists empty, not even for a process
 * killed half-way (an empty lock is kubectl's and is never broken). File systems without hard links get O_EXCL,
 * then the write, and the lock is removed if the write fails.
 */
function tryCreate(lockFile: string): boolean {
  const temp = lockTempFile(lockFile);
  try {
    writeWhole(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW);
  } catch (err) {
    removeQuietly(temp);
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      mkdirSync(dirname(lockFile), { recursive: true, mode: 0o755 });
      return tryCreate(lockFile);
    }
    throw cannotCreate(lockFile, err);
  }
  try {
    linkSync(temp, lockFile);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'EMLINK') {
      return tryCreateExclusive(lockFile);
    }
    throw cannotCreate(lockFile, err);
  } finally {
    removeQuietly(temp);
  }
}

function tryCreateExclusive(lockFile: string): boolean {
  try {
    writeWhole(lockFile, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    throw cannotCreate(lockFile, err);
  }
}

/** Opens `file` with `flags` and writes our tag; on any failure after the open, the file is removed again. */
function writeWhole(file: string, flags: number): void {
  const fd = openSync(file, flags, 0o600);
  try {
    const tag = Buffer.from(ownerTag());
    for (let written = 0; written < tag.length;) written += writeSync(fd, tag, written);
  } catch (err) {
    closeSync(fd);
    removeQuietly(file);
    throw err;
  }
  closeSync(fd);
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
  const noticeAt = Date.now() + (options.noticeAfterMs ?? DEFAULT_NOTICE_AFTER_MS);
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
    if (!warned && options.onWait && Date.now() >= noticeAt) {
      warned = true;
      options.onWait(lockFile, waitNotice(lockFile));
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
