import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { kplane, kubectl } from './helpers/cli.js';
import { demoPlatformSession } from './helpers/session.js';

const session = demoPlatformSession();
const { kubeconfigText, currentServer } = session;
const ws = (...args: string[]) => kplane(['ws', ...args], { env: session.user.env });

describe('moving through the tree', () => {
  it('prints the current workspace without changing anything', async () => {
    const before = kubeconfigText();
    const result = await ws();
    expect(result).toMatchObject({ code: 0, stdout: "Current workspace is 'root'.\n" });
    expect((await ws('.')).stdout).toBe("Current workspace is 'root'.\n");
    expect((await ws('current', '--short')).stdout).toBe('root\n');
    expect(kubeconfigText()).toBe(before);
  });

  it('switches by absolute, relative, parent, previous and top paths, and kubectl follows', async () => {
    let result = await ws('use', ':root:acme:web');
    expect(result.stdout).toBe("Current workspace is 'root:acme:web' (type root:team).\n");
    expect(currentServer()).toBe(`${session.platform.url}/clusters/root:acme:web`);

    const configMaps = await kubectl(['get', 'configmaps', '-o', 'name'], { env: session.user.env });
    expect(configMaps.code, configMaps.stderr).toBe(0);
    expect(configMaps.stdout).toContain('configmap/web-config');

    result = await ws('..');
    expect(result.stdout).toBe("Current workspace is 'root:acme' (type root:organization).\n");
    result = await ws('use', 'api');
    expect(result.stdout).toBe("Current workspace is 'root:acme:api' (type root:team).\n");
    result = await ws('-');
    expect(result.stdout).toBe("Current workspace is 'root:acme'.\n");
    result = await ws('-');
    expect(result.stdout).toBe("Current workspace is 'root:acme:api'.\n");
    result = await ws('cd', '../..');
    expect(result.stdout).toBe("Current workspace is 'root' (type root).\n");
    result = await ws('root:acme');
    expect(result.stdout).toBe("Current workspace is 'root:acme' (type root:organization).\n");
    expect(result.stderr).toContain("use ':root' to specify an absolute path");
    result = await ws('web');
    expect(result.stdout).toBe("Current workspace is 'root:acme:web' (type root:team).\n");
    result = await ws(':');
    expect(result.stdout).toBe("Current workspace is 'root'.\n");
    result = await ws('acme/ci');
    expect(result.stdout).toBe("Current workspace is 'root:acme:ci' (type root:team).\n");
    expect((await ws('--short')).stdout).toBe('root:acme:ci\n');
    expect(JSON.parse((await ws('current', '-o', 'json')).stdout)).toEqual({
      path: 'root:acme:ci',
      url: `${session.platform.url}/clusters/root:acme:ci`,
    });
    const asYaml = await ws('use', '..', '-o', 'yaml');
    expect(asYaml.stderr).toBe('');
    expect(parse(asYaml.stdout)).toEqual({
      path: 'root:acme',
      type: 'root:organization',
      url: `${session.platform.url}/clusters/root:acme`,
    });
  });

  it('writes the kcp kubeconfig layout: current and previous contexts sharing the one user', async () => {
    await ws('use', ':root:acme');
    await ws('use', 'web');
    const config = parse(kubeconfigText()) as Record<string, { name: string; [k: string]: unknown }[]>;
    expect(parse(kubeconfigText())['current-context']).toBe('workspace.kcp.io/current');
    const context = (name: string) => config.contexts!.find((c) => c.name === name)?.context;
    const cluster = (name: string) => config.clusters!.find((c) => c.name === name)?.cluster;
    expect(context('workspace.kcp.io/current')).toEqual({
      cluster: 'workspace.kcp.io/current',
      user: 'kplane-admin',
    });
    expect(context('workspace.kcp.io/previous')).toEqual({
      cluster: 'workspace.kcp.io/previous',
      user: 'kplane-admin',
    });
    const { server: _server, ...kplaneClusterRest } = cluster('kplane') as Record<string, unknown>;
    expect(cluster('workspace.kcp.io/current')).toEqual({
      ...kplaneClusterRest,
      server: `${session.platform.url}/clusters/root:acme:web`,
    });
    expect(cluster('workspace.kcp.io/previous')).toEqual({
      ...kplaneClusterRest,
      server: `${session.platform.url}/clusters/root:acme`,
    });
    expect(config.users).toHaveLength(1);
    expect(context('kplane')).toEqual({ cluster: 'kplane', user: 'kplane-admin' });
  });

  it('gives the same answers through oclif as through the fast path', async () => {
    const env = { ...session.user.env, KPLANE_NO_FAST_PATH: '1' };
    const result = await kplane(['ws', 'use', ':root:acme:web'], { env });
    expect(result).toMatchObject({
      code: 0,
      stdout: "Current workspace is 'root:acme:web' (type root:team).\n",
    });
    expect((await kplane(['ws', '..'], { env })).stdout).toBe(
      "Current workspace is 'root:acme' (type root:organization).\n",
    );
    const bad = await kplane(['ws', 'use', 'nope'], { env });
    expect(bad).toMatchObject({ code: 3, stderr: 'Error: workspace "root:acme:nope" not found\n' });
  });
});

