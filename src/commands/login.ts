import { Args, Flags } from '@oclif/core';
import { login } from '../auth/login.js';
import { loginPrompts } from '../auth/login-prompts.js';
import { KplaneCommand, outputFlag } from '../cli/base-command.js';
import { printData } from '../cli/io.js';
import { readAllStdin } from '../cli/prompts.js';

export default class Login extends KplaneCommand {
  static override summary =
    'Log in to a platform: one cluster, one user and one context, and no secret in the kubeconfig.';
  static override description =
    'Without a token, logs in at the OpenID provider the platform names (/.well-known/kplane-login): in the ' +
    'browser (authorization code with PKCE), or with a device code (--device, or where there is no display). ' +
    'With --token-stdin or --token-file (an ID token a CI system issued), uses that token. Checks the token with ' +
    'the platform, stores it (and the refresh token) in the OS keyring (or, where there is none, in a file only you ' +
    'can read), and writes a user entry that runs "kplane auth token" as an exec credential plugin.';

  static override examples = [
    '<%= config.bin %> login https://127.0.0.1:6443 --token-stdin --certificate-authority ~/.local/share/kplane/dev/ca.crt < token',
    '<%= config.bin %> login https://platform.example.com',
    '<%= config.bin %> login https://platform.example.com --device',
    '<%= config.bin %> login https://platform.example.com --token-file "$ID_TOKEN_FILE"',
  ];

  static override args = {
    url: Args.string({
      description: 'The platform URL (https://HOST[:PORT], or a workspace URL).',
      required: true,
    }),
  };

  static override flags = {
    token: Flags.string({
      description: 'The token (prefer --token-stdin: a flag shows up in shell history).',
    }),
    'token-stdin': Flags.boolean({
      description: "Read the token (or a CI job's ID token) from standard input.",
    }),
    'token-file': Flags.string({
      description: 'A file holding an ID token that your CI keeps fresh; read again on every kubectl call.',
    }),
    device: Flags.boolean({
      description: 'Log in with a code shown here and confirmed in any browser (RFC 8628).',
    }),
    'no-browser': Flags.boolean({ description: 'Print the login URL instead of opening the browser.' }),
    'oidc-issuer': Flags.string({
      description: "The OpenID provider's issuer URL (default: the platform's).",
    }),
    'oidc-client-id': Flags.string({ description: "The OpenID client id (default: the platform's)." }),
    'oidc-scopes': Flags.string({
      description: 'Scopes to ask for, comma-separated (default: openid,profile,email,offline_access).',
    }),
    'certificate-authority': Flags.string({ description: "A PEM file with the platform's CA certificate." }),
    'insecure-skip-tls-verify': Flags.boolean({
      description: "Don't check the platform's certificate (unsafe).",
    }),
    'insecure-plaintext-token': Flags.boolean({
      description:
        'Allow an http:// URL: the token then crosses the network in clear text, readable by anyone who sees the traffic (unsafe).',
    }),
    output: outputFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Login);
    const output = this.outputFormat(flags.output);
    const result = await login(
      {
        url: args.url,
        token: flags.token,
        tokenStdin: flags['token-stdin'],
        tokenFile: flags['token-file'],
        device: flags.device,
        noBrowser: flags['no-browser'],
        oidc: {
          issuer: flags['oidc-issuer'],
          clientId: flags['oidc-client-id'],
          scopes: flags['oidc-scopes']?.split(/[\s,]+/).filter(Boolean),
        },
        certificateAuthorityFile: flags['certificate-authority'],
        insecureSkipTlsVerify: flags['insecure-skip-tls-verify'],
        insecurePlaintextToken: flags['insecure-plaintext-token'],
        kubeconfig: this.kubeconfigSource(flags),
      },
      this.io,
      loginPrompts(this.io),
      readAllStdin,
    );
    if (result.tokenLocation === 'file') {
      this.io.err(
        'Warning: no OS keyring is available here; the token is kept in ~/.config/kplane/credentials.json, readable only by you.',
      );
    }
    if (output !== 'text') {
      await printData(this.io, output, { ...result, user: result.user.username, groups: result.user.groups });
      return;
    }
    this.io.out(`Logged in to ${result.platform} as ${result.user.username}. Context "${result.context}".`);
  }
}
