import { Args, Flags } from '@oclif/core';
import { createExport } from '../../apis/export.js';
import { KplaneCommand, outputFlag, workspaceFlag } from '../../cli/base-command.js';

export default class ExportCreate extends KplaneCommand {
  static override summary =
    'Offer an API to other workspaces: APIResourceSchemas from CRDs, and an APIExport.';
  static override examples = [
    '<%= config.bin %> export create databases --schema ./postgres-crd.yaml',
    '<%= config.bin %> export create databases --schema ./postgres-crd.yaml --claim secrets.core',
    '<%= config.bin %> export create certificates --from-crd certificates.cert-manager.io',
  ];

  static override args = { name: Args.string({ description: 'Name of the APIExport.', required: true }) };

  static override flags = {
    workspace: workspaceFlag,
    schema: Flags.string({
      description: 'A CRD (or APIResourceSchema) YAML file; repeatable.',
      multiple: true,
    }),
    'from-crd': Flags.string({
      description: 'A CustomResourceDefinition already in the workspace, by name; repeatable.',
      multiple: true,
    }),
    claim: Flags.string({
      description:
        "A permission claim on consumers' resources, RESOURCE.GROUP (e.g. secrets.core); repeatable.",
      multiple: true,
    }),
    output: outputFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ExportCreate);
    await createExport(
      {
        kubeconfig: this.workspaceSelector(flags),
        name: args.name,
        schemaFiles: flags.schema ?? [],
        fromCrds: flags['from-crd'] ?? [],
        claims: flags.claim ?? [],
        output: this.outputFormat(flags.output),
      },
      this.io,
    );
  }
}
