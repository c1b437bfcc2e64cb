import { Args, Flags } from '@oclif/core';
import { KplaneCommand, outputFlag } from '../../cli/base-command.js';
import { canShowPicker } from '../../cli/prompts.js';
import { useWorkspace } from '../../workspace/use.js';

export default class WsUse extends KplaneCommand {
  static override aliases = ['ws cd', 'ws:cd'];
  static override summary = 'Switch the current workspace.';
  static override description =
    'Checks with the platform that the workspace exists and that you may enter it, then points the ' +
    'workspace.kcp.io/current context at it. "-" is the previous workspace, ".." the parent, "~" your home, ' +
    '":" the top of the tree. Without PATH, in a terminal it opens a fuzzy picker over the workspaces you may ' +
    'enter; otherwise it goes home.';

  static override examples = [
    '<%= config.bin %> ws use root:acme:web',
    '<%= config.bin %> ws use web',
    '<%= config.bin %> ws use ../..',
    '<%= config.bin %> ws cd -',
  ];

  static override args = {
    path: Args.string({ description: 'Workspace path.', required: false }),
  };

  static override flags = {
    short: Flags.boolean({ description: 'Print only the workspace path.' }),
    output: outputFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(WsUse);
    const kubeconfig = this.kubeconfigSource(flags);
    let target = args.path;
    if (args.path === undefined && canShowPicker(this.io)) {
      const { listEnterableWorkspaces, pickWorkspace } = await import('../../workspace/picker.js');
      target = `:${await pickWorkspace(await listEnterableWorkspaces(kubeconfig))}`;
    }
    await useWorkspace(
      {
        kubeconfig,
        target,
        short: flags.short,
        output: this.outputFormat(flags.output),
      },
      this.io,
    );
  }
}
