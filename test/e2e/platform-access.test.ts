import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  kubectl,
  mintToken,
  platformTool,
  rawRequest,
  startPlatformProcess,
  type PlatformProcess,
} from './helpers/platform.js';
import { eventually } from './helpers/wait.js';

// Tenants kept apart by the real platform process: tokens minted with the owner tool, real HTTPS
// requests with raw paths, and real kubectl with --token / --certificate-authority / --server.

let platform: PlatformProcess;
let scratch: string;
let ca: Buffer;
let caFile: string;
let emptyKubeconfig: string;
const tokens: Record<string, string> = {};
let aliceCluster = '';

const SSR = '/apis/authentication.k8s.io/v1/selfsubjectreviews';
const HOME = '/clusters/root/apis/tenancy.kcp.io/v1alpha1/workspaces/~';
const CM = '/api/v1/namespaces/default/configmaps';
const ACCESS_DENIED = {
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message: 'workspace access not permitted',
  reason: 'Forbidden',
  code: 403,
};

const as = (user: string) => ({
  raw: (rawPath: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}) =>
    rawRequest(platform.url, rawPath, { token: tokens[user], ca, ...init }),
  kubectl: (workspace: string, ...args: string[]) =>
    kubectl(
      [
        '--server',
        `${platform.url}/clusters/${workspace}`,
        '--token',
        tokens[user]!,
        '--certificate-authority',
        caFile,
        ...args,
      ],
      { kubeconfig: emptyKubeconfig, cacheDir: path.join(scratch, `cache-${user}`) },
    ),
});

beforeAll(async () => {
  platform = await startPlatformProcess();
  scratch = mkdtempSync(path.join(os.tmpdir(), 'kplane-e2e-access-'));
  caFile = path.join(platform.dataDir, 'ca.crt');
  ca = readFileSync(caFile);
  emptyKubeconfig = path.join(scratch, 'kubeconfig');
  writeFileSync(emptyKubeconfig, 'apiVersion: v1\nkind: Config\n');
  [tokens.alice, tokens.bob] = await Promise.all([
    mintToken(platform.dataDir, 'alice', '--group', 'developers', '--ttl', '1h'),
    mintToken(platform.dataDir, 'bob'),
  ]);
});

