#!/usr/bin/env node
// What a user installs: packs this checkout as `npm pack` does for the registry, installs the tarball globally into
// a temporary prefix (`npm install -g --prefix`), and reports the tarball, the installed size and the number of
// packages. An install that grows past 60 MB needs a reason in the README. Run after `npm run build`:
//   node bench/install-size.js                 (a table; the install is removed afterwards)
//   node bench/install-size.js --prefix DIR --json   (keeps the install in DIR; test/e2e/install.test.ts uses this)
// Dependencies come from npm's cache where it has them (--prefer-offline), else from the registry.
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const installBudgetBytes = 60_000_000;

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const json = args.includes('--json');
const prefixArg = args.includes('--prefix') ? args[args.indexOf('--prefix') + 1] : undefined;

function npm(npmArgs, cwd) {
  const npmCli = process.env.npm_execpath;
  const [command, commandArgs] =
    npmCli && npmCli.endsWith('.js') ? [process.execPath, [npmCli, ...npmArgs]] : ['npm', npmArgs];
  const result = spawnSync(command, commandArgs, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`npm ${npmArgs.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

/** Bytes of the files below `dir` (as `du --apparent-size`, symlinks not followed), and its packages. */
function measure(dir) {
  let bytes = 0;
  let packages = 0;
  const walk = (at, insideNodeModules) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const full = path.join(at, entry.name);
      if (entry.isDirectory()) {
        // Every folder directly in a node_modules (or in an @scope there) is one installed package.
        if (insideNodeModules && !entry.name.startsWith('@') && !entry.name.startsWith('.')) packages++;
        walk(full, entry.name === 'node_modules' || (insideNodeModules && entry.name.startsWith('@')));
      } else {
        bytes += lstatSync(full).size;
      }
    }
  };
  walk(dir, false);
  return { bytes, packages };
}

const work = mkdtempSync(path.join(os.tmpdir(), 'kplane-install-'));
const prefix = prefixArg ?? path.join(work, 'prefix');
try {
  // --ignore-scripts: pack what the last build left in dist/, without rebuilding it under running tests.
  const [packed] = JSON.parse(
    npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work], repoRoot),
  );
  const tarball = path.join(work, packed.filename);
  const started = process.hrtime.bigint();
  npm(['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball], work);
  const installSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const installed = path.join(prefix, 'lib', 'node_modules', packed.name);
  const { bytes, packages } = measure(installed);
  const report = {
    tarball: {
      bytes: packed.size,
      unpackedBytes: packed.unpackedSize,
      files: packed.files.map((f) => f.path),
    },
    installed: { dir: installed, bin: path.join(prefix, 'bin'), bytes, packages, seconds: installSeconds },
    budgetBytes: installBudgetBytes,
  };
  if (json) {
    console.log(JSON.stringify(report));
  } else {
    const mb = (n) => `${(n / 1e6).toFixed(1)} MB`;
    console.log(`\nWhat \`npm install -g kplane\` installs (${packed.filename}, Node ${process.version}):\n`);
    console.log(
      `tarball          ${mb(packed.size)} (${packed.entryCount} files, ${mb(packed.unpackedSize)} unpacked)`,
    );
    console.log(
      `installed        ${mb(bytes)} in ${packages} packages besides kplane (budget ${mb(installBudgetBytes)})`,
    );
    console.log(`install time     ${installSeconds.toFixed(1)} s (npm cache warm)`);
    if (bytes > installBudgetBytes) process.exitCode = 1;
  }
} finally {
  rmSync(work, { recursive: true, force: true });
  if (!prefixArg) rmSync(prefix, { recursive: true, force: true });
}
