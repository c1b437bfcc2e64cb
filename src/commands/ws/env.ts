import { Args, Flags } from '@oclif/core';
import { KplaneCommand } from '../../cli/base-command.js';
import { InvalidInputError } from '../../cli/errors.js';
import {
  detectShell,
  SHELL_KINDS,
  unsetWorkspaceEnvScript,
  workspaceEnvScript,
  type ShellKind,
} from '../../workspace/shell-env.js';

export default class WsEnv extends KplaneCommand {
  static override summary = 'Print shell code that points this shell (only) at a workspace.';
  static override description =
    'Writes an overlay kubeconfig for the calling shell and prints the exports that put it in front of ' +
    'KUBECONFIG; other shells and your kubeconfig files are unaffected. Use with eval. --unset restores the ' +
    'previous KUBECONFIG and removes the overlay.';

  static override examples = [
    'eval "$(<%= config.bin %> ws env root:acme:web)"',
    '<%= config.bin %> ws env ../api --shell fish | source',
    'eval "$(<%= config.bin %> ws env --unset)"',
  ];

  static override args = {
    path: Args.string({ description: 'Workspace path.', required: false }),
  };

  static override flags = {
    shell: Flags.string({
      description: 'Shell syntax to print (default: from $SHELL).',
      options: [...SHELL_KINDS],
    }),
    unset: Flags.boolean({ description: 'Print code that restores the previous KUBECONFIG.' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(WsEnv);
    const shell = (flags.shell as ShellKind | undefined) ?? detectShell();
    if (flags.unset) {
      if (args.path !== undefined) throw new InvalidInputError('--unset takes no PATH');
      this.io.out(unsetWorkspaceEnvScript(shell));
      return;
    }
    if (args.path === undefined) throw new InvalidInputError('give a workspace PATH (or --unset)');
    this.io.out(
      await workspaceEnvScript({
        kubeconfig: this.kubeconfigSource(flags),
        target: args.path,
        shell,
        shellPid: process.ppid,
      }),
    );
  }
}
