import { Flags } from '@oclif/core';
import { ACCEPTANCE_POLL_MS, runWorkAgent } from '../agent/agent.js';
import { joinHub } from '../agent/hub-credential.js';
import { clientFromKubeconfigFile } from '../agent/member-client.js';
import { KplaneCommand } from '../cli/base-command.js';
import { InvalidInputError } from '../cli/errors.js';

const clusterNamePattern = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export default class Agent extends KplaneCommand {
  static override summary =
    "Join a Kubernetes API to a hub as compute and apply its ManifestWorks (OCM's klusterlet).";
  static override examples = [
    '<%= config.bin %> agent --cluster-name eu-1 --bootstrap-kubeconfig eu-1-bootstrap.kubeconfig --hub-credential-dir eu-1-hub-credential --member-kubeconfig ~/.kube/config',
    '<%= config.bin %> agent --cluster-name eu-1 --hub-kubeconfig hub.kubeconfig --member-kubeconfig ~/.kube/config',
  ];

  static override flags = {
    'cluster-name': Flags.string({
      description: 'The ManagedCluster name (its namespace on the hub).',
      required: true,
    }),
    'hub-kubeconfig': Flags.string({
      description: 'Kubeconfig of the hub (its compute workspace) holding a credential the owner gave.',
      exclusive: ['bootstrap-kubeconfig'],
    }),
    'bootstrap-kubeconfig': Flags.string({
      description:
        'Bootstrap kubeconfig from "kplane cluster join-command": register, wait for accept, then use only its own token.',
      dependsOn: ['hub-credential-dir'],
    }),
    'hub-credential-dir': Flags.string({
      description: "Folder (owner-only) for the agent's own hub token, reused across restarts and renewed.",
      dependsOn: ['bootstrap-kubeconfig'],
    }),
    'member-kubeconfig': Flags.string({
      description: 'Kubeconfig of the cluster that runs the work.',
      required: true,
    }),
    'resync-seconds': Flags.integer({
      description:
        'How often every work is listed and applied again, whatever changed (repairs drift on the member); changes on the hub arrive by watch at once.',
      default: 300,
      min: 1,
    }),
    label: Flags.string({
      description: 'A label the cluster reports (KEY=VALUE, repeatable), e.g. region=eu-west.',
      multiple: true,
    }),
    capacity: Flags.string({
      description:
        'Allocatable capacity to report when the member has no Nodes (RESOURCE=QUANTITY, repeatable).',
      multiple: true,
    }),
    'auto-accept': Flags.boolean({
      description: 'Dev only: the cluster accepts itself instead of waiting for "kplane cluster accept".',
    }),
    'lease-seconds': Flags.integer({
      description: 'Lease duration: the hub marks the cluster unavailable when it lapses.',
      default: 60,
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
    const registrationFlags = {
      label: keyValues(flags.label ?? [], '--label'),
      capacity: keyValues(flags.capacity ?? [], '--capacity'),
    };
    const bootstrapKubeconfig = flags['bootstrap-kubeconfig'];
    const hubKubeconfig = flags['hub-kubeconfig'];
    if (!bootstrapKubeconfig && !hubKubeconfig)
      throw new InvalidInputError(
        'say how to reach the hub: --bootstrap-kubeconfig F --hub-credential-dir DIR (from kplane cluster join-command), or --hub-kubeconfig F',
      );
    if (bootstrapKubeconfig && flags['auto-accept'])
      throw new InvalidInputError(
        '--auto-accept needs --hub-kubeconfig: a bootstrap identity may only register, the compute owner accepts',
      );
    const registration = {
      clusterName,
      labels: registrationFlags.label,
      capacityFlags: registrationFlags.capacity,
      autoAccept: flags['auto-accept'],
      leaseDurationSeconds: flags['lease-seconds'],
    };
    const stop = new AbortController();
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stop.abort());
    const log = (line: string) => this.io.err(line);
    const member = await clientFromKubeconfigFile(flags['member-kubeconfig']);
    this.io.err(`kplane agent for cluster ${clusterName} is running`);
    const joined = bootstrapKubeconfig
      ? await joinHub({
          bootstrapKubeconfig,
          credentialDir: flags['hub-credential-dir'] ?? '',
          registration,
          pollMs: ACCEPTANCE_POLL_MS,
          signal: stop.signal,
          log,
        })
      : { hub: await clientFromKubeconfigFile(hubKubeconfig ?? ''), close: () => undefined };
    if (joined) {
      await runWorkAgent({
        hub: joined.hub,
        member,
        clusterName,
        resyncMs: flags['resync-seconds'] * 1000,
        registration,
        signal: stop.signal,
        log,
      });
      joined.close();
      joined.hub.close();
    }
    member.close();
  }
}

/** `KEY=VALUE` flags as a map; anything else is refused before the agent touches hub or member. */
function keyValues(values: string[], flag: string): Record<string, string> {
  const map: Record<string, string> = {};
  for (const value of values) {
    const equals = value.indexOf('=');
    if (equals <= 0) throw new InvalidInputError(`${flag} ${value}: expected KEY=VALUE`);
    map[value.slice(0, equals)] = value.slice(equals + 1);
  }
  return map;
}
