import { delimiter } from 'node:path';
import type { KubeconfigSourceOptions } from '../context/kubeconfig/sources.js';
import {
  isShellEnvOverlay,
  OVERLAY_ENV,
  overlayKubeconfigList,
  overlayTextFor,
  persistentOverlayDir,
  PREVIOUS_KUBECONFIG_ENV,
  removeOverlayFile,
  userKubeconfigFiles,
  writeShellOverlay,
} from './overlay.js';
import { resolveTargetWorkspace } from './run-in.js';

export type ShellKind = 'bash' | 'zsh' | 'fish';
export const SHELL_KINDS: readonly ShellKind[] = ['bash', 'zsh', 'fish'];

type Env = Readonly<Record<string, string | undefined>>;

/** POSIX shells: single quotes, with `'` spelled `'\''`. fish: single quotes, `\` and `'` escaped. */
export function quoteForShell(shell: ShellKind, value: string): string {
  if (shell === 'fish') return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
  return `'${value.replaceAll("'", "'\\''")}'`;
}

function exportLine(shell: ShellKind, name: string, value: string): string {
  const quoted = quoteForShell(shell, value);
  return shell === 'fish' ? `set -gx ${name} ${quoted};` : `export ${name}=${quoted};`;
}

function unsetLine(shell: ShellKind, name: string): string {
  return shell === 'fish' ? `set -e ${name};` : `unset ${name};`;
}

/** The shell guessed from $SHELL when --shell is not given. */
export function detectShell(env: Env = process.env): ShellKind {
  const name = (env.SHELL ?? '').split('/').pop() ?? '';
  return name === 'fish' || name === 'zsh' ? name : 'bash';
}

export interface WorkspaceEnvOptions {
  kubeconfig: KubeconfigSourceOptions;
  target: string;
  shell: ShellKind;
  /** The shell that will eval the output: its overlay is named after it, so each shell has its own. */
  shellPid: number;
  env?: Env;
}

/**
 * `ws env PATH`: writes the per-shell overlay (replacing an earlier one of ours at the front of KUBECONFIG) and
 * returns the code that points this shell at it.
 */
export async function workspaceEnvScript(options: WorkspaceEnvOptions): Promise<string> {
  const env = options.env ?? process.env;
  const workspace = await resolveTargetWorkspace(options.kubeconfig, options.target);
  const text = await overlayTextFor(options.kubeconfig, workspace.url);
  const userFiles = userKubeconfigFiles(options.kubeconfig, env);
  const file = writeShellOverlay(text, options.shellPid, persistentOverlayDir(env));
  const current = env[OVERLAY_ENV];
  const replacing = current !== undefined && isShellEnvOverlay(current, env);
  if (replacing && current !== file) removeOverlayFile(current);
  // Remember KUBECONFIG as it was before the first `ws env` in this shell (inside `ws shell`, that includes the
  // shell's own overlay, which `--unset` then brings back).
  const previous = replacing ? (env[PREVIOUS_KUBECONFIG_ENV] ?? '') : (env.KUBECONFIG ?? '');
  const lines = [
    exportLine(options.shell, 'KUBECONFIG', overlayKubeconfigList(file, userFiles)),
    exportLine(options.shell, OVERLAY_ENV, file),
    exportLine(options.shell, PREVIOUS_KUBECONFIG_ENV, previous),
  ];
  return lines.join('\n');
}

/** `ws env --unset`: removes this shell's overlay and returns the code that restores KUBECONFIG. */
export function unsetWorkspaceEnvScript(shell: ShellKind, env: Env = process.env): string {
  const overlay = env[OVERLAY_ENV];
  const lines: string[] = [];
  if (overlay && isShellEnvOverlay(overlay, env)) {
    removeOverlayFile(overlay);
    const previous = env[PREVIOUS_KUBECONFIG_ENV];
    if (previous !== undefined) {
      lines.push(
        previous === '' ? unsetLine(shell, 'KUBECONFIG') : exportLine(shell, 'KUBECONFIG', previous),
      );
    } else {
      const rest = (env.KUBECONFIG ?? '').split(delimiter).filter((f) => f !== '' && f !== overlay);
      lines.push(
        rest.length === 0
          ? unsetLine(shell, 'KUBECONFIG')
          : exportLine(shell, 'KUBECONFIG', rest.join(delimiter)),
      );
    }
    lines.push(unsetLine(shell, OVERLAY_ENV), unsetLine(shell, PREVIOUS_KUBECONFIG_ENV));
  }
  return lines.join('\n');
}
