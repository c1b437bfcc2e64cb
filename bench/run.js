#!/usr/bin/env node
// Times whole commands the way a user waits for them: fresh processes, interleaved so that machine noise hits
// every command alike, medians and ratios against `kubectl config use-context` and `node -e 0`.
//
// Node 20 parses the whole NODE_EXTRA_CA_CERTS bundle before running a line of code (~100 ms on this project's
// machine, where it is set; Node 22 and 24 read it lazily), and kubectl does not. When it is set, the table is
// printed twice: as this environment runs things (login's credential entry, a shell line, hands the variable to
// kplane when it starts kplane at all), and with the variable unset for every command.
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
// Preloaded into one more `ws use` per round, to show where its time goes (see the file).
const phaseProbe = fileURLToPath(new URL('./ws-use-phases.cjs', import.meta.url));

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
  copyFileSync(ready.kubeconfig, file('phases.kubeconfig'));

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

  // What every kubectl call of a logged-in user pays: the same `kubectl get ns` in the same workspace, once
  // through kplane's credential entry and once with the token in the kubeconfig. On Linux and macOS login writes
  // the entry as a shell line that prints the answer kplane prepared for a stored token and otherwise runs
  // `kplane auth token` (`launcher` below, which is also the whole entry on Windows).
  const logged = parse(readFileSync(file('login.kubeconfig'), 'utf8'));
  const entry = logged.users[0].user.exec;
  if (entry.command !== '/bin/sh') throw new Error(`login wrote ${entry.command}, not the shell line`);
  const launcher = { command: entry.args[3], args: entry.args.slice(4) };
  const writeWith = (name, user) => {
    writeFileSync(file(name), stringify({ ...logged, users: [{ name: logged.users[0].name, user }] }), {
      mode: 0o600,
    });
  };
  writeWith('credential.kubeconfig', { exec: entry });
  writeWith('token.kubeconfig', { token: token.trim() });
  // The cheapest credential plugin Node can be: a process that prints a fixed ExecCredential and nothing else.
  // What kplane's entry costs above this row is kplane's; up to it, it is Node's start-up.
  const fixedCredential = JSON.stringify({
    apiVersion: entry.apiVersion,
    kind: 'ExecCredential',
    status: { token: token.trim() },
  });
  writeWith('node-floor.kubeconfig', {
    exec: {
      apiVersion: entry.apiVersion,
      command: process.execPath,
      args: ['-e', `require('node:fs').writeSync(1, ${JSON.stringify(fixedCredential)})`],
      // Without the CA bundle, as kplane's entry runs: Node 20 would otherwise parse it first.
      env: [{ name: 'NODE_EXTRA_CA_CERTS', value: '' }],
      interactiveMode: 'Never',
    },
  });

  // The least any Node client pays for `ws use`'s existence check: start, one HTTPS GET of the target Workspace with
  // the kubeconfig's CA pinned, exit. What `ws use` costs above this row is kplane's own (its code, its other
  // requests, the durable write); up to it, it is Node's (start-up, TLS code, Node 20's trust store set-up).
  const oneRequest = `
    const fs = require('node:fs');
    const url = new URL(${JSON.stringify(`${ready.url}/clusters/root:acme/apis/tenancy.kcp.io/v1alpha1/workspaces/web`)});
    const ca = fs.readFileSync(${JSON.stringify(path.join(dataDir, 'ca.crt'))});
    const authorization = 'Bearer ' + fs.readFileSync(${JSON.stringify(path.join(dataDir, 'admin.token'))}, 'utf8').trim();
    require('node:https').get(url, { ca, headers: { authorization } }, (res) => {
      res.resume();
      res.on('end', () => { process.exitCode = res.statusCode === 200 ? 0 : 1; });
    });`;

  // How npm installs every Node command (kplane's included): a script the kernel starts through
  // `#!/usr/bin/env node`, one more program and a PATH search before Node. Empty here: the floor for `auth token`.
  writeFileSync(file('empty-command.js'), '#!/usr/bin/env node\n', { mode: 0o755 });

  const envFor = (kubeconfig) => ({ ...baseEnv, KUBECONFIG: file(kubeconfig) });
  const withoutExtraCerts = (env) => {
    const { NODE_EXTRA_CA_CERTS: _unset, ...rest } = env;
    return rest;
  };
  const commands = {
    'node -e 0': () => [process.execPath, ['-e', '0'], baseEnv],
    // Node's floor without the bundle, whatever the table's environment.
    'node -e 0 (no NODE_EXTRA_CA_CERTS)': () => [process.execPath, ['-e', '0'], withoutExtraCerts(baseEnv)],
    'empty #!/usr/bin/env node script': () => [file('empty-command.js'), [], withoutExtraCerts(baseEnv)],
    'kubectl get ns (token in kubeconfig)': () => [kubectlBin, ['get', 'ns'], envFor('token.kubeconfig')],
    'kubectl get ns (kplane credential)': () => [kubectlBin, ['get', 'ns'], envFor('credential.kubeconfig')],
    'kubectl get ns (node -e plugin, the floor)': () => [
      kubectlBin,
      ['get', 'ns'],
      envFor('node-floor.kubeconfig'),
    ],
    'node: one HTTPS GET, CA pinned (the floor)': () => [process.execPath, ['-e', oneRequest], baseEnv],
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
    'kplane ws use (live server, phases)': (i) => [
      process.execPath,
      ['--require', phaseProbe, kplaneBin, 'ws', 'use', i % 2 ? ':root:acme:web' : ':root:acme:api'],
      { ...envFor('phases.kubeconfig'), KPLANE_BENCH_PHASES: file('phases.jsonl') },
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
    // As kubectl runs it: the entry's command and arguments.
    'kplane auth token (credential entry)': () => [entry.command, entry.args, loginEnv],
    // What the shell line runs when it cannot answer (and the whole entry on Windows), without the variable as
    // the shell line hands it on: kplane's Node launcher, which answers a stored token before loading anything.
    'kplane auth token (Node launcher)': () => [launcher.command, launcher.args, withoutExtraCerts(loginEnv)],
    // Its own code cache folder: two checkouts sharing one would each throw the other's away on every run.
    ...(comparedBin && {
      'ws use (BENCH_COMPARE checkout)': (i) => [
        process.execPath,
        [comparedBin, 'ws', 'use', i % 2 ? ':root:acme:web' : ':root:acme:api'],
        { ...envFor('compared.kubeconfig'), XDG_CACHE_HOME: file('compared-cache') },
      ],
      'auth token (BENCH_COMPARE checkout)': () => [
        process.execPath,
        [comparedBin, 'auth', 'token', '--server', ready.url],
        { ...loginEnv, XDG_CACHE_HOME: file('compared-cache') },
      ],
    }),
  };

  const table = (title, envChange, withBundle) => {
    const samples = Object.fromEntries(Object.keys(commands).map((name) => [name, []]));
    const once = (name, i) => {
      const [command, args, env] = commands[name](i, envChange({}));
      return timed(command, args, envChange(env));
    };
    for (const name of Object.keys(commands)) once(name, 0); // warm the file cache and the code cache
    rmSync(file('phases.jsonl'), { force: true });
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
      `${'command'.padEnd(44)}${'median'.padStart(10)}${'vs kubectl'.padStart(12)}${'vs node'.padStart(10)}`,
    );
    for (const [name, ms] of Object.entries(medians)) {
      console.log(
        `${name.padEnd(44)}${`${ms.toFixed(1)} ms`.padStart(10)}${`${(ms / kubectlMs).toFixed(2)}x`.padStart(12)}${`${(ms / nodeMs).toFixed(2)}x`.padStart(10)}`,
      );
    }
    const ratio = (a, b, aim) =>
      console.log(`  ${a} / ${b}: ${(medians[a] / medians[b]).toFixed(2)}x (aim ≤ ${aim}x)`);
    console.log('\nAims (issue 18):');
    ratio('kubectl get ns (kplane credential)', 'kubectl get ns (token in kubeconfig)', 1.4);
    console.log(
      `    (Node's floor for any plugin: ${(medians['kubectl get ns (node -e plugin, the floor)'] / medians['kubectl get ns (token in kubeconfig)']).toFixed(2)}x)`,
    );
    ratio('kplane auth token (credential entry)', 'node -e 0 (no NODE_EXTRA_CA_CERTS)', 1.15);
    console.log(
      `    (kplane's Node launcher, where the shell line goes on to it: ${(medians['kplane auth token (Node launcher)'] / medians['node -e 0 (no NODE_EXTRA_CA_CERTS)']).toFixed(2)}x; ` +
        `an empty script started as npm installs commands: ${(medians['empty #!/usr/bin/env node script'] / medians['node -e 0 (no NODE_EXTRA_CA_CERTS)']).toFixed(2)}x, ` +
        `which the launcher costs ${(medians['kplane auth token (Node launcher)'] - medians['empty #!/usr/bin/env node script']).toFixed(1)} ms above)`,
    );
    ratio('kplane ws use (live server)', 'kubectl config use-context', 1.2);
    ratio('kplane ws use (logged-in user)', 'kubectl config use-context', 1.2);
    const aboveFloor =
      medians['kplane ws use (live server)'] - medians['node: one HTTPS GET, CA pinned (the floor)'];
    console.log(
      `    (Node's floor for one HTTPS request: ${(medians['node: one HTTPS GET, CA pinned (the floor)'] / kubectlMs).toFixed(2)}x; ` +
        `ws use costs ${aboveFloor.toFixed(1)} ms above it)`,
    );
    printWsUsePhases(medians['kplane ws use (live server, phases)'], kubectlMs, {
      // Only where this table's environment has the variable: elsewhere both rows run the same command.
      bundleMs: withBundle ? medians['node -e 0'] - medians['node -e 0 (no NODE_EXTRA_CA_CERTS)'] : undefined,
      floorMs: medians['node: one HTTPS GET, CA pinned (the floor)'],
    });
  };

  // Where `ws use` spends its time, from the probe's timestamps in every round (medians of each phase).
  const printWsUsePhases = (wholeMs, kubectlMs, { bundleMs, floorMs }) => {
    const runs = readFileSync(file('phases.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
      .filter((run) => run.connect !== undefined && run.unlocked !== undefined);
    if (runs.length === 0) return;
    const phase = (of) => median(runs.map(of));
    const rows = [
      ['Node start-up (process start to the first line)', phase((r) => r.preload)],
      ...(bundleMs === undefined ? [] : [['  of which reading the NODE_EXTRA_CA_CERTS bundle', bundleMs]]),
      ['kplane start-up (to opening the connection)', phase((r) => r.connect - r.preload)],
      ["  of which loading Node's TLS code", phase((r) => r.tlsLoad)],
      ['existence check (TLS, requests, answer)', phase((r) => r.locked - r.connect)],
      ['  of which the TLS context (trust store set-up)', phase((r) => r.secureContext)],
      ['durable write (lock to unlock)', phase((r) => r.unlocked - r.locked)],
      ['  of which fsync (file and folder)', phase((r) => r.fsync)],
      ['output and exit', phase((r) => r.exit - r.unlocked)],
      ['process teardown, as the parent waits', wholeMs - phase((r) => r.exit)],
    ];
    console.log(
      `\nWhere \`ws use\` goes (live server, ${runs.length} probed runs, medians; whole ${wholeMs.toFixed(1)} ms):`,
    );
    for (const [name, ms] of rows) console.log(`  ${name.padEnd(52)}${`${ms.toFixed(1)} ms`.padStart(10)}`);
    // Node's part is what any Node client pays for one TLS request (start-up with the bundle where the variable
    // is set, TLS code, the first TLS context) plus its teardown; the rest is kplane's code, requests and write.
    const nodePart = phase((r) => r.preload + r.tlsLoad + r.secureContext) + (wholeMs - phase((r) => r.exit));
    const left = 1.2 * kubectlMs - nodePart;
    console.log(
      `  Node's part (start-up, TLS code and context, teardown): ${nodePart.toFixed(1)} ms; the rest (kplane's ` +
        `code, the handshake, requests and the server's answers, the write): ${(wholeMs - nodePart).toFixed(1)} ms`,
    );
    console.log(
      `  kubectl config use-context: ${kubectlMs.toFixed(1)} ms; ` +
        (left > 0
          ? `1.2x of it leaves ${left.toFixed(1)} ms for the rest`
          : `Node's part alone is above 1.2x of it (by ${(-left).toFixed(1)} ms)`) +
        `; one HTTPS GET from Node (the floor row): ${floorMs.toFixed(1)} ms`,
    );
  };

  const extraCerts = process.env.NODE_EXTRA_CA_CERTS;
  table(
    extraCerts ? `As configured (NODE_EXTRA_CA_CERTS=${extraCerts})` : 'As configured',
    (env) => env,
    Boolean(extraCerts),
  );
  if (extraCerts) {
    table('Without NODE_EXTRA_CA_CERTS (a default Node install)', withoutExtraCerts, false);
  }
} finally {
  spawnSync(process.execPath, [kplaneBin, 'dev', 'down', '--data-dir', dataDir], { env: baseEnv });
  rmSync(work, { recursive: true, force: true });
}
