import { listExports } from '../../apis/export.js';
import { KplaneCommand, outputFlag, workspaceFlag } from '../../cli/base-command.js';

export default class ExportList extends KplaneCommand {
  static override summary = 'List the APIExports of the current workspace.';
  static override examples = ['<%= config.bin %> export list', '<%= config.bin %> export list -o json'];
  static override flags = { workspace: workspaceFlag, output: outputFlag };

  async run(): Promise<void> {
    const { flags } = await this.parse(ExportList);
    await listExports(
      { kubeconfig: this.workspaceSelector(flags), output: this.outputFormat(flags.output) },
      this.io,
    );
  }
}
