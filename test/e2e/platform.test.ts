import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  kubectl,
  kubectlInBackground,
  platformTool,
  startPlatformProcess,
  type PlatformProcess,
} from './helpers/platform.js';

// Real kubectl against the real platform process (build first: `npm run build`).

let platform: PlatformProcess;
let scratch: string;
let cacheDir: string;

const k = (args: string[], input?: string) =>
  kubectl(args, { kubeconfig: platform.kubeconfig, cacheDir, ...(input !== undefined ? { input } : {}) });
const at = (workspace: string, ...args: string[]) =>
  k(['--server', `${platform.url}/clusters/${workspace}`, ...args]);
const atWith = (workspace: string, input: string, ...args: string[]) =>
  k(['--server', `${platform.url}/clusters/${workspace}`, ...args], input);

beforeAll(async () => {
  platform = await startPlatformProcess({ demo: true });
  scratch = mkdtempSync(path.join(os.tmpdir(), 'kplane-e2e-kubectl-'));
  cacheDir = path.join(scratch, 'cache');
});

afterAll(async () => {
  await platform?.stop();
  if (platform) rmSync(platform.dataDir, { recursive: true, force: true });
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const CONFIG_MAP = (value: string) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: e2e-settings
  namespace: default
  labels: {app: e2e}
data:
  mode: "${value}"
`;

const WORKSPACE = `apiVersion: tenancy.kcp.io/v1alpha1
kind: Workspace
metadata:
  name: e2e
spec:
  type: {name: team, path: root}
`;

describe('kubectl against the local platform', () => {
  it('lists workspaces, as a table and as YAML', async () => {
    const version = await k(['version']);
    expect(version.stdout).toContain('Server Version: v1.32.0+kplane');

    const table = await k(['get', 'ws']);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^NAME\s+TYPE\s+REGION\s+PHASE\s+URL\s+AGE\n/);
    expect(table.stdout).toMatch(
      new RegExp(`acme\\s+organization\\s+Ready\\s+${platform.url}/clusters/root:acme\\s`),
    );

    const yaml = await k(['get', 'workspaces', '-o', 'yaml']);
    const list = parse(yaml.stdout) as {
      items: { metadata: { name: string }; spec: Record<string, unknown>; status: { phase: string } }[];
    };
    const acme = list.items.find((item) => item.metadata.name === 'acme')!;
    expect(acme.spec).toMatchObject({
      URL: `${platform.url}/clusters/root:acme`,
      type: { name: 'organization', path: 'root' },
    });
    expect(acme.spec.cluster).toMatch(/^[a-z0-9]{16}$/);
    expect(acme.status.phase).toBe('Ready');
  });

  it('shows its APIs in api-resources', async () => {
    const result = await k(['api-resources']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/workspaces\s+ws\s+tenancy\.kcp\.io\/v1alpha1\s+false\s+Workspace/);
    expect(result.stdout).toMatch(/configmaps\s+cm\s+v1\s+true\s+ConfigMap/);
    expect(result.stdout).toMatch(/logicalclusters\s+core\.kcp\.io\/v1alpha1\s+false\s+LogicalCluster/);
  });

  it('applies, re-applies and deletes a config map from a file', async () => {
    const file = path.join(scratch, 'cm.yaml');
    writeFileSync(file, CONFIG_MAP('one'));
    expect((await at('root:acme:web', 'apply', '-f', file)).stdout).toBe('configmap/e2e-settings created\n');
    expect((await at('root:acme:web', 'apply', '-f', file)).stdout).toBe(
      'configmap/e2e-settings unchanged\n',
    );
    writeFileSync(file, CONFIG_MAP('two'));
    expect((await at('root:acme:web', 'apply', '-f', file)).stdout).toBe(
      'configmap/e2e-settings configured\n',
    );
    const value = await at(
      'root:acme:web',
      'get',
      'cm',
      'e2e-settings',
      '-n',
      'default',
      '-o',
      'jsonpath={.data.mode}',
    );
    expect(value.stdout).toBe('two');
    expect((await at('root:acme:web', 'delete', '-f', file)).stdout).toBe(
      'configmap "e2e-settings" deleted\n',
    );
    const gone = await at('root:acme:web', 'get', 'cm', 'e2e-settings', '-n', 'default');
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('Error from server (NotFound): configmaps "e2e-settings" not found');
  });

  it('applies and deletes a workspace, which comes up Ready with a default namespace', async () => {
    const file = path.join(scratch, 'ws.yaml');
    writeFileSync(file, WORKSPACE);
    expect((await at('root:acme', 'apply', '-f', file)).stdout).toBe(
      'workspace.tenancy.kcp.io/e2e created\n',
    );
    expect((await at('root:acme', 'apply', '-f', file)).stdout).toBe(
      'workspace.tenancy.kcp.io/e2e unchanged\n',
    );
    const ready = await at(
      'root:acme',
      'wait',
      '--for=jsonpath={.status.phase}=Ready',
      'ws/e2e',
      '--timeout=10s',
    );
    expect(ready.code, ready.stderr).toBe(0);
    expect((await at('root:acme:e2e', 'get', 'namespace', 'default', '-o', 'name')).stdout).toBe(
      'namespace/default\n',
    );
    const logicalCluster = await at(
      'root:acme:e2e',
      'get',
      'logicalcluster',
      'cluster',
      '-o',
      'jsonpath={.metadata.annotations}',
    );
    expect(JSON.parse(logicalCluster.stdout)).toEqual({
      'kcp.io/path': 'root:acme:e2e',
      'internal.tenancy.kcp.io/type': 'root:team',
    });

    expect((await at('root:acme', 'delete', '-f', file)).stdout).toBe(
      'workspace.tenancy.kcp.io "e2e" deleted\n',
    );
    expect((await at('root:acme', 'get', 'ws', 'e2e')).stderr).toContain(
      'workspaces.tenancy.kcp.io "e2e" not found',
    );
  });

  it('streams a change made by another kubectl to `get -w`', async () => {
    const watch = kubectlInBackground(
      ['--server', `${platform.url}/clusters/root:acme:api`, 'get', 'configmaps', '-w'],
      {
        kubeconfig: platform.kubeconfig,
        cacheDir,
      },
    );
    try {
      await watch.waitFor('api-config');
      const created = await at('root:acme:api', 'create', 'configmap', 'seen-by-watch', '--from-literal=a=b');
      expect(created.code, created.stderr).toBe(0);
      await watch.waitFor('seen-by-watch');
      expect(watch.stdout()).toMatch(/^NAME\s+DATA\s+AGE\n/);
    } finally {
      await watch.stop();
    }
  });

  it('filters with label selectors', async () => {
    const names = async (selector: string) =>
      (await at('root:acme:web', 'get', 'cm', '-l', selector, '-o', 'name')).stdout.trim().split('\n');
    expect(await names('app=web')).toEqual(['configmap/feature-flags', 'configmap/web-config']);
    expect(await names('app=web,kind!=flags')).toEqual(['configmap/web-config']);
    expect(await names('kind in (flags)')).toEqual(['configmap/feature-flags']);
    expect(await names('!kind')).toEqual(['configmap/web-config']);
  });

  it('refuses an update from a stale copy with 409 Conflict', async () => {
    const stale = await at('root:acme:web', 'get', 'cm', 'web-config', '-o', 'json');
    const patched = await at(
      'root:acme:web',
      'patch',
      'cm',
      'web-config',
      '--type=merge',
      '-p',
      '{"data":{"LOG_LEVEL":"warn"}}',
    );
    expect(patched.code, patched.stderr).toBe(0);
    const file = path.join(scratch, 'stale.json');
    const object = JSON.parse(stale.stdout) as { data: Record<string, string> };
    object.data.LOG_LEVEL = 'error';
    writeFileSync(file, JSON.stringify(object));
    const replaced = await at('root:acme:web', 'replace', '-f', file);
    expect(replaced.code).toBe(1);
    expect(replaced.stderr).toContain(
      'Error from server (Conflict): error when replacing "' +
        file +
        '": Operation cannot be fulfilled on configmaps "web-config": the object has been modified; please apply your changes to the latest version and try again',
    );
  });

  it('answers 401 to a client without a valid token', async () => {
    // Same server URL and cache as the admin calls, so discovery is cached and the list itself gets the 401.
    await k(['get', 'namespaces']);
    const config = readFileSync(platform.kubeconfig, 'utf8').replace(
      /tokenFile: .*/,
      'token: not-a-valid-token',
    );
    const badKubeconfig = path.join(scratch, 'bad.kubeconfig');
    writeFileSync(badKubeconfig, config);
    const result = await kubectl(['get', 'namespaces'], { kubeconfig: badKubeconfig, cacheDir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error: You must be logged in to the server (Unauthorized)');
  });

  it('deletes child workspaces and their content with their parent', async () => {
    expect(
      (
        await atWith(
          'root:acme',
          'apiVersion: tenancy.kcp.io/v1alpha1\nkind: Workspace\nmetadata: {name: doomed}\n',
          'create',
          '-f',
          '-',
        )
      ).code,
    ).toBe(0);
    expect((await at('root:acme', 'wait', '--for=jsonpath={.status.phase}=Ready', 'ws/doomed')).code).toBe(0);
    expect(
      (
        await atWith(
          'root:acme:doomed',
          'apiVersion: tenancy.kcp.io/v1alpha1\nkind: Workspace\nmetadata: {name: inner}\n',
          'create',
          '-f',
          '-',
        )
      ).code,
    ).toBe(0);
    expect(
      (await at('root:acme:doomed', 'wait', '--for=jsonpath={.status.phase}=Ready', 'ws/inner')).code,
    ).toBe(0);
    expect((await at('root:acme:doomed:inner', 'create', 'configmap', 'leftover')).code).toBe(0);
    const inner = await at('root:acme:doomed', 'get', 'ws', 'inner', '-o', 'jsonpath={.spec.type.name}');
    expect(inner.stdout).toBe('universal');

    expect((await at('root:acme', 'delete', 'ws', 'doomed')).stdout).toBe(
      'workspace.tenancy.kcp.io "doomed" deleted\n',
    );
    for (const workspace of ['root:acme:doomed', 'root:acme:doomed:inner']) {
      const result = await at(workspace, 'get', 'configmaps');
      expect(result.code, workspace).toBe(1);
      expect(result.stderr).toContain('Forbidden');
    }
  });
});

describe('the platform process', () => {
  it('printed one ready line and nothing else on stdout', () => {
    expect(platform.stdout().trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(platform.stdout())).toEqual({
      ready: true,
      url: platform.url,
      kubeconfig: path.join(platform.dataDir, 'admin.kubeconfig'),
      dataDir: platform.dataDir,
      pid: platform.pid,
    });
  });

  it('refuses a second server on the same data folder', async () => {
    const second = await platformTool(['--port', '0', '--data-dir', platform.dataDir]);
    expect(second.code).toBe(1);
    expect(second.stderr.trim()).toBe(
      `kplane platform is already running on ${platform.dataDir} (pid ${platform.pid})`,
    );
    expect(second.stdout).toBe('');
  });

  it('names the port when it is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kplane-e2e-port-'));
    try {
      const result = await platformTool(['--port', String(port), '--data-dir', dataDir]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`port ${port}`);
      expect(existsSync(path.join(dataDir, 'server.pid'))).toBe(false);
    } finally {
      blocker.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('keeps an acknowledged write through SIGKILL and restarts on the same data', async () => {
    const first = await startPlatformProcess();
    const dataDir = first.dataDir;
    const cache = path.join(scratch, 'crash-cache');
    try {
      const created = await kubectl(['create', 'configmap', 'durable', '--from-literal=kept=yes'], {
        kubeconfig: first.kubeconfig,
        cacheDir: cache,
      });
      expect(created.stdout).toBe('configmap/durable created\n');
      await first.kill9();
      expect(existsSync(path.join(dataDir, 'server.pid'))).toBe(true);

      const second = await startPlatformProcess({ dataDir });
      try {
        const read = await kubectl(['get', 'configmap', 'durable', '-o', 'jsonpath={.data.kept}'], {
          kubeconfig: second.kubeconfig,
          cacheDir: cache,
        });
        expect(read.stdout).toBe('yes');
        expect(await second.stop()).toBe(0);
        expect(existsSync(path.join(dataDir, 'server.pid'))).toBe(false);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
