import { Args } from '@oclif/core';
import { KplaneCommand, workspaceFlag } from '../../cli/base-command.js';
import { setClusterAcceptance } from '../../cluster/acceptance.js';

export default class ClusterDeny extends KplaneCommand {
  static override summary =
    "Stop accepting a cluster and revoke its agent's hub credential: it applies nothing more.";
  static override examples = ['<%= config.bin %> cluster deny eu-1'];
  static override args = {
    name: Args.string({ description: 'Name of the ManagedCluster.', required: true }),
  };
  static override flags = { workspace: workspaceFlag };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ClusterDeny);
    await setClusterAcceptance(
      { kubeconfig: this.workspaceSelector(flags), name: args.name, accept: false },
      this.io,
    );
  }
}
