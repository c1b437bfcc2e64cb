import { Flags } from '@oclif/core';
import { KplaneCommand, outputFlag } from '../../cli/base-command.js';
import { showCurrentWorkspace } from '../../workspace/current.js';

export default class WsCurrent extends KplaneCommand {
  static override summary = 'Print the current workspace (same as "ws ."). Reads only the kubeconfig.';
  static override examples = ['<%= config.bin %> ws current', '<%= config.bin %> ws current --short'];

  static override flags = {
    short: Flags.boolean({ description: 'Print only the workspace path (for shell prompts).' }),
    output: outputFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(WsCurrent);
    await showCurrentWorkspace(
      {
        kubeconfig: this.kubeconfigSource(flags),
        short: flags.short,
        output: this.outputFormat(flags.output),
      },
      this.io,
    );
  }
}
