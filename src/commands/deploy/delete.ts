import { Args, Flags } from '@oclif/core';
import { KplaneCommand, outputFlag, workspaceFlag } from '../../cli/base-command.js';
import { parseDuration } from '../../cli/duration.js';
import { namespaceFlag } from '../../cli/place-flags.js';
import { deleteDeploy } from '../../deploy/deploy.js';

export default class DeployDelete extends KplaneCommand {
  static override summary = 'Delete a deploy: its works leave every cluster.';
  static override examples = ['<%= config.bin %> deploy delete web --wait'];
  static override args = { name: Args.string({ description: 'Name of the deploy.', required: true }) };
  static override flags = {
    workspace: workspaceFlag,
    namespace: namespaceFlag,
    wait: Flags.boolean({
      description:
        'Wait until the deploy and its work on every cluster are gone (exit 8 when --timeout runs out).',
    }),
    timeout: Flags.string({ description: 'How long --wait waits.', default: '60s' }),
    output: outputFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(DeployDelete);
    await deleteDeploy(
      {
        kubeconfig: this.workspaceSelector(flags),
        namespace: flags.namespace,
        output: this.outputFormat(flags.output),
        name: args.name,
        wait: flags.wait,
        timeoutMs: parseDuration(flags.timeout, '--timeout'),
      },
      this.io,
    );
  }
}
