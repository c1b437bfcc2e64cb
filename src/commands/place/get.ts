import { Args } from '@oclif/core';
import { KplaneCommand, outputFlag, workspaceFlag } from '../../cli/base-command.js';
import { namespaceFlag } from '../../cli/place-flags.js';
import { getPlacement } from '../../place/place.js';

export default class PlaceGet extends KplaneCommand {
  static override summary = 'The decision: which clusters, their score, and why.';
  static override examples = ['<%= config.bin %> place get web'];
  static override args = { name: Args.string({ description: 'Name of the placement.', required: true }) };
  static override flags = { workspace: workspaceFlag, namespace: namespaceFlag, output: outputFlag };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(PlaceGet);
    await getPlacement(
      {
        kubeconfig: this.workspaceSelector(flags),
        namespace: flags.namespace,
        output: this.outputFormat(flags.output),
        name: args.name,
      },
      this.io,
    );
  }
}
