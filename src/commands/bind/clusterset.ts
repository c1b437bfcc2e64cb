import { Args } from '@oclif/core';
import { KplaneCommand, outputFlag, workspaceFlag } from '../../cli/base-command.js';
import { namespaceFlag } from '../../cli/place-flags.js';
import { bindClusterSet } from '../../place/place.js';

export default class BindClusterSet extends KplaneCommand {
  static override summary =
    'Let placements in this namespace use a set of compute (a ManagedClusterSetBinding).';
  static override examples = [
    '<%= config.bin %> bind clusterset global',
    '<%= config.bin %> bind clusterset eu -n shop',
  ];
  static override args = {
    name: Args.string({ description: 'Name of the ManagedClusterSet.', required: true }),
  };
  static override flags = { workspace: workspaceFlag, namespace: namespaceFlag, output: outputFlag };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(BindClusterSet);
    await bindClusterSet(
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
