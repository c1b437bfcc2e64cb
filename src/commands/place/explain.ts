import { Args } from '@oclif/core';
import { KplaneCommand, outputFlag, workspaceFlag } from '../../cli/base-command.js';
import { namespaceFlag } from '../../cli/place-flags.js';
import { explainPlacement } from '../../place/place.js';

export default class PlaceExplain extends KplaneCommand {
  static override summary = 'Every candidate cluster: chosen, or rejected and why.';
  static override examples = ['<%= config.bin %> place explain web'];
  static override args = { name: Args.string({ description: 'Name of the placement.', required: true }) };
  static override flags = { workspace: workspaceFlag, namespace: namespaceFlag, output: outputFlag };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(PlaceExplain);
    await explainPlacement(
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
