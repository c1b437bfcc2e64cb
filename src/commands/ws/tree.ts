import { Flags } from '@oclif/core';
import { KplaneCommand, outputFlag, workspaceFlag } from '../../cli/base-command.js';
import { printData } from '../../cli/io.js';
import { fetchWorkspaceTree, renderWorkspaceTree, workspaceTreeDocument } from '../../workspace/tree.js';
import { openCurrentWorkspace } from '../../workspace/session.js';

export default class WsTree extends KplaneCommand {
  static override summary = 'Show the workspace tree below the current workspace.';
  static override examples = ['<%= config.bin %> ws tree', '<%= config.bin %> ws tree --full -o json'];

  static override flags = {
    workspace: workspaceFlag,
    full: Flags.boolean({ char: 'f', description: 'Show full paths instead of names.' }),
    output: outputFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(WsTree);
    const output = this.outputFormat(flags.output);
    const session = await openCurrentWorkspace(this.workspaceSelector(flags));
    try {
      const tree = await fetchWorkspaceTree(session.client, session.path);
      if (output === 'text') this.io.out(renderWorkspaceTree(tree, { full: flags.full }));
      else await printData(this.io, output, workspaceTreeDocument(tree));
    } finally {
      session.client.close();
    }
  }
}
