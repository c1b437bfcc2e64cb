import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, workspaceKubeconfig, type AgentProcess } from './helpers/agent.js';
import { kplane, type RunResult } from './helpers/cli.js';
import {
  adminKubectlAt,
  adminToken,
  kubectl,
  rawRequest,
  rawWatch,
  startPlatformProcess,
  tokenKubeconfig,
  type PlatformProcess,
} from './helpers/platform.js';
import { eventually } from './helpers/wait.js';

// Service-account tokens (TokenRequest) and joining compute with them: a bootstrap token from
// `kplane cluster join-command`, acceptance, and the agent's own narrow token. Members are workspaces of the same
// platform, as in agent.test.ts; everything is checked with the real kubectl and real agent processes.

let platform: PlatformProcess;
let scratch: string;
let admin: ReturnType<typeof adminKubectlAt>;
let agent: AgentProcess | undefined;

const at = (workspace: string, args: string[], input?: string) =>
  admin(`/clusters/${workspace}`, args, input);
const applyJson = (workspace: string, ...items: object[]) =>
  at(workspace, ['apply', '-f', '-'], items.map((item) => JSON.stringify(item)).join('\n'));
const ok = (result: RunResult) => expect(result.code, result.stderr).toBe(0);
const workspace = (name: string) => ({
  apiVersion: 'tenancy.kcp.io/v1alpha1',
  kind: 'Workspace',
  metadata: { name },
  spec: { type: { name: 'universal', path: 'root' } },
});
const objectName = (object: Record<string, unknown>) =>
  (object.metadata as { name?: string } | undefined)?.name;
const namespace = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

/** kubectl as whoever holds `token`, against one workspace. */
function asToken(token: string, workspacePath: string, user: string) {
  const options = tokenKubeconfig(
    platform,
    scratch,
    user,
    `${platform.url}/clusters/${workspacePath}`,
    token,
  );
  return (args: string[]) => kubectl(args, options);
}

