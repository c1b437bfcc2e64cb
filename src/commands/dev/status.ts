import { Flags } from '@oclif/core';
import { KplaneCommand, outputFlag } from '../../cli/base-command.js';
import { printList, renderTable } from '../../cli/table.js';
import { resolveDataDir } from '../../devplatform/data-dir.js';
import { devStatus } from '../../devplatform/status.js';

export default class DevStatus extends KplaneCommand {
  static override summary =
    'Show the processes "dev up" started (platform or replicas, front, local etcd, demo compute) and whether each runs.';
  static override examples = ['<%= config.bin %> dev status', '<%= config.bin %> dev status -o json'];

  static override flags = {
    'data-dir': Flags.string({
      description: 'The platform data folder (default: ~/.local/share/kplane/dev).',
    }),
    output: outputFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(DevStatus);
    const processes = devStatus(resolveDataDir(flags['data-dir']));
    await printList(this.io, this.outputFormat(flags.output), processes, '', () =>
      renderTable(
        this.io,
        ['ROLE', 'PID', 'STATUS', 'ADDRESS'],
        processes.map((p) => [p.role, String(p.pid), p.running ? 'running' : 'stopped', p.address ?? '']),
      ),
    );
  }
}
