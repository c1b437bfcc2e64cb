import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { parse } from 'yaml';
import { openIdConfiguration } from '../../src/client/oidc/configuration.js';
import { signInAs } from '../../src/devplatform/sign-in-by-http.js';
import { kplane, kubectl, userSandbox, type RunResult, type UserSandbox } from './helpers/cli.js';
import { kplaneInBackground, startOidcWorld, storedCredentials, type OidcWorld } from './helpers/oidc.js';

// `kplane login` against the real platform trusting a real OpenID provider (oidc-provider), the browser step
// played by HTTP requests; then the real kubectl, through `kplane auth token`, as the person who logged in.

const idTokenTtlSeconds = 6;
let world: OidcWorld;
const sandboxes: UserSandbox[] = [];
/** Every command's output, to prove no token ever shows in any of it. */
const outputs: RunResult[] = [];

function sandbox(): UserSandbox {
  const created = userSandbox('kplane-oidc-');
  sandboxes.push(created);
  return created;
}

async function as(user: UserSandbox, command: 'kplane' | 'kubectl', ...args: string[]): Promise<RunResult> {
  const result = await (command === 'kplane' ? kplane : kubectl)(args, { env: user.env });
  outputs.push(result);
  return result;
}

async function loginWithDevice(user: UserSandbox, name: string): Promise<RunResult> {
  const login = kplaneInBackground(
    ['login', world.platform.url, '--device', '--certificate-authority', world.caFile],
    user.env,
  );
  const [, url] = await login.waitForStderr(/open (https:\/\/\S+)/);
  const visit = await signInAs(url!, name, world.provider.caPem);
  expect(visit.status).toBe(200);
  const result = await login.done;
  outputs.push(result);
  return result;
}