beforeAll(async () => {
  platform = await startPlatformProcess();
  scratch = mkdtempSync(path.join(os.tmpdir(), 'kplane-e2e-join-'));
  admin = adminKubectlAt(platform, path.join(scratch, 'cache'));
  ok(await applyJson('root', workspace('team-a'), workspace('team-b'), workspace('join-member')));
  for (const name of ['team-a', 'team-b', 'join-member'])
    ok(
      await at('root', [
        'wait',
        '--for=jsonpath={.status.phase}=Ready',
        `workspace/${name}`,
        '--timeout=10s',
      ]),
    );
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  await platform?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('ServiceAccount tokens (TokenRequest)', () => {
  it('kubectl create token mints a token that is the ServiceAccount in its own workspace only', async () => {
    ok(await applyJson('root:team-a', namespace('ci')));
    ok(await at('root:team-a', ['create', 'serviceaccount', 'deployer', '-n', 'ci']));
    const created = await at('root:team-a', ['create', 'token', 'deployer', '-n', 'ci', '--duration', '20m']);
    ok(created);
    const token = created.stdout.trim();
    expect(token).toMatch(/^\S+$/);

    const inTeamA = asToken(token, 'root:team-a', 'deployer-a');
    const whoami = await inTeamA(['auth', 'whoami', '-o', 'json']);
    ok(whoami);
    const userInfo = (
      JSON.parse(whoami.stdout) as { status: { userInfo: { username: string; groups: string[] } } }
    ).status.userInfo;
    expect(userInfo.username).toBe('system:serviceaccount:ci:deployer');
    expect(userInfo.groups).toEqual(
      expect.arrayContaining(['system:serviceaccounts', 'system:serviceaccounts:ci', 'system:authenticated']),
    );

    // The same token in another workspace, even one with the same namespace and account names, is no credential.
    ok(await applyJson('root:team-b', namespace('ci')));
    ok(await at('root:team-b', ['create', 'serviceaccount', 'deployer', '-n', 'ci']));
    const inTeamB = await asToken(token, 'root:team-b', 'deployer-b')(['get', 'configmaps', '-n', 'ci']);
    expect(inTeamB.code).not.toBe(0);
    expect(inTeamB.stderr).toMatch(/Unauthorized|must be logged in/);
  }, 60_000);

  it('RBAC decides who may create tokens, and deleting the ServiceAccount revokes its tokens', async () => {
    ok(await at('root:team-a', ['create', 'serviceaccount', 'short-lived', '-n', 'ci']));
    const token = (await at('root:team-a', ['create', 'token', 'short-lived', '-n', 'ci'])).stdout.trim();
    const holder = asToken(token, 'root:team-a', 'short-lived');
    // The holder may enter the workspace (RBAC grants it) but not mint tokens for others.
    ok(
      await at('root:team-a', [
        'create',
        'role',
        'cm-reader',
        '-n',
        'ci',
        '--verb=get,list',
        '--resource=configmaps',
      ]),
    );
    ok(
      await at('root:team-a', [
        'create',
        'rolebinding',
        'cm-reader',
        '-n',
        'ci',
        '--role=cm-reader',
        '--serviceaccount=ci:short-lived',
      ]),
    );
    const mint = await holder(['create', 'token', 'deployer', '-n', 'ci']);
    expect(mint.code).not.toBe(0);
    expect(mint.stderr).toContain('forbidden');
    ok(await holder(['get', 'configmaps', '-n', 'ci']));

    ok(await at('root:team-a', ['delete', 'serviceaccount', 'short-lived', '-n', 'ci']));
    const afterDelete = await holder(['get', 'configmaps', '-n', 'ci']);
    expect(afterDelete.code).not.toBe(0);
    expect(afterDelete.stderr).toMatch(/Unauthorized|must be logged in/);
    // A new account of the same name does not bring the old token back.
    ok(await at('root:team-a', ['create', 'serviceaccount', 'short-lived', '-n', 'ci']));
    expect((await holder(['get', 'configmaps', '-n', 'ci'])).code).not.toBe(0);
  }, 60_000);

  it('deleting the ServiceAccount ends the watches its token opened (ERROR 401, then the stream closes)', async () => {
    ok(await applyJson('root:team-a', namespace('observers')));
    ok(await at('root:team-a', ['create', 'serviceaccount', 'watcher', '-n', 'observers']));
    ok(
      await at('root:team-a', [
        'create',
        'role',
        'cm-watcher',
        '-n',
        'observers',
        '--verb=get,list,watch',
        '--resource=configmaps',
      ]),
    );
    ok(
      await at('root:team-a', [
        'create',
        'rolebinding',
        'cm-watcher',
        '-n',
        'observers',
        '--role=cm-watcher',
        '--serviceaccount=observers:watcher',
      ]),
    );
    const token = (await at('root:team-a', ['create', 'token', 'watcher', '-n', 'observers'])).stdout.trim();
    const watch = await rawWatch(
      platform.url,
      '/clusters/root:team-a/api/v1/namespaces/observers/configmaps',
      {
        token,
        ca: readFileSync(path.join(platform.dataDir, 'ca.crt')),
      },
    );
    try {
      ok(await at('root:team-a', ['create', 'configmap', 'before-revoke', '-n', 'observers']));
      await watch.waitFor((e) => e.type === 'ADDED' && objectName(e.object) === 'before-revoke');

      ok(await at('root:team-a', ['delete', 'serviceaccount', 'watcher', '-n', 'observers']));
      const error = await watch.waitFor((e) => e.type === 'ERROR');
      expect(error.object).toMatchObject({ kind: 'Status', code: 401, reason: 'Unauthorized' });
      expect(await watch.ended()).toBe(true);

      // Nothing written after the revocation reaches the old token's holder.
      ok(await at('root:team-a', ['create', 'configmap', 'after-revoke', '-n', 'observers']));
      expect(watch.events().some((e) => objectName(e.object) === 'after-revoke')).toBe(false);
      expect(watch.events().at(-1)?.type).toBe('ERROR');
    } finally {
      watch.stop();
    }
  }, 60_000);

  it('refuses a token for another audience (422) and a body of the wrong types (400), and mints nothing', async () => {
    ok(await applyJson('root:team-a', namespace('audiences')));
    ok(await at('root:team-a', ['create', 'serviceaccount', 'other', '-n', 'audiences']));
    const foreign = await at('root:team-a', [
      'create',
      'token',
      'other',
      '-n',
      'audiences',
      '--audience',
      'https://vault.example.com',
    ]);
    expect(foreign.code).not.toBe(0);
    expect(foreign.stderr).toContain(
      'spec.audiences: Invalid value: []string{"https://vault.example.com"}: this platform only accepts tokens for its own audience "https://kubernetes.default.svc.cluster.local"',
    );
    // Naming the platform's own audience (alone or beside others) is a token the platform accepts.
    const own = await at('root:team-a', [
      'create',
      'token',
      'other',
      '-n',
      'audiences',
      '--audience',
      'https://kubernetes.default.svc.cluster.local',
    ]);
    ok(own);

    const post = (body: unknown) =>
      rawRequest(
        platform.url,
        '/clusters/root:team-a/api/v1/namespaces/audiences/serviceaccounts/other/token',
        {
          token: adminToken(platform.dataDir),
          ca: readFileSync(path.join(platform.dataDir, 'ca.crt')),
          method: 'POST',
          body: JSON.stringify({
            apiVersion: 'authentication.k8s.io/v1',
            kind: 'TokenRequest',
            ...(body as object),
          }),
        },
      );
    const notAnObject = await post({ spec: [1] });
    expect(notAnObject.status).toBe(400);
    expect(notAnObject.body).toContain('cannot unmarshal array into Go struct field TokenRequest.spec');
    const notAList = await post({ spec: { audiences: 'x' } });
    expect(notAList.status).toBe(400);
    expect(notAList.body).toContain('cannot unmarshal string into Go struct field');
    const notStrings = await post({ spec: { audiences: [1] } });
    expect(notStrings.status).toBe(400);
    const defaulted = await post({ spec: {} });
    expect(defaulted.status).toBe(201);
    expect(JSON.parse(defaulted.body)).toMatchObject({
      spec: { audiences: ['https://kubernetes.default.svc.cluster.local'] },
    });
  }, 30_000);

  it('refuses a lifetime outside 10 minutes to 365 days, as the apiserver does, and mints nothing', async () => {
    const short = await at('root:team-a', ['create', 'token', 'deployer', '-n', 'ci', '--duration', '5m']);
    expect(short.code).not.toBe(0);
    expect(short.stderr).toContain(
      'spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes',
    );
    const long = await at('root:team-a', ['create', 'token', 'deployer', '-n', 'ci', '--duration', '9000h']);
    expect(long.code).not.toBe(0);
    expect(long.stderr).toContain('may not specify a duration larger than 31536000 seconds (365 days)');
    const dryRun = await rawRequest(
      platform.url,
      '/clusters/root:team-a/api/v1/namespaces/ci/serviceaccounts/deployer/token?dryRun=All',
      {
        token: adminToken(platform.dataDir),
        ca: readFileSync(path.join(platform.dataDir, 'ca.crt')),
        method: 'POST',
        body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} }),
      },
    );
    expect(dryRun.status).toBe(400);
    expect(dryRun.body).toContain('dry run is not supported for token');
    const missing = await at('root:team-a', ['create', 'token', 'nobody', '-n', 'ci']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('serviceaccounts "nobody" not found');
  }, 30_000);
});

