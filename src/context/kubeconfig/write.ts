// Atomic file replacement: the reader sees the old file or the new one, never a torn one, and a crash or a full
// disk leaves the old file in place. Symlinks are followed so a linked kubeconfig stays a link.
// Synchronous calls on purpose: a kubeconfig write is a handful of small steps on the path `ws use` users wait
// on, and each asynchronous one would be a round trip through libuv's thread pool.
import {
  accessSync,
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readlinkSync,
  realpathSync,
  renameSync,
  statSync,
  type Stats,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { KubeconfigReadOnlyError, KubeconfigWriteError } from './errors.js';
import { kubeconfigTempFile, removeDeadTempFiles } from './temp-files.js';

const NEW_FILE_MODE = 0o600;

/** The file a write to `file` must replace: symlinks resolved, even a dangling one (its target is created). */
export async function resolveWriteTarget(file: string): Promise<string> {
  let current = resolve(file);
  for (let hops = 0; hops < 40; hops++) {
    try {
      return realpathSync(current);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    let link: string;
    try {
      if (!lstatSync(current).isSymbolicLink()) break;
      link = readlinkSync(current);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') break;
      throw err;
    }
    current = resolve(dirname(current), link);
  }
  // Not there yet: resolve the folder (it may itself be a link) and keep the name.
  try {
    return join(realpathSync(dirname(current)), basename(current));
  } catch {
    return current;
  }
}

/**
 * Refuses a kubeconfig we may not write (kubectl fails on it with "permission denied"): for root, whose writes
 * the mode bits do not stop, when the owner has no write bit (a 0400 file says "do not change me"); for anyone
 * else, when the kernel says we may not write it. `st` is the file's stat when the caller has it already.
 */
export function assertKubeconfigWritable(file: string, st?: Stats): void {
  let stats = st;
  if (!stats) {
    try {
      stats = statSync(file);
    } catch {
      return; // missing: the write creates it
    }
  }
  let writable = (stats.mode & 0o200) !== 0;
  if (writable && process.getuid?.() !== 0) {
    try {
      accessSync(file, constants.W_OK);
    } catch {
      writable = false;
    }
  }
  if (!writable) throw new KubeconfigReadOnlyError(file, stats.mode);
}

/**
 * Writes `text` to `file` atomically: temp file in the same folder, same mode (0600 when new), same owner when
 * we are allowed to set it, fsync, rename over the real path, fsync the folder where the platform allows. A file we
 * may not write is refused (KubeconfigReadOnlyError); a failed write (full disk, read-only file system) throws
 * KubeconfigWriteError and leaves the file as it was.
 */
export async function writeKubeconfigAtomically(
  file: string,
  text: string,
  options: { forceMode?: number } = {},
): Promise<void> {
  const target = await resolveWriteTarget(file);
  const dir = dirname(target);
  let mode = options.forceMode ?? NEW_FILE_MODE;
  let owner: { uid: number; gid: number } | undefined;
  let st: Stats | undefined;
  try {
    st = statSync(target);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new KubeconfigWriteError(target, err);
  }
  if (st) {
    assertKubeconfigWritable(target, st);
    mode = options.forceMode ?? st.mode & 0o7777;
    owner = { uid: st.uid, gid: st.gid };
  }
  try {
    if (!st) mkdirSync(dir, { recursive: true, mode: 0o755 });
    replaceFile(target, text, mode, owner);
  } catch (err) {
    throw new KubeconfigWriteError(target, err);
  }
  syncFolder(dir);
  removeDeadTempFiles(target);
}

function replaceFile(
  target: string,
  text: string,
  mode: number,
  owner: { uid: number; gid: number } | undefined,
): void {
  // O_EXCL makes a clash fail instead of sharing a file; the random part of the name only makes one unlikely.
  const temp = kubeconfigTempFile(target);
  const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
  let renamed = false;
  try {
    try {
      fchmodSync(fd, mode); // the umask may have narrowed it
      if (owner && (owner.uid !== process.getuid?.() || owner.gid !== process.getgid?.())) {
        try {
          fchownSync(fd, owner.uid, owner.gid);
        } catch {
          // only root may; others keep theirs
        }
      }
      const bytes = Buffer.from(text, 'utf8');
      for (let written = 0; written < bytes.length;) written += writeSync(fd, bytes, written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, target);
    renamed = true;
  } finally {
    if (!renamed) {
      try {
        unlinkSync(temp);
      } catch {
        // never created, or already gone
      }
    }
  }
}

function syncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, constants.O_RDONLY);
    fsyncSync(fd);
  } catch {
    // Not supported everywhere (Windows, some network file systems); the rename itself is done.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
