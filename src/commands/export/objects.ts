import { Args, Flags } from '@oclif/core';
import { exportObjects } from '../../apis/export.js';
import { KplaneCommand, outputFlag, longWorkspaceFlag } from '../../cli/base-command.js';

export default class ExportObjects extends KplaneCommand {
  static override summary =
    "Every bound object of an export, in every consumer workspace (a provider controller's view).";
  static override examples = [
    '<%= config.bin %> export objects databases',
    '<%= config.bin %> export objects databases -w',
  ];

  static override args = { name: Args.string({ description: 'Name of the APIExport.', required: true }) };

  static override flags = {
    workspace: longWorkspaceFlag,
    watch: Flags.boolean({ char: 'w', description: 'Keep watching and print changes as they happen.' }),
    output: outputFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ExportObjects);
    const controller = new AbortController();
    process.once('SIGINT', () => controller.abort());
    await exportObjects(
      {
        kubeconfig: this.workspaceSelector(flags),
        name: args.name,
        watch: flags.watch,
        output: this.outputFormat(flags.output),
      },
      this.io,
      controller.signal,
    );
  }
}
