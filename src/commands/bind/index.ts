import { Args, Flags } from '@oclif/core';
import { bindExport } from '../../apis/bind.js';
import { KplaneCommand, outputFlag, workspaceFlag } from '../../cli/base-command.js';
import { parseDuration } from '../../cli/duration.js';

export default class Bind extends KplaneCommand {
  static override summary = 'Bind an API that a service provider exports into the current workspace.';
  static override description =
    'REFERENCE is <workspace path>:<export name>. Also: "bind list", "bind catalog" (what you may bind), and ' +
    '"bind clusterset NAME" (compute this workspace may use).';

  static override examples = [
    '<%= config.bin %> bind root:providers:db:databases',
    '<%= config.bin %> bind root:providers:db:databases --name db --accept-permission-claim secrets.core',
  ];

  static override args = {
    reference: Args.string({ description: 'The export: WORKSPACE_PATH:EXPORT_NAME.', required: true }),
  };

  static override flags = {
    workspace: workspaceFlag,
    name: Flags.string({ description: 'Name of the APIBinding (default: the export name).' }),
    'accept-permission-claim': Flags.string({
      description: 'Accept a claim, RESOURCE.GROUP; repeatable.',
      multiple: true,
    }),
    timeout: Flags.string({ description: 'How long to wait for the binding to be bound.', default: '30s' }),
    output: outputFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Bind);
    await bindExport(
      {
        kubeconfig: this.workspaceSelector(flags),
        reference: args.reference,
        name: flags.name,
        acceptClaims: flags['accept-permission-claim'] ?? [],
        timeoutMs: parseDuration(flags.timeout, '--timeout'),
        output: this.outputFormat(flags.output),
      },
      this.io,
    );
  }
}
