import { KplaneCommand, outputFlag, workspaceFlag } from '../../cli/base-command.js';
import { namespaceFlag } from '../../cli/place-flags.js';
import { listPlacements } from '../../place/place.js';

export default class PlaceList extends KplaneCommand {
  static override summary =
    'List the placements of the namespace: selected and wanted clusters, and how they stand.';
  static override examples = ['<%= config.bin %> place list', '<%= config.bin %> place list -o json'];
  static override flags = { workspace: workspaceFlag, namespace: namespaceFlag, output: outputFlag };

  async run(): Promise<void> {
    const { flags } = await this.parse(PlaceList);
    await listPlacements(
      {
        kubeconfig: this.workspaceSelector(flags),
        namespace: flags.namespace,
        output: this.outputFormat(flags.output),
      },
      this.io,
    );
  }
}