afterAll(async () => {
  await platform?.stop();
  if (platform) rmSync(platform.dataDir, { recursive: true, force: true });
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('identity', () => {
  it('SelfSubjectReview says who the token is, its groups and when it expires', async () => {
    const minted = Date.now();
    const review = await as('alice').raw(`/clusters/root${SSR}`, { method: 'POST', body: '{}' });
    expect(review.status).toBe(201);
    const body = JSON.parse(review.body);
    expect(body).toEqual({
      kind: 'SelfSubjectReview',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { creationTimestamp: null },
      status: {
        userInfo: {
          username: 'alice',
          groups: ['developers', 'system:authenticated'],
          extra: {
            'authentication.kplane.dev/expires-at': [
              expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
            ],
          },
        },
      },
    });
    const expiresAt = Date.parse(body.status.userInfo.extra['authentication.kplane.dev/expires-at'][0]);
    expect(Math.abs(expiresAt - (minted + 3_600_000))).toBeLessThan(60_000);

    // A token without a ttl has no expiry to report; bob may review himself in root though root shows him nothing.
    const bob = JSON.parse(
      (await as('bob').raw(`/clusters/root${SSR}`, { method: 'POST', body: '{}' })).body,
    );
    expect(bob.status.userInfo).toEqual({ username: 'bob', groups: ['system:authenticated'] });
    expect((await as('bob').raw('/clusters/root/api/v1/namespaces')).status).toBe(403);

    const whoami = await as('alice').kubectl('root', 'auth', 'whoami', '-o', 'json');
    expect(whoami.code, whoami.stderr).toBe(0);
    expect(JSON.parse(whoami.stdout).status.userInfo.username).toBe('alice');
  });

  it('lists SelfSubjectReview in discovery as create-only', async () => {
    const list = JSON.parse((await as('bob').raw('/clusters/root/apis/authentication.k8s.io/v1')).body);
    expect(list.resources).toEqual([
      expect.objectContaining({ name: 'selfsubjectreviews', kind: 'SelfSubjectReview', verbs: ['create'] }),
    ]);
  });
});

describe('home workspaces', () => {
  it('creates each home on first use, Ready, owned by its user, and returns the same one afterwards', async () => {
    const [first, again, bobs] = await Promise.all([
      as('alice').raw(HOME),
      as('alice').raw(HOME),
      as('bob').raw(HOME),
    ]);
    expect(first.status, first.body).toBe(200);
    const home = JSON.parse(first.body);
    expect(home).toMatchObject({
      kind: 'Workspace',
      metadata: {
        name: 'alice',
        annotations: {
          'experimental.tenancy.kcp.io/owner': JSON.stringify({
            username: 'alice',
            groups: ['developers', 'system:authenticated'],
          }),
        },
      },
      spec: { type: { name: 'home', path: 'root' }, URL: `${platform.url}/clusters/root:users:alice` },
      status: { phase: 'Ready' },
    });
    expect(JSON.parse(again.body).metadata.uid).toBe(home.metadata.uid);
    expect(JSON.parse(bobs.body).spec.URL).toBe(`${platform.url}/clusters/root:users:bob`);
    aliceCluster = home.spec.cluster;
    expect(aliceCluster).toMatch(/^[a-z0-9]{16}$/);

    // root:users belongs to the platform: a user reaches only their own home inside it.
    const users = await as('alice').raw('/clusters/root:users/apis/tenancy.kcp.io/v1alpha1/workspaces');
    expect([users.status, JSON.parse(users.body)]).toEqual([403, ACCESS_DENIED]);
  });

  it('is an ordinary workspace for its owner, with plain kubectl', async () => {
    const inHome = (...args: string[]) => as('alice').kubectl('root:users:alice', ...args);
    for (const [name, secret] of [
      ['recipe', 'sauce'],
      ['other', 'gravy'],
    ] as const) {
      const created = await inHome('create', 'configmap', name, `--from-literal=secret=${secret}`);
      expect(created.code, created.stderr).toBe(0);
    }
    const read = await inHome('get', 'configmap', 'recipe', '-o', 'jsonpath={.data.secret}');
    expect(read.stdout).toBe('sauce');
    const admin = await inHome('get', 'clusterrolebinding', 'workspace-admin', '-o', 'json');
    expect(JSON.parse(admin.stdout)).toMatchObject({
      roleRef: { kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'User', name: 'alice' }],
    });
  });

  it('lets its owner create universal workspaces below it, but not types nobody granted', async () => {
    const workspace = (name: string, type?: string) =>
      JSON.stringify({
        apiVersion: 'tenancy.kcp.io/v1alpha1',
        kind: 'Workspace',
        metadata: { name },
        ...(type ? { spec: { type: { name: type, path: 'root' } } } : {}),
      });
    const wsPath = '/clusters/root:users:alice/apis/tenancy.kcp.io/v1alpha1/workspaces';
    const created = await as('alice').raw(wsPath, { method: 'POST', body: workspace('proj') });
    expect(created.status, created.body).toBe(201);
    expect(JSON.parse(created.body).spec.type).toEqual({ name: 'universal', path: 'root' });

    const org = await as('alice').raw(wsPath, { method: 'POST', body: workspace('org', 'organization') });
    expect(org.status).toBe(403);
    expect(JSON.parse(org.body).message).toBe(
      `workspaces.tenancy.kcp.io "org" is forbidden: unable to use workspace type root:organization: missing verb='use' permission on workspacetype`,
    );
    const inRoot = await as('alice').raw('/clusters/root/apis/tenancy.kcp.io/v1alpha1/workspaces', {
      method: 'POST',
      body: workspace('mine', 'universal'),
    });
    expect(JSON.parse(inRoot.body).message).toBe(
      'workspaces.tenancy.kcp.io is forbidden: User "alice" cannot create resource "workspaces" in API group "tenancy.kcp.io" at the cluster scope',
    );

    // She owns what she created: reachable once Ready, with her as workspace-admin.
    const listed = await eventually(
      () => as('alice').raw(`/clusters/root:users:alice:proj${CM}`),
      (response) => response.status === 200,
      3_000,
    );
    expect(listed.status, listed.body).toBe(200);
    const denied = await as('bob').raw(`/clusters/root:users:alice:proj${CM}`);
    expect([denied.status, JSON.parse(denied.body)]).toEqual([403, ACCESS_DENIED]);
  });
});

describe("bob and alice's workspace", () => {
  const forms = () => [
    `/clusters/root:users:alice${CM}`,
    `/clusters/root:users:alice${CM}/recipe`,
    `/clusters/root:users:alice${CM}/`,
    `/clusters/${aliceCluster}${CM}`,
    `/clusters/root%3Ausers%3Aalice${CM}`,
    `/clusters/root%3ausers%3aalice${CM}/recipe`,
    `/clusters/root:users:%61lice${CM}`,
    `/clusters/root:users:alice/api/v1/../v1/namespaces/default/configmaps`,
    `/clusters/root/../root:users:alice${CM}`,
    `/clusters/root:users:bob/%2e%2e/root:users:alice${CM}`,
    `//clusters//root:users:alice//api/v1/namespaces/default/configmaps//`,
    `/clusters/root:users:alice${CM}?watch=true`,
    `/clusters/root:users:alice/apis/core.kcp.io/v1alpha1/logicalclusters/cluster`,
    `/clusters/root:users:alice/api`,
  ];

  it('answers every URL form for her home exactly as for a workspace that does not exist', async () => {
    const nobody = await as('bob').raw(`/clusters/root:users:nobody-here${CM}`);
    expect(nobody.status).toBe(403);
    expect(JSON.parse(nobody.body)).toEqual(ACCESS_DENIED);
    for (const form of [
      ...forms(),
      '/clusters/root%ZZ/api',
      '/clusters/Root/api',
      '/clusters/',
      '/clusters/root::x/api',
    ]) {
      const answer = await as('bob').raw(form);
      expect(answer.status, form).toBe(403);
      expect(answer.body, form).toBe(nobody.body);
      expect(answer.body).not.toMatch(/sauce|gravy|recipe/);
    }
    const viaKubectl = await as('bob').kubectl('root:users:alice', 'get', 'configmaps');
    expect(viaKubectl.code).not.toBe(0);
    // kubectl's discovery client cannot decode a Status, so it prints "Forbidden: unknown", as against any apiserver.
    expect(viaKubectl.stderr).toContain('Error from server (Forbidden)');
    expect(viaKubectl.stdout + viaKubectl.stderr).not.toMatch(/sauce|recipe/);
  });

  it('lists workspaces only with RBAC: a normal Forbidden where he may enter', async () => {
    const listed = await as('bob').raw('/clusters/root/apis/tenancy.kcp.io/v1alpha1/workspaces');
    expect(listed.status).toBe(403);
    expect(JSON.parse(listed.body)).toMatchObject({
      reason: 'Forbidden',
      message:
        'workspaces.tenancy.kcp.io is forbidden: User "bob" cannot list resource "workspaces" in API group "tenancy.kcp.io" at the cluster scope',
    });
  });

  it('a role naming one config map lets him read that one and nothing else', async () => {
    const alice = as('alice');
    for (const args of [
      ['create', 'role', 'read-recipe', '--verb=get', '--resource=configmaps', '--resource-name=recipe'],
      ['create', 'rolebinding', 'bob-reads-recipe', '--role=read-recipe', '--user=bob'],
      [
        'create',
        'clusterrolebinding',
        'bob-enters',
        '--clusterrole=system:kcp:workspace:access',
        '--user=bob',
      ],
    ]) {
      const result = await alice.kubectl('root:users:alice', ...args);
      expect(result.code, result.stderr).toBe(0);
    }
    const bob = as('bob');
    const recipe = await bob.kubectl(
      'root:users:alice',
      'get',
      'configmap',
      'recipe',
      '-o',
      'jsonpath={.data.secret}',
    );
    expect(recipe.code, recipe.stderr).toBe(0);
    expect(recipe.stdout).toBe('sauce');
    expect((await bob.raw(`/clusters/${aliceCluster}${CM}/recipe`)).status).toBe(200);

    const other = await bob.kubectl('root:users:alice', 'get', 'configmap', 'other');
    expect(other.code).not.toBe(0);
    expect(other.stderr).toContain(
      'configmaps "other" is forbidden: User "bob" cannot get resource "configmaps" in API group "" in the namespace "default"',
    );
    const canI = async (...what: string[]) =>
      (await bob.kubectl('root:users:alice', 'auth', 'can-i', ...what)).stdout.trim();
    expect([await canI('get', 'configmap/recipe'), await canI('get', 'configmap/other')]).toEqual([
      'yes',
      'no',
    ]);
    const list = await bob.kubectl('root:users:alice', 'get', 'configmaps');
    expect(list.stderr).toContain(
      'configmaps is forbidden: User "bob" cannot list resource "configmaps" in API group "" in the namespace "default"',
    );
    for (const form of [
      ...forms().filter((f) => f.includes('configmaps')),
      `/clusters/root:users:alice${CM}/other`,
      `/clusters/root:users:alice${CM}/recipe/../other`,
      `/clusters/root:users:alice${CM}?fieldSelector=metadata.name%3Dother`,
      `/clusters/root:users:alice/api/v1/configmaps`,
      `/clusters/root:users:alice/api/v1/watch/namespaces/default/configmaps/other`,
    ]) {
      if (/\/recipe$/.test(form)) continue;
      const answer = await bob.raw(form);
      expect(answer.status, form).toBe(403);
      expect(answer.body, form).not.toMatch(/gravy|sauce/);
    }
  });

  it('a role granting role writes still cannot grant what its holder lacks', async () => {
    const grant = await as('alice').raw(
      `/clusters/root:users:alice/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles`,
      {
        method: 'POST',
        body: JSON.stringify({
          metadata: { name: 'role-writer' },
          rules: [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'], verbs: ['create'] }],
        }),
      },
    );
    expect(grant.status, grant.body).toBe(201);
    const bind = await as('alice').kubectl(
      'root:users:alice',
      'create',
      'rolebinding',
      'bob-writes-roles',
      '--role=role-writer',
      '--user=bob',
    );
    expect(bind.code, bind.stderr).toBe(0);
    const escalate = await as('bob').raw(
      `/clusters/root:users:alice/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles`,
      {
        method: 'POST',
        body: JSON.stringify({
          metadata: { name: 'more' },
          rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }],
        }),
      },
    );
    expect(escalate.status).toBe(403);
    expect(JSON.parse(escalate.body).message).toBe(
      'roles.rbac.authorization.k8s.io "more" is forbidden: user "bob" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}',
    );
    const within = await as('bob').raw(
      `/clusters/root:users:alice/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles`,
      {
        method: 'POST',
        body: JSON.stringify({
          metadata: { name: 'subset' },
          rules: [{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['recipe'], verbs: ['get'] }],
        }),
      },
    );
    expect(within.status, within.body).toBe(201);
  });
});

