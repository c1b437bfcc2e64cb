import os from 'node:os';
import path from 'node:path';

/** `$XDG_CONFIG_HOME/kplane`, or `~/.config/kplane`: kplane's own settings and the token fallback file. */
export function kplaneConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  const configHome = env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config');
  return path.join(configHome, 'kplane');
}

export function credentialsFile(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(kplaneConfigDir(env), 'credentials.json');
}
