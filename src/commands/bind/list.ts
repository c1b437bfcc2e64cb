import { listBindings } from '../../apis/bind.js';
import { KplaneCommand, outputFlag, workspaceFlag } from '../../cli/base-command.js';

export default class BindList extends KplaneCommand {
  static override summary =
    'List the API bindings of the current workspace, their phase and bound resources.';
  static override examples = ['<%= config.bin %> bind list'];
  static override flags = { workspace: workspaceFlag, output: outputFlag };

  async run(): Promise<void> {
    const { flags } = await this.parse(BindList);
    await listBindings(
      { kubeconfig: this.workspaceSelector(flags), output: this.outputFormat(flags.output) },
      this.io,
    );
  }
}
