import { Args, Flags } from '@oclif/core';
import { KplaneCommand } from '../../cli/base-command.js';
import { resolveDataDir } from '../../devplatform/data-dir.js';
import { runPlatformTool } from '../../devplatform/process.js';

export default class DevToken extends KplaneCommand {
  static override summary = "Mint a token for a user of the local platform (the platform owner's tool).";
  static override description =
    'Prints only the token on stdout, so scripts can capture it. The platform keeps only its hash. ' +
    'With --revoke, every token of USER stops working instead.';

  static override examples = [
    'TOKEN=$(<%= config.bin %> dev token alice --group developers --ttl 24h)',
    '<%= config.bin %> dev token alice --revoke',
  ];

  static override args = {
    user: Args.string({
      description: 'The user name the token authenticates as (not kplane-admin, nor one beginning system:).',
      required: true,
    }),
  };

  static override flags = {
    group: Flags.string({ description: 'A group the user is in (repeatable).', multiple: true }),
    ttl: Flags.string({
      description: 'How long the token lives, e.g. 30m, 12h, 7d; at most 365d (default: no expiry).',
    }),
    revoke: Flags.boolean({ description: 'Revoke every token of USER instead of minting one.' }),
    'data-dir': Flags.string({
      description: 'The platform data folder (default: ~/.local/share/kplane/dev).',
    }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(DevToken);
    const dataDir = resolveDataDir(flags['data-dir']);
    if (flags.revoke) {
      const printed = await runPlatformTool(['revoke-tokens', '--data-dir', dataDir, '--user', args.user]);
      this.io.err(printed.trim());
      return;
    }
    const toolArgs = ['token', '--data-dir', dataDir, '--user', args.user];
    for (const group of flags.group ?? []) toolArgs.push('--group', group);
    if (flags.ttl) toolArgs.push('--ttl', flags.ttl);
    this.io.out((await runPlatformTool(toolArgs)).trim());
  }
}
