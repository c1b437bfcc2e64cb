import {
  addDeferredCas,
  addDeferredCasBeforeLoading,
  restoreDeferredExtraCaCerts,
} from './deferred-extra-ca.js';
import { moveLeadingFlags } from './leading-flags.js';
import { loadHotPath } from './load-hot-path.js';

/**
 * Runs kplane with `argv`: the hot commands from the bundled fast path, everything else through oclif. Every
 * launcher (`kplane`, `kubectl-kplane`, `kubectl-ws`, the `kubectl_complete-*` helpers) is this call with its
 * own leading words, so `kubectl ws ARGS` is exactly `kplane ws ARGS`.
 */
export async function launch(words: readonly string[]): Promise<void> {
  restoreDeferredExtraCaCerts();
  const argv = moveLeadingFlags(words);
  const hotPath = loadHotPath(addDeferredCasBeforeLoading);
  const exitCode = await hotPath.runHotCommand(argv);
  if (exitCode === undefined) {
    addDeferredCas();
    const { execute } = await import('@oclif/core');
    await execute({ dir: import.meta.url, args: [...argv] });
  } else {
    process.exitCode = exitCode;
    hotPath.saveCodeCache();
  }
}
