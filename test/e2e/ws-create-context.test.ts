import { symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { kplane, kubectl, repoRoot } from './helpers/cli.js';
import { demoPlatformSession } from './helpers/session.js';

const session = demoPlatformSession('kplane-create-context-');
const { kubeconfigText } = session;
const ws = (...args: string[]) => kplane(['ws', ...args], { env: session.user.env });

beforeAll(() => {
  symlinkSync(path.join(repoRoot, 'bin', 'kubectl-ws'), path.join(session.user.dir, 'bin', 'kubectl-ws'));
});

interface Entry {
  name: string;
  [body: string]: unknown;
}
type Kubeconfig = Record<'clusters' | 'contexts' | 'users', Entry[]> & { 'current-context': string };

const kubeconfig = () => parse(kubeconfigText()) as Kubeconfig;
const entry = (config: Kubeconfig, section: 'clusters' | 'contexts', name: string) =>
  config[section].find((e) => e.name === name)?.[section.slice(0, -1)] as Record<string, unknown> | undefined;

describe('kplane ws create-context (kcp: kubectl ws create-context)', () => {
  it('creates a context and cluster named after the workspace, switches to it, and copies no credential', async () => {
    expect((await ws('use', ':root:acme:web')).code).toBe(0);
    const before = kubeconfig();
    const result = await ws('create-context');
    expect(result).toMatchObject({
      code: 0,
      stdout: 'Created context "root:acme:web" and switched to it.\n',
    });
    const after = kubeconfig();
    expect(after['current-context']).toBe('root:acme:web');
    expect(entry(after, 'contexts', 'root:acme:web')).toEqual({
      cluster: 'root:acme:web',
      user: 'kplane-admin',
    });
    const { server: _server, ...clusterRest } = entry(before, 'clusters', 'kplane')!;
    expect(entry(after, 'clusters', 'root:acme:web')).toEqual({
      ...clusterRest,
      server: `${session.platform.url}/clusters/root:acme:web`,
    });
    // One user entry serves every context: none added, none changed.
    expect(after.users).toEqual(before.users);

    // The context stays on web while `ws use` moves workspace.kcp.io/current elsewhere.
    expect((await ws('use', ':root:acme:web')).code).toBe(0);
    expect((await ws('use', '..')).code).toBe(0);
    const inWeb = await kubectl(['--context', 'root:acme:web', 'get', 'configmaps', '-o', 'name'], {
      env: session.user.env,
    });
    expect(inWeb.code, inWeb.stderr).toBe(0);
    expect(inWeb.stdout).toContain('configmap/web-config');
  });

  it('takes a name, answers -o json, and works as kubectl ws create-context', async () => {
    expect((await ws('use', ':root:acme:api')).code).toBe(0);
    const result = await kubectl(['ws', 'create-context', 'api-dev', '-o', 'json'], {
      env: session.user.env,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      context: 'api-dev',
      cluster: 'api-dev',
      path: 'root:acme:api',
      server: `${session.platform.url}/clusters/root:acme:api`,
      created: true,
      switched: true,
    });
    expect(kubeconfig()['current-context']).toBe('api-dev');
    expect((await ws('--short')).stdout).toBe('root:acme:api\n');
  });

  it('refuses an existing name with kcp message and writes nothing', async () => {
    expect((await ws('use', ':root:acme:web')).code).toBe(0);
    expect((await ws('create-context', 'dev')).code).toBe(0);
    expect((await ws('use', ':root:acme:api')).code).toBe(0);
    const before = kubeconfigText();
    const result = await ws('create-context', 'dev');
    expect(result).toMatchObject({
      code: 7,
      stdout: '',
      stderr: 'Error: context "dev" already exists in kubeconfig, use --overwrite to update it\n',
    });
    expect(kubeconfigText()).toBe(before);
  });

  it('updates an existing name with --overwrite, pointing it at the current workspace', async () => {
    expect((await ws('use', ':root:acme:web')).code).toBe(0);
    expect((await ws('create-context', 'dev')).code).toBe(0);
    expect((await ws('use', ':root:acme:api')).code).toBe(0);
    const result = await ws('create-context', 'dev', '--overwrite');
    expect(result).toMatchObject({ code: 0, stdout: 'Updated context "dev" and switched to it.\n' });
    const after = kubeconfig();
    expect(after['current-context']).toBe('dev');
    expect(entry(after, 'clusters', 'dev')!.server).toBe(`${session.platform.url}/clusters/root:acme:api`);
    expect(after.contexts.filter((c) => c.name === 'dev')).toHaveLength(1);

    // Already on it: kcp says only "Updated".
    const again = await ws('create-context', 'dev', '--overwrite');
    expect(again).toMatchObject({ code: 0, stdout: 'Updated context "dev".\n' });
  });

  it('refuses a current server that is not a workspace URL, and writes nothing', async () => {
    const text = kubeconfigText().replace(`${session.platform.url}/clusters/root`, session.platform.url);
    expect(text).not.toBe(kubeconfigText());
    writeFileSync(session.user.kubeconfig, text);
    const result = await ws('create-context', 'plain');
    expect(result).toMatchObject({
      code: 3,
      stdout: '',
      stderr: `Error: current URL ${JSON.stringify(session.platform.url)} does not point to a workspace\n`,
    });
    expect(kubeconfigText()).toBe(text);
  });
});