describe('refusing bad input without touching the kubeconfig', () => {
  it.each([
    [['use', ':root:nope'], 3, 'Error: workspace "root:nope" not found\n'],
    [['use', 'ju:nk§'], 2, 'Error: invalid workspace path: ju:nk§\n'],
    [['..'], 2, 'Error: cannot go up from root\n'],
    [['-'], 3, 'Error: no previous workspace found in kubeconfig\n'],
  ])('ws %j exits %i', async (args, code, stderr) => {
    const before = kubeconfigText();
    const result = await ws(...args);
    expect(result).toMatchObject({ code, stdout: '', stderr });
    expect(kubeconfigText()).toBe(before);
  });

  it('refuses a kubeconfig that is not valid YAML and leaves it byte for byte', async () => {
    const broken = kubeconfigText() + '\ncontexts: [unclosed\n';
    writeFileSync(session.user.kubeconfig, broken);
    const result = await ws('use', ':root:acme');
    expect(result.code).toBe(6);
    expect(result.stderr).toContain(session.user.kubeconfig);
    expect(kubeconfigText()).toBe(broken);
  });

  it('says so when the credentials are not accepted (exit 4) or the platform is unreachable (exit 5)', async () => {
    const tokenFile = path.join(session.user.dir, 'wrong.token');
    writeFileSync(tokenFile, 'not-a-real-token\n', { mode: 0o600 });
    writeFileSync(
      session.user.kubeconfig,
      kubeconfigText().replace(/tokenFile: .*/, `tokenFile: ${tokenFile}`),
    );
    const before = kubeconfigText();
    const unauthorized = await ws('use', ':root:acme');
    expect(unauthorized.code).toBe(4);
    expect(unauthorized.stderr).toContain('Unauthorized');
    writeFileSync(session.user.kubeconfig, before.replace(session.platform.url, 'https://127.0.0.1:1'));
    const unreachable = await ws('use', ':root:acme');
    expect(unreachable.code).toBe(5);
    expect(unreachable.stderr).toContain('cannot reach the platform at https://127.0.0.1:1');
  });
});

describe('creating workspaces', () => {
  it('creates, waits until ready, and enters', async () => {
    await ws('use', ':root:acme');
    const result = await ws('create', 'team-b', '--type', 'universal', '--enter');
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(
      [
        'Workspace "team-b" (type root:universal) created. Waiting for it to be ready...',
        'Workspace "team-b" (type root:universal) is ready to use.',
        "Current workspace is 'root:acme:team-b' (type root:universal).",
        '',
      ].join('\n'),
    );
    const again = await ws('use', '..');
    expect(again.code).toBe(0);
    const existing = await ws('create', 'team-b', '--type', 'root:universal', '--ignore-existing');
    expect(existing).toMatchObject({
      code: 0,
      stdout: 'Workspace "team-b" (type root:universal) already exists.\n',
    });
    const relativeType = await ws('create', 'team-b', '--type', 'universal', '--ignore-existing');
    expect(relativeType).toMatchObject({
      code: 2,
      stderr: 'Error: --ignore-existing must not be used with non-absolute type path\n',
    });
    const duplicate = await ws('create', 'team-b');
    expect(duplicate.code).toBe(7);
    expect(duplicate.stderr).toContain('already exists');
  });

  it('kubectl sees the new workspace Ready with its URL and cluster', async () => {
    await ws('use', ':root:acme');
    await ws('create', 'team-c');
    const result = await kubectl(['get', 'workspaces', 'team-c', '-o', 'json'], { env: session.user.env });
    expect(result.code, result.stderr).toBe(0);
    const workspace = JSON.parse(result.stdout);
    expect(workspace.status.phase).toBe('Ready');
    expect(workspace.spec.URL).toBe(`${session.platform.url}/clusters/root:acme:team-c`);
    expect(workspace.spec.cluster).toMatch(/^[a-z0-9]+$/);
    expect(workspace.spec.type).toEqual({ name: 'team', path: 'root' });
  });
});

