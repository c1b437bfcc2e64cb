import { Args } from '@oclif/core';
import { logout } from '../auth/logout.js';
import { KplaneCommand } from '../cli/base-command.js';

export default class Logout extends KplaneCommand {
  static override summary =
    "Forget the stored token of a platform (by default the current context's); revoke an OpenID login's refresh token.";
  static override description =
    'The kubeconfig keeps its entries: after "kplane login" with a new token, every context and workspace works again.';

  static override examples = ['<%= config.bin %> logout', '<%= config.bin %> logout https://127.0.0.1:6443'];

  static override args = {
    url: Args.string({ description: 'The platform URL.', required: false }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Logout);
    const { platform, hadToken, revocation } = await logout({
      url: args.url,
      kubeconfig: this.kubeconfigSource(flags),
    });
    if (revocation?.revoked) this.io.err('Revoked the refresh token at the OpenID provider.');
    else if (revocation) this.io.err(`Warning: the refresh token was not revoked: ${revocation.reason}`);
    this.io.err(hadToken ? `Logged out of ${platform}.` : `Not logged in to ${platform}; nothing to forget.`);
  }
}
