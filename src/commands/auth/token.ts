import { Flags } from '@oclif/core';
import { printExecCredential } from '../../auth/exec-credential.js';
import { KplaneCommand } from '../../cli/base-command.js';

export default class AuthToken extends KplaneCommand {
  static override summary =
    'Print an ExecCredential for kubectl (the exec credential plugin that kplane login sets up).';
  static override description =
    'kubectl runs this before its requests; it reads the token kplane login stored and never prompts.';

  static override examples = ['<%= config.bin %> auth token --server https://127.0.0.1:6443'];

  static override flags = {
    server: Flags.string({ description: 'The platform URL the token is for.', required: true }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(AuthToken);
    await printExecCredential(flags.server, this.io);
  }
}
