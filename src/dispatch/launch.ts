import { cachedExecCredential } from '../client/cached-exec-credential.js';
import {
  addDeferredCas,
  addDeferredCasBeforeLoading,
  restoreDeferredExtraCaCerts,
} from '../cli/deferred-extra-ca.js';
import { processIOStreams } from '../cli/io.js';
import { moveLeadingFlags } from '../cli/leading-flags.js';

/**
 * Runs kplane with `argv`: `auth token` with a token kept in a file straight from here, the hot commands from
 * the bundled fast path, everything else through oclif. Every launcher (`kplane`, `kubectl-kplane`,
 * `kubectl-ws`, the `kubectl_complete-*` helpers) is this call with its own leading words, so `kubectl ws ARGS`
 * is exactly `kplane ws ARGS`.
 */
export async function launch(words: readonly string[]): Promise<void> {
  restoreDeferredExtraCaCerts();
  const argv = moveLeadingFlags(words);
  // kubectl runs `auth token` before every call: a token kept in a file is printed before the hot path's bundle
  // and its code cache are even read (the loader below is imported only after this, for the same reason).
  const credential = cachedExecCredential(argv);
  if (credential !== undefined && printed(credential)) {
    process.exitCode = 0;
    return;
  }
  const { loadHotPath } = await import('../cli/load-hot-path.js');
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

/** False when stdout refused the line (closed, say): the full command then fails on it in its own words. */
function printed(line: string): boolean {
  try {
    processIOStreams().out(line);
    return true;
  } catch {
    return false;
  }
}
