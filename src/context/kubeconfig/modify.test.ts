import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CURRENT_WORKSPACE_CONTEXT,
  PREVIOUS_WORKSPACE_CONTEXT,
  planUseWorkspace,
} from '../workspace-switch.js';
import { setCluster, setCurrentContext } from './edit.js';
import { KubeconfigParseError } from './errors.js';
import { loadKubeconfig } from './load.js';
import { modifyKubeconfig } from './modify.js';

const kubeconfig = `# mine
apiVersion: v1
kind: Config
clusters:
- name: platform
  cluster: {server: "https://p/clusters/root"}
contexts:
- name: dev
  context: {cluster: platform, user: me}
current-context: dev
users:
- name: me
  user: {token: t}
`;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kplane-modify-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const use = (url: string) => (c: Parameters<typeof planUseWorkspace>[0]) => planUseWorkspace(c, url);

describe('modifyKubeconfig', () => {
  it('writes the change, keeps the file mode, and leaves no lock or temp file', async () => {
    const file = join(dir, 'config');
    await writeFile(file, kubeconfig);
    await chmod(file, 0o640);
    const result = await modifyKubeconfig({ explicitPath: file, env: {} }, use('https://p/clusters/root:a'));
    expect(result.written).toEqual([file]);
    expect(result.after.currentContext).toBe(CURRENT_WORKSPACE_CONTEXT);
    expect((await stat(file)).mode & 0o777).toBe(0o640);
    expect(await readdir(dir)).toEqual(['config']);
    const { config } = await loadKubeconfig({ explicitPath: file, env: {} });
    expect(config.clusters.get(CURRENT_WORKSPACE_CONTEXT)?.value.server).toBe('https://p/clusters/root:a');
    const text = await readFile(file, 'utf8');
    expect(text.startsWith(kubeconfig.slice(0, kubeconfig.indexOf('contexts:')))).toBe(true);
    expect(text).toContain(
      'current-context: workspace.kcp.io/current\nusers:\n- name: me\n  user: {token: t}\n',
    );
  });

  it('writes nothing when nothing changes', async () => {
    const file = join(dir, 'config');
    await writeFile(file, kubeconfig);
    const before = await stat(file);
    const result = await modifyKubeconfig({ explicitPath: file, env: {} }, () => [setCurrentContext('dev')]);
    expect(result.written).toEqual([]);
    expect((await stat(file)).mtimeMs).toBe(before.mtimeMs);
  });

  it('creates a missing destination file with mode 0600', async () => {
    const file = join(dir, 'new', 'config');
    await modifyKubeconfig({ env: { KUBECONFIG: file } }, () => [
      setCluster('c', { server: 'https://c' }),
      setCurrentContext('c'),
    ]);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, 'utf8')).toBe(
      'apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: https://c\n  name: c\ncurrent-context: c\n',
    );
  });

  it('creates a missing --kubeconfig file, as kubectl config does', async () => {
    const file = join(dir, 'explicit');
    await modifyKubeconfig({ explicitPath: file, env: { KUBECONFIG: join(dir, 'other') } }, () => [
      setCurrentContext('c'),
    ]);
    expect(await readFile(file, 'utf8')).toBe('apiVersion: v1\nkind: Config\ncurrent-context: c\n');
    expect(await readdir(dir)).toEqual(['explicit']);
  });

  it('refuses a corrupt file: throws, changes no byte, leaves no lock', async () => {
    const file = join(dir, 'config');
    const corrupt = `${kubeconfig}\n  bad: [indent\n`;
    await writeFile(file, corrupt);
    await expect(
      modifyKubeconfig({ explicitPath: file, env: {} }, use('https://p/clusters/root:a')),
    ).rejects.toThrow(KubeconfigParseError);
    expect(await readFile(file, 'utf8')).toBe(corrupt);
    expect(await readdir(dir)).toEqual(['config']);
  });

  it('writes nothing when mutate throws', async () => {
    const file = join(dir, 'config');
    await writeFile(file, kubeconfig);
    await expect(
      modifyKubeconfig({ explicitPath: file, env: {} }, () => {
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    expect(await readFile(file, 'utf8')).toBe(kubeconfig);
    expect(await readdir(dir)).toEqual(['config']);
  });

  it('writes nothing when mutate throws in the round that widened the lock set', async () => {
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    await writeFile(a, kubeconfig);
    await writeFile(
      b,
      `clusters:\n- name: ${CURRENT_WORKSPACE_CONTEXT}\n  cluster: {server: "https://p/clusters/old"}\n`,
    );
    let calls = 0;
    await expect(
      modifyKubeconfig({ env: { KUBECONFIG: `${a}:${b}` } }, (c) => {
        if (++calls === 2) throw new Error('second');
        return use('https://p/clusters/root:a')(c);
      }),
    ).rejects.toThrow('second');
    expect(calls).toBe(2);
    expect(await readFile(a, 'utf8')).toBe(kubeconfig);
    expect((await readdir(dir)).sort()).toEqual(['a', 'b']);
  });

  it('with several KUBECONFIG files, sends each change to the right file', async () => {
    // a: the user's file (first, so the default destination); b: a platform-provided file that already has
    // the workspace cluster; c: read-only in spirit, never written.
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    const c = join(dir, 'c');
    const aText = '# user file\ncontexts:\n- name: dev\n  context: {cluster: platform, user: me}\n';
    const bText = `# platform file
clusters:
- name: platform
  cluster: {server: "https://p/clusters/root", certificate-authority: ca.crt}
- name: ${CURRENT_WORKSPACE_CONTEXT}
  cluster: {server: "https://p/clusters/root:old"}
current-context: dev
`;
    const cText = 'users:\n- name: me\n  user: {token: t}\n';
    await writeFile(a, aText);
    await writeFile(b, bText);
    await writeFile(c, cText);
    await mkdir(join(dir, 'other'));
    const env = { KUBECONFIG: [a, b, c].join(':') };
    const result = await modifyKubeconfig({ env }, use('https://p/clusters/root:team'));
    expect([...result.written].sort()).toEqual([a, b]);

    const after = await loadKubeconfig({ env });
    const cfg = after.config;
    // modified existing entry → its origin file (b), relative CA path still relative to b's folder
    expect(cfg.clusters.get(CURRENT_WORKSPACE_CONTEXT)).toMatchObject({
      origin: b,
      value: { server: 'https://p/clusters/root:team', 'certificate-authority': 'ca.crt' },
    });
    // new entries and current-context → the default destination (a, the first existing file)
    expect(cfg.contexts.get(CURRENT_WORKSPACE_CONTEXT)?.origin).toBe(a);
    expect(cfg.contexts.get(PREVIOUS_WORKSPACE_CONTEXT)?.origin).toBe(a);
    expect(after.files.find((f) => f.path === a)?.currentContext).toBe(CURRENT_WORKSPACE_CONTEXT);
    expect(cfg.currentContext).toBe(CURRENT_WORKSPACE_CONTEXT);
    // b's own current-context line and every other byte stay
    expect(await readFile(b, 'utf8')).toBe(
      bText.replace(
        `- name: ${CURRENT_WORKSPACE_CONTEXT}\n  cluster: {server: "https://p/clusters/root:old"}\n`,
        `- name: ${CURRENT_WORKSPACE_CONTEXT}\n  cluster:\n    server: https://p/clusters/root:team\n    certificate-authority: ca.crt\n`,
      ),
    );
    expect((await readFile(a, 'utf8')).startsWith(aText)).toBe(true);
    expect(await readFile(c, 'utf8')).toBe(cText);
    expect((await readdir(dir)).sort()).toEqual(['a', 'b', 'c', 'other']);
  });
});

describe('modifyKubeconfig under contention (real processes)', () => {
  let build: string;
  const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

  async function transpile(folder: string): Promise<void> {
    const src = join(repo, 'src', folder);
    const walk = async (d: string): Promise<string[]> =>
      (await readdir(d, { withFileTypes: true }))
        .flatMap((e) => (e.isDirectory() ? [] : [join(d, e.name)]))
        .concat(
          ...(await Promise.all(
            (await readdir(d, { withFileTypes: true }))
              .filter((e) => e.isDirectory())
              .map((e) => walk(join(d, e.name))),
          )),
        );
    for (const file of (await walk(src)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
      const out = join(build, folder, relative(src, file)).replace(/\.ts$/, '.js');
      const { outputText } = ts.transpileModule(await readFile(file, 'utf8'), {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      });
      await mkdir(dirname(out), { recursive: true });
      await writeFile(out, outputText);
    }
  }

  // Children cannot run TypeScript on Node 20, so transpile src/context (and src/shared, which it uses) into a
  // gitignored folder of the repo (where `yaml` resolves from node_modules).
  beforeAll(async () => {
    build = await mkdtemp(join(repo, '.kplane-test-'));
    for (const folder of ['context', 'shared']) await transpile(folder);
    await writeFile(
      join(build, 'switch.mjs'),
      `import { modifyKubeconfig } from './context/kubeconfig/modify.js';
import { planUseWorkspace } from './context/workspace-switch.js';
const [file, url] = process.argv.slice(2);
await modifyKubeconfig({ explicitPath: file, env: {}, lock: { timeoutMs: 30000 } }, (c) => planUseWorkspace(c, url));
`,
    );
  }, 60_000);
  afterAll(async () => {
    await rm(build, { recursive: true, force: true });
  });

  it('20 concurrent ws use: every one succeeds, the file parses and names one of the targets', async () => {
    const file = join(dir, 'config');
    await writeFile(file, kubeconfig);
    await chmod(file, 0o600);
    const targets = Array.from({ length: 20 }, (_, i) => `https://p/clusters/root:t${i}`);
    const codes = await Promise.all(
      targets.map(
        (url) =>
          new Promise<{ code: number | null; stderr: string }>((done) => {
            const child = spawn(process.execPath, [join(build, 'switch.mjs'), file, url], {
              stdio: ['ignore', 'ignore', 'pipe'],
            });
            let stderr = '';
            child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
            child.on('close', (code) => done({ code, stderr }));
          }),
      ),
    );
    expect(codes.filter((c) => c.code !== 0)).toEqual([]);
    const { config } = await loadKubeconfig({ explicitPath: file, env: {} });
    const current = config.clusters.get(CURRENT_WORKSPACE_CONTEXT)?.value.server;
    const previous = config.clusters.get(PREVIOUS_WORKSPACE_CONTEXT)?.value.server;
    expect(targets).toContain(current);
    expect(targets).toContain(previous); // 19 switches came before the last one
    expect(current).not.toBe(previous);
    expect(config.currentContext).toBe(CURRENT_WORKSPACE_CONTEXT);
    expect(await readdir(dir)).toEqual(['config']);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    // exactly one entry of each name: no interleaved writes
    const text = await readFile(file, 'utf8');
    expect(text.split(`name: ${CURRENT_WORKSPACE_CONTEXT}\n`).length - 1).toBe(2);
    expect(text.split(`name: ${PREVIOUS_WORKSPACE_CONTEXT}\n`).length - 1).toBe(2);
  }, 60_000);
});