describe('the tree', () => {
  it('draws the tree below the current workspace, by name or full path, or as JSON', async () => {
    await ws('use', ':root:acme');
    const tree = await ws('tree');
    expect(tree.code, tree.stderr).toBe(0);
    expect(tree.stdout).toMatch(/^\.\n└── acme\n/);
    for (const team of ['api', 'ci', 'web']) expect(tree.stdout).toMatch(new RegExp(`    [├└]── ${team}\n`));
    const full = await ws('tree', '--full');
    expect(full.stdout).toContain('── root:acme:web\n');
    const json = JSON.parse((await ws('tree', '-o', 'json')).stdout);
    expect(json).toMatchObject({ name: 'acme', path: 'root:acme' });
    const web = json.children.find((child: { name: string }) => child.name === 'web');
    expect(web).toMatchObject({ path: 'root:acme:web', type: 'root:team', phase: 'Ready', children: [] });
  });
});

describe('keeping the kubeconfig safe', () => {
  it('leaves other contexts, comments and unknown fields byte for byte', async () => {
    const admin = parse(readFileSync(session.platform.adminKubeconfig, 'utf8'));
    const original = [
      '# my clusters, hand-kept',
      'apiVersion: v1',
      'kind: Config',
      'preferences:   {}   # odd spacing on purpose',
      'clusters:',
      '- name: prod   # the real one',
      '  cluster:',
      '    server: https://prod.example.com:6443',
      '    x-team-note: keep me',
      `- name: kplane`,
      `  cluster:`,
      `    certificate-authority-data: ${admin.clusters[0].cluster['certificate-authority-data']}`,
      `    server: ${admin.clusters[0].cluster.server}`,
      'users:',
      '- name: prod-user',
      '  user: {token-file: /nonexistent}',
      '- name: kplane-admin',
      '  user:',
      `    tokenFile: ${admin.users[0].user.tokenFile}`,
      'contexts:',
      '- name: prod',
      '  context: {cluster: prod, user: prod-user, namespace: shop}',
      '- name: kplane',
      '  context:',
      '    cluster: kplane',
      '    user: kplane-admin',
      'current-context: kplane',
      'x-unknown-top-level:',
      '  - keep',
      '  - "these"   # too',
      '',
    ].join('\n');
    writeFileSync(session.user.kubeconfig, original);
    expect((await ws('use', ':root:acme:web')).code).toBe(0);
    expect((await ws('use', ':root:acme')).code).toBe(0);
    // From here on the layout is kcp's, and switches move only the two servers (the quick path).
    expect((await ws('use', ':root:acme:api')).code).toBe(0);
    expect((await ws('-')).stdout).toBe("Current workspace is 'root:acme'.\n");
    expect(currentServer()).toBe(`${session.platform.url}/clusters/root:acme`);
    const after = kubeconfigText();
    expect(withoutWorkspaceEntries(after)).toBe(withoutWorkspaceEntries(original));
    // And the edit is confined to appended entries plus the current-context line.
    expect(
      after
        .split('\n')
        .filter((line) => !original.split('\n').includes(line))
        .join('\n'),
    ).not.toContain('prod');
  });

  it('keeps what kubectl changed between two switches', async () => {
    await ws('use', ':root:acme:web');
    await ws('use', ':root:acme:api');
    const edit = await kubectl(['config', 'set-context', 'workspace.kcp.io/current', '--namespace=team-x'], {
      env: session.user.env,
    });
    expect(edit.code, edit.stderr).toBe(0);

    expect((await ws('use', ':root:acme:ci')).code).toBe(0);
    const namespaceOf = async (context: string) =>
      (
        await kubectl(
          ['config', 'view', '-o', `jsonpath={.contexts[?(@.name=="${context}")].context.namespace}`],
          {
            env: session.user.env,
          },
        )
      ).stdout;
    expect(currentServer()).toBe(`${session.platform.url}/clusters/root:acme:ci`);
    expect(await namespaceOf('workspace.kcp.io/current')).toBe('team-x');
    expect(await namespaceOf('workspace.kcp.io/previous')).toBe('team-x');
    expect((await ws('-')).stdout).toBe("Current workspace is 'root:acme:api'.\n");
    expect(await namespaceOf('workspace.kcp.io/current')).toBe('team-x');
  });

  it('survives 20 concurrent switches: the file stays valid and names one of the targets', async () => {
    const targets = [':root:acme:web', ':root:acme:api', ':root:acme:ci', ':root:acme', ':root'];
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => ws('use', targets[i % targets.length]!)),
    );
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    const server = currentServer();
    expect(targets.map((t) => `${session.platform.url}/clusters/${t.slice(1)}`)).toContain(server);
    expect(readdirSync(session.user.dir).filter((f) => f.endsWith('.lock'))).toEqual([]);
    expect(existsSync(`${session.user.kubeconfig}.lock`)).toBe(false);
  });

  it('with several files in KUBECONFIG, writes where kubectl would and leaves the others alone', async () => {
    const first = path.join(session.user.dir, 'first.yaml');
    const other = path.join(session.user.dir, 'other.yaml');
    copyFileSync(session.platform.adminKubeconfig, first);
    const otherText =
      'apiVersion: v1\nkind: Config\n# shared, read-only for kplane\nclusters: []\ncontexts: []\nusers: []\n';
    writeFileSync(other, otherText);
    const env = { ...session.user.env, KUBECONFIG: `${first}:${other}` };
    const result = await kplane(['ws', 'use', ':root:acme'], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(other, 'utf8')).toBe(otherText);
    expect(readFileSync(first, 'utf8')).toContain('workspace.kcp.io/current');
    const explicit = path.join(session.user.dir, 'explicit.yaml');
    copyFileSync(session.platform.adminKubeconfig, explicit);
    const beforeFirst = readFileSync(first, 'utf8');
    const viaFlag = await kplane(['ws', 'use', ':root:acme:ci', '--kubeconfig', explicit], { env });
    expect(viaFlag.code, viaFlag.stderr).toBe(0);
    expect(readFileSync(explicit, 'utf8')).toContain('/clusters/root:acme:ci');
    expect(readFileSync(first, 'utf8')).toBe(beforeFirst);
    const viaKubectl = await kubectl(['get', 'workspaces', '-o', 'name'], { env });
    for (const team of ['api', 'ci', 'web'])
      expect(viaKubectl.stdout).toContain(`workspace.tenancy.kcp.io/${team}\n`);
  });
});

/**
 * The file with kplane's workspace entries (and current-context) cut out, to compare the rest byte for byte.
 * The fixture keeps its lists unindented, so a list item is a `- ` line plus the lines indented under it.
 */
function withoutWorkspaceEntries(text: string): string {
  const kept: string[] = [];
  let item: string[] = [];
  const flush = () => {
    if (!item.some((line) => /name: workspace\.kcp\.io\/(current|previous)$/.test(line))) kept.push(...item);
    item = [];
  };
  for (const line of text.split('\n')) {
    if (line.startsWith('- ')) {
      flush();
      item.push(line);
    } else if (item.length > 0 && line.startsWith('  ')) {
      item.push(line);
    } else {
      flush();
      if (!line.startsWith('current-context:')) kept.push(line);
    }
  }
  flush();
  return kept.join('\n');
}
