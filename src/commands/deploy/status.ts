import { Args, Flags } from '@oclif/core';
import { KplaneCommand, outputFlag, workspaceFlag } from '../../cli/base-command.js';
import { namespaceFlag } from '../../cli/place-flags.js';
import { deployStatus } from '../../deploy/deploy-status.js';

export default class DeployStatus extends KplaneCommand {
  static override summary =
    'How far a deploy got, per cluster: applied, available, ready/desired replicas, the last error.';

  static override examples = [
    '<%= config.bin %> deploy status web',
    '<%= config.bin %> deploy status web -o json',
    '<%= config.bin %> deploy status web --watch',
  ];

  static override args = { name: Args.string({ description: 'Name of the deploy.', required: true }) };
  static override flags = {
    workspace: workspaceFlag,
    namespace: namespaceFlag,
    watch: Flags.boolean({
      char: 'w',
      description:
        'Keep running and show the status again on every change (Ctrl-C stops); in a pipe, one line per changed cluster.',
      exclusive: ['output'],
    }),
    output: outputFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(DeployStatus);
    const controller = new AbortController();
    const stop = () => controller.abort();
    if (flags.watch) {
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    }
    try {
      await deployStatus(
        {
          kubeconfig: this.workspaceSelector(flags),
          namespace: flags.namespace,
          output: this.outputFormat(flags.output),
          name: args.name,
          watch: flags.watch,
          signal: controller.signal,
        },
        this.io,
      );
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  }
}
