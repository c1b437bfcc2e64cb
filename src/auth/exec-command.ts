import { accessSync, constants, realpathSync } from 'node:fs';
import path from 'node:path';
import { DEFER_EXTRA_CA_SHELL_LINE, POSIX_SHELL } from '../client/own-exec-plugin.js';

/**
 * The exec entry of `kplane login`: `kplane auth token --server URL`. Where NODE_EXTRA_CA_CERTS is set on Linux
 * or macOS, it runs through a one-line shell that hands the variable to kplane instead of Node, which on Node 20
 * would parse the whole bundle before every kubectl call even when the token is stored (cli/deferred-extra-ca.ts);
 * the user's current value is what kplane gets, so nothing about trust changes. Windows has no /bin/sh, and npm
 * makes its own shims there: the entry stays the plain command.
 */
export function credentialExec(
  platform: string,
  env: NodeJS.ProcessEnv = process.env,
  platformName: NodeJS.Platform = process.platform,
): { command: string; args: string[] } {
  const command = execPluginCommand();
  const args = ['auth', 'token', '--server', platform];
  if (!env.NODE_EXTRA_CA_CERTS || platformName === 'win32') return { command, args };
  return { command: POSIX_SHELL, args: ['-c', DEFER_EXTRA_CA_SHELL_LINE, command, ...args] };
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
