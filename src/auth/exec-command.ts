import { accessSync, constants, realpathSync } from 'node:fs';
import path from 'node:path';

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
