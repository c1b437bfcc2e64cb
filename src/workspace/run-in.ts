import os from 'node:os';
import { spawn } from 'node:child_process';
import { InvalidInputError, KplaneError } from '../cli/errors.js';
import type { KubeconfigSourceOptions } from '../context/kubeconfig/sources.js';
import { parseWorkspaceUrl } from '../context/workspace-url.js';
import { readCurrentContext } from './kubeconfig-view.js';
import { checkTarget, platformClient, resolveTarget } from './target.js';
import { OVERLAY_ENV, overlayTextFor, userKubeconfigFiles, writeTemporaryOverlay } from './overlay.js';

export interface TargetWorkspace {
  path: string;
  url: string;
}

/**
 * Resolves PATH exactly as `ws use` does (relative to the current workspace, `:` absolute, `.`, `..`, `~`, `:`)
 * and checks with the platform that it exists and may be entered. Nothing is written.
 */
export async function resolveTargetWorkspace(
  kubeconfig: KubeconfigSourceOptions,
  target: string,
): Promise<TargetWorkspace> {
  const current = await readCurrentContext(kubeconfig);
  const resolution = resolveTarget(current, target);
  if (resolution.kind === 'previous') {
    throw new InvalidInputError('"-" (the previous workspace) only works with "ws use"');
  }
  if (resolution.kind === 'current') {
    return { path: parseWorkspaceUrl(current.server)?.path ?? '', url: current.server };
  }
  const client = platformClient(current);
  try {
    const { path, url } = await checkTarget(client, current, target, resolution);
    return { path, url };
  } finally {
    client.close();
  }
}

export interface RunInWorkspaceOptions {
  kubeconfig: KubeconfigSourceOptions;
  target: string;
  command: string;
  args: string[];
  /** Extra variables for the child (e.g. KPLANE_WORKSPACE for `ws shell`). */
  env?: (workspace: TargetWorkspace) => Record<string, string>;
}

const FORWARDED_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];

/**
 * `ws exec` / `ws shell`: run one command with a temporary overlay in front of the user's kubeconfig files, wait
 * for it, remove the overlay (also when we are signalled) and return the exit code to pass on.
 */
export async function runInWorkspace(options: RunInWorkspaceOptions): Promise<number> {
  const workspace = await resolveTargetWorkspace(options.kubeconfig, options.target);
  const text = await overlayTextFor(options.kubeconfig, workspace.url);
  const overlay = writeTemporaryOverlay(text, userKubeconfigFiles(options.kubeconfig));
  const forward = (signal: NodeJS.Signals) => {
    // A terminal sends SIGINT to the whole foreground group, so the child has it already.
    if (signal !== 'SIGINT') child?.kill(signal);
  };
  let child: ReturnType<typeof spawn> | undefined;
  for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
  try {
    return await new Promise<number>((resolve, reject) => {
      child = spawn(options.command, options.args, {
        stdio: 'inherit',
        env: {
          ...process.env,
          KUBECONFIG: overlay.kubeconfigList,
          [OVERLAY_ENV]: overlay.file,
          ...options.env?.(workspace),
        },
      });
      child.on('error', (error: NodeJS.ErrnoException) => {
        reject(
          error.code === 'ENOENT'
            ? new CommandNotFoundError(options.command)
            : new KplaneError(`cannot run ${options.command}: ${error.message}`),
        );
      });
      child.on('exit', (code, signal) => {
        resolve(code ?? 128 + (signal ? (os.constants.signals[signal] ?? 0) : 0));
      });
    });
  } finally {
    for (const signal of FORWARDED_SIGNALS) process.off(signal, forward);
    overlay.remove();
  }
}

/** The shell's convention: 127 when the command is not there. */
export class CommandNotFoundError extends KplaneError {
  readonly commandExitCode = 127;
  constructor(command: string) {
    super(`command not found: ${command}`);
  }
}