describe('joining compute with a bootstrap token', () => {
  const CLUSTER = 'join-1';
  const HUB = 'root:compute';
  const MEMBER = 'root:join-member';
  const owner = () => ({
    HOME: scratch,
    KUBECONFIG: platform.kubeconfig,
    KUBECACHEDIR: path.join(scratch, 'cache'),
  });
  const denied = (result: RunResult) => {
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/forbidden|Forbidden/);
  };
  const unauthorized = (result: RunResult) => {
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/Unauthorized|must be logged in/);
  };
  let bootstrapFile: string;
  let credentialDir: string;
  let agentToken: string;
  let agentArgs: string[];
  const helloWork = (name: string, value: string) => ({
    apiVersion: 'work.open-cluster-management.io/v1',
    kind: 'ManifestWork',
    metadata: { name, namespace: CLUSTER },
    spec: {
      workload: {
        manifests: [
          { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'apps' }, data: { v: value } },
        ],
      },
    },
  });

  it('join-command prepares a bootstrap kubeconfig (owner-only) and prints the agent line without the token', async () => {
    ok(await applyJson(MEMBER, namespace('apps')));
    const memberKubeconfig = workspaceKubeconfig(platform.kubeconfig, platform.url, MEMBER, scratch);
    bootstrapFile = path.join(scratch, 'join-1-bootstrap.kubeconfig');
    credentialDir = path.join(scratch, 'join-1-credential');
    const args = ['cluster', 'join-command', CLUSTER, '--label', 'region=eu-west', '--ttl', '30m'];
    const location = ['--bootstrap-kubeconfig', bootstrapFile, '--member-kubeconfig', memberKubeconfig];
    const text = await kplane([...args, ...location], { env: owner() });
    ok(text);
    expect(statSync(bootstrapFile).mode & 0o777).toBe(0o600);
    const bootstrapToken = /token: (\S+)/.exec(readFileSync(bootstrapFile, 'utf8'))?.[1] ?? '';
    expect(bootstrapToken).not.toBe('');
    expect(text.stdout).not.toContain(bootstrapToken);
    expect(text.stdout.trim()).toBe(
      `kplane agent --cluster-name join-1 --bootstrap-kubeconfig ${bootstrapFile} --hub-credential-dir join-1-hub-credential --member-kubeconfig ${memberKubeconfig} --label region=eu-west`,
    );

    const json = await kplane([...args, ...location, '-o', 'json'], { env: owner() });
    ok(json);
    const join = JSON.parse(json.stdout) as { command: string[]; expirationTimestamp: string };
    expect(Date.parse(join.expirationTimestamp) - Date.now()).toBeGreaterThan(25 * 60_000);
    // The bootstrap identity cannot accept its own cluster, nor register another name; nothing is stored then.
    const bootstrap = (args: string[], input?: string) =>
      kubectl(args, {
        kubeconfig: bootstrapFile,
        cacheDir: path.join(scratch, 'cache-bootstrap'),
        ...(input !== undefined ? { input } : {}),
      });
    const cluster = (name: string, accepted: boolean) =>
      JSON.stringify({
        apiVersion: 'cluster.open-cluster-management.io/v1',
        kind: 'ManagedCluster',
        metadata: { name },
        spec: { hubAcceptsClient: accepted },
      });
    const selfAccepted = await bootstrap(['create', '-f', '-'], cluster(CLUSTER, true));
    expect(selfAccepted.code).not.toBe(0);
    expect(selfAccepted.stderr).toContain('cannot update the HubAcceptsClient field');
    const otherName = await bootstrap(['create', '-f', '-'], cluster('join-1-other', false));
    expect(otherName.code).not.toBe(0);
    expect(otherName.stderr).toContain(
      'the bootstrap identity of cluster "join-1" may register only that cluster',
    );
    expect((await at(HUB, ['get', 'managedclusters', '-o', 'name'])).stdout).not.toContain('join-1');

    agentArgs = join.command.slice(2);
    agentArgs[agentArgs.indexOf('--hub-credential-dir') + 1] = credentialDir;
    agentArgs.push('--resync-seconds', '1', '--capacity', 'cpu=4', '--lease-seconds', '8');
    agent = startAgent(agentArgs);
    await agent.waitForStderr(/cluster join-1 waits for the hub to accept it: kplane cluster accept join-1/);
  }, 60_000);

  it('the bootstrap identity may register its cluster and nothing else', async () => {
    const bootstrap = (args: string[]) =>
      kubectl(args, { kubeconfig: bootstrapFile, cacheDir: path.join(scratch, 'cache-bootstrap') });
    ok(await bootstrap(['get', 'managedcluster', CLUSTER]));
    denied(await bootstrap(['get', 'managedclusters']));
    denied(await bootstrap(['get', 'manifestworks', '-n', CLUSTER]));
    denied(await bootstrap(['get', 'secrets', '-A']));
    denied(await bootstrap(['get', 'secrets', '-n', 'kplane-bootstrap']));
    denied(await bootstrap(['create', 'token', 'kplane-agent', '-n', 'other-cluster']));
  }, 30_000);

  it('cluster list shows it pending; accept gives the agent its own token, with which it applies its works', async () => {
    const listed = await kplane(['cluster', 'list', '-o', 'json'], { env: owner() });
    ok(listed);
    const clusters = JSON.parse(listed.stdout) as {
      metadata: { name: string };
      spec?: { hubAcceptsClient?: boolean };
    }[];
    expect(clusters.find((c) => c.metadata.name === CLUSTER)?.spec?.hubAcceptsClient ?? false).toBe(false);
    const table = await kplane(['cluster', 'list'], { env: owner() });
    expect(table.stdout).toMatch(/^join-1\tpending\t\S+\tregion=eu-west\t/m);

    ok(await kplane(['cluster', 'accept', CLUSTER], { env: owner() }));
    await agent!.waitForStderr(/cluster join-1 joined: its own hub credential is in /);
    const file = path.join(credentialDir, 'hub-token.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(credentialDir).mode & 0o777).toBe(0o700);
    agentToken = (JSON.parse(readFileSync(file, 'utf8')) as { token: string }).token;

    ok(
      await applyJson(HUB, {
        apiVersion: 'work.open-cluster-management.io/v1',
        kind: 'ManifestWork',
        metadata: { name: 'hello', namespace: CLUSTER },
        spec: {
          workload: {
            manifests: [
              {
                apiVersion: 'v1',
                kind: 'ConfigMap',
                metadata: { name: 'hello', namespace: 'apps' },
                data: { v: '1' },
              },
            ],
          },
        },
      }),
    );
    const applied = await eventually(
      () => at(MEMBER, ['get', 'configmap', 'hello', '-n', 'apps', '-o', 'jsonpath={.data.v}']),
      (result) => result.code === 0,
      20_000,
    );
    expect(applied.stdout).toBe('1');
    const available = await eventually(
      () =>
        at(HUB, [
          'get',
          'managedcluster',
          CLUSTER,
          '-o',
          'jsonpath={.status.conditions[?(@.type=="ManagedClusterConditionAvailable")].status}',
        ]),
      (result) => result.stdout === 'True',
    );
    expect(available.stdout).toBe('True');
    const accepted = await kplane(['cluster', 'list'], { env: owner() });
    expect(accepted.stdout).toMatch(/^join-1\ttrue\tTrue\tregion=eu-west\t/m);
  }, 60_000);

  it("the agent's token reads its own cluster's works only, and nothing in other workspaces", async () => {
    ok(await applyJson(HUB, namespace('other-cluster')));
    const asAgent = asToken(agentToken, HUB, 'join-1-agent');
    ok(await asAgent(['get', 'manifestworks', '-n', CLUSTER]));
    ok(await asAgent(['get', 'managedcluster', CLUSTER]));
    denied(await asAgent(['get', 'manifestworks', '-n', 'other-cluster']));
    denied(await asAgent(['get', 'managedclusters']));
    denied(await asAgent(['get', 'secrets', '-n', CLUSTER]));
    denied(await asAgent(['create', 'token', 'kplane-agent', '-n', 'other-cluster']));
    unauthorized(
      await asToken(agentToken, MEMBER, 'join-1-agent-elsewhere')(['get', 'configmaps', '-n', 'apps']),
    );
    // After the join, the bootstrap identity still cannot read works.
    const bootstrap = await kubectl(['get', 'manifestworks', '-n', CLUSTER], {
      kubeconfig: bootstrapFile,
      cacheDir: path.join(scratch, 'cache-bootstrap'),
    });
    denied(bootstrap);
  }, 30_000);

  it('a restarted agent reuses its stored credential, with the bootstrap token revoked', async () => {
    await agent!.stop();
    ok(await at(HUB, ['delete', 'serviceaccount', CLUSTER, '-n', 'kplane-bootstrap']));
    unauthorized(
      await kubectl(['get', 'managedcluster', CLUSTER], {
        kubeconfig: bootstrapFile,
        cacheDir: path.join(scratch, 'cache-bootstrap'),
      }),
    );
    agent = startAgent(agentArgs);
    ok(await applyJson(HUB, helloWork('after-restart', '2')));
    const applied = await eventually(
      () => at(MEMBER, ['get', 'configmap', 'after-restart', '-n', 'apps', '-o', 'jsonpath={.data.v}']),
      (result) => result.code === 0,
      20_000,
    );
    expect(applied.stdout).toBe('2');
    expect(agent.stderr()).not.toContain('joined');
  }, 60_000);

  it("deny revokes the agent's token; a new join-command and accept bring the running agent back", async () => {
    // A watch the agent's token opened before the deny ends with it: no tenant work reaches it afterwards.
    const openWatch = await rawWatch(
      platform.url,
      `/clusters/${HUB}/apis/work.open-cluster-management.io/v1/namespaces/${CLUSTER}/manifestworks`,
      { token: agentToken, ca: readFileSync(path.join(platform.dataDir, 'ca.crt')) },
    );
    ok(await kplane(['cluster', 'deny', CLUSTER], { env: owner() }));
    unauthorized(
      await asToken(agentToken, HUB, 'join-1-agent-denied')(['get', 'manifestworks', '-n', CLUSTER]),
    );
    try {
      const error = await openWatch.waitFor((e) => e.type === 'ERROR');
      expect(error.object).toMatchObject({ kind: 'Status', code: 401 });
      expect(await openWatch.ended()).toBe(true);
      ok(await applyJson(HUB, helloWork('while-denied', '2')));
      expect(openWatch.events().some((e) => objectName(e.object) === 'while-denied')).toBe(false);
    } finally {
      openWatch.stop();
    }
    await agent!.waitForStderr(/the hub refused the stored credential/);
    // Its bootstrap identity was deleted above: the owner writes a fresh bootstrap kubeconfig over the old one.
    await agent!.waitForStderr(/cannot join again: the hub refused the bootstrap token/);
    const again = [
      'cluster',
      'join-command',
      CLUSTER,
      '--label',
      'region=eu-west',
      '--bootstrap-kubeconfig',
      bootstrapFile,
    ];
    ok(await kplane(again, { env: owner() }));
    await agent!.waitForStderr(/cluster join-1 waits for the hub to accept it/);
    ok(await kplane(['cluster', 'accept', CLUSTER], { env: owner() }));
    await agent!.waitForStderr(/cluster join-1 joined/);
    ok(await applyJson(HUB, helloWork('after-rejoin', '3')));
    const applied = await eventually(
      () => at(MEMBER, ['get', 'configmap', 'after-rejoin', '-n', 'apps', '-o', 'jsonpath={.data.v}']),
      (result) => result.code === 0,
      20_000,
    );
    expect(applied.stdout).toBe('3');
    // The token from before the deny stays dead: the new ServiceAccount is another one.
    unauthorized(await asToken(agentToken, HUB, 'join-1-agent-old')(['get', 'manifestworks', '-n', CLUSTER]));
  }, 90_000);
});

