import { whoami } from '../auth/whoami.js';
import { KplaneCommand, outputFlag, workspaceFlag } from '../cli/base-command.js';
import { printData } from '../cli/io.js';

export default class WhoAmI extends KplaneCommand {
  static override summary =
    'Show who the platform thinks you are: user, groups, home workspace, platform URL.';
  static override examples = ['<%= config.bin %> whoami', '<%= config.bin %> whoami -o json'];

  static override flags = { workspace: workspaceFlag, output: outputFlag };

  async run(): Promise<void> {
    const { flags } = await this.parse(WhoAmI);
    const output = this.outputFormat(flags.output);
    const me = await whoami(this.workspaceSelector(flags));
    if (output !== 'text') {
      await printData(this.io, output, me);
      return;
    }
    const rows: [string, string][] = [
      ['User', me.username],
      ['Groups', me.groups.join(', ') || '(none)'],
      ['Home', me.home ?? '(none)'],
      ['Workspace', me.workspace],
      ['Platform', me.platform],
    ];
    if (me.issuer) rows.push(['Issuer', me.issuer]);
    if (me.subject) rows.push(['Subject', me.subject]);
    if (me.tokenExpiresAt) rows.push(['Token expires', me.tokenExpiresAt]);
    this.io.out(rows.map(([key, value]) => `${`${key}:`.padEnd(15)}${value}`).join('\n'));
  }
}
