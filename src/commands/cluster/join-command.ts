import { Args, Flags } from '@oclif/core';
import { KplaneCommand, outputFlag, workspaceFlag } from '../../cli/base-command.js';
import { parseDuration } from '../../cli/duration.js';
import { joinCommand } from '../../cluster/join-command.js';

export default class ClusterJoinCommand extends KplaneCommand {
  static override summary =
    'Prepare a cluster to join: a bootstrap kubeconfig (owner-only file) and the kplane agent line that uses it.';
  static override examples = [
    '<%= config.bin %> cluster join-command eu-1 --label region=eu-west',
    '<%= config.bin %> cluster join-command eu-1 --ttl 30m --bootstrap-kubeconfig /secure/eu-1.kubeconfig',
  ];
  static override args = {
    name: Args.string({ description: 'Name the cluster will have (its ManagedCluster).', required: true }),
  };
  static override flags = {
    workspace: workspaceFlag,
    output: outputFlag,
    ttl: Flags.string({ description: 'How long the bootstrap token works (10m to 365d).', default: '1h' }),
    label: Flags.string({
      description: 'A label for the agent to report (KEY=VALUE, repeatable).',
      multiple: true,
    }),
    'bootstrap-kubeconfig': Flags.string({
      description: 'Where to write the bootstrap kubeconfig (default: ./NAME-bootstrap.kubeconfig).',
    }),
    'member-kubeconfig': Flags.string({
      description: 'The member cluster kubeconfig to name in the printed line.',
    }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ClusterJoinCommand);
    await joinCommand(
      {
        kubeconfig: this.workspaceSelector(flags),
        name: args.name,
        ttlSeconds: Math.round(parseDuration(flags.ttl, '--ttl') / 1000),
        labels: flags.label ?? [],
        ...(flags['bootstrap-kubeconfig'] ? { bootstrapFile: flags['bootstrap-kubeconfig'] } : {}),
        ...(flags['member-kubeconfig'] ? { memberKubeconfig: flags['member-kubeconfig'] } : {}),
        output: this.outputFormat(flags.output),
      },
      this.io,
    );
  }
}
