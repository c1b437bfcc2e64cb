import { KplaneCommand, outputFlag, workspaceFlag } from '../../cli/base-command.js';
import { namespaceFlag } from '../../cli/place-flags.js';
import { showClusters } from '../../place/place.js';

export default class PlaceClusters extends KplaneCommand {
  static override summary = 'Compute this workspace may use: name, region, provider, capacity, taints, sets.';
  static override examples = ['<%= config.bin %> place clusters', '<%= config.bin %> place clusters -o json'];
  static override flags = { workspace: workspaceFlag, namespace: namespaceFlag, output: outputFlag };

  async run(): Promise<void> {
    const { flags } = await this.parse(PlaceClusters);
    await showClusters(
      {
        kubeconfig: this.workspaceSelector(flags),
        namespace: flags.namespace,
        output: this.outputFormat(flags.output),
      },
      this.io,
    );
  }
}
