import { Args } from '@oclif/core';
import { KplaneCommand, outputFlag, workspaceFlag } from '../../cli/base-command.js';
import { namespaceFlag } from '../../cli/place-flags.js';
import { deletePlacement } from '../../place/place.js';

export default class PlaceDelete extends KplaneCommand {
  static override summary = 'Delete a placement and its decisions.';
  static override examples = ['<%= config.bin %> place delete web'];
  static override args = { name: Args.string({ description: 'Name of the placement.', required: true }) };
  static override flags = { workspace: workspaceFlag, namespace: namespaceFlag, output: outputFlag };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(PlaceDelete);
    await deletePlacement(
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
