import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { adminKubectl, login, mintToken } from './helpers/identity.js';
import {
  kplane,
  kubectl,
  startDevPlatform,
  userSandbox,
  type DevPlatform,
  type UserSandbox,
} from './helpers/cli.js';

let platform: DevPlatform;
let alice: UserSandbox;
let bob: UserSandbox;
let caFile: string;
const tokens: Record<string, string> = {};

const mint = (user: string, ...flags: string[]) => mintToken(platform, user, ...flags);
const loginAs = (user: UserSandbox, token: string) => login(platform, user, token);

const as = (user: UserSandbox) => ({
  kplane: (...args: string[]) => kplane(args, { env: user.env }),
  kubectl: (...args: string[]) => kubectl(args, { env: user.env }),
});

beforeAll(async () => {
  platform = await startDevPlatform({ demo: true });
  caFile = path.join(platform.dataDir, 'ca.crt');
  alice = userSandbox('kplane-alice-');
  bob = userSandbox('kplane-bob-');
  tokens.alice = await mint('alice', '--group', 'developers');
  tokens.bob = await mint('bob');
});

afterAll(async () => {
  await platform?.stop();
  alice?.cleanup();
  bob?.cleanup();
});

/** Every file under a sandbox that kubectl or kplane treats as a kubeconfig. */
function kubeconfigFiles(user: UserSandbox): string[] {
  return [user.kubeconfig, ...readdirSync(user.dir).map((f) => path.join(user.dir, f))].filter(
    (f) => existsSync(f) && statSync(f).isFile() && /kubeconfig|\.kube/.test(f),
  );
}

