import { Args, Flags } from '@oclif/core';
import { KplaneCommand, outputFlag } from '../../cli/base-command.js';
import { createWorkspaceContext } from '../../workspace/create-context.js';

export default class WsCreateContext extends KplaneCommand {
  static override summary = 'Create a kubeconfig context for the current workspace and switch to it.';
  static override description =
    'As kcp\'s "kubectl ws create-context": a context and a cluster named after the workspace path (or NAME) ' +
    'that keep pointing at this workspace when "ws use" moves on. The context names your current user entry, ' +
    'so no credential is copied. An existing name is refused unless --overwrite is given.';

  static override examples = [
    '<%= config.bin %> ws create-context',
    '<%= config.bin %> ws create-context web-dev',
    '<%= config.bin %> ws create-context web-dev --overwrite',
  ];

  static override args = {
    name: Args.string({ description: 'Name of the context (default: the workspace path).', required: false }),
  };

  static override flags = {
    overwrite: Flags.boolean({ description: 'Update the context if it already exists.' }),
    output: outputFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(WsCreateContext);
    await createWorkspaceContext(
      {
        kubeconfig: this.kubeconfigSource(flags),
        name: args.name,
        overwrite: flags.overwrite,
        output: this.outputFormat(flags.output),
      },
      this.io,
    );
  }
}
