import { Args } from '@oclif/core';
import { unbind } from '../apis/bind.js';
import { KplaneCommand, workspaceFlag } from '../cli/base-command.js';

export default class Unbind extends KplaneCommand {
  static override summary = 'Remove an API binding; the resource and its objects leave this workspace.';
  static override examples = ['<%= config.bin %> unbind databases'];
  static override flags = { workspace: workspaceFlag };
  static override args = { name: Args.string({ description: 'Name of the APIBinding.', required: true }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Unbind);
    await unbind({ kubeconfig: this.workspaceSelector(flags), name: args.name }, this.io);
  }
}
