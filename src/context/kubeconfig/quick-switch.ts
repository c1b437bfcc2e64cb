// `ws use` and `ws -` in the common layout rewrite two `server:` values and nothing else: kcp's
// `workspace.kcp.io/current` and `…/previous` clusters are copies of one cluster, so a switch only moves URLs.
// When a full parse has shown that layout, a QuickSwitchPlan remembers where the two values sit in the file's
// exact bytes; the next switch replaces them there without loading a YAML parser. The digest ties the plan to
// those bytes: any other text (kubectl, an editor, another kplane) means a full parse and a full edit.
// This module must not import `yaml`.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type LockOptions, withKubeconfigLocks } from './lock.js';
import { writeKubeconfigAtomically } from './write.js';

export interface QuickSwitchPlan {
  /** The only kubeconfig file (absolute path); the plan is never used with several files. */
  file: string;
  /** sha256 of the text the offsets belong to. */
  digest: string;
  /** [start, end) of the plain scalar `server:` value of cluster `workspace.kcp.io/current`. */
  current: readonly [number, number];
  /** The same for cluster `workspace.kcp.io/previous`. */
  previous: readonly [number, number];
}

export type QuickSwitch = { kind: 'use'; server: string } | { kind: 'swap' };

export interface QuickSwitchResult {
  text: string;
  plan: QuickSwitchPlan;
  /** The server the current workspace context points at after the switch. */
  server: string;
}

export function digestOf(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * A URL that reads back as the same string when written as a plain block scalar, in YAML 1.1 (kubectl) and 1.2:
 * a scheme, no spaces, no `#`, no quotes or flow indicators, no trailing colon. Anything else takes the full edit.
 */
export function isPlainSafeServer(url: string): boolean {
  return /^https?:\/\/[A-Za-z0-9._~:/%@=&+-]+$/.test(url) && !url.endsWith(':');
}

/** The new text, with the plan for it, or undefined when the plan does not belong to `text`. Pure. */
export function applyQuickSwitch(
  text: string,
  plan: QuickSwitchPlan,
  change: QuickSwitch,
): QuickSwitchResult | undefined {
  if (digestOf(text) !== plan.digest) return undefined;
  const currentServer = text.slice(...plan.current);
  const previousServer = text.slice(...plan.previous);
  const newCurrent = change.kind === 'use' ? change.server : previousServer;
  const newPrevious = currentServer;
  if (!isPlainSafeServer(newCurrent) || !isPlainSafeServer(newPrevious)) return undefined;

  const replacements = [
    { range: plan.current, text: newCurrent, slot: 'current' as const },
    { range: plan.previous, text: newPrevious, slot: 'previous' as const },
  ].sort((a, b) => a.range[0] - b.range[0]);
  let out = '';
  let copiedUpTo = 0;
  const ranges: Record<'current' | 'previous', [number, number]> = { current: [0, 0], previous: [0, 0] };
  for (const { range, text: value, slot } of replacements) {
    out += text.slice(copiedUpTo, range[0]);
    ranges[slot] = [out.length, out.length + value.length];
    out += value;
    copiedUpTo = range[1];
  }
  out += text.slice(copiedUpTo);
  return {
    text: out,
    server: newCurrent,
    plan: { file: plan.file, digest: digestOf(out), current: ranges.current, previous: ranges.previous },
  };
}

/**
 * Switches under the kubeconfig lock when the file still holds exactly the bytes the plan was made for, and
 * returns undefined (having written nothing) when it does not.
 */
export function quickSwitchKubeconfig(
  plan: QuickSwitchPlan,
  change: QuickSwitch,
  lock: LockOptions = {},
): Promise<QuickSwitchResult | undefined> {
  return withKubeconfigLocks(
    [plan.file],
    async () => {
      let text: string;
      try {
        text = readFileSync(plan.file, 'utf8');
      } catch {
        return undefined;
      }
      const result = applyQuickSwitch(text, plan, change);
      if (result) await writeKubeconfigAtomically(plan.file, result.text);
      return result;
    },
    lock,
  );
}