/** Reads the command lines of running `kplane auth token` processes (what `ps` shows) until stopped. */
function sampleExecPluginArguments(): { stop(): string[] } {
  const seen = new Set<string>();
  const timer = setInterval(() => {
    for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
      try {
        const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
        if (argv.includes('auth token')) seen.add(argv);
      } catch {
        // gone already
      }
    }
  }, 10);
  return {
    stop: () => {
      clearInterval(timer);
      return [...seen];
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function untilExpired(user: UserSandbox): Promise<void> {
  const { expiresAt } = storedCredentials(user.env.XDG_CONFIG_HOME!, world.platform.url);
  await sleep(Math.max(0, Date.parse(expiresAt!) - Date.now()) + 300);
}

beforeAll(async () => {
  world = await startOidcWorld({ idTokenTtlSeconds });
}, 60_000);

afterAll(async () => {
  await world?.stop();
  for (const created of sandboxes) created.cleanup();
});

describe('kplane login at the OpenID provider the platform names', () => {
  let alice: UserSandbox;

  it('device grant: prints the code URL, waits for the browser, then kubectl works in the home workspace', async () => {
    alice = sandbox();
    const login = await loginWithDevice(alice, 'alice');
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toContain('as oidc:alice');
    expect((await as(alice, 'kplane', 'ws', 'use', '~')).code).toBe(0);
    const configmaps = await as(alice, 'kubectl', 'get', 'configmaps', '-A');
    expect(configmaps.code, configmaps.stderr).toBe(0);
  }, 60_000);

  it('keeps the kubeconfig free of secrets: only the exec plugin with the platform URL', () => {
    const config = parse(readFileSync(alice.kubeconfig, 'utf8')) as {
      users: { name: string; user: { exec?: { args?: string[] } } }[];
    };
    const stored = storedCredentials(alice.env.XDG_CONFIG_HOME!, world.platform.url);
    expect(stored.token).toBeTruthy();
    expect(stored.refreshToken).toBeTruthy();
    const text = readFileSync(alice.kubeconfig, 'utf8');
    expect(text).not.toContain(stored.token!);
    expect(text).not.toContain(stored.refreshToken!);
    // kubectl starts the plugin with these arguments: they are what `ps` shows (after the shell line, the
    // name of the answer it may print, and the command it otherwise runs).
    expect(config.users.map((user) => user.user.exec?.args?.slice(-4))).toEqual([
      ['auth', 'token', '--server', world.platform.url],
    ]);
    expect(config.users[0]!.user.exec?.args?.length).toBe(8);
  });

  it('whoami shows the issuer, subject, username, groups and expiry', async () => {
    const whoami = await as(alice, 'kplane', 'whoami', '-o', 'json');
    expect(whoami.code, whoami.stderr).toBe(0);
    const me = JSON.parse(whoami.stdout) as Record<string, unknown>;
    expect(me).toMatchObject({
      username: 'oidc:alice',
      issuer: world.provider.issuer,
      subject: 'alice',
    });
    expect(me.groups).toContain('oidc:developers');
    expect(Date.parse(me.tokenExpiresAt as string)).toBeGreaterThan(Date.now() - idTokenTtlSeconds * 1000);
  });

  it('renews the expired ID token once for 20 kubectl calls at the same time', async () => {
    await untilExpired(alice);
    const before = world.provider.counts.token.refresh_token ?? 0;
    const sampler = sampleExecPluginArguments();
    const calls = await Promise.all(
      Array.from({ length: 20 }, () => as(alice, 'kubectl', 'get', 'configmaps', '-A')),
    );
    const pluginArguments = sampler.stop();
    for (const call of calls) expect(call.code, call.stderr).toBe(0);
    expect(world.provider.counts.token.refresh_token).toBe(before + 1);
    // What `ps` showed of the plugins kubectl started: the platform URL, never a token.
    expect(pluginArguments.length).toBeGreaterThan(0);
    const stored = storedCredentials(alice.env.XDG_CONFIG_HOME!, world.platform.url);
    for (const argv of pluginArguments) {
      expect(argv).not.toContain(stored.token!);
      expect(argv).not.toContain(stored.refreshToken!);
    }
  }, 60_000);

  it('fails with exit 4 and the login hint, never a prompt, once the provider revoked the refresh token', async () => {
    const { refreshToken } = storedCredentials(alice.env.XDG_CONFIG_HOME!, world.platform.url);
    await world.provider.revokeRefreshToken(refreshToken!);
    await untilExpired(alice);
    const token = await as(alice, 'kplane', 'auth', 'token', '--server', world.platform.url);
    expect(token.code).toBe(4);
    expect(token.stderr).toContain(`run kplane login ${world.platform.url}`);
    expect(token.stdout).toBe('');
    const viaKubectl = await as(alice, 'kubectl', 'get', 'configmaps', '-A');
    expect(viaKubectl.code).not.toBe(0);
    expect(viaKubectl.stderr).toContain('run kplane login');
  }, 30_000);

  it('authorization code with PKCE: the browser comes back to the loopback listener, then kubectl works', async () => {
    const bob = sandbox();
    const login = kplaneInBackground(
      ['login', world.platform.url, '--no-browser', '--certificate-authority', world.caFile],
      bob.env,
    );
    const [, url] = await login.waitForStderr(/^\s+(https:\/\/\S+)$/m);
    expect(new URL(url!).searchParams.get('code_challenge_method')).toBe('S256');
    const visit = await signInAs(url!, 'bob', world.provider.caPem);
    expect(visit.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback\?/);
    expect(visit.body).toContain('You are logged in');
    const result = await login.done;
    outputs.push(result);
    expect(result.code, result.stderr).toBe(0);
    expect((await as(bob, 'kplane', 'ws', 'use', '~')).code).toBe(0);
    expect((await as(bob, 'kubectl', 'get', 'configmaps', '-A')).code).toBe(0);
  }, 60_000);

  it('logout revokes the refresh token at the provider and forgets the tokens', async () => {
    const carol = sandbox();
    expect((await loginWithDevice(carol, 'carol')).code).toBe(0);
    const { refreshToken } = storedCredentials(carol.env.XDG_CONFIG_HOME!, world.platform.url);
    const revocations = world.provider.counts.revocation;
    const logout = await as(carol, 'kplane', 'logout');
    expect(logout.code, logout.stderr).toBe(0);
    expect(logout.stderr).toContain('Revoked the refresh token');
    expect(world.provider.counts.revocation).toBe(revocations + 1);
    expect(storedCredentials(carol.env.XDG_CONFIG_HOME!, world.platform.url)).toEqual({});
    // Revoked at the provider, not only forgotten here: a copy taken before logout no longer works.
    const config = await openIdConfiguration({
      issuer: world.provider.issuer,
      clientId: world.provider.clientId,
      certificateAuthority: world.provider.caPem,
    });
    await expect(oidc.refreshTokenGrant(config, refreshToken!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    expect((await as(carol, 'kplane', 'auth', 'token', '--server', world.platform.url)).code).toBe(4);
  }, 60_000);
});

describe('CI: a job-style ID token, no keyring, no prompt', () => {
  it('--token-stdin takes a token issued for the CI audience; kubectl works', async () => {
    const job = sandbox();
    const token = await world.provider.mintIdToken({ subject: 'ci-job-1' });
    const login = await kplane(
      ['login', world.platform.url, '--token-stdin', '--certificate-authority', world.caFile],
      {
        env: job.env,
        input: token,
      },
    );
    outputs.push(login);
    expect(login.code, login.stderr).toBe(0);
    expect((await as(job, 'kplane', 'ws', 'use', '~')).code).toBe(0);
    expect((await as(job, 'kubectl', 'get', 'configmaps', '-A')).code).toBe(0);
  }, 30_000);

  it('--token-file is read again on every auth token, as a projected service-account token is', async () => {
    const job = sandbox();
    const tokenFile = `${job.dir}/id-token`;
    const first = await world.provider.mintIdToken({ subject: 'ci-job-2', lifetimeSeconds: 600 });
    writeFileSync(tokenFile, first);
    const login = await as(
      job,
      'kplane',
      'login',
      world.platform.url,
      '--token-file',
      tokenFile,
      '--certificate-authority',
      world.caFile,
    );
    expect(login.code, login.stderr).toBe(0);
    expect(storedCredentials(job.env.XDG_CONFIG_HOME!, world.platform.url)).toEqual({
      location: 'file',
      tokenFile,
    });
    const second = await world.provider.mintIdToken({ subject: 'ci-job-2', lifetimeSeconds: 600 });
    writeFileSync(tokenFile, second);
    const credential = await as(job, 'kplane', 'auth', 'token', '--server', world.platform.url);
    expect(JSON.parse(credential.stdout).status.token).toBe(second);
    expect((await as(job, 'kplane', 'ws', 'use', '~')).code).toBe(0);
    expect((await as(job, 'kubectl', 'get', 'configmaps', '-A')).code).toBe(0);
  }, 30_000);

  it('refuses a token issued for another audience (exit 4) and stores nothing', async () => {
    const job = sandbox();
    const token = await world.provider.mintIdToken({ subject: 'ci-job-3', audience: 'someone-else' });
    const login = await kplane(
      ['login', world.platform.url, '--token-stdin', '--certificate-authority', world.caFile],
      {
        env: job.env,
        input: token,
      },
    );
    outputs.push(login);
    expect(login.code).toBe(4);
    expect(login.stderr).toContain('did not accept this token');
    expect(() => storedCredentials(job.env.XDG_CONFIG_HOME!, world.platform.url)).toThrow(/ENOENT/);
  });
});

describe('bad input: a clear message, exit 2, nothing stored or written', () => {
  it.each([
    ['a token file that is not there', ['--token-file', '/nonexistent/id-token'], /cannot read --token-file/],
    ['a token file without a JWT', ['--token-file', 'NOT_A_JWT'], /holds no ID token/],
    [
      'a token together with the device flow',
      ['--token-stdin', '--device'],
      /--oidc-\*, --device and --no-browser/,
    ],
  ])('%s', async (_case, flags, message) => {
    const job = sandbox();
    const notAJwt = `${job.dir}/static-token`;
    writeFileSync(notAJwt, 'kp_static_token_value\n');
    const args = flags.map((flag) => (flag === 'NOT_A_JWT' ? notAJwt : flag));
    const login = await kplane(
      ['login', world.platform.url, ...args, '--certificate-authority', world.caFile],
      {
        env: job.env,
        input: 'x.y.z',
      },
    );
    expect(login.code).toBe(2);
    expect(login.stderr).toMatch(message);
    expect(existsSync(job.kubeconfig)).toBe(false);
    expect(existsSync(`${job.env.XDG_CONFIG_HOME}/kplane/credentials.json`)).toBe(false);
  });
});

describe('tokens stay secret', () => {
  it('no ID or refresh token in any output, error message or the platform log', () => {
    const secrets = sandboxes.flatMap((user) => {
      try {
        const stored = storedCredentials(user.env.XDG_CONFIG_HOME!, world.platform.url);
        return [stored.token, stored.refreshToken].filter((value): value is string => Boolean(value));
      } catch {
        return [];
      }
    });
    expect(secrets.length).toBeGreaterThan(0);
    const seen = [
      ...outputs.flatMap((result) => [result.stderr]),
      world.platform.stderr(),
      world.platform.stdout(),
    ];
    for (const secret of secrets) for (const text of seen) expect(text).not.toContain(secret);
  });
});
