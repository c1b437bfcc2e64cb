// Names of the files a platform process keeps in its data folder, agreed on by the platform (which
// writes them) and `kplane dev up/down` (which read them). Replicas share the folder, so each has its own.

/** `server.pid` for the only process on a data folder, `server-ID.pid` for replica ID of several. */
export function platformPidFileName(replicaId?: string): string {
  return replicaId === undefined ? 'server.pid' : `server-${replicaId}.pid`;
}

/** Where a detached platform's stdout and stderr go, beside its pid file. */
export function platformLogFileName(replicaId?: string): string {
  return replicaId === undefined ? 'server.log' : `server-${replicaId}.log`;
}

/** Replica ids `dev up --replicas N` gives its processes: r1 (the first, which seeds) to rN. */
export function devReplicaIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `r${i + 1}`);
}
