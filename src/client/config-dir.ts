import { join } from 'node:path';

/** `$XDG_CONFIG_HOME/kplane`, or `~/.config/kplane`: kplane's own settings and the token fallback file. */
export function kplaneConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  // `os` only where HOME is unset: `auth token` (every kubectl call) reads this path and nothing else of `os`.
  const configHome =
    env.XDG_CONFIG_HOME || join(env.HOME || process.getBuiltinModule('node:os').homedir(), '.config');
  return join(configHome, 'kplane');
}

export function credentialsFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(kplaneConfigDir(env), 'credentials.json');
}
