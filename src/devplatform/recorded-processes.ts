import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { KplaneError } from '../cli/errors.js';
import { isProcessAlive } from '../shared/process-alive.js';
import { frontFiles, localEtcdFiles } from './data-dir.js';

// The pid files `dev up` leaves in a data folder, read without starting or loading anything else: the
// default dev up checks them too, so it never starts a second platform on a folder whose replicas run.

/** Thrown before anything starts: a platform on this folder still runs (a replica, or the front). */
export function refuseWhileRunning(dataDir: string): void {
  for (const file of [frontFiles(dataDir).pid, ...replicaPidFiles(dataDir)]) {
    const pid = recordedPid(file);
    if (pid !== undefined && isProcessAlive(pid))
      throw new KplaneError(
        `kplane platform is already running on ${dataDir} (pid ${pid}): stop it first with kplane dev down`,
      );
  }
}

/** `server.pid` and every `server-ID.pid` in the folder. */
export function replicaPidFiles(dataDir: string): string[] {
  if (!existsSync(dataDir)) return [];
  return readdirSync(dataDir)
    .filter((name) => /^server(-[a-z0-9-]+)?\.pid$/.test(name))
    .sort()
    .map((name) => path.join(dataDir, name));
}

export function recordedPid(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Whether anything `dev up` recorded on this folder still runs (a foreground `dev up` waits on this). */
export function anyRecordedAlive(dataDir: string): boolean {
  return [frontFiles(dataDir).pid, ...replicaPidFiles(dataDir), localEtcdFiles(dataDir).pid].some((file) => {
    const pid = recordedPid(file);
    return pid !== undefined && isProcessAlive(pid);
  });
}
