import { KplaneCommand, outputFlag, workspaceFlag } from '../../cli/base-command.js';
import { namespaceFlag } from '../../cli/place-flags.js';
import { listDeploys } from '../../deploy/deploy.js';

export default class DeployList extends KplaneCommand {
  static override summary = 'The deploys of this namespace, with how many clusters applied and run them.';
  static override examples = ['<%= config.bin %> deploy list'];
  static override flags = { workspace: workspaceFlag, namespace: namespaceFlag, output: outputFlag };

  async run(): Promise<void> {
    const { flags } = await this.parse(DeployList);
    await listDeploys(
      {
        kubeconfig: this.workspaceSelector(flags),
        namespace: flags.namespace,
        output: this.outputFormat(flags.output),
      },
      this.io,
    );
  }
}
