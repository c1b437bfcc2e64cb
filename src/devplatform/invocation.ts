import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { isThisKplane } from '../client/own-exec-plugin.js';

/** How a newcomer should type kplane in the lines `dev up` prints for pasting. */
export type KplaneInvocation = 'kplane' | 'npx kplane';

/**
 * `kplane` only when that name on PATH is this very kplane (a global install, or a link to it); otherwise, after
 * `npm ci` in a clone, a local install or a run through npx, the shell has no `kplane` and `npx kplane` finds it.
 * A run through npx says so even when npx put a `kplane` on PATH for the run: the user's shell will not have it.
 */
export function kplaneInvocation(
  env: NodeJS.ProcessEnv = process.env,
  launcher: string | undefined = process.argv[1],
): KplaneInvocation {
  if (startedThroughNpx(env) || !launcher) return 'npx kplane';
  const onPath = firstOnPath('kplane', env.PATH ?? '');
  return onPath !== undefined && isThisKplane(onPath, launcher) ? 'kplane' : 'npx kplane';
}

/**
 * npx and `npm exec` set npm_command=exec and put the command in npm_lifecycle_script (`'kplane'`, quoted); both
 * are inherited by everything below, so only a script that names kplane itself counts (not `npx vitest`).
 */
function startedThroughNpx(env: NodeJS.ProcessEnv): boolean {
  if (env.npm_command !== 'exec') return false;
  const command =
    (env.npm_lifecycle_script ?? '')
      .trim()
      .replace(/^['"]/, '')
      .split(/['"\s]/)[0] ?? '';
  return command === 'kplane' || path.basename(command) === 'kplane';
}

function firstOnPath(name: string, pathEnv: string): string | undefined {
  for (const dir of pathEnv.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
