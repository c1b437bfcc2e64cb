// Read-modify-write of the kubeconfig with client-go's rules, under `<file>.lock` for every file written.
import { type KubeconfigChange, applyChangesToConfig, applyChangesToText, routeChanges } from './edit.js';
import { type LoadedKubeconfig, loadKubeconfig } from './load.js';
import { type LockOptions, acquireKubeconfigLocks } from './lock.js';
import { type KubeconfigSourceOptions, kubeconfigSources } from './sources.js';
import type { MergedKubeconfig } from './types.js';
import { assertKubeconfigWritable, writeKubeconfigAtomically } from './write.js';

export interface ModifyKubeconfigOptions extends KubeconfigSourceOptions {
  lock?: LockOptions;
}

export interface ModifyResult {
  /** The changes mutate returned under the lock (before routing and no-op filtering). */
  readonly changes: readonly KubeconfigChange[];
  /** Files actually rewritten, in the order written. */
  readonly written: readonly string[];
  /** The merged config as it was read under the lock, before the changes. */
  readonly before: MergedKubeconfig;
  /** The merged config as it reads now, after the changes. */
  readonly after: MergedKubeconfig;
  /** What each source file held when `after` was true (undefined for a missing file), to check a cache against. */
  readonly texts: ReadonlyMap<string, string | undefined>;
}

/** Which files the changes would write, and their new texts. Throws before anything is written. */
function plan(loaded: LoadedKubeconfig, changes: readonly KubeconfigChange[]): Map<string, string> {
  const texts = new Map<string, string>();
  for (const [file, fileChanges] of routeChanges(loaded.config, changes)) {
    const parsed = loaded.files.find((f) => f.path === file);
    const text = parsed?.text ?? '';
    const updated = applyChangesToText(text, file, fileChanges);
    if (updated !== text || !parsed?.exists) texts.set(file, updated);
  }
  return texts;
}

/**
 * Locks, re-reads, calls `mutate` with the fresh merged config, applies its changes and atomically writes only the
 * files that changed, then unlocks. If loading, `mutate` or editing throws, nothing is written.
 *
 * The default destination is locked first (current-context and new entries go there). When the changes also
 * touch entries that live in other files, those are added to the lock set and the whole round is redone, so
 * `mutate` must be pure: only the result computed under all the needed locks is written.
 */
export async function modifyKubeconfig(
  options: ModifyKubeconfigOptions,
  mutate: (config: MergedKubeconfig) => readonly KubeconfigChange[],
): Promise<ModifyResult> {
  let toLock = new Set([kubeconfigSources(options).destination]);
  for (let round = 0; round < 4; round++) {
    const locks = await acquireKubeconfigLocks([...toLock], options.lock);
    try {
      const loaded = await loadKubeconfig(options, true);
      const changes = mutate(loaded.config);
      const texts = plan(loaded, changes);
      const missing = [...texts.keys()].filter((f) => !toLock.has(f));
      if (missing.length === 0) {
        // All or nothing: a read-only second file must not leave the first one changed.
        for (const file of texts.keys()) assertKubeconfigWritable(file);
        const written: string[] = [];
        for (const [file, text] of texts) {
          await writeKubeconfigAtomically(file, text);
          written.push(file);
        }
        const finalTexts = new Map<string, string | undefined>();
        for (const file of loaded.files)
          finalTexts.set(file.path, texts.get(file.path) ?? (file.exists ? file.text : undefined));
        return {
          changes,
          written,
          before: loaded.config,
          after: applyChangesToConfig(loaded.config, changes),
          texts: finalTexts,
        };
      }
      toLock = new Set([...toLock, ...missing]);
    } finally {
      await locks.release();
    }
  }
  throw new Error(
    'the kubeconfig files kept changing while kplane tried to update them; nothing was changed',
  );
}
