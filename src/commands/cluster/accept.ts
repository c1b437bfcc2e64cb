import { Args } from '@oclif/core';
import { KplaneCommand, workspaceFlag } from '../../cli/base-command.js';
import { setClusterAcceptance } from '../../cluster/acceptance.js';

export default class ClusterAccept extends KplaneCommand {
  static override summary =
    'Accept a cluster whose agent registered, so it receives work (OCM hubAcceptsClient).';
  static override examples = ['<%= config.bin %> cluster accept eu-1'];
  static override args = {
    name: Args.string({ description: 'Name of the ManagedCluster.', required: true }),
  };
  static override flags = { workspace: workspaceFlag };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ClusterAccept);
    await setClusterAcceptance(
      { kubeconfig: this.workspaceSelector(flags), name: args.name, accept: true },
      this.io,
    );
  }
}
