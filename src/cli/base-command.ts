import { Command, Flags, type Interfaces } from '@oclif/core';
import type { KubeconfigSourceOptions, WorkspaceSelector } from '../context/kubeconfig/sources.js';
import { exitCodeFor, messageOf } from './errors.js';
import { parseOutputFormat, processIOStreams, type IOStreams, type OutputFormat } from './io.js';

/**
 * What every kplane command shares: the kubeconfig flag, the output streams, and one place where errors
 * become a message on stderr and an exit code.
 */
export abstract class KplaneCommand extends Command {
  static override baseFlags = {
    kubeconfig: Flags.string({
      description: 'Path to the kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config).',
      helpGroup: 'GLOBAL',
    }),
  };

  protected readonly io: IOStreams = processIOStreams();

  protected kubeconfigSource(flags: { kubeconfig?: string }): KubeconfigSourceOptions {
    return { explicitPath: flags.kubeconfig };
  }

  /** The kubeconfig plus `-w/--workspace`, for commands that act in the current workspace. */
  protected workspaceSelector(flags: { kubeconfig?: string; workspace?: string }): WorkspaceSelector {
    return { explicitPath: flags.kubeconfig, workspace: flags.workspace };
  }

  protected outputFormat(value: string | undefined): OutputFormat {
    return parseOutputFormat(value);
  }

  protected override async catch(error: Interfaces.CommandError): Promise<void> {
    // oclif's own errors (bad flags, missing args) already carry their usage exit code and wording.
    if ((error as { oclif?: unknown }).oclif !== undefined) throw error;
    this.io.err(`Error: ${messageOf(error)}`);
    process.exitCode = exitCodeFor(error);
  }
}

export const outputFlag = Flags.string({
  char: 'o',
  description: 'Output format: json or yaml.',
  options: ['json', 'yaml'],
});

const workspaceFlagOptions = {
  description:
    'Act in this workspace instead of the current one, without switching: a leading ":" is absolute, ' +
    'anything else is relative to the current workspace.',
  helpValue: 'PATH',
};

/** kcp's `-w/--workspace`. */
export const workspaceFlag = Flags.string({ char: 'w', ...workspaceFlagOptions });

/** `--workspace` for commands where `-w` already means something else (`export objects -w` watches). */
export const longWorkspaceFlag = Flags.string(workspaceFlagOptions);
