import { Args, Flags } from '@oclif/core';
import { KplaneCommand, outputFlag, workspaceFlag } from '../../cli/base-command.js';
import { parseDuration } from '../../cli/duration.js';
import { namespaceFlag } from '../../cli/place-flags.js';
import { applyPlacement } from '../../place/place.js';

export default class Place extends KplaneCommand {
  static override summary =
    'Say where a workload may run; the platform decides, and this shows the decision.';
  static override description =
    'Creates or updates an OCM Placement and waits until the platform decided. Several --where are ORed; ' +
    'inside one, requirements are ANDed (Kubernetes label-selector syntax: k=v, k!=v, k in (a,b), !k). ' +
    'Also: place clusters | get | explain | list | delete.';

  static override examples = [
    '<%= config.bin %> place web --where region=eu-west,provider!=azure --where tier=gold --clusters 2 --spread region --prefer cpu',
    '<%= config.bin %> place web --clusters 3 --dry-run',
  ];

  static override args = { name: Args.string({ description: 'Name of the placement.', required: true }) };

  static override flags = {
    workspace: workspaceFlag,
    where: Flags.string({
      description: 'Clusters whose labels match this selector (repeatable, ORed).',
      multiple: true,
    }),
    clusters: Flags.integer({ description: 'How many clusters to choose (default: every match).' }),
    spread: Flags.string({ description: 'Spread the choice across this label, e.g. region.' }),
    prefer: Flags.string({
      description: 'Score clusters by cpu, memory, balance or steady (repeatable).',
      multiple: true,
    }),
    tolerate: Flags.string({
      description: 'Tolerate a taint: KEY[=VALUE][:EFFECT] (repeatable).',
      multiple: true,
    }),
    'cluster-set': Flags.string({
      description: 'Use only this bound cluster set (repeatable).',
      multiple: true,
    }),
    namespace: namespaceFlag,
    'dry-run': Flags.boolean({ description: 'Show the decision that would be made; store nothing.' }),
    timeout: Flags.string({ description: 'How long to wait for the decision.', default: '30s' }),
    output: outputFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Place);
    await applyPlacement(
      {
        kubeconfig: this.workspaceSelector(flags),
        namespace: flags.namespace,
        output: this.outputFormat(flags.output),
        name: args.name,
        dryRun: flags['dry-run'],
        timeoutMs: parseDuration(flags.timeout, '--timeout'),
        flags: {
          where: flags.where ?? [],
          clusters: flags.clusters,
          spread: flags.spread,
          prefer: flags.prefer ?? [],
          tolerate: flags.tolerate ?? [],
          clusterSets: flags['cluster-set'] ?? [],
        },
      },
      this.io,
    );
  }
}
