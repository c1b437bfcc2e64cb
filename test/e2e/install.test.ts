import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kplane, repoRoot, run, userSandbox, type RunResult } from './helpers/cli.js';

/**
 * What users install is what is tested: bench/install-size.js packs this checkout (`npm pack`), installs the
 * tarball globally into a temporary prefix, and every command below runs from that prefix's bin/, as after
 * `npm install -g kplane`, against a platform the installed kplane started.
 */
interface InstallReport {
  tarball: { bytes: number; files: string[] };
  installed: { dir: string; bin: string; bytes: number; packages: number; seconds: number };
  budgetBytes: number;
}

const work = mkdtempSync(path.join(os.tmpdir(), 'kplane-installed-'));
const dataDir = path.join(work, 'platform');
const user = userSandbox('kplane-installed-user-');
let report: InstallReport;

/** The user's shell after a global install: the prefix's bin/ on PATH, and nothing of this checkout's. */
function installedEnv(): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env, ...user.env };
  for (const key of Object.keys(env)) if (key.startsWith('npm_')) env[key] = undefined;
  const rest = (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter((dir) => !dir.endsWith(path.join('node_modules', '.bin')));
  env.PATH = [report.installed.bin, ...rest].join(path.delimiter);
  return env;
}

const shell = (script: string): Promise<RunResult> =>
  run('bash', ['-c', script], { env: installedEnv(), timeoutMs: 90_000 });

beforeAll(async () => {
  const packed = await run(
    process.execPath,
    [path.join(repoRoot, 'bench', 'install-size.js'), '--json', '--prefix', path.join(work, 'prefix')],
    { timeoutMs: 240_000 },
  );
  if (packed.code !== 0) throw new Error(`pack and install failed: ${packed.stderr}`);
  report = JSON.parse(packed.stdout) as InstallReport;
  console.log(
    `installed kplane: ${(report.installed.bytes / 1e6).toFixed(1)} MB, ${report.installed.packages} packages, ` +
      `tarball ${(report.tarball.bytes / 1e6).toFixed(2)} MB, install ${report.installed.seconds.toFixed(1)} s`,
  );
}, 300_000);

afterAll(async () => {
  // This checkout's kplane stops it even when the install is broken, so no test leaves a server behind.
  await kplane(['dev', 'down', '--data-dir', dataDir]);
  user.cleanup();
  rmSync(work, { recursive: true, force: true });
});

describe('the package as users install it (npm pack, npm install -g)', () => {
  it('ships the launchers, the build and the manifest, and no tests, sources or source maps', () => {
    const files = report.tarball.files;
    expect(files).toEqual(expect.arrayContaining(['bin/run.js', 'bin/kubectl-ws', 'dist/hot-path.cjs']));
    expect(files).toContain('oclif.manifest.json');
    expect(files.filter((file) => /\.test\.|\.ts$|\.map$|^src\/|^test\//.test(file))).toEqual([]);
    expect(report.installed.bytes).toBeLessThan(report.budgetBytes);
  });

  it(
    'dev up from the install prints plain kplane lines, and they work when pasted',
    { timeout: 120_000 },
    async () => {
      expect((await shell('command -v kplane')).stdout.trim()).toBe(
        path.join(report.installed.bin, 'kplane'),
      );
      // Under .ci/with-node the installed launchers start the Node under test, not the machine's.
      expect((await shell('node --version')).stdout.trim()).toBe(process.version);
      const up = await shell(`kplane dev up --detach --demo --port 0 --data-dir ${JSON.stringify(dataDir)}`);
      expect(up.code, up.stderr).toBe(0);
      const lines = up.stdout.split('\n');
      const use = lines.slice(lines.indexOf('Use it:') + 1, lines.indexOf('', lines.indexOf('Use it:')));
      expect(use.map((line) => line.trim()).slice(1)).toEqual([
        'kplane ws tree',
        'kplane ws use :root:acme:web',
        'kubectl get configmaps',
      ]);
      const pasted = await shell(use.join('\n'));
      expect(pasted.code, pasted.stderr).toBe(0);
      expect(pasted.stdout).toContain("Current workspace is 'root:acme:web' (type root:team).");
      expect(pasted.stdout).toContain('web-config');
    },
  );

  it('kplane ws, kubectl ws, kubectl kplane ws tree and kubectl plugin list run from the install', async () => {
    // The admin kubeconfig, which the pasted lines above moved to root:acme:web.
    copyFileSync(path.join(dataDir, 'admin.kubeconfig'), user.kubeconfig);
    expect(await shell('kplane ws')).toMatchObject({
      code: 0,
      stdout: "Current workspace is 'root:acme:web'.\n",
    });
    expect(await shell('kubectl ws use :root:acme')).toMatchObject({
      code: 0,
      stdout: "Current workspace is 'root:acme' (type root:organization).\n",
    });
    const tree = await shell('kubectl kplane ws tree');
    expect(tree.code, tree.stderr).toBe(0);
    expect(tree.stdout).toMatch(/web/);
    const plugins = await shell('kubectl plugin list');
    expect(plugins.code, plugins.stderr).toBe(0);
    for (const plugin of ['kubectl-ws', 'kubectl-kplane'])
      expect(plugins.stdout).toContain(path.join(report.installed.bin, plugin));
    // The launchers on PATH are the installed package's, not this checkout's.
    expect(realpathSync(path.join(report.installed.bin, 'kubectl-ws'))).toBe(
      path.join(realpathSync(report.installed.dir), 'bin', 'kubectl-ws'),
    );
  });

  it("a login from the install answers kubectl's calls without Node, and never makes Node read NODE_EXTRA_CA_CERTS", async () => {
    const platform = /server: (https:\/\/127\.0\.0\.1:\d+)/.exec(
      readFileSync(path.join(dataDir, 'admin.kubeconfig'), 'utf8'),
    )![1]!;
    const ca = path.join(dataDir, 'ca.crt');
    const kubeconfig = `KUBECONFIG=${path.join(work, 'login.kubeconfig')}`;
    const token = await shell(`kplane dev token installed-user --data-dir ${dataDir}`);
    expect(token.code, token.stderr).toBe(0);
    const login = await shell(
      `${kubeconfig} NODE_EXTRA_CA_CERTS=${ca} kplane login ${platform} --token-stdin --certificate-authority ${ca} <<< '${token.stdout.trim()}'`,
    );
    expect(login.code, login.stderr).toBe(0);
    // Node warns at start-up when it cannot read the bundle, so a missing one shows whether Node read it; the
    // probe shows whether Node started at all.
    const started = path.join(work, 'node-started');
    const probe = path.join(work, 'node-probe.cjs');
    writeFileSync(probe, `require('node:fs').writeFileSync(${JSON.stringify(started)}, 'started');\n`);
    const whoami = () =>
      shell(
        `${kubeconfig} NODE_OPTIONS='--require ${probe}' NODE_EXTRA_CA_CERTS=/nonexistent/company-ca.pem ` +
          'kubectl auth whoami -o jsonpath={.status.userInfo.username}',
      );
    expect(await whoami()).toMatchObject({ code: 0, stdout: 'installed-user', stderr: '' });
    expect(existsSync(started)).toBe(false);
    // Without the prepared answer the shell line runs the installed kplane, which answers the same.
    rmSync(path.join(user.env.XDG_CONFIG_HOME!, 'kplane', 'exec-credentials'), { recursive: true });
    expect(await whoami()).toMatchObject({ code: 0, stdout: 'installed-user', stderr: '' });
    expect(existsSync(started)).toBe(true);
  });
});