describe('bad input to join-command and the agent', () => {
  const owner = () => ({
    HOME: scratch,
    KUBECONFIG: platform.kubeconfig,
    KUBECACHEDIR: path.join(scratch, 'cache'),
  });

  it.each([
    [['Bad_Name'], 'invalid cluster name "Bad_Name"'],
    [['ttl-check', '--ttl', '5m'], '--ttl must be between 10m and 365d'],
    [['ttl-check', '--label', 'region'], '--label region: expected KEY=VALUE'],
  ])('join-command %j is refused with exit 2 and makes nothing', async (args, message) => {
    const result = await kplane(['cluster', 'join-command', ...args], { env: owner() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stdout).toBe('');
    const accounts = await at('root:compute', ['get', 'serviceaccounts', '-A', '-o', 'name']);
    expect(accounts.stdout).not.toContain('ttl-check');
  });

  it('accepting a cluster that never registered is not found (exit 3)', async () => {
    const result = await kplane(['cluster', 'accept', 'never-registered'], { env: owner() });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('cluster "never-registered" has not registered in root:compute');
  });

  it.each([
    [['--member-kubeconfig', 'm.kubeconfig'], 'say how to reach the hub'],
    [
      [
        '--member-kubeconfig',
        'm.kubeconfig',
        '--bootstrap-kubeconfig',
        'b',
        '--hub-credential-dir',
        'd',
        '--auto-accept',
      ],
      '--auto-accept needs --hub-kubeconfig',
    ],
  ])('the agent refuses %j before touching hub or member', async (args, message) => {
    const result = await kplane(['agent', '--cluster-name', 'bad-input', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });
});