describe('workspace types in a workspace the user cannot enter', () => {
  it('answers an existing type, a missing type and a missing workspace alike', async () => {
    for (const user of ['alice', 'bob']) expect((await as(user).raw(HOME)).status).toBe(200);
    const madeType = await as('bob').raw(
      '/clusters/root:users:bob/apis/tenancy.kcp.io/v1alpha1/workspacetypes',
      { method: 'POST', body: JSON.stringify({ metadata: { name: 'private' } }) },
    );
    expect(madeType.status, madeType.body).toBe(201);

    const create = (name: string, type: { name: string; path: string }) =>
      as('alice').raw('/clusters/root:users:alice/apis/tenancy.kcp.io/v1alpha1/workspaces', {
        method: 'POST',
        body: JSON.stringify({ metadata: { name }, spec: { type } }),
      });
    const answers = [
      await create('ws-a', { name: 'private', path: 'root:users:bob' }),
      await create('ws-b', { name: 'absent', path: 'root:users:bob' }),
      await create('ws-c', { name: 'absent', path: 'root:users:nobody-here' }),
    ];
    // Only the names echoed from the request may differ.
    const shapes = answers.map((answer) => [
      answer.status,
      answer.body
        .replaceAll(/ws-[abc]/g, 'NAME')
        .replaceAll(/root:users:(bob|nobody-here):(private|absent)/g, 'TYPE'),
    ]);
    expect(shapes[1]).toEqual(shapes[0]);
    expect(shapes[2]).toEqual(shapes[0]);
    expect(answers[0]!.status).toBe(403);
    expect(JSON.parse(answers[0]!.body)).toMatchObject({
      reason: 'Forbidden',
      message: `workspaces.tenancy.kcp.io "ws-a" is forbidden: unable to use workspace type root:users:bob:private: missing verb='use' permission on workspacetype`,
    });
  });
});

