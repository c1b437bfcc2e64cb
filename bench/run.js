#!/usr/bin/env node
// Times whole commands the way a user waits for them: fresh processes, interleaved so that machine noise hits
// every command alike, medians and ratios against `kubectl config use-context` and `node -e 0`.
//
// Every Node process pays for NODE_EXTRA_CA_CERTS before running a line of code (Node 20 parses the whole bundle
// at start-up: ~50 ms on this project's machine, where it is set), and kubectl does not. When it is set, the
// table is printed twice: as this environment runs things, and with the variable unset for every command.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const kplaneBin = path.join(repoRoot, 'bin', 'run.js');
const kubectlBin = process.env.KUBECTL ?? '/usr/bin/kubectl';
const rounds = Number(process.env.BENCH_ROUNDS ?? 30);
// BENCH_COMPARE=/path/to/another/built/checkout adds its `ws use` and `auth token` to the same interleaved rounds,
// so a change is judged against the code before it under the same machine state.
const comparedBin =
  process.env.BENCH_COMPARE && path.join(path.resolve(process.env.BENCH_COMPARE), 'bin', 'run.js');

const work = mkdtempSync(path.join(os.tmpdir(), 'kplane-bench-'));
const dataDir = path.join(work, 'platform');
const file = (name) => path.join(work, name);
const baseEnv = { ...process.env, HOME: work, KUBECACHEDIR: file('cache'), NO_COLOR: '1' };

function run(command, args, { env = baseEnv, input } = {}) {
  const result = spawnSync(command, args, { env, encoding: 'utf8', input });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

function timed(command, args, env) {
  const started = process.hrtime.bigint();
  run(command, args, { env });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const kplane = (args, options) => run(process.execPath, [kplaneBin, ...args], options);
// --no-members: the demo's member clusters and their agents would only add background load to these timings.
const ready = JSON.parse(
  kplane([
    'dev',
    'up',
    '--detach',
    '--demo',
    '--no-members',
    '--port',
    '0',
    '--data-dir',
    dataDir,
    '-o',
    'json',
  ]),
);

try {
  // kubectl and kplane each switch in their own copy of the admin kubeconfig, as each would on a desk; the
  // third copy is switched by kubectl (untimed) before every timed `ws use`, so kplane meets a file it has not
  // seen: no snapshot, a full parse and a full edit.
  const config = parse(readFileSync(ready.kubeconfig, 'utf8'));
  for (const name of ['a', 'b'])
    config.contexts.push({ name, context: { cluster: 'kplane', user: 'kplane-admin' } });
  writeFileSync(file('kubectl.kubeconfig'), stringify(config), { mode: 0o600 });
  writeFileSync(file('cold.kubeconfig'), stringify(config), { mode: 0o600 });
  copyFileSync(ready.kubeconfig, file('kplane.kubeconfig'));
  copyFileSync(ready.kubeconfig, file('compared.kubeconfig'));

  // A user logged in with `kplane login` (token in the owner-only file here, as without a Secret Service): kubectl
  // runs `kplane auth token`, and `ws use` reads the same token. Two workspaces of their own to switch between.
  const user = 'bench-user';
  const token = kplane(['dev', 'token', user, '--data-dir', dataDir]);
  const loginEnv = { ...baseEnv, KUBECONFIG: file('login.kubeconfig') };
  kplane(['login', ready.url, '--token-stdin', '--certificate-authority', path.join(dataDir, 'ca.crt')], {
    env: loginEnv,
    input: token,
  });
  kplane(['ws', 'use', '~'], { env: loginEnv });
  for (const name of ['a', 'b']) kplane(['ws', 'create', name, '--ignore-existing'], { env: loginEnv });

  const envFor = (kubeconfig) => ({ ...baseEnv, KUBECONFIG: file(kubeconfig) });
  const commands = {
    'node -e 0': () => [process.execPath, ['-e', '0'], baseEnv],
    'kubectl config use-context': (i) => [
      kubectlBin,
      ['config', 'use-context', i % 2 ? 'a' : 'b'],
      envFor('kubectl.kubeconfig'),
    ],
    'kplane ws use (live server)': (i) => [
      process.execPath,
      [kplaneBin, 'ws', 'use', i % 2 ? ':root:acme:web' : ':root:acme:api'],
      envFor('kplane.kubeconfig'),
    ],
    'kplane ws use (logged-in user)': (i) => [
      process.execPath,
      [kplaneBin, 'ws', 'use', `:root:users:${user}:${i % 2 ? 'a' : 'b'}`],
      loginEnv,
    ],
    'kplane ws use (after kubectl)': (i, env) => {
      run(kubectlBin, ['config', 'use-context', i % 2 ? 'a' : 'b'], {
        env: { ...env, ...envFor('cold.kubeconfig') },
      });
      return [process.execPath, [kplaneBin, 'ws', 'use', ':root:acme:web'], envFor('cold.kubeconfig')];
    },
    'kplane ws --short': () => [process.execPath, [kplaneBin, 'ws', '--short'], envFor('kplane.kubeconfig')],
    'kplane auth token': () => [
      process.execPath,
      [kplaneBin, 'auth', 'token', '--server', ready.url],
      loginEnv,
    ],
    ...(comparedBin && {
      'ws use (BENCH_COMPARE checkout)': (i) => [
        process.execPath,
        [comparedBin, 'ws', 'use', i % 2 ? ':root:acme:web' : ':root:acme:api'],
        envFor('compared.kubeconfig'),
      ],
      'auth token (BENCH_COMPARE checkout)': () => [
        process.execPath,
        [comparedBin, 'auth', 'token', '--server', ready.url],
        loginEnv,
      ],
    }),
  };

  const table = (title, envChange) => {
    const samples = Object.fromEntries(Object.keys(commands).map((name) => [name, []]));
    const once = (name, i) => {
      const [command, args, env] = commands[name](i, envChange({}));
      return timed(command, args, envChange(env));
    };
    for (const name of Object.keys(commands)) once(name, 0); // warm the file cache and the code cache
    for (let i = 0; i < rounds; i++)
      for (const name of Object.keys(commands)) samples[name].push(once(name, i));

    const medians = Object.fromEntries(
      Object.entries(samples).map(([name, values]) => [name, median(values)]),
    );
    const kubectlMs = medians['kubectl config use-context'];
    const nodeMs = medians['node -e 0'];
    console.log(
      `\n${title}: ${rounds} interleaved rounds on ${os.cpus().length} cores, ${process.version}; medians\n`,
    );
    console.log(
      `${'command'.padEnd(38)}${'median'.padStart(10)}${'vs kubectl'.padStart(12)}${'vs node'.padStart(10)}`,
    );
    for (const [name, ms] of Object.entries(medians)) {
      console.log(
        `${name.padEnd(38)}${`${ms.toFixed(1)} ms`.padStart(10)}${`${(ms / kubectlMs).toFixed(2)}x`.padStart(12)}${`${(ms / nodeMs).toFixed(2)}x`.padStart(10)}`,
      );
    }
  };

  const extraCerts = process.env.NODE_EXTRA_CA_CERTS;
  table(extraCerts ? `As configured (NODE_EXTRA_CA_CERTS=${extraCerts})` : 'As configured', (env) => env);
  if (extraCerts) {
    table('Without NODE_EXTRA_CA_CERTS (a default Node install)', (env) => {
      const { NODE_EXTRA_CA_CERTS: _unset, ...rest } = env;
      return rest;
    });
  }
} finally {
  spawnSync(process.execPath, [kplaneBin, 'dev', 'down', '--data-dir', dataDir], { env: baseEnv });
  rmSync(work, { recursive: true, force: true });
}
