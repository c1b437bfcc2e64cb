import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoAuthenticationConfig } from '../../src/devplatform/demo-oidc.js';
import { startOpenIdProvider, type RunningOpenIdProvider } from '../../src/devplatform/openid-provider.js';
import { isProcessAlive } from '../../src/shared/process-alive.js';
import { signInAs } from '../../src/devplatform/sign-in-by-http.js';
import { kplane, kplaneBin, kubectl as kubectlAs, userSandbox, type UserSandbox } from './helpers/cli.js';
import {
  kubectl,
  rawRequest,
  startPlatformProcess,
  tokenKubeconfig,
  type PlatformProcess,
} from './helpers/platform.js';
import { eventually } from './helpers/wait.js';

// The platform with the real dev OpenID provider (oidc-provider): the ID tokens it signs with the keys its
// JWKS publishes get the user's home, and `kplane dev up --oidc` runs the whole newcomer's flow.

describe('ID tokens of the real dev OpenID provider', () => {
  let provider: RunningOpenIdProvider;
  let platform: PlatformProcess;
  let dir: string;

  beforeAll(async () => {
    provider = await startOpenIdProvider();
    dir = mkdtempSync(path.join(os.tmpdir(), 'kplane-oidc-real-'));
    const configFile = path.join(dir, 'authentication.yaml');
    writeFileSync(configFile, demoAuthenticationConfig(provider));
    platform = await startPlatformProcess({ args: ['--authentication-config', configFile] });
  });

  afterAll(async () => {
    await platform?.stop();
    await provider?.stop();
  });

  it('a CI-audience token reaches the home workspace; another audience is refused', async () => {
    const ca = readFileSync(path.join(platform.dataDir, 'ca.crt'));
    const claims = { email: 'ci-bot@example.com', groups: ['ci'] };
    const token = await provider.mintIdToken({ subject: 'ci-bot', claims });
    const home = await rawRequest(platform.url, '/clusters/root/apis/tenancy.kcp.io/v1alpha1/workspaces/~', {
      ca,
      token,
    });
    expect(home.status).toBe(200);
    const homeUrl = (JSON.parse(home.body) as { spec: { URL: string } }).spec.URL;
    const options = tokenKubeconfig(platform, dir, 'ci', homeUrl, token);
    const listed = await kubectl(['get', 'configmaps'], options);
    expect(listed.stderr).toMatch(/^(No resources found.*)?\n?$/);
    expect(listed.code).toBe(0);
    const whoami = await kubectl(['auth', 'whoami', '-o', 'json'], options);
    expect(JSON.parse(whoami.stdout).status.userInfo).toMatchObject({
      username: 'oidc:ci-bot@example.com',
      uid: 'ci-bot',
      groups: ['oidc:ci', 'system:authenticated'],
    });

    const foreign = await provider.mintIdToken({ subject: 'ci-bot', audience: 'another-app', claims });
    const refused = await rawRequest(
      platform.url,
      '/clusters/root/apis/tenancy.kcp.io/v1alpha1/workspaces/~',
      {
        ca,
        token: foreign,
      },
    );
    expect(refused.status).toBe(401);
    expect(platform.stderr()).not.toContain(token);
    expect(platform.stderr()).not.toContain(foreign);
  });
});

describe('kplane dev up --oidc', () => {
  let dataDir: string;
  let ready: { url: string; oidcIssuer: string; pid: number };
  let alice: UserSandbox;
  /** The arguments after `login` in the line dev up prints. */
  let printedLogin: string[];

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'kplane-dev-oidc-'));
    alice = userSandbox('kplane-oidc-alice-');
    // The text a newcomer reads: its login line is what the device-flow test below runs.
    const up = await kplane(
      ['dev', 'up', '--detach', '--demo', '--oidc', '--port', '0', '--data-dir', dataDir],
      {
        timeoutMs: 60_000,
      },
    );
    if (up.code !== 0) throw new Error(`dev up --oidc failed (${up.code}): ${up.stderr}`);
    const running = /running at (\S+) \(pid (\d+)/.exec(up.stdout);
    const issuer = /at the OpenID provider (\S+):/.exec(up.stdout);
    printedLogin = /^\s+.*?\blogin (.+)$/m.exec(up.stdout)?.[1]?.split(' ') ?? [];
    if (!running || !issuer) throw new Error(`dev up --oidc printed no URL or issuer: ${up.stdout}`);
    ready = { url: running[1]!, pid: Number(running[2]), oidcIssuer: issuer[1]! };
  });

  afterAll(async () => {
    await kplane(['dev', 'down', '--data-dir', dataDir]);
    alice?.cleanup();
  });

  it('serves the provider the platform names in its login discovery document', async () => {
    const ca = readFileSync(path.join(dataDir, 'ca.crt'));
    const discovery = JSON.parse((await rawRequest(ready.url, '/.well-known/kplane-login', { ca })).body) as {
      issuer: string;
      clientId: string;
    };
    expect(discovery.issuer).toBe(ready.oidcIssuer);
    expect(discovery.clientId).toBe('kplane');
  });

  it('lets a newcomer log in with the printed line (device flow) and use kubectl in their home', async () => {
    expect(printedLogin[0]).toBe(ready.url);
    const login = spawn(process.execPath, [kplaneBin, 'login', ...printedLogin, '--device'], {
      env: { ...process.env, ...alice.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    login.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => login.once('exit', resolve));
    try {
      const verificationUrl = await eventually(
        async () => /open (https:\/\/\S+)/.exec(stderr)?.[1],
        (url) => url !== undefined,
        20_000,
      );
      if (!verificationUrl) throw new Error(`kplane login --device printed no URL: ${stderr}`);
      const providerCa = (
        JSON.parse(
          (
            await rawRequest(ready.url, '/.well-known/kplane-login', {
              ca: readFileSync(path.join(dataDir, 'ca.crt')),
            })
          ).body,
        ) as { certificateAuthority: string }
      ).certificateAuthority;
      await signInAs(verificationUrl, 'alice', providerCa);
      expect(await exited).toBe(0);
    } finally {
      login.kill();
    }
    const sandbox = { env: alice.env };
    const whoami = await kplane(['whoami', '-o', 'json'], sandbox);
    expect(whoami.stdout).toContain('oidc:alice@example.com');
    expect((await kplane(['ws', 'use', '~'], sandbox)).code).toBe(0);
    const current = await kplane(['ws', '.'], sandbox);
    expect(current.stdout).toMatch(/root:users:oidc-alice-example-com-[0-9a-f]{6}/);
    const created = await kubectlAs(['create', 'configmap', 'from-oidc', '--from-literal=a=b'], sandbox);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    // No token in the kubeconfig: kubectl asks `kplane auth token`.
    expect(readFileSync(alice.kubeconfig, 'utf8')).not.toMatch(/token:/);
  });

  it('dev down stops the provider with the platform', async () => {
    const pidFile = path.join(dataDir, 'oidc-provider.pid');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(isProcessAlive(pid)).toBe(true);
    expect((await kplane(['dev', 'down', '--data-dir', dataDir])).code).toBe(0);
    expect(
      await eventually(
        async () => isProcessAlive(pid),
        (alive) => !alive,
      ),
    ).toBe(false);
    expect(existsSync(pidFile)).toBe(false);
  });
});
