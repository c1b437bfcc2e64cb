#!/usr/bin/env node
// Times whole commands the way a user waits for them: fresh processes, interleaved so that machine noise
// hits every command alike, medians and ratios against `kubectl config use-context` and `node -e 0`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const kplaneBin = path.join(repoRoot, 'bin', 'run.js');
const kubectlBin = process.env.KUBECTL ?? '/usr/bin/kubectl';
const rounds = Number(process.env.BENCH_ROUNDS ?? 30);

const work = mkdtempSync(path.join(os.tmpdir(), 'kplane-bench-'));
const dataDir = path.join(work, 'platform');
const kubeconfig = path.join(work, 'kubeconfig');
const env = {
  ...process.env,
  HOME: work,
  KUBECONFIG: kubeconfig,
  KUBECACHEDIR: path.join(work, 'cache'),
  NO_COLOR: '1',
};

function runOnce(command, args) {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { env, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  return ms;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const up = spawnSync(
  process.execPath,
  [kplaneBin, 'dev', 'up', '--detach', '--demo', '--port', '0', '--data-dir', dataDir, '-o', 'json'],
  { env, encoding: 'utf8' },
);
if (up.status !== 0) throw new Error(`dev up failed: ${up.stderr}`);
const ready = JSON.parse(up.stdout);

try {
  // Two extra contexts so `kubectl config use-context` has somewhere to go, in the same file kplane edits.
  const config = parse(readFileSync(ready.kubeconfig, 'utf8'));
  for (const name of ['a', 'b'])
    config.contexts.push({ name, context: { cluster: 'kplane', user: 'kplane-admin' } });
  writeFileSync(kubeconfig, stringify(config), { mode: 0o600 });

  // A user logged in with `kplane login`, so `auth token` has a token to hand out (from the owner-only file here).
  const token = spawnSync(
    process.execPath,
    [kplaneBin, 'dev', 'token', 'bench-user', '--data-dir', dataDir],
    {
      env,
      encoding: 'utf8',
    },
  );
  if (token.status !== 0) throw new Error(`dev token failed: ${token.stderr}`);
  const login = spawnSync(
    process.execPath,
    [
      kplaneBin,
      'login',
      ready.url,
      '--token-stdin',
      '--certificate-authority',
      path.join(dataDir, 'ca.crt'),
      '--kubeconfig',
      path.join(work, 'login.kubeconfig'),
    ],
    { env, encoding: 'utf8', input: token.stdout },
  );
  if (login.status !== 0) throw new Error(`login failed: ${login.stderr}`);

  const commands = {
    'node -e 0': () => runOnce(process.execPath, ['-e', '0']),
    'kubectl config use-context': (i) => runOnce(kubectlBin, ['config', 'use-context', i % 2 ? 'a' : 'b']),
    'kplane ws use (live server)': (i) =>
      runOnce(process.execPath, [kplaneBin, 'ws', 'use', i % 2 ? ':root:acme:web' : ':root:acme:api']),
    'kplane ws --short': () => runOnce(process.execPath, [kplaneBin, 'ws', '--short']),
    'kplane auth token': () => runOnce(process.execPath, [kplaneBin, 'auth', 'token', '--server', ready.url]),
  };
  const samples = Object.fromEntries(Object.keys(commands).map((name) => [name, []]));
  for (const run of Object.values(commands)) run(0); // warm the file cache once
  for (let i = 0; i < rounds; i++) {
    for (const [name, run] of Object.entries(commands)) samples[name].push(run(i));
  }

  const medians = Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, median(values)]));
  const kubectlMs = medians['kubectl config use-context'];
  const nodeMs = medians['node -e 0'];
  console.log(`${rounds} interleaved rounds on ${os.cpus().length} cores, ${process.version}; medians:\n`);
  console.log(
    `${'command'.padEnd(32)}${'median'.padStart(10)}${'vs kubectl'.padStart(12)}${'vs node'.padStart(10)}`,
  );
  for (const [name, ms] of Object.entries(medians)) {
    console.log(
      `${name.padEnd(32)}${`${ms.toFixed(1)} ms`.padStart(10)}${`${(ms / kubectlMs).toFixed(2)}x`.padStart(12)}${`${(ms / nodeMs).toFixed(2)}x`.padStart(10)}`,
    );
  }
} finally {
  spawnSync(process.execPath, [kplaneBin, 'dev', 'down', '--data-dir', dataDir], { env });
  rmSync(work, { recursive: true, force: true });
}
