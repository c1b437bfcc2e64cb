import { Flags } from '@oclif/core';
import { runWorkAgent } from '../agent/agent.js';
import { clientFromKubeconfigFile } from '../agent/member-client.js';
import { KplaneCommand } from '../cli/base-command.js';
import { InvalidInputError } from '../cli/errors.js';

const clusterNamePattern = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export default class Agent extends KplaneCommand {
  static override summary =
    "Join a Kubernetes API to a hub as compute and apply its ManifestWorks (OCM's klusterlet).";
  static override examples = [
    '<%= config.bin %> agent --cluster-name eu-1 --hub-kubeconfig hub.kubeconfig --member-kubeconfig ~/.kube/config',
  ];

  static override flags = {
    'cluster-name': Flags.string({
      description: 'The ManagedCluster name (its namespace on the hub).',
      required: true,
    }),
    'hub-kubeconfig': Flags.string({
      description: 'Kubeconfig of the hub (its compute workspace).',
      required: true,
    }),
    'member-kubeconfig': Flags.string({
      description: 'Kubeconfig of the cluster that runs the work.',
      required: true,
    }),
    'resync-seconds': Flags.integer({
      description: 'How often every work is reconciled again.',
      default: 2,
      min: 1,
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Agent);
    const clusterName = flags['cluster-name'];
    if (!clusterNamePattern.test(clusterName)) {
      throw new InvalidInputError(
        `invalid cluster name "${clusterName}": use lowercase letters, digits and "-"`,
      );
    }
    const hub = await clientFromKubeconfigFile(flags['hub-kubeconfig']);
    const member = await clientFromKubeconfigFile(flags['member-kubeconfig']);
    const stop = new AbortController();
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stop.abort());
    this.io.err(`kplane agent for cluster ${clusterName} is running`);
    await runWorkAgent({
      hub,
      member,
      clusterName,
      resyncMs: flags['resync-seconds'] * 1000,
      signal: stop.signal,
      log: (line) => this.io.err(line),
    });
    hub.close();
    member.close();
  }
}
