import { bindCatalog } from '../../apis/catalog.js';
import { KplaneCommand, outputFlag, workspaceFlag } from '../../cli/base-command.js';

export default class BindCatalog extends KplaneCommand {
  static override summary = 'List the exports you may bind, across the tree, with the resources each brings.';
  static override examples = ['<%= config.bin %> bind catalog', '<%= config.bin %> bind catalog -o json'];
  static override flags = { workspace: workspaceFlag, output: outputFlag };

  async run(): Promise<void> {
    const { flags } = await this.parse(BindCatalog);
    await bindCatalog(
      { kubeconfig: this.workspaceSelector(flags), output: this.outputFormat(flags.output) },
      this.io,
    );
  }
}
