import { Args, Flags } from '@oclif/core';
import { KplaneCommand, outputFlag } from '../../cli/base-command.js';
import { showCurrentWorkspace } from '../../workspace/current.js';
import { useWorkspace } from '../../workspace/use.js';

export default class Ws extends KplaneCommand {
  static override summary = 'Print the current workspace, or switch to PATH.';
  static override description =
    'PATH is absolute with a leading ":" (":root:acme"), otherwise relative to the current workspace. ' +
    '".." is the parent, "-" the previous workspace, "~" your home, ":" the top of the tree. ' +
    'Without PATH it prints the current workspace (like "ws ."); it never changes anything then.';

  static override examples = [
    '<%= config.bin %> ws',
    '<%= config.bin %> ws root:acme:web',
    '<%= config.bin %> ws ..',
    '<%= config.bin %> ws -',
    "PS1='$(<%= config.bin %> ws --short) $ '",
  ];

  static override args = {
    path: Args.string({ description: 'Workspace path to switch to.', required: false }),
  };

  static override flags = {
    short: Flags.boolean({ description: 'Print only the workspace path (for shell prompts).' }),
    output: outputFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Ws);
    const options = {
      kubeconfig: this.kubeconfigSource(flags),
      short: flags.short,
      output: this.outputFormat(flags.output),
    };
    if (args.path === undefined || args.path === '.') await showCurrentWorkspace(options, this.io);
    else await useWorkspace({ ...options, target: args.path }, this.io);
  }
}
