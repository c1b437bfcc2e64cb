// kubectl rewrites a kubeconfig in place (truncate, then write) while it holds `<file>.lock`, so a read outside
// the lock can see the file empty or cut short. Only a read under the lock can tell that from a kubeconfig that
// really is empty or broken.
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { KubeconfigLockError, KubeconfigParseError, NoCurrentContextError } from './errors.js';
import { type LoadedKubeconfig, loadKubeconfig } from './load.js';
import { withKubeconfigLocks } from './lock.js';
import { type KubeconfigSourceOptions, kubeconfigSources } from './sources.js';

/** Waiting longer than this for a lock only to explain a failure is not worth it: the plain read decides then. */
const SETTLE_LOCK_TIMEOUT_MS = 2_000;

/**
 * loadKubeconfig for a command that needs a current context: when the first read has none or does not parse, it
 * reads again under the locks of the files that exist (after any writer is done), and when that read has no
 * current context either, throws NoCurrentContextError saying what is missing. The success path costs nothing.
 */
export async function loadKubeconfigWithContext(
  options: KubeconfigSourceOptions = {},
): Promise<LoadedKubeconfig> {
  try {
    const loaded = await loadKubeconfig(options);
    if (loaded.config.currentContext !== '') return loaded;
    if (!loaded.files.some((file) => file.exists)) throw noCurrentContext(loaded, options);
  } catch (error) {
    if (!(error instanceof KubeconfigParseError)) throw error;
  }
  const again = await loadUnderLocks(options);
  if (again.config.currentContext === '') throw noCurrentContext(again, options);
  return again;
}

async function loadUnderLocks(options: KubeconfigSourceOptions): Promise<LoadedKubeconfig> {
  const existing = kubeconfigSources(options).files.filter((file) => existsSync(file));
  try {
    return await withKubeconfigLocks(existing, () => loadKubeconfig(options), {
      timeoutMs: SETTLE_LOCK_TIMEOUT_MS,
    });
  } catch (error) {
    // A folder we may not create a lock in, or a lock nobody releases: the plain read is all there is.
    if (error instanceof KubeconfigLockError) return loadKubeconfig(options);
    throw error;
  }
}

function noCurrentContext(loaded: LoadedKubeconfig, options: KubeconfigSourceOptions): NoCurrentContextError {
  const env = options.env ?? process.env;
  const files = loaded.files;
  const named = files.map((file) => file.path).join(', ');
  const fix = 'log in with "kplane login URL", or name another file with --kubeconfig or KUBECONFIG';
  if (!files.some((file) => file.exists)) {
    const homeUnset = !loaded.sources.explicit && !env.KUBECONFIG && !env.HOME;
    const where = homeUnset
      ? ` (HOME is not set, so kplane looked in ${dirname(dirname(named))}, your home folder in the user database)`
      : '';
    return new NoCurrentContextError(`no kubeconfig found at ${named}${where}: ${fix}`);
  }
  if (files.every((file) => !file.exists || file.text.trim() === '')) {
    return new NoCurrentContextError(`kubeconfig ${named} is empty: ${fix}`);
  }
  return new NoCurrentContextError(
    `kubeconfig ${named} has no current-context: choose one with "kubectl config use-context NAME", ` +
      'or log in with "kplane login URL"',
  );
}
