// Overlay kubeconfigs: a tiny file placed in front of the user's KUBECONFIG list so that one command, one shell or
// one `eval "$(kplane ws env)"` sees another workspace while the user's files stay byte-for-byte unchanged.
// kubectl's merge makes this work: the first file wins for current-context and for the cluster/context names it
// defines, and the user entry (credentials) still comes from the user's own files, so nothing secret is copied.
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { basename, delimiter, dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { KubeconfigError } from '../cli/errors.js';
import { loadKubeconfig, resolveOriginPath } from '../context/kubeconfig/load.js';
import { kubeconfigSources, type KubeconfigSourceOptions } from '../context/kubeconfig/sources.js';
import type { MergedKubeconfig, YamlObject } from '../context/kubeconfig/types.js';
import { CURRENT_WORKSPACE_CONTEXT } from '../context/workspace-switch.js';

/** Set in the environment of exec/shell/env so that a nested kplane knows which KUBECONFIG entry is ours. */
export const OVERLAY_ENV = 'KPLANE_WORKSPACE_OVERLAY';
/** What KUBECONFIG was before `ws env` (empty when it was unset), for `ws env --unset`. */
export const PREVIOUS_KUBECONFIG_ENV = 'KPLANE_WORKSPACE_PREVIOUS_KUBECONFIG';
const OVERLAY_FILE = /^(kubeconfig|ws-env-\d+\.kubeconfig)$/;

// Cluster fields that name files: the overlay lives in another folder, so relative ones are made absolute.
const CLUSTER_FILE_FIELDS = ['certificate-authority'];

/**
 * The overlay document (pure): cluster `workspace.kcp.io/current` is a copy of the current context's cluster
 * with `server` replaced; context `workspace.kcp.io/current` points at it with the same user and namespace;
 * current-context names it. No user entry: credentials stay where they are.
 */
export function buildOverlayKubeconfig(config: MergedKubeconfig, serverUrl: string): YamlObject {
  const contextName = config.currentContext;
  if (contextName === '') throw new KubeconfigError('no current context is set in the kubeconfig');
  const context = config.contexts.get(contextName);
  if (!context) throw new KubeconfigError(`context "${contextName}" not found in kubeconfig`);
  const clusterName = typeof context.value.cluster === 'string' ? context.value.cluster : '';
  const cluster = config.clusters.get(clusterName);
  if (!cluster) {
    throw new KubeconfigError(`cluster "${clusterName}" was not found for context "${contextName}"`);
  }
  const clusterValue: YamlObject = { ...cluster.value, server: serverUrl };
  for (const field of CLUSTER_FILE_FIELDS) {
    const value = clusterValue[field];
    if (typeof value === 'string') clusterValue[field] = resolveOriginPath(cluster.origin, value);
  }
  const contextValue: YamlObject = { cluster: CURRENT_WORKSPACE_CONTEXT };
  if (typeof context.value.user === 'string' && context.value.user !== '') {
    contextValue.user = context.value.user;
  }
  if (typeof context.value.namespace === 'string' && context.value.namespace !== '') {
    contextValue.namespace = context.value.namespace;
  }
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: CURRENT_WORKSPACE_CONTEXT, cluster: clusterValue }],
    contexts: [{ name: CURRENT_WORKSPACE_CONTEXT, context: contextValue }],
    'current-context': CURRENT_WORKSPACE_CONTEXT,
  };
}

/**
 * The user's kubeconfig files in precedence order, without an overlay of ours in front (so `ws env` replaces
 * rather than stacks).
 */
export function userKubeconfigFiles(
  kubeconfig: KubeconfigSourceOptions,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string[] {
  const files = kubeconfigSources({ ...kubeconfig, env }).files;
  const first = files[0];
  if (files.length > 1 && first !== undefined && isOverlayFile(first, env)) return files.slice(1);
  return files;
}

/** The KUBECONFIG value that puts `overlay` in front of `files`. */
export function overlayKubeconfigList(overlay: string, files: readonly string[]): string {
  return [overlay, ...files.filter((file) => file !== overlay)].join(delimiter);
}

/** True when `file` is an overlay kplane wrote (named in KPLANE_WORKSPACE_OVERLAY, with an overlay's name). */
export function isOverlayFile(
  file: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): boolean {
  return env[OVERLAY_ENV] === file && OVERLAY_FILE.test(basename(file));
}

/** True for the long-lived overlay of `ws env` (not the throwaway one of `ws exec`/`ws shell`). */
export function isShellEnvOverlay(
  file: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): boolean {
  return isOverlayFile(file, env) && basename(file).startsWith('ws-env-');
}

export interface Overlay {
  /** Absolute path of the overlay file. */
  file: string;
  /** The KUBECONFIG list to run with: the overlay, then the user's files. */
  kubeconfigList: string;
  remove(): void;
}

/** Reads the merged kubeconfig and returns the overlay text for `serverUrl`. */
export async function overlayTextFor(
  kubeconfig: KubeconfigSourceOptions,
  serverUrl: string,
): Promise<string> {
  const { config } = await loadKubeconfig(kubeconfig);
  return stringify(buildOverlayKubeconfig(config, serverUrl));
}

/** A throwaway overlay in a private temp folder (0700 folder, 0600 file), for `ws exec` and `ws shell`. */
export function writeTemporaryOverlay(text: string, userFiles: readonly string[]): Overlay {
  const dir = mkdtempSync(join(os.tmpdir(), 'kplane-ws-'));
  chmodSync(dir, 0o700);
  const file = join(dir, 'kubeconfig');
  writeFileSync(file, text, { mode: 0o600, flag: 'wx' });
  return {
    file,
    kubeconfigList: overlayKubeconfigList(file, userFiles),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * The folder for long-lived `ws env` overlays: `$XDG_RUNTIME_DIR/kplane`, else `<tmpdir>/kplane-<uid>`. It must be
 * a real folder owned by us and closed to others; a shared temp dir could hold someone else's trap.
 */
export function persistentOverlayDir(
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  const uid = process.getuid?.() ?? -1;
  const dir = env.XDG_RUNTIME_DIR
    ? join(env.XDG_RUNTIME_DIR, 'kplane')
    : join(os.tmpdir(), `kplane-${uid < 0 ? os.userInfo().username : uid}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = lstatSync(dir);
  if (!stat.isDirectory() || (uid >= 0 && stat.uid !== uid)) {
    throw new KubeconfigError(`${dir} is not a folder owned by you; refusing to put an overlay there`);
  }
  if ((stat.mode & 0o077) !== 0) chmodSync(dir, 0o700);
  return dir;
}

/** Writes (or replaces) the per-shell overlay `ws-env-<shellPid>.kubeconfig`; returns its path. */
export function writeShellOverlay(text: string, shellPid: number, dir: string): string {
  const file = join(dir, `ws-env-${shellPid}.kubeconfig`);
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, text, { mode: 0o600 });
  // Rename over the old one: a kubectl reading it at that moment sees either the old or the new file.
  renameSync(temp, file);
  return file;
}

/** Removes an overlay file of ours (by name and folder), e.g. on `ws env --unset`. */
export function removeOverlayFile(file: string): void {
  if (!OVERLAY_FILE.test(basename(file))) return;
  rmSync(file, { force: true });
  if (basename(file) === 'kubeconfig' && basename(dirname(file)).startsWith('kplane-ws-')) {
    rmSync(dirname(file), { recursive: true, force: true });
  }
}
