// npm runs `prepare` on `npm ci`, on `npm pack`, and whenever npx links this folder to run `npx kplane` from a clone
// (a fresh npm cache does that on the first run). Rebuilding each time would cost half a minute and, worse, empty
// dist/ under a kplane that is running from it. So build only when something the build reads is newer than the
// stamp the last build left.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// The lock file too: dist/yaml.cjs bundles a dependency.
const inputs = [
  'src',
  'scripts',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.build.json',
];
const stamp = path.join(root, 'dist', '.build-stamp');

function newestMtime(entry) {
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const name of readdirSync(entry)) newest = Math.max(newest, newestMtime(path.join(entry, name)));
  return newest;
}

function stampMtime() {
  try {
    return statSync(stamp).mtimeMs;
  } catch {
    return undefined;
  }
}

const built = stampMtime();
const newestInput = Math.max(...inputs.map((input) => newestMtime(path.join(root, input))));
if (built !== undefined && built >= newestInput) {
  console.error('kplane: dist/ is up to date with src/; not rebuilding.');
} else {
  const npm = process.env.npm_execpath;
  const result = npm
    ? spawnSync(process.execPath, [npm, 'run', 'build'], { cwd: root, stdio: 'inherit' })
    : spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  process.exitCode = result.status ?? 1;
}