describe('logging in', () => {
  it('refuses a token the platform does not accept and writes nothing', async () => {
    const result = await loginAs(alice, 'not-a-token');
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('did not accept this token');
    expect(existsSync(alice.kubeconfig)).toBe(false);
    expect(existsSync(path.join(alice.dir, 'config', 'kplane', 'credentials.json'))).toBe(false);
  });

  it('without a terminal, refuses an untrusted certificate and says what to pass', async () => {
    const result = await kplane(['login', platform.url, '--token-stdin'], {
      env: alice.env,
      input: tokens.alice,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--certificate-authority');
    expect(existsSync(alice.kubeconfig)).toBe(false);
  });

  it('stores the token outside the kubeconfig; kubectl gets it from the exec plugin', async () => {
    const result = await loginAs(alice, tokens.alice!);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`Logged in to ${platform.url} as alice`);
    // No Secret Service in the sandbox: the owner-only file takes the token, and login says so once.
    expect(result.stderr).toContain('no OS keyring');
    const credentials = path.join(alice.dir, 'config', 'kplane', 'credentials.json');
    expect(statSync(credentials).mode & 0o777).toBe(0o600);

    const config = parse(readFileSync(alice.kubeconfig, 'utf8'));
    const user = config.users[0].user;
    const authToken = ['kplane', 'auth', 'token', '--server', platform.url];
    // Through the shell line that answers a stored token without starting Node (Linux and macOS).
    expect(user.exec).toMatchObject({
      apiVersion: 'client.authentication.k8s.io/v1',
      command: '/bin/sh',
      args: ['-c', expect.any(String), expect.stringMatching(/^[0-9a-f]{64}$/), ...authToken],
      interactiveMode: 'Never',
    });
    expect(JSON.stringify(user.exec)).not.toContain(tokens.alice!);
    expect(config.clusters[0].cluster['certificate-authority-data']).toBe(
      Buffer.from(readFileSync(caFile, 'utf8')).toString('base64'),
    );

    const credential = await as(alice).kplane('auth', 'token', '--server', platform.url);
    expect(credential.code, credential.stderr).toBe(0);
    expect(JSON.parse(credential.stdout)).toEqual({
      apiVersion: 'client.authentication.k8s.io/v1',
      kind: 'ExecCredential',
      status: { token: tokens.alice },
    });
  });

  it('whoami asks the platform: user, groups, home workspace, platform URL', async () => {
    const result = await as(alice).kplane('whoami', '-o', 'json');
    expect(result.code, result.stderr).toBe(0);
    const me = JSON.parse(result.stdout);
    expect(me).toMatchObject({ username: 'alice', platform: platform.url, home: 'root:users:alice' });
    expect(me.groups).toEqual(expect.arrayContaining(['developers', 'system:authenticated']));
    const text = await as(alice).kplane('whoami');
    expect(text.stdout).toMatch(/User:\s+alice/);
    expect(text.stdout).not.toContain(tokens.alice);
  });
});

describe('workspaces that keep tenants apart', () => {
  beforeAll(async () => {
    expect((await loginAs(alice, tokens.alice!)).code).toBe(0);
    expect((await loginAs(bob, tokens.bob!)).code).toBe(0);
  });

  it('each user enters their home and works there with plain kubectl', async () => {
    const home = await as(alice).kplane('ws', 'use', '~');
    expect(home.code, home.stderr).toBe(0);
    expect(home.stdout).toMatch(/^Current workspace is 'root:users:alice'/);
    const created = await as(alice).kubectl('create', 'configmap', 'recipe', '--from-literal=secret=sauce');
    expect(created.code, created.stderr).toBe(0);
    const listed = await as(alice).kubectl('get', 'configmap', 'recipe', '-o', 'jsonpath={.data.secret}');
    expect(listed.stdout).toBe('sauce');

    const bobHome = await as(bob).kplane('ws', 'use', '~');
    expect(bobHome.stdout).toMatch(/^Current workspace is 'root:users:bob'/);
  });

  it("bob gets the same answer for alice's workspace as for one that does not exist", async () => {
    const before = readFileSync(bob.kubeconfig, 'utf8');
    const hers = await as(bob).kplane('ws', 'use', ':root:users:alice');
    const nobody = await as(bob).kplane('ws', 'use', ':root:users:nobody-here');
    expect(hers.code).toBe(4);
    expect(nobody.code).toBe(hers.code);
    expect(hers.stderr).toBe('Error: access to workspace "root:users:alice" denied\n');
    expect(nobody.stderr).toBe('Error: access to workspace "root:users:nobody-here" denied\n');
    expect(readFileSync(bob.kubeconfig, 'utf8')).toBe(before);
  });

  it("bob cannot read alice's config maps through kubectl, by path or through raw URL forms", async () => {
    const viaServer = await as(bob).kubectl(
      '--server',
      `${platform.url}/clusters/root:users:alice`,
      'get',
      'configmaps',
    );
    expect(viaServer.code).not.toBe(0);
    expect(viaServer.stdout + viaServer.stderr).not.toContain('recipe');
    for (const raw of [
      '/clusters/root:users:alice/api/v1/namespaces/default/configmaps',
      '/clusters/root%3Ausers%3Aalice/api/v1/namespaces/default/configmaps/recipe',
      '/clusters/root:users:bob/../root:users:alice/api/v1/namespaces/default/configmaps',
      '/clusters/root:users:alice/api/v1/namespaces/default/configmaps/',
    ]) {
      const result = await as(bob).kubectl('get', '--raw', raw);
      expect(result.code, raw).not.toBe(0);
      expect(result.stdout + result.stderr, raw).not.toContain('sauce');
    }
  });

  it('enters a workspace it may access even when the parent will not show the Workspace object', async () => {
    const grant = await adminKubectl(
      platform,
      'root:acme:web',
      'create',
      'clusterrolebinding',
      'alice-access',
      '--clusterrole=system:kcp:workspace:access',
      '--user=alice',
    );
    expect(grant.code, grant.stderr).toBe(0);
    const result = await as(alice).kplane('ws', 'use', ':root:acme:web');
    expect(result).toMatchObject({ code: 0, stdout: "Current workspace is 'root:acme:web'.\n" });
    const tree = await as(alice).kplane('ws', 'tree');
    expect(tree.code, tree.stderr).toBe(0);
    expect(tree.stdout).toBe('.\n└── web (children not visible)\n');
  });

  it('no kubeconfig file holds a token', async () => {
    for (const user of [alice, bob]) {
      for (const file of kubeconfigFiles(user)) {
        const text = readFileSync(file, 'utf8');
        expect(text).not.toContain(tokens.alice);
        expect(text).not.toContain(tokens.bob);
      }
    }
  });
});

describe('losing and regaining access', () => {
  it('logout forgets the token; login again restores access without touching the workspace contexts', async () => {
    expect((await loginAs(alice, tokens.alice!)).code).toBe(0);
    expect((await as(alice).kplane('ws', 'use', '~')).code).toBe(0);
    const before = readFileSync(alice.kubeconfig, 'utf8');
    const out = await as(alice).kplane('logout');
    expect(out.code, out.stderr).toBe(0);
    const denied = await as(alice).kubectl('get', 'configmaps');
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain('kplane login');
    expect(readFileSync(alice.kubeconfig, 'utf8')).toBe(before);

    expect((await loginAs(alice, tokens.alice!)).code).toBe(0);
    expect(readFileSync(alice.kubeconfig, 'utf8')).toBe(before);
    const back = await as(alice).kubectl('get', 'configmap', 'recipe', '-o', 'name');
    expect(back.stdout).toBe('configmap/recipe\n');
  });

  it('kplane reads its own token without running the exec plugin; logout still locks it out', async () => {
    const erin = userSandbox('kplane-erin-');
    try {
      expect((await loginAs(erin, await mint('erin'))).code).toBe(0);
      // The kubeconfig runs `kplane`; on this PATH that name is a tripwire, so a plugin process fails.
      const tripwireDir = path.join(erin.dir, 'tripwire');
      mkdirSync(tripwireDir);
      writeFileSync(
        path.join(tripwireDir, 'kplane'),
        '#!/bin/sh\necho "the exec plugin ran" >&2\nexit 97\n',
        {
          mode: 0o755,
        },
      );
      const env = { ...erin.env, PATH: tripwireDir };

      const entered = await kplane(['ws', 'use', '~'], { env });
      expect(entered.code, entered.stderr).toBe(0);
      expect(entered.stdout).toMatch(/^Current workspace is 'root:users:erin'/);
      // kubectl does run the plugin, and trips: the exec entry itself is unchanged (KPLANE_NO_FAST_PATH has its
      // shell line go on to the command rather than print the answer prepared for it).
      const viaKubectl = await kubectl(['get', 'configmaps'], { env: { ...env, KPLANE_NO_FAST_PATH: '1' } });
      expect(viaKubectl.code).not.toBe(0);
      expect(viaKubectl.stderr).toContain('the exec plugin ran');

      expect((await kplane(['logout'], { env })).code).toBe(0);
      const locked = await kplane(['ws', 'use', '~'], { env });
      expect(locked.code).toBe(4);
      expect(locked.stderr).toBe(
        `Error: not logged in to ${platform.url}: run kplane login ${platform.url}\n`,
      );
    } finally {
      erin.cleanup();
    }
  });

  it('a revoked token gets 401, and kplane says the platform refused it and how to log in again', async () => {
    const carol = userSandbox('kplane-carol-');
    try {
      const token = await mint('carol');
      expect((await loginAs(carol, token)).code).toBe(0);
      expect((await as(carol).kplane('whoami')).code).toBe(0);
      const revoke = await kplane(['dev', 'token', 'carol', '--revoke', '--data-dir', platform.dataDir]);
      expect(revoke.code, revoke.stderr).toBe(0);
      const refused =
        `Error: the platform at ${platform.url} refused your token (Unauthorized: revoked, expired or ` +
        `invalid): run kplane login ${platform.url}\n`;
      for (const args of [['whoami'], ['ws', 'use', ':root'], ['place', 'list']]) {
        const before = readFileSync(carol.kubeconfig, 'utf8');
        const after = await as(carol).kplane(...args);
        expect({ args, code: after.code, stderr: after.stderr }).toEqual({ args, code: 4, stderr: refused });
        expect(readFileSync(carol.kubeconfig, 'utf8')).toBe(before);
      }
    } finally {
      carol.cleanup();
    }
  });

  it('an expired token gets 401, and auth token says when it expires', async () => {
    const dave = userSandbox('kplane-dave-');
    try {
      const token = await mint('dave', '--ttl', '8s');
      expect((await loginAs(dave, token)).code).toBe(0);
      const credential = JSON.parse(
        (await as(dave).kplane('auth', 'token', '--server', platform.url)).stdout,
      );
      expect(Date.parse(credential.status.expirationTimestamp)).toBeGreaterThan(Date.now());
      await new Promise((resolve) =>
        setTimeout(resolve, Date.parse(credential.status.expirationTimestamp) - Date.now() + 1_500),
      );
      const expired = await as(dave).kplane('auth', 'token', '--server', platform.url);
      expect(expired.code).toBe(4);
      expect(expired.stderr).toContain('expired');
      // kplane's own requests refuse it the same way, before asking the platform.
      const moved = await as(dave).kplane('ws', 'use', '~');
      expect(moved.code).toBe(4);
      expect(moved.stderr).toMatch(/expired at .*: run kplane login /);
      const direct = await kubectl([
        '--server',
        `${platform.url}/clusters/root`,
        '--certificate-authority',
        caFile,
        '--token',
        token,
        'get',
        '--raw',
        '/clusters/root/api',
      ]);
      expect(direct.code).not.toBe(0);
      expect(direct.stderr).toMatch(/Unauthorized|credentials/);
    } finally {
      dave.cleanup();
    }
  });

  it('auth token for a platform nobody logged in to says what to do', async () => {
    const result = await kplane(['auth', 'token', '--server', 'https://127.0.0.1:1'], { env: bob.env });
    expect(result.code).toBe(4);
    expect(result.stderr).toBe(
      'Error: not logged in to https://127.0.0.1:1: run kplane login https://127.0.0.1:1\n',
    );
  });
});
