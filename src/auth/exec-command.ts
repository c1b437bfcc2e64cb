import { accessSync, constants, realpathSync } from 'node:fs';
import path from 'node:path';
import { PREPARED_CREDENTIAL_SHELL_LINE, POSIX_SHELL } from '../client/own-exec-plugin.js';
import { preparedCredentialName } from '../client/prepared-credentials.js';

/**
 * The exec entry of `kplane login`: `kplane auth token --server URL`, on Linux and macOS through a one-line shell
 * (client/own-exec-plugin.ts) that prints the answer kplane prepared for a stored token without starting Node,
 * which kubectl would otherwise start before every call, and else runs kplane with NODE_EXTRA_CA_CERTS handed to
 * it instead of to Node (Node 20 parses that whole bundle at start-up; cli/deferred-extra-ca.ts). Windows has
 * no /bin/sh, and npm makes its own shims there: the entry stays the plain command.
 */
export function credentialExec(
  platform: string,
  platformName: NodeJS.Platform = process.platform,
): { command: string; args: string[] } {
  const command = execPluginCommand();
  const args = ['auth', 'token', '--server', platform];
  if (platformName === 'win32') return { command, args };
  return {
    command: POSIX_SHELL,
    args: ['-c', PREPARED_CREDENTIAL_SHELL_LINE, preparedCredentialName(platform), command, ...args],
  };
}

/**
 * The command the kubeconfig's exec plugin runs. `kplane` when that name on PATH is this very launcher (a global
 * install), otherwise the launcher's absolute path, so `npx kplane login` still writes a kubeconfig that works.
 */
export function execPluginCommand(
  launcher = process.argv[1] ?? 'kplane',
  pathEnv = process.env.PATH ?? '',
): string {
  let self: string;
  try {
    self = realpathSync(launcher);
  } catch {
    return 'kplane';
  }
  for (const dir of pathEnv.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, 'kplane');
    try {
      accessSync(candidate, constants.X_OK);
      if (realpathSync(candidate) === self) return 'kplane';
    } catch {
      // not here
    }
  }
  return self;
}
