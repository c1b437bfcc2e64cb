import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunResult } from './helpers/cli.js';
import {
  adminKubectlAt,
  kubectl,
  startPlatformProcess,
  tokenKubeconfig,
  type PlatformProcess,
} from './helpers/platform.js';

// Service-account tokens (TokenRequest) and joining compute with them: a bootstrap token from
// `kplane cluster join-command`, acceptance, and the agent's own narrow token. Members are workspaces of the same
// platform, as in agent.test.ts; everything is checked with the real kubectl and real agent processes.

let platform: PlatformProcess;
let scratch: string;
let admin: ReturnType<typeof adminKubectlAt>;

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

  it('refuses a lifetime outside 10 minutes to 365 days, as the apiserver does, and mints nothing', async () => {
    const short = await at('root:team-a', ['create', 'token', 'deployer', '-n', 'ci', '--duration', '5m']);
    expect(short.code).not.toBe(0);
    expect(short.stderr).toContain(
      'spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes',
    );
    const long = await at('root:team-a', ['create', 'token', 'deployer', '-n', 'ci', '--duration', '9000h']);
    expect(long.code).not.toBe(0);
    expect(long.stderr).toContain('may not specify a duration larger than 31536000 seconds (365 days)');
    const missing = await at('root:team-a', ['create', 'token', 'nobody', '-n', 'ci']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('serviceaccounts "nobody" not found');
  }, 30_000);
});
