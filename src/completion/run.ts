import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import type { IOStreams } from '../cli/io.js';
import {
  complete,
  Directive,
  formatCompletion,
  type CompletionManifest,
  type CompletionResult,
} from './engine.js';
import { platformCompletionSources } from './platform-sources.js';

/** A shell waits on every TAB; past this, completing nothing is better than hanging. */
const overallTimeoutMs = 3_000;

/**
 * `kplane __complete <words…> <partial>`: the hidden command behind the shell scripts and `kubectl_complete-*`.
 * It never fails: any error or timeout prints no candidates and exits 0, as a completion must.
 */
export async function runCompletion(words: readonly string[], io: IOStreams): Promise<number> {
  const completing = words.length === 0 ? [''] : words;
  const sources = platformCompletionSources({ explicitPath: kubeconfigFlag(completing) });
  let timer: NodeJS.Timeout | undefined;
  let result: CompletionResult | undefined;
  try {
    const manifest = readManifest();
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), overallTimeoutMs);
      timer.unref();
    });
    result = await Promise.race([complete(completing, manifest, sources), timeout]);
  } catch {
    // Nothing to offer: the shell gets no candidates rather than an error.
  } finally {
    clearTimeout(timer);
    sources.close();
  }
  io.out(formatCompletion(result ?? { candidates: [], directive: Directive.noFileComp }));
  return 0;
}

function kubeconfigFlag(words: readonly string[]): string | undefined {
  for (let i = 0; i < words.length - 1; i++) {
    const word = words[i]!;
    if (word === '--kubeconfig') return words[i + 1];
    if (word.startsWith('--kubeconfig=')) return word.slice('--kubeconfig='.length);
  }
  return undefined;
}

/** The manifest sits in the package root, next to `bin/` whose launcher (possibly a symlink) runs us. */
function readManifest(): CompletionManifest {
  const launcher = realpathSync(process.argv[1] ?? '');
  const file = path.join(path.dirname(launcher), '..', 'oclif.manifest.json');
  return JSON.parse(readFileSync(file, 'utf8')) as CompletionManifest;
}
