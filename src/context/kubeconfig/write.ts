// Atomic file replacement: the reader sees the old file or the new one, never a torn one, and a crash or a full
// disk leaves the old file in place. Symlinks are followed so a linked kubeconfig stays a link.
import { constants } from 'node:fs';
import { lstat, mkdir, open, readlink, realpath, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

const NEW_FILE_MODE = 0o600;

/** The file a write to `file` must replace: symlinks resolved, even a dangling one (its target is created). */
export async function resolveWriteTarget(file: string): Promise<string> {
  let current = resolve(file);
  for (let hops = 0; hops < 40; hops++) {
    try {
      return await realpath(current);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    let link: string;
    try {
      if (!(await lstat(current)).isSymbolicLink()) break;
      link = await readlink(current);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') break;
      throw err;
    }
    current = resolve(dirname(current), link);
  }
  // Not there yet: resolve the folder (it may itself be a link) and keep the name.
  try {
    return join(await realpath(dirname(current)), basename(current));
  } catch {
    return current;
  }
}

/**
 * Writes `text` to `file` atomically: temp file in the same folder, same mode (0600 when new), same owner when
 * we are allowed to set it, fsync, rename over the real path, fsync the folder where the platform allows.
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
  try {
    const st = await stat(target);
    mode = options.forceMode ?? st.mode & 0o7777;
    owner = { uid: st.uid, gid: st.gid };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    await mkdir(dir, { recursive: true, mode: 0o755 });
  }

  // O_EXCL makes a clash fail instead of sharing a file; the random part only makes a clash unlikely.
  const suffix = `${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  const temp = join(dir, `.${basename(target)}.kplane-${suffix}.tmp`);
  const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
  let renamed = false;
  try {
    try {
      await handle.chmod(mode); // the umask may have narrowed it
      if (owner && (owner.uid !== process.getuid?.() || owner.gid !== process.getgid?.())) {
        await handle.chown(owner.uid, owner.gid).catch(() => undefined); // only root may; others keep theirs
      }
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
    renamed = true;
  } finally {
    if (!renamed) await unlink(temp).catch(() => undefined);
  }
  await syncFolder(dir);
}

async function syncFolder(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, constants.O_RDONLY);
    await handle.sync();
  } catch {
    // Not supported everywhere (Windows, some network file systems); the rename itself is done.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
