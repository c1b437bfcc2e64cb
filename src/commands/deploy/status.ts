import { Args } from '@oclif/core';
import { KplaneCommand, outputFlag, workspaceFlag } from '../../cli/base-command.js';
import { namespaceFlag } from '../../cli/place-flags.js';
import { deployStatus } from '../../deploy/deploy.js';

export default class DeployStatus extends KplaneCommand {
  static override summary = 'How far a deploy got: clusters decided, applied, available, degraded.';
  static override examples = ['<%= config.bin %> deploy status web -o json'];
  static override args = { name: Args.string({ description: 'Name of the deploy.', required: true }) };
  static override flags = { workspace: workspaceFlag, namespace: namespaceFlag, output: outputFlag };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(DeployStatus);
    await deployStatus(
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
