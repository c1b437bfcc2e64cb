import { KplaneCommand, outputFlag, workspaceFlag } from '../../cli/base-command.js';
import { listClusters } from '../../cluster/cluster-list.js';

export default class ClusterList extends KplaneCommand {
  static override summary =
    'The clusters that registered as compute: accepted or pending, available, labels.';
  static override examples = ['<%= config.bin %> cluster list', '<%= config.bin %> cluster list -o json'];
  static override flags = { workspace: workspaceFlag, output: outputFlag };

  async run(): Promise<void> {
    const { flags } = await this.parse(ClusterList);
    await listClusters(
      { kubeconfig: this.workspaceSelector(flags), output: this.outputFormat(flags.output) },
      this.io,
    );
  }
}
