// The temp files kplane writes beside a kubeconfig, named in one place so that a later run can find the ones a
// killed kplane left: `.<name>.kplane-<pid>-<random>.tmp` (a full copy of the new kubeconfig, until the rename)
// and `<name>.lock.kplane-<pid>.tmp` (the lock's content, until the link). The pid says whether the writer still
// runs.
import { readdirSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { isProcessAlive } from '../../shared/process-alive.js';

/** The temp file a new version of `target` is written to before the rename (O_EXCL; the random part avoids clashes). */
export function kubeconfigTempFile(target: string): string {
  const suffix = `${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  return join(dirname(target), `.${basename(target)}.kplane-${suffix}.tmp`);
}

/** The file the lock's content is written to before it is linked to `lockFile`. */
export function lockTempFile(lockFile: string): string {
  return `${lockFile}.kplane-${process.pid}.tmp`;
}

/** The writer's pid in a temp file name of ours for kubeconfig `name`, or undefined for any other file. */
function tempFileOwner(entry: string, name: string): number | undefined {
  if (!entry.endsWith('.tmp')) return undefined;
  const m =
    /^\.(.+)\.kplane-(\d+)-[a-z0-9]+\.tmp$/.exec(entry) ??
    /^(.+)\.lock(?:\.break)?\.kplane-(\d+)\.tmp$/.exec(entry);
  return m && m[1] === name ? Number(m[2]) : undefined;
}

/**
 * Removes the temp files that kplanes killed mid-write left beside `file`: one listing of the folder, and a
 * liveness check only for names of ours. Called while holding the lock, after a write.
 */
export function removeDeadTempFiles(file: string): void {
  const dir = dirname(file);
  const name = basename(file);
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const entry of entries) {
    const pid = tempFileOwner(entry, name);
    if (pid === undefined || pid === process.pid || isProcessAlive(pid)) continue;
    try {
      unlinkSync(join(dir, entry));
    } catch {
      // another run removed it first
    }
  }
}