describe('tokens that stop working', () => {
  it('a revoked token gets 401 at once, from a running server', async () => {
    tokens.carol = await mintToken(platform.dataDir, 'carol');
    expect((await as('carol').raw(`/clusters/root${SSR}`, { method: 'POST', body: '{}' })).status).toBe(201);
    const revoked = await platformTool(['revoke-tokens', '--data-dir', platform.dataDir, '--user', 'carol']);
    expect(revoked).toEqual({ code: 0, stdout: 'revoked 1 token(s) of user carol\n', stderr: '' });
    const after = await as('carol').raw(`/clusters/root${SSR}`, { method: 'POST', body: '{}' });
    expect(after.status).toBe(401);
    expect(JSON.parse(after.body)).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
  });

  it('an expired token gets 401', async () => {
    tokens.dave = await mintToken(platform.dataDir, 'dave', '--ttl', '1s');
    const minted = Date.now();
    expect((await as('dave').raw(HOME)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, minted + 1_100 - Date.now())));
    expect((await as('dave').raw(HOME)).status).toBe(401);
    const viaKubectl = await as('dave').kubectl('root', 'get', '--raw', '/clusters/root/api');
    expect(viaKubectl.code).not.toBe(0);
    expect(viaKubectl.stderr).toMatch(/Unauthorized|credentials/);
  });

  it('the owner tools refuse a folder without platform data and bad input', async () => {
    const empty = path.join(scratch, 'empty');
    expect(await platformTool(['token', '--data-dir', empty, '--user', 'x'])).toEqual({
      code: 1,
      stdout: '',
      stderr: `no kplane platform data in ${empty}: run kplane dev up first\n`,
    });
    const badTtl = await platformTool([
      'token',
      '--data-dir',
      platform.dataDir,
      '--user',
      'x',
      '--ttl',
      'soon',
    ]);
    expect(badTtl.code).toBe(2);
    expect(badTtl.stdout).toBe('');
  });
});
