#!/usr/bin/env node
// How long `kplane dev up --detach` takes until it has printed where the platform is (a fresh data folder
// each round, then `dev down`): the default (SQLite, one process), and `--storage etcd --replicas 2` (a
// local etcd, two replicas, the front). Rounds interleave the setups so machine noise hits them alike.
// BENCH_COMPARE=/path/to/another/built/checkout adds that checkout's default dev up to the same rounds.
// Needs dist/ (npm run build); the etcd rows need /usr/bin/etcd (Debian's etcd-server).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const work = mkdtempSync(path.join(os.tmpdir(), 'kplane-bench-dev-up-'));
const env = { ...process.env, HOME: work, NO_COLOR: '1' };

function kplane(checkout, args) {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [path.join(checkout, 'bin', 'run.js'), ...args], {
    env,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`kplane ${args.join(' ')} failed: ${result.stderr}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const setups = {
  'dev up (sqlite)': { checkout: repoRoot, flags: [] },
  ...(existsSync('/usr/bin/etcd')
    ? {
        'dev up --storage etcd --replicas 2': {
          checkout: repoRoot,
          flags: ['--storage', 'etcd', '--replicas', '2'],
        },
      }
    : {}),
  ...(process.env.BENCH_COMPARE
    ? {
        [`dev up (sqlite), ${process.env.BENCH_COMPARE}`]: {
          checkout: path.resolve(process.env.BENCH_COMPARE),
          flags: [],
        },
      }
    : {}),
};
const times = Object.fromEntries(Object.keys(setups).map((name) => [name, { up: [], down: [] }]));

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

try {
  for (let round = 0; round < rounds; round++) {
    for (const [name, { checkout, flags }] of Object.entries(setups)) {
      const dataDir = path.join(work, `r${round}-${Object.keys(setups).indexOf(name)}`);
      times[name].up.push(
        kplane(checkout, [
          'dev',
          'up',
          '--detach',
          '--port',
          '0',
          '--data-dir',
          dataDir,
          '-o',
          'json',
          ...flags,
        ]),
      );
      times[name].down.push(kplane(checkout, ['dev', 'down', '--data-dir', dataDir]));
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  console.log(`median of ${rounds} rounds, fresh data folder each (ms)`);
  for (const [name, { up, down }] of Object.entries(times))
    console.log(
      `${name.padEnd(60)} up ${median(up).toFixed(0).padStart(6)}   down ${median(down).toFixed(0).padStart(6)}`,
    );
} finally {
  rmSync(work, { recursive: true, force: true });
}
