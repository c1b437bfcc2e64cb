import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { isProcessAlive } from '../../shared/process-alive.js';
import { platformPidFileName } from '../../shared/platform-files.js';

export class AlreadyRunningError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(`kplane platform is already running on ${dataDir} (pid ${pid})`);
    this.name = 'AlreadyRunningError';
  }
}

/** Pid files this process holds: its own pid in one of them means a second server, not a stale file. */
const held = new Set<string>();

/**
 * Claims `DIR/server.pid` so only one server uses a data folder (with `replicaId`, `DIR/server-ID.pid`:
 * one process per replica). The file is created exclusively; one left behind by a dead process
 * (kill -9) is replaced. Returns the release function.
 */
export function acquirePidFile(dataDir: string, pid = process.pid, replicaId?: string): () => void {
  const file = join(dataDir, platformPidFileName(replicaId));
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, `${pid}\n`);
      closeSync(fd);
      held.add(file);
      return () => {
        held.delete(file);
        try {
          if (readFileSync(file, 'utf8').trim() === String(pid)) unlinkSync(file);
        } catch {
          // Already gone: nothing to release.
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
      const ours = holder === pid && held.has(file);
      if (ours || (Number.isInteger(holder) && holder > 0 && holder !== pid && isProcessAlive(holder))) {
        throw new AlreadyRunningError(dataDir, holder);
      }
      unlinkSync(file);
    }
  }
  throw new Error(`could not claim ${file}`);
}
