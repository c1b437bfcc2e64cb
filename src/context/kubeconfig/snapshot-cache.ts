// A small on-disk memo of "which server does the current context point at", keyed by the exact state (size,
// mtime, inode) of every kubeconfig file. A shell prompt runs `ws --short` after every command; with a hit it
// answers without loading a YAML parser, which is most of its cost. Only non-secret fields are kept: the
// connection settings are stored only when the credentials are an exec plugin or a token file. This module must
// not import the loader (and so `yaml`): it is what lets the hot path skip them.
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { ClientSettings } from './client-settings.js';
import { isProcessAlive } from '../../shared/process-alive.js';
import type { QuickSwitchPlan } from './quick-switch.js';
import type { KubeconfigSources } from './sources.js';

export interface KubeconfigSnapshot {
  currentContext: string;
  server: string;
  /** Absent when the context's credentials are inline secrets (token, client key data): those stay in the files. */
  settings?: ClientSettings;
  /** Where `ws use` / `ws -` can rewrite the two workspace servers without a YAML parser (see quick-switch.ts). */
  quickSwitch?: QuickSwitchPlan;
}

interface CacheDocument {
  version: 1;
  entries: Record<string, { stamp: string; snapshot: KubeconfigSnapshot }>;
}

const maxEntries = 16;

export function snapshotCacheFile(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const cacheHome = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(cacheHome, 'kplane', 'kubeconfig-snapshots.json');
}

/** Size, modification time (ns) and inode of each file, in order; a missing file is stamped as such. */
export function stampFiles(files: readonly string[]): string {
  return files
    .map((file) => {
      try {
        const st = statSync(file, { bigint: true });
        return `${file}|${st.size}|${st.mtimeNs}|${st.ino}`;
      } catch {
        return `${file}|missing`;
      }
    })
    .join('\n');
}

function readDocument(file: string): CacheDocument {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as CacheDocument;
    if (parsed.version === 1 && parsed.entries) return parsed;
  } catch {
    // no cache yet, or a broken one: start over
  }
  return { version: 1, entries: {} };
}

export function readSnapshot(
  sources: KubeconfigSources,
  cacheFile = snapshotCacheFile(),
): KubeconfigSnapshot | undefined {
  const entry = readDocument(cacheFile).entries[sources.files.join('\n')];
  if (!entry || entry.stamp !== stampFiles(sources.files)) return undefined;
  return entry.snapshot;
}

/**
 * Records `snapshot` for `sources`, with `stamp` taken BEFORE the files were read, so that a write racing the read
 * leaves a stamp that never matches again. Never fails the command: a cache that cannot be written is skipped.
 */
export function saveSnapshot(
  sources: KubeconfigSources,
  stamp: string,
  snapshot: KubeconfigSnapshot,
  cacheFile = snapshotCacheFile(),
): void {
  try {
    const document = readDocument(cacheFile);
    const key = sources.files.join('\n');
    delete document.entries[key];
    document.entries[key] = { stamp, snapshot };
    const keys = Object.keys(document.entries);
    for (const old of keys.slice(0, Math.max(0, keys.length - maxEntries))) delete document.entries[old];
    mkdirSync(dirname(cacheFile), { recursive: true, mode: 0o700 });
    const temp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(document), { mode: 0o600 });
    renameSync(temp, cacheFile);
    removeDeadTempFiles(cacheFile);
  } catch {
    // best effort
  }
}

/** Temp files of runs killed before their rename (`<cache>.<pid>.tmp`, often empty): removed once their pid is gone. */
function removeDeadTempFiles(cacheFile: string): void {
  const prefix = `${basename(cacheFile)}.`;
  for (const entry of readdirSync(dirname(cacheFile))) {
    if (!entry.startsWith(prefix) || !entry.endsWith('.tmp')) continue;
    const pid = Number(entry.slice(prefix.length, -4));
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || isProcessAlive(pid)) continue;
    try {
      unlinkSync(join(dirname(cacheFile), entry));
    } catch {
      // removed by another run
    }
  }
}

/**
 * After a write: the files must still hold exactly what was written (and what the others held), read after
 * stamping; then the new state can be remembered.
 */
export function saveSnapshotIfUnchanged(
  sources: KubeconfigSources,
  texts: ReadonlyMap<string, string | undefined>,
  snapshot: KubeconfigSnapshot,
  cacheFile = snapshotCacheFile(),
): void {
  const stamp = stampFiles(sources.files);
  for (const file of sources.files) {
    let now: string | undefined;
    try {
      now = readFileSync(file, 'utf8');
    } catch {
      now = undefined;
    }
    if (now !== texts.get(file)) return;
  }
  saveSnapshot(sources, stamp, snapshot, cacheFile);
}
