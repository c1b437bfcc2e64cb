import { Args, Flags } from '@oclif/core';
import { KplaneCommand, outputFlag, workspaceFlag } from '../../cli/base-command.js';
import { createWorkspace } from '../../workspace/create.js';

export default class WsCreate extends KplaneCommand {
  static override summary = 'Create a workspace inside the current one and wait until it is ready.';
  static override examples = [
    '<%= config.bin %> ws create team-b --type universal --enter',
    '<%= config.bin %> ws create team-b --type root:universal --ignore-existing',
  ];

  static override args = {
    name: Args.string({ description: 'Name of the new workspace.', required: true }),
  };

  static override flags = {
    workspace: workspaceFlag,
    type: Flags.string({ description: 'Workspace type: NAME or PATH:NAME (e.g. root:universal).' }),
    enter: Flags.boolean({ description: 'Switch to the workspace once it is ready.' }),
    'ignore-existing': Flags.boolean({
      description: 'Succeed if it already exists (needs an absolute --type, e.g. root:universal).',
    }),
    output: outputFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(WsCreate);
    await createWorkspace(
      {
        kubeconfig: this.workspaceSelector(flags),
        name: args.name,
        type: flags.type,
        enter: flags.enter,
        ignoreExisting: flags['ignore-existing'],
        output: this.outputFormat(flags.output),
      },
      this.io,
    );
  }
}
