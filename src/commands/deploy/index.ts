import { Args, Flags } from '@oclif/core';
import { KplaneCommand, outputFlag, workspaceFlag } from '../../cli/base-command.js';
import { parseDuration } from '../../cli/duration.js';
import { namespaceFlag } from '../../cli/place-flags.js';
import { deploy, ROLLOUTS, type Rollout } from '../../deploy/deploy.js';

export default class Deploy extends KplaneCommand {
  static override summary = 'Send an application to the clusters a placement decided.';
  static override description =
    'Creates or updates an OCM ManifestWorkReplicaSet: the platform writes one ManifestWork per decided cluster, with the objects in your own namespace there. Also: deploy status.';

  static override examples = [
    '<%= config.bin %> deploy web -f app.yaml --placement eu --wait',
    '<%= config.bin %> deploy web -f app/ --placement eu --rollout progressive --max-concurrency 2',
    'cat app.yaml | <%= config.bin %> deploy web -f - --placement eu',
  ];

  static override args = { name: Args.string({ description: 'Name of the deploy.', required: true }) };

  static override flags = {
    workspace: workspaceFlag,
    file: Flags.string({
      char: 'f',
      description:
        'A manifest file, a folder of them, or - for stdin (repeatable, as with kubectl apply -f).',
      required: true,
      multiple: true,
    }),
    placement: Flags.string({ description: 'The placement that decides the clusters.', required: true }),
    rollout: Flags.string({
      description:
        "all (every cluster at once), progressive (--max-concurrency at a time) or progressive-per-group (the placement's decision groups in order, each once the one before is available).",
      options: [...ROLLOUTS],
    }),
    'max-concurrency': Flags.integer({
      description: 'With --rollout progressive: clusters in flight at once.',
    }),
    wait: Flags.boolean({
      description:
        'Wait until every decided cluster runs this version: applied, available and, where the member reports them, its replicas ready. Exits 1 as soon as a cluster refuses a manifest, 8 when --timeout runs out.',
    }),
    timeout: Flags.string({ description: 'How long --wait waits.', default: '5m' }),
    namespace: namespaceFlag,
    output: outputFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Deploy);
    await deploy(
      {
        kubeconfig: this.workspaceSelector(flags),
        namespace: flags.namespace,
        output: this.outputFormat(flags.output),
        name: args.name,
        sources: flags.file,
        placement: flags.placement,
        wait: flags.wait,
        rollout: flags.rollout as Rollout | undefined,
        maxConcurrency: flags['max-concurrency'],
        timeoutMs: parseDuration(flags.timeout, '--timeout'),
      },
      this.io,
    );
  }
}
